import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { orderFromRest, refundFromRest } from '../../nodes/shopify/convert-rest.ts';
import { parseJsonLossless } from '../../nodes/shopify/lossless-json.ts';
import { chargeFee, orderPayload, payoutPayload, refundPayload } from './payloads.ts';

const now = new Date('2026-12-03T10:00:00Z');

describe('sandbox panel payloads', () => {
  it('makes each order unique (id, name, line items) and dated now, keeping 18-digit ids exact', () => {
    const a = orderPayload('paid-order', 1, now);
    const b = orderPayload('paid-order', 2, now);
    expect([a.name, b.name]).toEqual(['#6001', '#6002']);
    const oa = orderFromRest(parseJsonLossless(a.body));
    const ob = orderFromRest(parseJsonLossless(b.body));
    expect(oa.id).toBe('gid://shopify/Order/74000000001');
    expect(oa.name).toBe('#6001');
    expect(oa.createdAt.slice(0, 10)).toBe('2026-12-03');
    expect(oa.lineItems.map((l) => l.id)).toEqual(a.lineItemIds.map((id) => `gid://shopify/LineItem/${id}`));
    expect(new Set([...oa.lineItems, ...ob.lineItems].map((l) => l.id)).size).toBe(oa.lineItems.length * 2);
    expect(a.body).toContain('115310627314723950'); // the customer id beyond 2^53, untouched
    expect(a.body).not.toContain('7100000001');
  });

  it('refunds a line of the order it names, with its own refund and transaction ids', () => {
    const o = orderPayload('paid-order', 3, now);
    const r = refundPayload(o, 4, now);
    const parsed = refundFromRest(parseJsonLossless(r.body));
    expect(parsed.orderId).toBe(o.gid);
    expect(parsed.id).toBe(`gid://shopify/Refund/${r.id}`);
    expect(parsed.refundLineItems.map((l) => l.lineItemId)).toEqual([`gid://shopify/LineItem/${o.lineItemIds[0]}`]);
    expect(parsed.transactions.map((t) => t.id)).toEqual([`gid://shopify/OrderTransaction/${r.transactionId}`]);
    expect(r.amount).toBe('17.99');
    expect(() => refundPayload(orderPayload('unknown-sku', 5, now), 6, now)).toThrow(/paid-order/);
  });

  it('builds a payout whose net is charges less fees less refunds, with a matching summary', () => {
    const o1 = orderPayload('paid-order', 1, now);
    const o2 = orderPayload('paid-order', 2, now);
    const r = refundPayload(o1, 3, now);
    const p = payoutPayload(4, [o1, o2], [r], now);
    const fees = chargeFee(o1.total).plus(chargeFee(o2.total));
    expect(chargeFee('68.97').toFixed(2)).toBe('1.23');
    expect(p.net).toBe(new Decimal(o1.total).plus(o2.total).minus(fees).minus(r.amount).toFixed(2));
    expect(p.payout).toMatchObject({
      status: 'paid',
      date: '2026-12-03',
      amount: p.net,
      summary: { charges_gross_amount: '137.94', refunds_gross_amount: '-17.99', charges_fee_amount: fees.toFixed(2) },
    });
    expect(p.balanceTransactions.map((t) => [t.type, t.source_order_id])).toEqual([
      ['charge', 74000000001],
      ['charge', 74000000002],
      ['refund', 74000000001],
    ]);
    expect(p.balanceTransactions[2]?.source_order_transaction_id).toBe(Number(r.transactionId));
    expect(() => payoutPayload(5, [], [], now)).toThrow(/at least one/);
  });

  it("sends every order in the shop's currency, so a payout adds pounds to pounds", () => {
    // The unknown-SKU and unmapped-tax scenario files come from a USD shop; the sandbox shop sells in GBP.
    for (const scenario of ['paid-order', 'unmapped-tax', 'unknown-sku'] as const) {
      const o = orderPayload(scenario, 7, now, 'GBP');
      const parsed = orderFromRest(parseJsonLossless(o.body));
      expect(o.currency, scenario).toBe('GBP');
      expect(parsed.currency, scenario).toBe('GBP');
      for (const bag of [parsed.subtotal, parsed.totalDiscounts, parsed.totalShipping, parsed.totalTax, parsed.total])
        expect(bag.shop.currencyCode, scenario).toBe('GBP');
      if (scenario !== 'paid-order') expect(o.body, scenario).not.toContain('"USD"');
    }
    const usd = orderPayload('unknown-sku', 8, now, 'USD');
    expect(usd.currency).toBe('USD');
    expect(() => payoutPayload(9, [orderPayload('paid-order', 10, now, 'GBP'), usd], [], now)).toThrow('a payout in GBP cannot carry USD amounts (#6008)');
  });
});
