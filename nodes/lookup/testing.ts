// Test scenarios built on Shopify's published orders/paid example, converted by the real webhook converter.
import { readFileSync } from 'node:fs';
import { convertWebhook } from '../shopify/webhook-convert.ts';
import type { ShopifyOrder } from '../shopify/types.ts';

export const FIXTURE = new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json', import.meta.url);

const taxLine = (title: string, rate: string, price: string) => ({
  title,
  rate: Number(rate),
  price,
  price_set: { shop_money: { amount: price, currency_code: 'USD' }, presentment_money: { amount: price, currency_code: 'USD' } },
  channel_liable: false,
});

/** The example order with Kentucky state + county tax on its lines and its shipping, a gift card line, and a POS location. */
export function taxedOrder(opts: { locationId?: number | null; giftCard?: boolean } = {}): ShopifyOrder {
  const raw = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, any>;
  for (const li of raw.line_items) li.tax_lines = [taxLine('KY State Tax', '0.06', '1.00'), taxLine('Jefferson County Tax', '0.01', '0.10')];
  if (opts.giftCard !== false) {
    raw.line_items[1].gift_card = true;
    raw.line_items[1].tax_lines = [];
  }
  raw.shipping_lines[0].tax_lines = [taxLine('KY State Tax', '0.06', '0.60')];
  raw.location_id = opts.locationId === undefined ? null : opts.locationId;
  const r = convertWebhook('orders/paid', JSON.stringify(raw)) as { kind: string; order: ShopifyOrder };
  return r.order;
}
