// The month-end view of payout reconciliation for the finance team: one row per payout (latest reconciliation),
// and per month and currency the totals, the variances, and whether everything tied and was posted. Pure.
import { Decimal } from 'decimal.js';
import { stringify } from 'csv-stringify/sync';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';

export interface LedgerStatus {
  /** The payout journal is in the ERP ledger. */
  posted: boolean;
  /** Its bank and clearing lines equal what Shopify paid out and what the orders/refunds put through clearing. */
  ties: boolean;
  entryNumber: string | null;
  problems: string[];
}

export interface PayoutRow {
  payoutId: string;
  date: string;
  month: string;
  currency: string;
  status: PayoutReconciliation['status'];
  shopifyStatus: string;
  net: string;
  charges: string;
  refunds: string;
  fees: string;
  adjustments: string;
  disputes: string;
  reserves: string;
  retriedPayouts: string;
  erpVariance: string;
  shopifyVariance: string;
  /** Differences matched within tolerance, booked by the payout journal to the rounding account (Shopify − ERP). */
  rounding: string;
  matched: number;
  missingInErp: number;
  amountMismatches: number;
  erpOnly: number;
  ledger: LedgerStatus | null;
  reconciledAt: string;
}

export interface MonthRow {
  month: string;
  currency: string;
  payouts: number;
  balanced: number;
  unbalanced: number;
  waiting: number;
  notPaid: number;
  net: string;
  charges: string;
  refunds: string;
  fees: string;
  adjustments: string;
  disputes: string;
  reserves: string;
  erpVariance: string;
  shopifyVariance: string;
  rounding: string;
  /** Every payout tied, and (when the ledger was checked) every paid payout's journal is in the ERP and ties. */
  reconciled: boolean;
}

export interface MonthEndReport {
  generatedAt: string;
  months: MonthRow[];
  payouts: PayoutRow[];
}

/** Latest reconciliation per payout (a payout is reconciled again on every run until it ties). */
export function latestPerPayout(recs: PayoutReconciliation[]): PayoutReconciliation[] {
  const by = new Map<string, PayoutReconciliation>();
  for (const r of recs) {
    const prev = by.get(r.payoutId);
    if (!prev || prev.reconciledAt <= r.reconciledAt) by.set(r.payoutId, r);
  }
  return [...by.values()].sort((a, b) => a.date.localeCompare(b.date) || a.payoutId.localeCompare(b.payoutId));
}

export function monthEndReport(recs: PayoutReconciliation[], opts: { month?: string; ledger?: Map<string, LedgerStatus>; now?: Date } = {}): MonthEndReport {
  const rows: PayoutRow[] = latestPerPayout(recs)
    .filter((r) => !opts.month || r.date.startsWith(opts.month))
    .map((r) => ({
      payoutId: r.payoutId,
      date: r.date,
      month: r.date.slice(0, 7),
      currency: r.currency,
      status: r.status,
      shopifyStatus: r.shopifyStatus,
      net: r.payoutNet,
      charges: r.totals.charges,
      refunds: r.totals.refunds,
      fees: r.totals.fees,
      adjustments: r.totals.adjustments,
      disputes: r.totals.disputes,
      reserves: r.totals.reserves,
      retriedPayouts: r.totals.retriedPayouts,
      erpVariance: r.erpVariance,
      shopifyVariance: r.shopifyVariance,
      rounding: r.withinTolerance,
      matched: r.counts.matched,
      missingInErp: r.counts['missing-in-erp'],
      amountMismatches: r.counts['amount-mismatch'],
      erpOnly: r.counts['erp-only'],
      ledger: opts.ledger?.get(r.payoutId) ?? null,
      reconciledAt: r.reconciledAt,
    }));
  const groups = new Map<string, PayoutRow[]>();
  for (const r of rows) groups.set(`${r.month}|${r.currency}`, [...(groups.get(`${r.month}|${r.currency}`) ?? []), r]);
  const months: MonthRow[] = [...groups]
    .map(([k, rs]) => {
      const [month = '', currency = ''] = k.split('|'); // the key is always `${month}|${currency}`
      const total = (f: keyof PayoutRow) => rs.reduce((a, r) => a.plus(r[f] as string), new Decimal(0)).toFixed(2);
      const count = (s: PayoutRow['status']) => rs.filter((r) => r.status === s).length;
      const ledgerOk = rs.every((r) => r.status !== 'balanced' || !opts.ledger || (r.ledger?.posted && r.ledger.ties));
      return {
        month,
        currency,
        payouts: rs.length,
        balanced: count('balanced'),
        unbalanced: count('unbalanced'),
        waiting: count('waiting'),
        notPaid: count('not-paid'),
        net: total('net'),
        charges: total('charges'),
        refunds: total('refunds'),
        fees: total('fees'),
        adjustments: total('adjustments'),
        disputes: total('disputes'),
        reserves: total('reserves'),
        erpVariance: total('erpVariance'),
        shopifyVariance: total('shopifyVariance'),
        rounding: total('rounding'),
        reconciled: count('unbalanced') === 0 && count('waiting') === 0 && ledgerOk,
      };
    })
    .sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency));
  return { generatedAt: (opts.now ?? new Date()).toISOString(), months, payouts: rows };
}

const PAYOUT_COLUMNS: Array<[keyof PayoutRow | 'ledgerPosted' | 'ledgerTies' | 'journal', string]> = [
  ['month', 'Month'],
  ['date', 'Payout date'],
  ['payoutId', 'Payout'],
  ['currency', 'Currency'],
  ['status', 'Reconciliation'],
  ['shopifyStatus', 'Shopify status'],
  ['net', 'Net deposit'],
  ['charges', 'Charges'],
  ['refunds', 'Refunds'],
  ['fees', 'Fees'],
  ['adjustments', 'Adjustments'],
  ['disputes', 'Disputes'],
  ['reserves', 'Reserves'],
  ['retriedPayouts', 'Retried payouts'],
  ['erpVariance', 'ERP variance'],
  ['shopifyVariance', 'Shopify variance'],
  ['rounding', 'Payout rounding'],
  ['matched', 'Matched'],
  ['missingInErp', 'Missing in ERP'],
  ['amountMismatches', 'Amount mismatches'],
  ['erpOnly', 'In ERP only'],
  ['ledgerPosted', 'Journal posted'],
  ['ledgerTies', 'Ledger ties'],
  ['journal', 'Journal number'],
];

/** One CSV line per payout, then a blank line and the per-month summary: what finance opens in a spreadsheet. */
export function reportCsv(r: MonthEndReport): string {
  const yn = (b: boolean | undefined) => (b === undefined ? '' : b ? 'yes' : 'no');
  const payoutLines = r.payouts.map((p) =>
    PAYOUT_COLUMNS.map(([k]) =>
      k === 'ledgerPosted'
        ? yn(p.ledger?.posted)
        : k === 'ledgerTies'
          ? yn(p.ledger?.ties)
          : k === 'journal'
            ? (p.ledger?.entryNumber ?? '')
            : String(p[k] ?? ''),
    ),
  );
  const monthCols: Array<[keyof MonthRow, string]> = [
    ['month', 'Month'],
    ['currency', 'Currency'],
    ['payouts', 'Payouts'],
    ['balanced', 'Balanced'],
    ['unbalanced', 'Unbalanced'],
    ['waiting', 'Waiting'],
    ['notPaid', 'Not paid'],
    ['net', 'Net deposits'],
    ['charges', 'Charges'],
    ['refunds', 'Refunds'],
    ['fees', 'Fees'],
    ['adjustments', 'Adjustments'],
    ['disputes', 'Disputes'],
    ['reserves', 'Reserves'],
    ['erpVariance', 'ERP variance'],
    ['shopifyVariance', 'Shopify variance'],
    ['rounding', 'Payout rounding'],
    ['reconciled', 'Reconciled'],
  ];
  return (
    stringify([PAYOUT_COLUMNS.map(([, h]) => h), ...payoutLines]) +
    '\n' +
    stringify([monthCols.map(([, h]) => h), ...r.months.map((m) => monthCols.map(([k]) => (typeof m[k] === 'boolean' ? yn(m[k] as boolean) : String(m[k]))))])
  );
}
