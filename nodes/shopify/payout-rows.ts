// How shopify.payouts stores a balance transaction as one row of the runtime's payout rows (PayoutRowStore), and how
// finance.reconcile-payouts reads it back: a compact JSON tuple (a million rows are parsed per reconciliation), with
// every field of the transaction. Shopify's raw payload is kept only where a reader needs it (a dispute's details).
import type { Money, ShopifyBalanceTransaction } from './types.ts';

type Row = [
  id: string,
  type: string,
  test: 0 | 1,
  payoutId: string | null,
  payoutStatus: string | null,
  amount: string,
  fee: string,
  net: string,
  /** One currency for all three amounts, or the three Money (amount, fee, net) when they differ. */
  currency: string | [amount: Money, fee: Money, net: Money],
  sourceId: string | null,
  sourceType: string | null,
  sourceOrderId: string | null,
  sourceOrderTransactionId: string | null,
  processedAt: string,
  adjustmentReason: string | null,
  adjustmentOrderTransactions: ShopifyBalanceTransaction['adjustmentOrderTransactions'] | 0,
  /** 0: the transaction carries no dispute field at all (only dispute transactions do). */
  dispute: ShopifyBalanceTransaction['dispute'] | 0,
  raw: unknown,
];

/** Transactions whose raw payload a reconciliation reads (the dispute behind a chargeback). */
export const keepsRaw = (t: Pick<ShopifyBalanceTransaction, 'type' | 'sourceType'>) =>
  /DISPUTE|CHARGEBACK/i.test(t.type) || /DISPUTE/i.test(t.sourceType ?? '');

export function encodeTransactionRow(t: ShopifyBalanceTransaction): string {
  const one = t.amount.currencyCode === t.fee.currencyCode && t.amount.currencyCode === t.net.currencyCode;
  const row: Row = [
    t.id,
    t.type,
    t.test ? 1 : 0,
    t.payoutId,
    t.payoutStatus,
    t.amount.amount,
    t.fee.amount,
    t.net.amount,
    one ? t.amount.currencyCode : [t.amount, t.fee, t.net],
    t.sourceId,
    t.sourceType,
    t.sourceOrderId,
    t.sourceOrderTransactionId,
    t.processedAt,
    t.adjustmentReason,
    t.adjustmentOrderTransactions.length ? t.adjustmentOrderTransactions : 0,
    t.dispute === undefined ? 0 : t.dispute,
    keepsRaw(t) ? (t.raw ?? null) : null,
  ];
  return JSON.stringify(row);
}

export function decodeTransactionRow(text: string): ShopifyBalanceTransaction {
  const r = JSON.parse(text) as Row;
  const money = typeof r[8] === 'string' ? null : r[8];
  const cur = r[8] as string;
  const t: ShopifyBalanceTransaction = {
    id: r[0],
    type: r[1],
    test: r[2] === 1,
    payoutId: r[3],
    payoutStatus: r[4],
    amount: money ? money[0] : { amount: r[5], currencyCode: cur },
    fee: money ? money[1] : { amount: r[6], currencyCode: cur },
    net: money ? money[2] : { amount: r[7], currencyCode: cur },
    sourceId: r[9],
    sourceType: r[10],
    sourceOrderId: r[11],
    sourceOrderTransactionId: r[12],
    processedAt: r[13],
    adjustmentReason: r[14],
    adjustmentOrderTransactions: r[15] === 0 ? [] : r[15],
    raw: r[17],
  };
  if (r[16] !== 0) t.dispute = r[16];
  return t;
}

/** What grouping and matching by id read of a transaction (the first pass over a million rows needs no amounts). */
export type TransactionKeys = Pick<
  ShopifyBalanceTransaction,
  'id' | 'type' | 'sourceId' | 'sourceType' | 'sourceOrderId' | 'sourceOrderTransactionId' | 'processedAt'
>;

/** What grouping and matching read of a transaction: its keys, and its amount, fee and net as text. */
export type TransactionAmounts = TransactionKeys & { amount: string; fee: string; net: string };

/**
 * A row's keys and amounts, without the Money objects, adjustment lists and raw payload a whole decode makes: a
 * reconciliation reads a million of them (`stored.test.ts` holds it to `decodeTransactionRow`).
 */
export function decodeTransactionAmounts(text: string): TransactionAmounts {
  const r = leadingRowFields(text, 14) ?? (JSON.parse(text) as Row);
  return {
    id: r[0] as string,
    type: r[1] as string,
    sourceId: r[9] as string | null,
    sourceType: r[10] as string | null,
    sourceOrderId: r[11] as string | null,
    sourceOrderTransactionId: r[12] as string | null,
    processedAt: r[13] as string,
    amount: r[5] as string,
    fee: r[6] as string,
    net: r[7] as string,
  };
}

/**
 * The first `n` fields of a row as `JSON.parse` gives them, read without parsing the rest, or null when the row is
 * not in the plain form this reads (JSON.parse then). A reconciliation reads fields 0–13 of a million rows: parsing
 * each row whole made every value of it (payout id, adjustments, raw payload) and cost four times as much. Plain form:
 * the compact JSON `JSON.stringify` writes, no backslash anywhere (then a string ends at the next quote), and each of
 * the first `n` fields a string, `null` or a number; anything else (an escape, the three Money of field 8) is null.
 */
export function leadingRowFields(text: string, n: number): Array<string | number | null> | null {
  if (text.charCodeAt(0) !== 91 || text.includes('\\')) return null;
  const out = new Array<string | number | null>(n);
  let i = 1;
  for (let f = 0; f < n; f++) {
    const c = text.charCodeAt(i);
    let end: number;
    if (c === 34) {
      end = text.indexOf('"', i + 1);
      if (end < 0) return null;
      out[f] = text.slice(i + 1, end);
      end++;
    } else if (c === 110) {
      if (!text.startsWith('null', i)) return null;
      out[f] = null;
      end = i + 4;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      end = i + 1;
      for (let d = text.charCodeAt(end); (d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45; d = text.charCodeAt(++end));
      const v = Number(text.slice(i, end));
      if (Number.isNaN(v)) return null;
      out[f] = v;
    } else return null;
    const sep = text.charCodeAt(end);
    if (sep !== 44 && !(sep === 93 && f === n - 1)) return null;
    i = end + 1;
  }
  return out;
}

/** The legacy (numeric) id a row is keyed by. */
export const rowId = (t: Pick<ShopifyBalanceTransaction, 'id'>) => t.id.split('/').pop()!;
