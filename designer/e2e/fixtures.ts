// Test data for the mapper, lookup and Shopify scenarios: an order-to-ERP mapping flow on the sandbox shop, the
// tax-code table it looks up, and signed Shopify webhook deliveries (HMAC as Shopify signs them).
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SANDBOX_WEBHOOK_SECRET = 'shpss_e2e_designer_secret';
export const ORDER_FLOW = 'shopify-orders-to-erp';

export function orderFlow() {
  return {
    schemaVersion: 1,
    id: ORDER_FLOW,
    name: 'Shopify orders to ERP',
    nodes: [
      {
        id: 'order_paid',
        type: 'shopify.trigger',
        typeVersion: 1,
        name: 'Order paid',
        position: { x: 0, y: 0 },
        config: { connection: 'sandbox-shop', topic: 'orders/paid' },
      },
      {
        id: 'erp_order',
        type: 'core.map',
        typeVersion: 1,
        name: 'ERP sales order',
        position: { x: 320, y: 0 },
        config: {
          fields: [
            { target: 'externalId', source: { kind: 'path', path: 'order.id' } },
            { target: 'reference', source: { kind: 'path', path: 'order.name' } },
            { target: 'customerEmail', source: { kind: 'path', path: 'order.email' }, transforms: [{ op: 'trim' }, { op: 'case', to: 'lower' }] },
            { target: 'channel', source: { kind: 'const', value: 'SHOPIFY' } },
            {
              target: 'lines',
              source: {
                kind: 'each',
                path: 'order.lineItems',
                filter: [{ path: 'taxLines', op: 'notEmpty' }],
                fields: [
                  { target: 'sku', source: { kind: 'path', path: 'sku' }, transforms: [{ op: 'trim' }, { op: 'case', to: 'upper' }] },
                  { target: 'quantity', source: { kind: 'path', path: 'quantity' } },
                  {
                    target: 'unitPrice',
                    source: { kind: 'path', path: 'unitPrice.shop.amount' },
                    transforms: [{ op: 'decimal', places: 2, rounding: 'half-up' }],
                  },
                  { target: 'taxCode', source: { kind: 'lookup', table: 'tax-codes', key: { title: 'taxLines[0].title', rate: 'taxLines[0].rate' } } },
                ],
              },
            },
          ],
        },
      },
    ],
    edges: [{ id: 'order_paid.out__erp_order.in', source: 'order_paid', target: 'erp_order', sourceHandle: 'out', targetHandle: 'in' }],
  };
}

/** The tax table the flow reads: standard UK VAT only, so a 5 % line is an unmapped tax rate until a row is added. */
/** Shopify orders/paid → an empty "Sales order" map → post to the sandbox ERP: a flow whose mapping a test builds. */
export function emptyMappingFlow(id: string, name: string) {
  return {
    schemaVersion: 1,
    id,
    name,
    nodes: [
      { id: 'paid', type: 'shopify.trigger', typeVersion: 1, position: { x: 0, y: 0 }, config: { connection: 'sandbox-shop', topic: 'orders/paid' } },
      { id: 'so', type: 'core.map', typeVersion: 1, name: 'Sales order', position: { x: 300, y: 0 }, config: { fields: [] } },
      { id: 'post', type: 'erp.post-sales-order', typeVersion: 1, position: { x: 600, y: 0 }, config: { connection: 'sandbox-erp' } },
    ],
    edges: [
      { id: 'e1', source: 'paid', target: 'so', sourceHandle: 'out', targetHandle: 'in' },
      { id: 'e2', source: 'so', target: 'post', sourceHandle: 'out', targetHandle: 'in' },
    ],
  };
}

export const TAX_TABLE = {
  name: 'tax-codes',
  scope: ORDER_FLOW,
  preset: 'tax-codes',
  rows: [{ title: 'VAT', rate: '0.2', taxCode: 'VAT20' }],
  message: 'standard rate',
};

const example = JSON.parse(readFileSync(new URL('../../nodes/shopify/samples/orders-paid.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** An orders/paid body whose first line is taxed at `rate` (e.g. "0.2" or "0.05"), with its own order id. */
export function paidOrderBody(orderId: number, rate: string): string {
  const o = structuredClone(example) as { id: number; admin_graphql_api_id: string; name: string; line_items: Array<Record<string, unknown>> };
  o.id = orderId;
  o.admin_graphql_api_id = `gid://shopify/Order/${orderId}`;
  o.name = `#${orderId}`;
  o.line_items = o.line_items.slice(0, 1).map((l) => ({
    ...l,
    tax_lines: [
      {
        title: 'VAT',
        rate: Number(rate),
        price: '1.00',
        price_set: { shop_money: { amount: '1.00', currency_code: 'USD' }, presentment_money: { amount: '1.00', currency_code: 'USD' } },
      },
    ],
  }));
  return JSON.stringify(o);
}

/** Posts a delivery signed with the sandbox shop's webhook secret, as Shopify would. */
export async function sendShopifyWebhook(baseUrl: string, body: string, topic = 'orders/paid', secret = SANDBOX_WEBHOOK_SECRET): Promise<Response> {
  const hmac = createHmac('sha256', secret).update(body, 'utf8').digest('base64');
  return fetch(`${baseUrl}/webhooks/shopify/sandbox-shop`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': 'ledgerline-sandbox.myshopify.com',
      'x-shopify-api-version': '2026-04',
      'x-shopify-event-id': randomUUID(),
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
    },
    body,
  });
}
