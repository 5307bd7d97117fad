// The sample a suggestion is checked against: the canonical order, whether the caller gives a shopify.trigger output,
// a canonical order, a map input that nests it (`{ shopify: { order } }`) or a raw orders/* webhook body.
import { readFileSync } from 'node:fs';
import { convertWebhook } from '../../shopify/webhook-convert.ts';
import type { ShopifyOrder } from '../../shopify/types.ts';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SampleError extends Error {}

/** The canonical order inside `sample`, or an error saying what was expected. */
export function orderFromSample(sample: unknown): ShopifyOrder {
  if (typeof sample === 'string') return orderFromSample(JSON.parse(sample));
  if (!isObj(sample)) throw new SampleError('the sample must be a JSON object (a Shopify order event)');
  if (Array.isArray(sample.lineItems)) return sample as unknown as ShopifyOrder;
  if (isObj(sample.order)) return orderFromSample(sample.order);
  if (isObj(sample.shopify)) return orderFromSample(sample.shopify);
  if (Array.isArray(sample.line_items)) {
    const converted = convertWebhook('orders/paid', JSON.stringify(sample));
    if (converted.kind === 'order') return converted.order;
  }
  throw new SampleError(
    'the sample has no Shopify order (expected a shopify.trigger output, a canonical order with lineItems, or an orders/* webhook body with line_items)',
  );
}

let builtIn: ShopifyOrder | undefined;

/** Shopify's published orders/paid example as the flows see it (the shopify.trigger sample). */
export function defaultOrderSample(): ShopifyOrder {
  builtIn ??= orderFromSample(readFileSync(new URL('../../shopify/samples/orders-paid.example.json', import.meta.url), 'utf8'));
  return builtIn;
}

/** The value at a catalogue path (`order.lineItems[].sku`), taking the first element of each list. */
export function sampleValue(order: unknown, path: string): unknown {
  let v: unknown = { order };
  for (const raw of path.split('.')) {
    const list = raw.endsWith('[]');
    const key = list ? raw.slice(0, -2) : raw;
    if (!isObj(v)) return undefined;
    v = v[key];
    if (list) v = Array.isArray(v) ? v[0] : undefined;
  }
  return v;
}
