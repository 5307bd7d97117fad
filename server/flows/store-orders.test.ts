// Test input from the flow's own store: an order is read as a sweep reads it, refunds included when a line lost units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyClient } from '../../nodes/shopify/client.ts';
import { orderFromGraphql } from '../../nodes/shopify/convert-graphql.ts';
import { startShopifySandbox, type SandboxStore } from '../../nodes/shopify/sandbox/server.ts';
import { storeOrderDelivery } from './store-orders.ts';
import { sandboxClient } from '../../nodes/shopify/testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox();
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

const order = (id: string) =>
  `{"id":${id},"name":"#4001","email":"a@example.com","currency":"GBP","presentment_currency":"GBP","created_at":"2026-12-01T10:00:00Z",` +
  `"updated_at":"2026-12-01T10:00:00Z","financial_status":"paid","taxes_included":true,"total_price":"25.00","subtotal_price":"25.00","total_tax":"4.17",` +
  `"line_items":[{"id":${id}1,"sku":"TEE-S","title":"Tee","name":"Tee - S","quantity":2,"price":"12.50","requires_shipping":true,"taxable":true,` +
  `"tax_lines":[{"title":"GB VAT","rate":0.2,"price":"4.17"}]}]}`;

describe('an order of the store as test input', () => {
  it('carries its refunds when a line lost units, so the trigger can post it', async () => {
    const id = shop.createOrder(order('6670000000000000001'));
    shop.createRefund(
      '{"id":7300000041,"order_id":6670000000000000001,"created_at":"2026-12-02T10:00:00Z","transactions":[],' +
        '"refund_line_items":[{"id":73000000411,"quantity":1,"line_item_id":66700000000000000011,"restock_type":"no_restock","subtotal":"12.50","total_tax":"2.08"}]}',
    );
    const { delivery, label } = await storeOrderDelivery(client, id, 'orders/paid');
    expect(label).toBe(`Order #4001 from ${shop.shopDomain}`);
    const converted = orderFromGraphql(JSON.parse((delivery as { body: string }).body), '$');
    expect([converted.postedProblem, converted.lineItems[0]?.currentQuantity, converted.lineItems[0]?.postedQuantity]).toEqual([null, 1, 2]);
  });
});
