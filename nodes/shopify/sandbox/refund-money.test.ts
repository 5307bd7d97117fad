// A refund on a multi-currency order (shop GBP, customer USD): the sandbox answers each refund transaction's
// shopMoney at the order's rate, as Shopify does, not the presentment amount labelled as shop money.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUND_CONTEXT } from '../../erp/nodes/await-refund.ts';
import type { ShopifyClient } from '../client.ts';
import { startShopifySandbox, type SandboxStore } from './server.ts';
import { sandboxClient } from '../testing.ts';

const ORDER = readFileSync(new URL('../../../flows/templates/scenarios/presentment-usd-shop-gbp.orders-paid.json', import.meta.url), 'utf8');

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox({
    seed: {
      shop: { name: 'GBP shop', currency: 'GBP' },
      locations: [{ id: 24826418, name: 'Leeds warehouse' }],
      products: [{ id: 9102, title: 'Black Mug', variants: [{ id: 91021, sku: 'MUG-BLACK', price: '12.00', inventoryItemId: 910211 }] }],
      inventory: [{ inventoryItemId: 910211, locationId: 24826418, available: 9 }],
    },
  });
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

describe('sandbox refund transactions on a multi-currency order', () => {
  it('carry shopMoney in the shop currency beside the presentment amount', async () => {
    const orderId = shop.createOrder(ORDER);
    const refundId = shop.createRefund({
      id: 7300000009,
      order_id: 7100000003,
      created_at: '2026-03-05T09:00:00+00:00',
      restock: false,
      refund_line_items: [],
      refund_shipping_lines: [],
      order_adjustments: [],
      transactions: [
        { id: 73000000092, kind: 'refund', gateway: 'shopify_payments', status: 'success', amount: '15.00', currency: 'USD', test: false, parent_id: null },
      ],
    });
    const res = await client.request(REFUND_CONTEXT, { id: orderId, lineItems: 10 });
    const refund = res.data.order?.refunds.find((r) => r.id === refundId);
    expect(refund?.transactions.nodes.map((t) => t.amountSet)).toEqual([
      { shopMoney: { amount: '12.00', currencyCode: 'GBP' }, presentmentMoney: { amount: '15.00', currencyCode: 'USD' } },
    ]);
  });
});
