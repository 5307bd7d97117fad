// The GraphQL order converter against what the sandbox store answers to ORDER_BY_ID (the document the integration
// sends), with each line's totalDiscountSet as Shopify reports it: without order-level discounts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyClient } from './client.ts';
import { orderFromGraphql, refundFromGraphql } from './convert-graphql.ts';
import { ORDER_BY_ID, REFUNDS_FOR_ORDER } from './documents.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { sandboxClient } from './testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox({ plan: 'standard' });
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

const FIXTURE = new URL('../../../shared/fixtures/shopify/rest-2026-07.order.single.json', import.meta.url);
const bag = (amount: string) => ({ shopMoney: { amount, currencyCode: 'USD' }, presentmentMoney: { amount, currencyCode: 'USD' } });
const amounts = (bags: Array<{ shop: { amount: string } }>) => bags.map((b) => b.shop.amount);

/** Shopify's published order (code TENOFF across its three lines), put in the sandbox store and read back by GraphQL. */
async function publishedOrder(): Promise<any> {
  // Its ids are below 2^53: JSON.parse keeps them.
  const id = shop.createOrder(JSON.parse(readFileSync(FIXTURE, 'utf8')).order);
  const { data } = await client.request(ORDER_BY_ID, { id, lineItems: 25 });
  // LineItem.totalDiscountSet "doesn't include order-level discounts" (Admin schema): an order-wide code leaves it zero.
  const order = structuredClone(data.order) as any;
  for (const l of order.lineItems.nodes) l.totalDiscountSet = bag('0.00');
  return order;
}

describe('orderFromGraphql: discounts are what Shopify allocated', () => {
  it("Shopify's published order: totalDiscountSet 0.00 beside allocations 3.34/3.33/3.33 gives each line its allocation", async () => {
    const gql = await publishedOrder();
    expect(gql.lineItems.nodes.map((l: any) => l.discountAllocations.map((a: any) => a.allocatedAmountSet.shopMoney.amount))).toEqual([
      ['3.34'],
      ['3.33'],
      ['3.33'],
    ]);
    const o = orderFromGraphql(gql);
    expect(amounts(o.lineItems.map((l) => l.totalDiscount))).toEqual(['3.34', '3.33', '3.33']);
    expect(o.lineItems[0]?.totalDiscount.presentment).toEqual({ amount: '3.34', currencyCode: 'USD' });
    expect(o.totalDiscounts.shop.amount).toBe('10.00');
  });

  it('a line without allocations keeps totalDiscountSet', async () => {
    const gql = await publishedOrder();
    gql.lineItems.nodes[0].discountAllocations = [];
    gql.lineItems.nodes[0].totalDiscountSet = bag('7.00');
    expect(amounts(orderFromGraphql(gql).lineItems.map((l) => l.totalDiscount))).toEqual(['7.00', '3.33', '3.33']);
  });

  it('a shipping line with allocations is discounted by them; without, discountedPriceSet stands', async () => {
    const gql = await publishedOrder();
    const ship = (id: string, price: string, allocated: string | null, discounted: string) => ({
      id,
      title: 'Standard',
      code: null,
      source: 'shopify',
      isRemoved: false,
      originalPriceSet: bag(price),
      discountedPriceSet: bag(discounted),
      taxLines: [],
      discountAllocations: allocated === null ? [] : [{ allocatedAmountSet: bag(allocated), discountApplication: { index: 1 } }],
    });
    gql.shippingLines.nodes = [ship('gid://shopify/ShippingLine/1', '10.00', '4.00', '10.00'), ship('gid://shopify/ShippingLine/2', '10.00', null, '8.00')];
    expect(amounts(orderFromGraphql(gql).shippingLines.map((s) => s.discountedPrice))).toEqual(['6.00', '8.00']);
  });
});

describe('orderFromGraphql: import duties', () => {
  it('reads originalTotalDutiesSet and currentTotalDutiesSet as the REST converter reads the webhook, null when the order has none', async () => {
    const rest = JSON.parse(readFileSync(FIXTURE, 'utf8')).order;
    const plain = await client.request(ORDER_BY_ID, { id: shop.createOrder({ ...rest, id: 450789470, admin_graphql_api_id: undefined }), lineItems: 25 });
    expect(orderFromGraphql(plain.data.order).totalDuties).toBeNull();
    const money = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
    const dutied = {
      ...rest,
      id: 450789471,
      admin_graphql_api_id: undefined,
      original_total_duties_set: money('7.00'),
      current_total_duties_set: money('5.50'),
    };
    const { data } = await client.request(ORDER_BY_ID, { id: shop.createOrder(dutied), lineItems: 25 });
    expect(data.order?.originalTotalDutiesSet).toEqual(bag('7.00'));
    const o = orderFromGraphql(data.order);
    expect([o.totalDuties?.shop.amount, o.currentTotalDuties?.shop.amount]).toEqual(['7.00', '5.50']);
  });
});

describe('refundFromGraphql: refunded import duties', () => {
  it('sums Refund.duties as the REST converter reads total_duties_set, null when the refund lists none', async () => {
    const rest = JSON.parse(readFileSync(FIXTURE, 'utf8')).order;
    const money = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
    const refunds = [
      { ...rest.refunds[0], id: 509562971, admin_graphql_api_id: undefined, duties: [], total_duties_set: undefined },
      { ...rest.refunds[0], id: 509562972, admin_graphql_api_id: undefined, total_duties_set: money('4.25') },
    ];
    const id = shop.createOrder({ ...rest, id: 450789472, admin_graphql_api_id: undefined, refunds });
    const { data } = await client.request(REFUNDS_FOR_ORDER, { id });
    const got = (data.order?.refunds ?? []).map((r) => refundFromGraphql(r, '$.refund', id));
    expect(got.map((r) => r.duties?.shop.amount ?? null)).toEqual([null, '4.25']);
    expect(got.every((r) => r.refundLineItems.every((l) => l.isTip === false))).toBe(true);
  });
});

describe('orderFromGraphql: tips', () => {
  const rest = () => JSON.parse(readFileSync(FIXTURE, 'utf8')).order;
  /** A line without product, variant or shipping, as Shopify sends a tip (`tip`) or a custom item (no tip fields). */
  const customLine = (o: any, id: number, price: string, tip: boolean) => ({
    ...o.line_items[0],
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    name: tip ? 'Tip' : 'Engraving',
    title: tip ? 'Tip' : 'Engraving',
    sku: null,
    product_id: null,
    variant_id: null,
    requires_shipping: false,
    gift_card: false,
    quantity: 1,
    price,
    price_set: { shop_money: { amount: price, currency_code: 'USD' }, presentment_money: { amount: price, currency_code: 'USD' } },
    total_discount: '0.00',
    total_discount_set: { shop_money: { amount: '0.00', currency_code: 'USD' }, presentment_money: { amount: '0.00', currency_code: 'USD' } },
    discount_allocations: [],
    tax_lines: [],
    ...(tip ? { tip_payment_gateway: 'shopify_payments', tip_payment_method: 'card' } : {}),
  });
  const read = async (id: number, extra: (o: any) => unknown[]) => {
    const o = rest();
    const order = { ...o, id, admin_graphql_api_id: undefined, line_items: [...o.line_items, ...extra(o)] };
    const { data } = await client.request(ORDER_BY_ID, { id: shop.createOrder(order), lineItems: 25 });
    return { raw: data.order, lines: orderFromGraphql(data.order).lineItems.map((l) => [l.name, l.isTip]) };
  };

  it("marks as tips the lines without product, variant or shipping that make up exactly the order's totalTipReceivedSet", async () => {
    const { raw, lines } = await read(450789480, (o) => [customLine(o, 90001, '4.00', true)]);
    expect(raw?.totalTipReceivedSet).toEqual(bag('4.00'));
    expect(lines.filter(([, tip]) => tip)).toEqual([['Tip', true]]);
    expect(lines.filter(([, tip]) => !tip)).toHaveLength(lines.length - 1);
  });

  it('takes no custom line for a tip: not on an order without tips, nor when such lines are more than the tips received', async () => {
    const custom = await read(450789481, (o) => [customLine(o, 90002, '3.00', false)]);
    expect(custom.raw?.totalTipReceivedSet).toEqual(bag('0.00'));
    expect(custom.lines.some(([, tip]) => tip)).toBe(false);
    const both = await read(450789482, (o) => [customLine(o, 90003, '4.00', true), customLine(o, 90004, '3.00', false)]);
    expect(both.raw?.totalTipReceivedSet).toEqual(bag('4.00'));
    expect(both.lines.some(([, tip]) => tip)).toBe(false);
  });
});
