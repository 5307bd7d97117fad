// The Shopify payloads the sandbox control panel sends: the template scenarios' webhook bodies (flows/templates/
// scenarios), made unique per send (order id, name, line items, refund, transactions) and dated now, and payouts
// built from what was actually sent, so a payout's charges point at orders the sandbox ERP really received.
// Payloads stay JSON text and are rewritten textually: customer ids exceed 2^53 and must not pass through numbers.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';

const SCENARIOS = fileURLToPath(new URL('../../flows/templates/scenarios/', import.meta.url));
const scenarioText = (file: string) => readFileSync(`${SCENARIOS}${file}`, 'utf8');

/** Order scenarios: the template file, its order id and name (rewritten per send). */
export const ORDER_SCENARIOS = {
  'paid-order': { file: 'uk-vat-inclusive-discount.orders-paid.json', title: 'A paid order', expect: 'reaches the ERP as a sales order (order-to-erp)' },
  'unmapped-tax': {
    file: 'unmapped-tax-rate.orders-paid.json',
    title: 'An order with an unmapped tax rate',
    expect: 'fails at the tax-code lookup and raises an exception',
  },
  'unknown-sku': { file: 'unknown-sku.orders-paid.json', title: 'An order with an unknown SKU', expect: 'the ERP refuses the SKU; an exception names it' },
  'tipped-order': {
    file: 'uk-vat-inclusive-tip-duties.orders-paid.json',
    title: 'A paid order with a tip and import duties',
    expect: 'reaches the ERP with TIP and DUTY lines: the sales order is what the customer paid',
  },
  'terms-order': {
    file: 'uk-b2b-net-terms.orders-create.json',
    title: 'A B2B order on net 30 terms, not yet paid',
    expect: 'reaches the ERP at once, its invoice what the buyer owes; no payout carries it until it is paid',
  },
  'cod-order': {
    file: 'uk-cash-on-delivery.orders-create.json',
    title: 'A cash-on-delivery order, not yet paid',
    expect: 'waits for its payment (the payment gate skips it, unless unpaidGateways names cash on delivery); no payout ever carries it',
  },
} as const;
export type OrderScenario = keyof typeof ORDER_SCENARIOS;

const REFUND_FILE = 'uk-vat-inclusive-discount.refund-restock.json';

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)/g;

/** Replaces whole numbers (never digits inside a longer number) and ISO timestamps in a JSON text. */
function rewrite(text: string, ids: Map<string, string>, nowIso: string): string {
  let out = text.replace(ISO, nowIso);
  for (const [from, to] of ids) out = out.replace(new RegExp(`(?<![0-9])${from}(?![0-9])`, 'g'), to);
  return out;
}

const topIds = (text: string, key: string): string[] => [...text.matchAll(new RegExp(`"${key}":\\s*(\\d+)`, 'g'))].map((m) => m[1]!);

export interface SentOrder {
  scenario: OrderScenario;
  id: string;
  gid: string;
  name: string;
  total: string;
  currency: string;
  /** Line item ids in payload order (a refund names them). */
  lineItemIds: string[];
  /** Sent unpaid (pending: on payment terms, cash on delivery): no payout pays it out. */
  unpaid?: boolean;
  /** Paid outside Shopify Payments (the carrier collected the cash): no payout ever pays it out. */
  paidOutside?: boolean;
  sentAt: string;
  body: string;
}

/**
 * An order body for `seq` (1, 2, ...): id 74000000000+seq, name #6000+seq, line items and dates made unique, in the
 * shop's currency: an order's `currency` is always its shop's (what the buyer saw is the presentment currency), so a
 * scenario file taken from a shop in another currency is sent as this shop's, or its payout would add dollars to pounds.
 */
export function orderPayload(scenario: OrderScenario, seq: number, now = new Date(), shopCurrency = 'GBP'): SentOrder {
  const text = scenarioText(ORDER_SCENARIOS[scenario].file);
  const o = JSON.parse(text) as { id: number; name: string; order_number: number; total_price: string; currency: string; line_items: Array<{ id: number }> };
  const id = String(74_000_000_000 + seq);
  const name = `#${6000 + seq}`;
  const ids = new Map<string, string>([[String(o.id), id]]);
  const lineItemIds = o.line_items.map((l, i) => {
    const nid = `${id}${String(i + 1).padStart(2, '0')}`;
    ids.set(String(l.id), nid);
    return nid;
  });
  // Shipping lines and tax line ids are this order's too.
  for (const s of topIds(text, 'id')) if (!ids.has(s) && s.startsWith(String(o.id))) ids.set(s, `${id}${String(ids.size + 50)}`);
  const nowIso = now.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  let body = rewrite(text, ids, nowIso);
  if (o.currency !== shopCurrency) body = body.replaceAll(JSON.stringify(o.currency), JSON.stringify(shopCurrency));
  body = body.replace(`"name": ${JSON.stringify(o.name)}`, `"name": ${JSON.stringify(name)}`);
  body = body.replace(new RegExp(`"(order_number|number)":\\s*${o.order_number}(?![0-9])`, 'g'), `"$1": ${6000 + seq}`);
  const unpaid = /"financial_status":\s*"pending"/.test(text);
  return {
    scenario,
    id,
    gid: `gid://shopify/Order/${id}`,
    name,
    total: o.total_price,
    currency: shopCurrency,
    lineItemIds,
    ...(unpaid ? { unpaid } : {}),
    sentAt: now.toISOString(),
    body,
  };
}

export interface SentRefund {
  id: string;
  orderId: string;
  orderName: string;
  transactionId: string;
  amount: string;
  currency: string;
  sentAt: string;
  body: string;
}

/** A partial refund (one line, restocked) of a paid-order scenario order. */
export function refundPayload(order: SentOrder, seq: number, now = new Date()): SentRefund {
  if (order.scenario !== 'paid-order') throw new Error(`a partial refund needs a "paid-order" order, not ${order.scenario}`);
  const text = scenarioText(REFUND_FILE);
  const r = JSON.parse(text) as {
    id: number;
    order_id: number;
    refund_line_items: Array<{ id: number; line_item_id: number }>;
    transactions: Array<{ id: number; amount: string }>;
  };
  const template = JSON.parse(scenarioText(ORDER_SCENARIOS['paid-order'].file)) as { line_items: Array<{ id: number }> };
  const id = String(75_000_000_000 + seq);
  const txId = String(76_000_000_000 + seq);
  const ids = new Map<string, string>([
    [String(r.id), id],
    [String(r.order_id), order.id],
  ]);
  for (const t of r.transactions) ids.set(String(t.id), txId);
  for (const [i, l] of r.refund_line_items.entries()) ids.set(String(l.id), `${id}${String(i + 1).padStart(2, '0')}`);
  template.line_items.forEach((l, i) => {
    const mine = order.lineItemIds[i];
    if (mine === undefined)
      throw new Error(`sandbox refund: order ${order.id} has ${order.lineItemIds.length} line items; the refund template needs line item #${i + 1}`);
    ids.set(String(l.id), mine);
  });
  const nowIso = now.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const amount = r.transactions.reduce((s, t) => s.plus(t.amount), new Decimal(0)).toFixed(2);
  return {
    id,
    orderId: order.id,
    orderName: order.name,
    transactionId: txId,
    amount,
    currency: order.currency,
    sentAt: now.toISOString(),
    body: rewrite(text, ids, nowIso),
  };
}

export interface PayoutPlan {
  payout: Record<string, unknown>;
  balanceTransactions: Array<Record<string, unknown>>;
  net: string;
}

/** Shopify Payments' UK online rate, to give the payout real fees: 1.5% + 20p per charge, rounded half-up. */
export const chargeFee = (amount: string) => new Decimal(amount).times('0.015').plus('0.20').toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** A paid payout of these charges (orders) and refunds, dated `now`, with the summary Shopify would report. */
export function payoutPayload(seq: number, orders: SentOrder[], refunds: SentRefund[], now = new Date()): PayoutPlan {
  if (!orders.length && !refunds.length) throw new Error('a payout needs at least one order or refund');
  const payoutId = 77_000_000 + seq;
  const date = now.toISOString().slice(0, 10);
  const currency = orders[0]?.currency ?? refunds[0]?.currency ?? 'GBP';
  // A Shopify payout is in one currency: its transactions' amounts are all in it.
  const other = [...orders, ...refunds].find((x) => x.currency !== currency);
  if (other) throw new Error(`a payout in ${currency} cannot carry ${other.currency} amounts (${'name' in other ? other.name : `refund ${other.id}`})`);
  const processedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let n = 0;
  const tx = (type: string, amount: Decimal, fee: Decimal, orderId: string, sourceTx: string) => ({
    id: payoutId * 100 + ++n,
    type,
    test: false,
    payout_id: payoutId,
    payout_status: 'paid',
    currency,
    amount: amount.toFixed(2),
    fee: fee.toFixed(2),
    net: amount.minus(fee).toFixed(2),
    source_id: Number(sourceTx),
    source_type: type,
    source_order_id: Number(orderId),
    source_order_transaction_id: Number(sourceTx),
    processed_at: processedAt,
    adjustment_order_transactions: [],
    adjustment_reason: null,
  });
  const charges = orders.map((o, i) => tx('charge', new Decimal(o.total), chargeFee(o.total), o.id, String(78_000_000_000 + seq * 100 + i)));
  const refundTxs = refunds.map((r) => tx('refund', new Decimal(r.amount).neg(), new Decimal(0), r.orderId, r.transactionId));
  const sum = (xs: Array<{ amount: string; fee: string; net: string }>, k: 'amount' | 'fee' | 'net') => xs.reduce((s, x) => s.plus(x[k]), new Decimal(0));
  const all = [...charges, ...refundTxs];
  const net = sum(all, 'net').toFixed(2);
  const zero = '0.00';
  return {
    payout: {
      id: payoutId,
      status: 'paid',
      date,
      currency,
      amount: net,
      summary: {
        adjustments_fee_amount: zero,
        adjustments_gross_amount: zero,
        charges_fee_amount: sum(charges, 'fee').toFixed(2),
        charges_gross_amount: sum(charges, 'amount').toFixed(2),
        refunds_fee_amount: sum(refundTxs, 'fee').toFixed(2),
        refunds_gross_amount: sum(refundTxs, 'amount').toFixed(2),
        reserved_funds_fee_amount: zero,
        reserved_funds_gross_amount: zero,
        retried_payouts_fee_amount: zero,
        retried_payouts_gross_amount: zero,
      },
    },
    balanceTransactions: all,
    net,
  };
}
