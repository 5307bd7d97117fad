// The matching and journal rules without I/O, on Shopify's published example payout and on small hand-made cases.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { balanceTransactionFromRest, payoutFromRest, type ShopifyPayout } from '../shopify/index.ts';
import { bucketOf } from './classify.ts';
import type { ErpDoc } from './erp-docs.ts';
import { payoutJournal } from './journal.ts';
import { inlineInput, reconcileBatch, Reconciler, type ErpSide, type MatchOptions, type PayoutInput } from './reconcile.ts';
import { nth } from './testing/defined.ts';

const FIX = new URL('../../../shared/fixtures/shopify/', import.meta.url);
const read = (f: string) => JSON.parse(readFileSync(new URL(f, FIX), 'utf8'));
const opts: MatchOptions = { amountTolerance: new Decimal('0.01'), dateToleranceDays: 3, postStatuses: ['PAID'], reportErpOnly: true };
const none: ErpSide = { docs: [], salesOrders: new Map(), refundOfTransaction: new Map(), claimedBefore: new Set() };
const accounts = { bank: '1000', clearing: '1190', fees: '6100', adjustments: '6200', disputes: '6250', reserve: '1195', rounding: '6300' };
const now = new Date('2026-12-01T06:00:00Z');

function fixturePayout(): ShopifyPayout {
  const p = payoutFromRest(read('rest-2026-07.shopify_payments.payout.single.json').payout);
  p.balanceTransactions = read('rest-2026-07.shopify_payments.balance_transactions.by_payout.json').transactions.map((t: unknown, i: number) =>
    balanceTransactionFromRest(t, `$[${i}]`),
  );
  return p;
}

function payout(
  id: string,
  txs: Array<{ id: string; type: string; amount: string; fee?: string; order?: string; orderTx?: string; date: string }>,
  status = 'PAID',
): ShopifyPayout {
  const bts = txs.map((t) => ({
    id: `gid://shopify/ShopifyPaymentsBalanceTransaction/${t.id}`,
    type: t.type,
    test: false,
    payoutId: null,
    payoutStatus: null,
    amount: { amount: t.amount, currencyCode: 'EUR' },
    fee: { amount: t.fee ?? '0.00', currencyCode: 'EUR' },
    net: { amount: new Decimal(t.amount).minus(t.fee ?? 0).toFixed(2), currencyCode: 'EUR' },
    sourceId: null,
    sourceType: null,
    sourceOrderId: t.order ? `gid://shopify/Order/${t.order}` : null,
    sourceOrderTransactionId: t.orderTx ? `gid://shopify/OrderTransaction/${t.orderTx}` : null,
    processedAt: t.date,
    adjustmentReason: null,
    adjustmentOrderTransactions: [],
    raw: null,
  }));
  const net = bts.reduce((a, t) => a.plus(t.net.amount), new Decimal(0)).toFixed(2);
  return {
    id: `gid://shopify/ShopifyPaymentsPayout/${id}`,
    legacyId: id,
    status,
    issuedAt: '2026-11-10',
    transactionType: 'DEPOSIT',
    net: { amount: net, currencyCode: 'EUR' },
    summary: {} as never,
    balanceTransactions: bts,
    raw: null,
  };
}
const doc = (kind: ErpDoc['kind'], externalId: string, amount: string, date: string): ErpDoc => ({
  uid: `${kind}:${externalId}:${date}`,
  kind,
  externalId,
  number: `N-${externalId}`,
  date,
  amount: new Decimal(amount),
});

describe('bucketOf', () => {
  it('treats Shopify types as open-ended, REST or GraphQL spelling', () => {
    expect(
      [
        'CHARGE',
        'capture',
        'refund',
        'REFUND_FAILURE',
        'CHARGEBACK_FEE',
        'SHIPPING_LABEL',
        'DISPUTE_WITHDRAWAL',
        'RESERVED_FUNDS',
        'reserve',
        'RISK_REVERSAL',
        'TRANSFER_FAILURE',
        'debit',
        'ADJUSTMENT',
      ].map((t) => bucketOf(t).bucket),
    ).toEqual(['charge', 'charge', 'refund', 'refund', 'fee', 'fee', 'dispute', 'reserve', 'reserve', 'reserve', 'payout-retry', 'adjustment', 'adjustment']);
    expect(bucketOf('SHOP_CASH_CAMPAIGN_BILLING_CREDIT_REVERSAL_NEW')).toEqual({ bucket: 'adjustment', known: false });
  });
});

describe('reconcileBatch', () => {
  it("on Shopify's example payout: every transaction lands in a bucket, and a payout whose transactions do not sum to its amount is unbalanced", async () => {
    const p = fixturePayout();
    const r = nth((await reconcileBatch([p], none, opts, now)).recs, 0);
    const amountLessFee = p.balanceTransactions.reduce((a, t) => a.plus(t.amount.amount).minus(t.fee.amount), new Decimal(0));
    expect(r.totals.net).toBe(amountLessFee.toFixed(2));
    expect(r.shopifyVariance).toBe(new Decimal(p.net.amount).minus(amountLessFee).toFixed(2));
    // Shopify's own example has a transaction whose net is not amount − fee (−1.50 − (−0.25) ≠ −1.75).
    expect(r.inconsistentTransactions).toEqual(['758509248']);
    expect(r.status).toBe('unbalanced');
    expect(r.items.reduce((n, i) => n + i.transactions.length, 0)).toBe(p.balanceTransactions.length);
    expect(r.items.filter((i) => i.note?.includes('not one Ledgerline knows')).map((i) => i.types[0])).toContain('SELLER_PROTECTION_CREDIT_REVERSAL');
  });

  it('matches by id first, then by amount and date within tolerance, each ERP document once', async () => {
    const p = payout('1', [
      { id: 't1', type: 'CHARGE', amount: '50.00', fee: '1.00', order: '11', date: '2026-11-02T10:00:00Z' },
      { id: 't2', type: 'CHARGE', amount: '30.00', fee: '0.60', order: '12', date: '2026-11-02T11:00:00Z' },
      { id: 't3', type: 'CHARGE', amount: '30.00', fee: '0.60', order: '13', date: '2026-11-03T11:00:00Z' },
      { id: 't4', type: 'CHARGE', amount: '19.99', fee: '0.40', order: '14', date: '2026-11-03T11:00:00Z' },
    ]);
    const erp: ErpSide = {
      ...none,
      docs: [
        doc('invoice', '11', '50.00', '2026-11-02'),
        doc('invoice', 'SO-A', '30.00', '2026-11-02'), // keyed differently: found by amount + date
        doc('invoice', 'SO-B', '30.00', '2026-11-09'), // right amount, 6 days off: not a match
        doc('invoice', '14', '20.00', '2026-11-03'), // within 0.01: matched, the cent kept as rounding
      ],
    };
    const r = nth((await reconcileBatch([p], erp, opts, now)).recs, 0);
    expect(r.items.filter((i) => i.bucket === 'charge').map((i) => [i.orderId, i.status, i.matchedBy, i.delta])).toEqual([
      ['11', 'matched', 'id', null],
      ['12', 'matched', 'amount-date', null],
      ['13', 'missing-in-erp', null, '30.00'],
      ['14', 'matched', 'id', '-0.01'],
    ]);
    expect([r.erpVariance, r.withinTolerance, r.status]).toEqual(['30.00', '-0.01', 'unbalanced']);
  });

  it('builds a journal that balances and books each bucket to its account', async () => {
    const p = payout('2', [
      { id: 'a', type: 'CHARGE', amount: '100.00', fee: '2.90', order: '21', date: '2026-11-02T10:00:00Z' },
      { id: 'b', type: 'REFUND', amount: '-25.00', order: '21', orderTx: '99', date: '2026-11-03T10:00:00Z' },
      { id: 'c', type: 'DISPUTE_WITHDRAWAL', amount: '-10.00', fee: '15.00', order: '21', date: '2026-11-03T10:00:00Z' },
      { id: 'd', type: 'RESERVED_FUNDS', amount: '-20.00', date: '2026-11-03T10:00:00Z' },
      { id: 'e', type: 'SHIPPING_LABEL', amount: '-4.50', date: '2026-11-03T10:00:00Z' },
      { id: 'f', type: 'ADJUSTMENT', amount: '1.00', date: '2026-11-03T10:00:00Z' },
    ]);
    const erp: ErpSide = {
      ...none,
      docs: [doc('invoice', '21', '100.00', '2026-11-02'), doc('credit-memo', 'R-1', '25.00', '2026-11-03')],
      refundOfTransaction: new Map([['99', 'R-1']]),
    };
    const r = nth((await reconcileBatch([p], erp, opts, now)).recs, 0);
    expect(r.status).toBe('balanced');
    expect(r.totals).toMatchObject({
      charges: '100.00',
      refunds: '-25.00',
      fees: '22.40',
      disputes: '-10.00',
      reserves: '-20.00',
      adjustments: '1.00',
      net: r.payoutNet,
    });
    const j = payoutJournal(r, accounts);
    const side = (k: 'debit' | 'credit') => j.lines.reduce((a, l) => a.plus(l[k] ?? 0), new Decimal(0)).toFixed(2);
    expect(side('debit')).toBe(side('credit'));
    expect(Object.fromEntries(j.lines.map((l) => [l.account, l.debit ? `Dr ${l.debit}` : `Cr ${l.credit}`]))).toEqual({
      1000: `Dr ${r.payoutNet}`,
      6100: 'Dr 22.40',
      6200: 'Cr 1.00',
      6250: 'Dr 10.00',
      1195: 'Dr 20.00',
      1190: 'Cr 75.00',
    });
    expect(j.externalId).toBe('2');
  });

  it('keeps a balanced payout that is not paid yet waiting, and does not post a failed one', async () => {
    const erp: ErpSide = { ...none, docs: [doc('invoice', '31', '10.00', '2026-11-02')] };
    const mk = (id: string, status: string) =>
      payout(id, [{ id: `x${id}`, type: 'CHARGE', amount: '10.00', order: '31', date: '2026-11-02T10:00:00Z' }], status);
    expect((await reconcileBatch([mk('3', 'SCHEDULED')], erp, opts, now)).recs[0]).toMatchObject({ status: 'waiting', journalExternalId: null });
    expect((await reconcileBatch([mk('4', 'FAILED')], erp, opts, now)).recs[0]).toMatchObject({ status: 'not-paid', journalExternalId: null });
  });
  it('reads a payout matched whole by id once and the others twice, ids of every payout claiming before any amount-and-date guess', async () => {
    // Payout 5's charge has no invoice by id; its amount and date fit the invoice posted for payout 6's order, which
    // payout 6 (later in the batch) must still get by id. Payout 7 matches by id alone.
    const p5 = payout('5', [{ id: 'u1', type: 'CHARGE', amount: '40.00', order: '51', date: '2026-11-04T10:00:00Z' }]);
    const p6 = payout('6', [{ id: 'u2', type: 'CHARGE', amount: '40.00', order: '61', date: '2026-11-04T11:00:00Z' }]);
    const p7 = payout('7', [
      { id: 'u3', type: 'CHARGE', amount: '12.00', order: '71', date: '2026-11-04T11:00:00Z' },
      { id: 'u4', type: 'SHIPPING_LABEL', amount: '-4.50', date: '2026-11-04T11:00:00Z' },
    ]);
    const erp: ErpSide = {
      ...none,
      docs: [doc('invoice', '61', '40.00', '2026-11-04'), doc('invoice', 'SO-5', '40.00', '2026-11-05'), doc('invoice', '71', '12.00', '2026-11-04')],
    };
    const reads = new Map<string, number>();
    const counted = (p: ShopifyPayout): PayoutInput => {
      const i = inlineInput(p);
      return {
        ...i,
        amountSlices() {
          reads.set(p.legacyId, (reads.get(p.legacyId) ?? 0) + 1);
          return i.amountSlices();
        },
      };
    };
    const r = new Reconciler(erp, opts, now);
    const inputs = [p5, p6, p7].map(counted);
    for (const i of inputs) await r.matchById(i);
    expect(r.progress).toEqual({ assembled: 2, waiting: 1 });
    for (const i of inputs) await r.assemble(i);
    const { recs } = r.finish();
    expect(Object.fromEntries(reads)).toEqual({ 5: 2, 6: 1, 7: 1 });
    expect(
      recs.map((x) => [
        x.payoutId,
        x.status,
        x.items.find((i) => i.bucket === 'charge')?.matchedBy,
        x.items.find((i) => i.bucket === 'charge')?.erp?.externalId,
      ]),
    ).toEqual([
      ['5', 'balanced', 'amount-date', 'SO-5'],
      ['6', 'balanced', 'id', '61'],
      ['7', 'balanced', 'id', '71'],
    ]);
    // The same batch in one call (the inline path) gives the same reconciliations.
    expect((await reconcileBatch([p5, p6, p7], erp, opts, now)).recs.map((x) => ({ ...x, reconciledAt: '' }))).toEqual(
      recs.map((x) => ({ ...x, reconciledAt: '' })),
    );
  });

  it('ties a card refund of a refund split with a gift card: the credit memo less the gift card re-issued', async () => {
    // Order 500 paid 5.00 by gift card and 10.00 by card, refunded in full: the memo gives 15.00 back, the payout only the card's 10.00.
    const p = payout('8', [
      { id: '81', type: 'charge', amount: '10.00', order: '500', date: '2026-11-03T10:00:00Z' },
      { id: '82', type: 'refund', amount: '-10.00', order: '500', orderTx: '901', date: '2026-11-08T10:00:00Z' },
    ]);
    // The ledger's documents: each gift-card journal's clearing line is a document of the order or of the refund (erp-docs.ts).
    const docs = [
      doc('invoice', '500', '15.00', '2026-11-03'),
      doc('invoice', '500', '-5.00', '2026-11-03'),
      doc('credit-memo', '600', '15.00', '2026-11-08'),
      doc('credit-memo', '600', '-5.00', '2026-11-08'),
    ];
    const erp: ErpSide = {
      docs,
      salesOrders: new Map(),
      refundOfTransaction: new Map([['901', '600']]),
      claimedBefore: new Set(),
    };
    const r = nth((await reconcileBatch([p], erp, opts, now)).recs, 0, 'reconciliation');
    expect([r.status, r.erpVariance]).toEqual(['balanced', '0.00']);
    expect(r.items.map((i) => [i.bucket, i.status, i.shopifyAmount, i.erpAmount, i.matchedBy])).toEqual([
      ['charge', 'matched', '10.00', '10.00', 'id'],
      ['refund', 'matched', '-10.00', '-10.00', 'id'],
    ]);
    // The memo alone (no re-issue journal yet) is what the payout cannot tie: 5.00 apart, checked again next run.
    const memoOnly = { ...erp, docs: docs.filter((d) => !(d.kind === 'credit-memo' && d.amount.isNeg())) };
    const before = nth((await reconcileBatch([p], memoOnly, opts, now)).recs, 0, 'reconciliation');
    expect([before.status, before.erpVariance]).toEqual(['unbalanced', '5.00']);
  });
});
