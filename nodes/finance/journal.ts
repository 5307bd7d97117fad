// The payout journal: the bank receives the net, fees are an expense, adjustments / disputes / reserves go to their
// accounts, and the Shopify clearing account is credited with what the orders and refunds put through it.
// Clearing is credited at the ERP documents' amounts, since the settlement moves each document's open receivable
// through clearing: what Shopify paid differs from them by the within-tolerance rounding, booked on its own line.
import { Decimal } from 'decimal.js';
import type { JournalInput, JournalLineInput } from '../erp/contract.ts';
import type { PayoutReconciliation } from './types.ts';

export interface PayoutAccounts {
  bank: string;
  clearing: string;
  fees: string;
  adjustments: string;
  disputes: string;
  reserve: string;
  /** Payout rounding: the per-line differences (FX, cents) accepted within the reconciliation's amount tolerance. */
  rounding: string;
}

/** `amount` > 0 is a debit, < 0 a credit; zero lines are left out. */
function line(account: string, amount: Decimal, description: string): JournalLineInput | null {
  if (amount.isZero()) return null;
  return amount.gt(0) ? { account, debit: amount.toFixed(2), description } : { account, credit: amount.neg().toFixed(2), description };
}

export function payoutJournal(r: PayoutReconciliation, a: PayoutAccounts): JournalInput {
  const t = r.totals;
  // biome-ignore lint/correctness/noComponentHookFactories: a one-letter Decimal constructor, not a React component
  const D = (v: string) => new Decimal(v);
  // Shopify − ERP over lines matched within tolerance (negative: Shopify paid less than the documents ask).
  const rounding = D(r.withinTolerance);
  // Money leaving the Shopify balance to the bank, to fees, to disputes... is a debit there; the clearing account
  // is credited with charges, refunds and retried payouts (funds the orders had booked as receivable from Shopify).
  const lines = [
    line(a.bank, D(r.payoutNet), `Shopify payout ${r.payoutId} deposit`),
    line(a.fees, D(t.fees), 'Shopify Payments fees'),
    line(a.adjustments, D(t.adjustments).neg(), 'Shopify adjustments'),
    line(a.disputes, D(t.disputes).neg(), 'Shopify disputes and chargebacks'),
    line(a.reserve, D(t.reserves).neg(), 'Shopify reserve held / released'),
    line(a.clearing, D(t.charges).plus(t.refunds).plus(t.retriedPayouts).minus(rounding).neg(), 'Shopify clearing: charges less refunds'),
  ].filter((l): l is JournalLineInput => l !== null);
  // Accounts shared by two roles (e.g. disputes booked with adjustments) become one line per side.
  const merged = new Map<string, Decimal>();
  const descr = new Map<string, string>();
  for (const l of lines) {
    merged.set(l.account, (merged.get(l.account) ?? new Decimal(0)).plus(l.debit ?? 0).minus(l.credit ?? 0));
    descr.set(l.account, descr.has(l.account) ? `${descr.get(l.account)}; ${l.description}` : l.description!);
  }
  // Rounding stays a line of its own, also on an account shared with another role (e.g. adjustments): finance
  // finds it by its description. Absent when nothing matched within tolerance, so such a journal is unchanged.
  const roundingLine = line(a.rounding, rounding.neg(), `Payout rounding ${r.payoutId}`);
  return {
    externalId: r.payoutId,
    date: r.date,
    description: `Shopify payout ${r.payoutId} of ${r.date}`,
    currency: r.currency,
    lines: [
      ...[...merged].map(([acc, amt]) => line(acc, amt, descr.get(acc)!)).filter((l): l is JournalLineInput => l !== null),
      ...(roundingLine ? [roundingLine] : []),
    ],
  };
}
