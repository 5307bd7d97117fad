// The month-end trial balance read from the ERP ledger: per account, the opening balance (everything posted before
// the month), the month's debits and credits, and the closing balance; plus the receivable lines still open at
// month-end (invoices and credit memos no payout settled). Pure over the ledger lines, except `trialBalance`.
import { Decimal } from 'decimal.js';
import { stringify } from 'csv-stringify/sync';
import type { ErpConnector, LedgerLine } from '../../nodes/erp/contract.ts';

export interface TrialBalanceRow {
  account: string;
  opening: string;
  debits: string;
  credits: string;
  closing: string;
}

export interface OpenReceivable {
  account: string;
  kind: string;
  externalId: string | null;
  document: string | null;
  date: string;
  amount: string;
}

export interface TrialBalance {
  month: string;
  from: string;
  to: string;
  accounts: TrialBalanceRow[];
  totals: { opening: string; debits: string; credits: string; closing: string };
  /** Debits equal credits in the month and the closing balances sum to zero (a ledger that adds up). */
  balanced: boolean;
  /** Closing balances of the accounts finance closes the month on (receivable and Shopify clearing). */
  checks: { receivable: { account: string; closing: string }; clearing: { account: string; closing: string } };
  /** Invoice and credit-memo lines on the receivable account not settled at month-end. */
  openReceivables: OpenReceivable[];
}

export function monthRange(month: string): { from: string; to: string } {
  const [y = NaN, m = NaN] = month.split('-').map(Number);
  if (!Number.isInteger(y) || !Number.isInteger(m)) throw new Error(`month must be YYYY-MM (got "${month}")`);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

export function buildTrialBalance(lines: LedgerLine[], month: string, accounts: { receivable: string; clearing: string }): TrialBalance {
  const { from, to } = monthRange(month);
  const rows = new Map<string, { opening: Decimal; debits: Decimal; credits: Decimal }>();
  const row = (a: string) => rows.get(a) ?? rows.set(a, { opening: new Decimal(0), debits: new Decimal(0), credits: new Decimal(0) }).get(a)!;
  for (const l of lines) {
    if (l.date > to) continue;
    const r = row(l.account);
    if (l.date < from) r.opening = r.opening.plus(l.debit).minus(l.credit);
    else {
      r.debits = r.debits.plus(l.debit);
      r.credits = r.credits.plus(l.credit);
    }
  }
  for (const a of [accounts.receivable, accounts.clearing]) row(a);
  const out: TrialBalanceRow[] = [...rows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([account, r]) => ({
      account,
      opening: r.opening.toFixed(2),
      debits: r.debits.toFixed(2),
      credits: r.credits.toFixed(2),
      closing: r.opening.plus(r.debits).minus(r.credits).toFixed(2),
    }));
  const total = (k: keyof Omit<TrialBalanceRow, 'account'>) => out.reduce((a, r) => a.plus(r[k]), new Decimal(0)).toFixed(2);
  const totals = { opening: total('opening'), debits: total('debits'), credits: total('credits'), closing: total('closing') };
  const closing = (a: string) => out.find((r) => r.account === a)!.closing;
  const openReceivables = lines
    .filter((l) => l.account === accounts.receivable && l.date <= to && !l.reconciled && (l.source.type === 'invoice' || l.source.type === 'credit-memo'))
    .map((l) => ({
      account: l.account,
      kind: l.source.type,
      externalId: l.source.externalId,
      document: l.source.number,
      date: l.date,
      amount: new Decimal(l.debit).minus(l.credit).toFixed(2),
    }));
  return {
    month,
    from,
    to,
    accounts: out,
    totals,
    balanced: totals.debits === totals.credits && new Decimal(totals.closing).isZero(),
    checks: {
      receivable: { account: accounts.receivable, closing: closing(accounts.receivable) },
      clearing: { account: accounts.clearing, closing: closing(accounts.clearing) },
    },
    openReceivables,
  };
}

/** Reads the ledger from the ERP (everything up to the month's end: the opening balance needs all earlier lines). */
export async function trialBalance(
  erp: ErpConnector,
  month: string,
  accounts: { receivable: string; clearing: string },
  since = '2000-01-01',
): Promise<TrialBalance> {
  const { to } = monthRange(month);
  const lines = await erp.listLedger({ from: since, to });
  return buildTrialBalance(lines, month, accounts);
}

export function trialBalanceCsv(tb: TrialBalance): string {
  return stringify([
    ['Account', 'Opening', 'Debits', 'Credits', 'Closing'],
    ...tb.accounts.map((r) => [r.account, r.opening, r.debits, r.credits, r.closing]),
    ['Total', tb.totals.opening, tb.totals.debits, tb.totals.credits, tb.totals.closing],
  ]);
}
