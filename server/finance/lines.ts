// One row per reconciled payout line (a charge, refund, fee, adjustment, dispute...), with the Shopify Payments fee
// and net of that line itself, so finance sees what each order cost, not only the payout's fee total. Pure.
import { stringify } from 'csv-stringify/sync';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';

export interface PayoutLineRow {
  payoutId: string;
  payoutDate: string;
  currency: string;
  date: string;
  bucket: string;
  types: string;
  status: string;
  orderId: string | null;
  refundId: string | null;
  transactions: string;
  amount: string;
  fee: string;
  net: string;
  erpDocument: string | null;
  erpAmount: string | null;
  delta: string | null;
}

export function payoutLines(recs: PayoutReconciliation[]): PayoutLineRow[] {
  return recs.flatMap((r) =>
    r.items
      .filter((i) => i.status !== 'erp-only')
      .map((i) => ({
        payoutId: r.payoutId,
        payoutDate: r.date,
        currency: r.currency,
        date: i.date,
        bucket: i.bucket,
        types: i.types.join(' '),
        status: i.status,
        orderId: i.orderId,
        refundId: i.refundId,
        transactions: i.transactions.join(' '),
        amount: i.shopifyAmount,
        fee: i.fee ?? '0.00',
        net: i.net ?? i.shopifyAmount,
        erpDocument: i.erp?.number ?? null,
        erpAmount: i.erpAmount,
        delta: i.delta,
      })),
  );
}

const COLUMNS: Array<[keyof PayoutLineRow, string]> = [
  ['payoutId', 'Payout'],
  ['payoutDate', 'Payout date'],
  ['currency', 'Currency'],
  ['date', 'Date'],
  ['bucket', 'Kind'],
  ['types', 'Shopify type'],
  ['status', 'Match'],
  ['orderId', 'Order'],
  ['refundId', 'Refund'],
  ['transactions', 'Transactions'],
  ['amount', 'Amount'],
  ['fee', 'Fee'],
  ['net', 'Net'],
  ['erpDocument', 'ERP document'],
  ['erpAmount', 'ERP amount'],
  ['delta', 'Difference'],
];

export function payoutLinesCsv(rows: PayoutLineRow[]): string {
  return stringify([COLUMNS.map(([, h]) => h), ...rows.map((r) => COLUMNS.map(([k]) => r[k] ?? ''))]);
}
