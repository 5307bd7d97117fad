// What of a Shopify order the ERP sales order carries (postedFigures in convert-util.ts), through both converters:
// lines as the order's edits left them, refunded units kept (each refund is its own credit memo), and the totals of
// that same state. Shopify (Admin schema 2026-10): LineItem.quantity counts refunded and removed units,
// currentQuantity excludes both, taxLines and discountAllocations count both; Order.totalPriceSet is "before
// returns", currentTotalPriceSet/currentTotalTaxSet leave out edits and refunds alike.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyClient } from './client.ts';
import { orderFromGraphql } from './convert-graphql.ts';
import { orderFromRest } from './convert-rest.ts';
import { ORDER_BY_ID } from './documents.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { sandboxClient } from './testing.ts';

const SCENARIO = new URL('../../flows/templates/scenarios/us-state-county-shipping-tax.orders-paid.json', import.meta.url);
const PUBLISHED = new URL('../../../shared/fixtures/shopify/rest-2026-07.order.single.json', import.meta.url);
const moneySet = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
const setMoney = (o: any, key: string, amount: string) => {
  o[key] = amount;
  o[`${key}_set`] = moneySet(amount);
};

/** 2 × SKU2006-001 (89.99, tax 10.80 + 2.70) and 1 × SKU2006-020 (24.00, tax 1.44 + 0.36), shipping 12.50 + 0.75: 232.53. */
const base = (id: number) => {
  const o = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  o.id = id;
  o.admin_graphql_api_id = `gid://shopify/Order/${id}`;
  o.name = `#${id}`;
  return o;
};

/** SKU2006-020 removed by an edit before payment: 179.98 + 13.50 tax + 12.50 + 0.75 shipping = 206.73. */
const removedByEdit = (id: number, totalReflectsEdit: boolean) => {
  const o = base(id);
  o.line_items[1].current_quantity = 0;
  setMoney(o, 'current_subtotal_price', '179.98');
  setMoney(o, 'current_total_tax', '14.25');
  setMoney(o, 'current_total_price', '206.73');
  if (totalReflectsEdit) {
    setMoney(o, 'subtotal_price', '179.98');
    setMoney(o, 'total_tax', '14.25');
    setMoney(o, 'total_price', '206.73');
  }
  return o;
};

/** SKU2006-020 refunded (its unit and tax, 25.80): Shopify's current figures and current_quantity leave it out. */
const refunded = (o: any) => {
  const line = o.line_items[1];
  line.current_quantity = 0;
  o.refunds = [
    {
      id: 99000001,
      order_id: o.id,
      created_at: '2026-01-02T10:00:00Z',
      refund_line_items: [
        { id: 99000002, line_item_id: line.id, quantity: 1, restock_type: 'return', subtotal_set: moneySet('24.00'), total_tax_set: moneySet('1.80') },
      ],
      transactions: [{ id: 99000003, kind: 'refund', status: 'success', amount: '25.80', currency: 'USD', gateway: 'manual' }],
    },
  ];
  setMoney(o, 'current_subtotal_price', '179.98');
  setMoney(o, 'current_total_tax', '14.25');
  setMoney(o, 'current_total_price', '206.73');
  return o;
};

const amounts = (bags: Array<{ shop: { amount: string } }>) => bags.map((b) => b.shop.amount);

describe('REST (webhook) orders: what the ERP sales order carries', () => {
  it('a line an edit removed before payment (current_quantity 0) has nothing to post; the totals are the edited ones, whatever total_price says', () => {
    for (const totalReflectsEdit of [false, true]) {
      const o = orderFromRest(removedByEdit(7300000001, totalReflectsEdit));
      expect(o.postedProblem).toBeNull();
      expect(o.lineItems.map((l) => [l.sku, l.quantity, l.postedQuantity])).toEqual([
        ['SKU2006-001', 2, 2],
        ['SKU2006-020', 1, 0],
      ]);
      expect(amounts(o.lineItems[1]!.taxLines.map((t) => t.postedPrice))).toEqual(['0.00', '0.00']);
      expect(o.posted).toMatchObject({ edited: true, total: { shop: { amount: '206.73' } }, totalTax: { shop: { amount: '14.25' } } });
      expect(o.posted?.totalDiscounts.shop.amount).toBe('0.00');
    }
  });

  it('a line an edit shortened (2 → 1) posts 1 unit with its share of the tax and discount Shopify gives for both', () => {
    const raw = base(7300000002);
    const line = raw.line_items[0];
    line.current_quantity = 1;
    line.discount_allocations = [{ amount: '9.00', amount_set: moneySet('9.00'), discount_application_index: 0 }];
    const o = orderFromRest(raw);
    const l = o.lineItems[0]!;
    expect(l.postedQuantity).toBe(1);
    expect(l.postedDiscount.shop.amount).toBe('4.50');
    expect(amounts(l.taxLines.map((t) => t.postedPrice))).toEqual(['5.40', '1.35']);
    expect(amounts(l.taxLines.map((t) => t.price))).toEqual(['10.80', '2.70']);
    expect(o.posted?.edited).toBe(true);
  });

  it('a refunded line keeps its pre-refund quantity and the order its pre-refund totals: the refund is its own credit memo', () => {
    const o = orderFromRest(refunded(base(7300000003)));
    expect(o.postedProblem).toBeNull();
    expect(o.lineItems.map((l) => [l.sku, l.currentQuantity, l.postedQuantity])).toEqual([
      ['SKU2006-001', 2, 2],
      ['SKU2006-020', 0, 1],
    ]);
    expect(amounts(o.lineItems[1]!.taxLines.map((t) => t.postedPrice))).toEqual(['1.44', '0.36']);
    expect(o.posted).toMatchObject({ edited: false, total: { shop: { amount: '232.53' } }, totalTax: { shop: { amount: '16.05' } } });
  });

  it("Shopify's published order #1001 (two lines refunded, current_quantity 0) posts all three units at 598.94", () => {
    const o = orderFromRest(JSON.parse(readFileSync(PUBLISHED, 'utf8')).order);
    expect(o.lineItems.map((l) => [l.currentQuantity, l.postedQuantity])).toEqual([
      [0, 1],
      [1, 1],
      [0, 1],
    ]);
    expect(o.posted).toMatchObject({ edited: false, total: { shop: { amount: '598.94' } }, totalTax: { shop: { amount: '11.94' } } });
  });

  it('an order both edited and refunded is not postable from the payload: the reason names the order and the lines', () => {
    const raw = refunded(base(7300000004));
    raw.line_items[0].current_quantity = 1;
    const o = orderFromRest(raw);
    expect(o.posted).toBeNull();
    expect(o.postedProblem).toMatch(
      /^Shopify order #7300000004 cannot be posted as edited: an edit removed units \(SKU2006-001 \(gid:\/\/shopify\/LineItem\/\d+\) 2 → 1\)/,
    );
  });

  it('a payload without refunds cannot tell a removed unit from a refunded one: that line has no posted quantity', () => {
    const raw = removedByEdit(7300000005, false);
    delete raw.refunds;
    const o = orderFromRest(raw);
    expect(o.lineItems.map((l) => l.postedQuantity)).toEqual([2, null]);
    expect(o.posted).toBeNull();
    expect(o.postedProblem).toMatch(
      /line SKU2006-020 \(gid:\/\/shopify\/LineItem\/\d+\) has 1 ordered and 0 left, and this payload does not carry the order's refunds/,
    );
  });

  it('refunds counting more units than a line lost are refused, not guessed', () => {
    const raw = refunded(base(7300000006));
    raw.line_items[1].quantity = 2;
    raw.line_items[1].current_quantity = 0;
    raw.refunds[0].refund_line_items[0].quantity = 3;
    const o = orderFromRest(raw);
    expect(o.lineItems[1]!.postedQuantity).toBeNull();
    expect(o.postedProblem).toMatch(/has 2 ordered and 0 left, but its refunds count 3: more than it lost/);
  });

  it('an order without current_quantity (before API 2024-01) posts what was ordered', () => {
    const raw = base(7300000007);
    for (const l of raw.line_items) delete l.current_quantity;
    const o = orderFromRest(raw);
    expect(o.lineItems.map((l) => l.postedQuantity)).toEqual([2, 1]);
    expect(o.posted?.edited).toBe(false);
  });
});

describe('GraphQL (sweep) orders: the same', () => {
  let shop: SandboxStore;
  let client: ShopifyClient;
  beforeAll(async () => {
    shop = await startShopifySandbox({ plan: 'standard' });
    client = sandboxClient(shop);
  });
  afterAll(() => shop.stop());

  const read = async (rest: Record<string, unknown>) => {
    const id = shop.createOrder(rest);
    const { data } = await client.request(ORDER_BY_ID, { id, lineItems: 25 });
    return structuredClone(data.order) as any;
  };

  it('an order an edit removed a line from, re-read by ORDER_BY_ID (which selects no refunds), is refused naming the line', async () => {
    const gql = await read(removedByEdit(7300000011, false));
    expect(gql.refunds).toBeUndefined();
    const o = orderFromGraphql(gql);
    expect(o.lineItems.map((l) => l.postedQuantity)).toEqual([2, null]);
    expect(o.postedProblem).toMatch(/^Shopify order #7300000011 cannot be posted as edited: line SKU2006-020 .* does not carry the order's refunds/);
  });

  it('with the refunds selected it posts what the webhook posts: the edited lines and totals', async () => {
    const gql = { ...(await read(removedByEdit(7300000012, false))), refunds: [] };
    const o = orderFromGraphql(gql);
    const rest = orderFromRest(removedByEdit(7300000012, false));
    expect(o.lineItems.map((l) => l.postedQuantity)).toEqual(rest.lineItems.map((l) => l.postedQuantity));
    expect(o.posted).toEqual(rest.posted);
  });

  it('an unedited, unrefunded order needs no refunds to post', async () => {
    const o = orderFromGraphql(await read(base(7300000013)));
    expect(o.postedProblem).toBeNull();
    expect(o.lineItems.map((l) => l.postedQuantity)).toEqual([2, 1]);
    expect(o.posted).toMatchObject({ edited: false, total: { shop: { amount: '232.53' } } });
  });
});
