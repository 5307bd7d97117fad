// Shopify Payments payouts for the default scenario: balance transactions (charges with fees, refunds, adjustments,
// reserves) built from the scenario's orders and refunds; each payout's amount and summary are their sums.
import { Decimal } from 'decimal.js';
import type { BuiltOrder, RefundJson } from './scenario-orders.ts';

const D = (v: Decimal.Value) => new Decimal(v);
const r2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

interface Tx {
  id: number;
  type: string;
  amount: Decimal;
  fee: Decimal;
  processedAt: string;
  sourceType: string;
  sourceId: number;
  orderId: number | null;
  orderTxId: number | null;
  reason: string | null;
}

// Shopify Payments UK rates: 1.5 % + 25p for UK cards, 3.25 % + 25p for international cards (incl. currency conversion).
function fee(amount: Decimal, domestic: boolean): Decimal {
  return r2(amount.times(domestic ? '0.015' : '0.0325').plus('0.25'));
}

export function buildPayouts(orders: BuiltOrder[], refunds: RefundJson[]) {
  const txs: Tx[] = [];
  let nextId = 9_100_001;
  for (const o of orders) {
    if (o.spec.cancelled) continue; // authorisation voided: no charge
    const card = o.payments.find((p) => p.gateway === 'shopify_payments');
    if (!card) continue;
    const domestic = (o.spec.address as { country_code: string }).country_code === 'GB';
    txs.push({
      id: nextId++,
      type: 'charge',
      amount: card.s,
      fee: fee(card.s, domestic),
      processedAt: o.spec.createdAt,
      sourceType: 'charge',
      sourceId: card.txId,
      orderId: o.spec.id,
      orderTxId: card.txId,
      reason: null,
    });
  }
  for (const r of refunds) {
    const o = orders.find((x) => x.spec.id === r.order_id)!;
    const tx = (r.transactions as { id: number }[])[0];
    if (!tx) throw new Error(`scenario refund ${r.id} of order ${r.order_id} has no transaction`);
    // Shopify keeps the original processing fee on a refund.
    txs.push({
      id: nextId++,
      type: 'refund',
      amount: o.refundedShopMoney(r.id).negated(),
      fee: D(0),
      processedAt: String(r.created_at),
      sourceType: 'refund',
      sourceId: tx.id,
      orderId: r.order_id,
      orderTxId: tx.id,
      reason: null,
    });
  }
  const extra = (type: string, amount: string, processedAt: string, reason: string | null) =>
    txs.push({
      id: nextId++,
      type,
      amount: D(amount),
      fee: D(0),
      processedAt,
      sourceType: type === 'reserve' ? 'reserved_funds' : 'adjustment',
      sourceId: nextId + 500,
      orderId: null,
      orderTxId: null,
      reason,
    });
  extra('adjustment', '-3.10', '2026-11-06T02:00:00Z', 'shipping_label'); // Shopify Shipping label bought for #1002
  extra('reserve', '-40.00', '2026-11-09T02:00:00Z', null); // rolling reserve held
  extra('reserve', '40.00', '2026-11-21T02:00:00Z', null); // and released
  extra('adjustment', '1.25', '2026-11-22T02:00:00Z', 'fee_refund'); // fee correction credited

  const defs = [
    { id: 7300001, date: '2026-11-11', status: 'paid', until: '2026-11-11' },
    { id: 7300002, date: '2026-11-25', status: 'in_transit', until: '2026-11-25' },
  ];
  const payouts = [];
  const balanceTransactions = [];
  let from = '';
  for (const p of defs) {
    const mine = txs.filter((t) => t.processedAt > from && t.processedAt.slice(0, 10) < p.until).sort((a, b) => a.processedAt.localeCompare(b.processedAt));
    from = `${p.until}T00:00:00Z`;
    const by = (types: string[], f: (t: Tx) => Decimal) =>
      mine
        .filter((t) => types.includes(t.type))
        .reduce((a, t) => a.plus(f(t)), D(0))
        .toFixed(2);
    const net = mine.reduce((a, t) => a.plus(t.amount.minus(t.fee)), D(0));
    payouts.push({
      id: p.id,
      status: p.status,
      date: p.date,
      currency: 'GBP',
      amount: net.toFixed(2),
      summary: {
        adjustments_fee_amount: by(['adjustment'], (t) => t.fee),
        adjustments_gross_amount: by(['adjustment'], (t) => t.amount),
        charges_fee_amount: by(['charge'], (t) => t.fee),
        charges_gross_amount: by(['charge'], (t) => t.amount),
        refunds_fee_amount: by(['refund'], (t) => t.fee),
        refunds_gross_amount: by(['refund'], (t) => t.amount),
        reserved_funds_fee_amount: by(['reserve'], (t) => t.fee),
        reserved_funds_gross_amount: by(['reserve'], (t) => t.amount),
        retried_payouts_fee_amount: '0.00',
        retried_payouts_gross_amount: '0.00',
      },
    });
    for (const t of mine) {
      balanceTransactions.push({
        id: t.id,
        type: t.type,
        test: false,
        payout_id: p.id,
        payout_status: p.status,
        currency: 'GBP',
        amount: t.amount.toFixed(2),
        fee: t.fee.toFixed(2),
        net: t.amount.minus(t.fee).toFixed(2),
        source_id: t.sourceId,
        source_type: t.sourceType,
        source_order_id: t.orderId,
        source_order_transaction_id: t.orderTxId,
        processed_at: t.processedAt,
        adjustment_order_transactions: [],
        adjustment_reason: t.reason,
      });
    }
  }
  const unassigned = txs.length - balanceTransactions.length;
  if (unassigned) throw new Error(`${unassigned} balance transaction(s) fall after the last payout`);
  return { payouts, balanceTransactions };
}
