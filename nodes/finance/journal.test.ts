// The payout journal's rounding line: lines matched within the amount tolerance leave Shopify's and the ERP's figures
// a few cents apart, and the settlement clears the ERP's; the journal books the difference so clearing nets to zero.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { payoutJournal, type PayoutAccounts } from './journal.ts';
import { samplePayoutOutput } from './samples.ts';
import { nth } from './testing/defined.ts';
import type { PayoutReconciliation } from './types.ts';

const accounts: PayoutAccounts = { bank: '1000', clearing: '1190', fees: '6100', adjustments: '6200', disputes: '6200', reserve: '1195', rounding: '6300' };
const sample = nth(samplePayoutOutput.reconciliations, 0, 'sample reconciliation');

/** The sample payout (one 44.00 charge, 2.10 fee) with Shopify's charge `delta` off the ERP invoice, within tolerance. */
function withRounding(delta: string, extra: Partial<PayoutReconciliation['totals']> = {}): PayoutReconciliation {
  const charges = new Decimal(sample.totals.charges).plus(delta);
  const totals = { ...sample.totals, charges: charges.toFixed(2), ...extra };
  const net = new Decimal(totals.charges).plus(totals.refunds).plus(totals.adjustments).plus(totals.disputes).plus(totals.reserves).minus(totals.fees);
  return { ...sample, payoutNet: net.toFixed(2), totals: { ...totals, net: net.toFixed(2) }, withinTolerance: delta };
}

const sides = (lines: Array<{ debit?: string; credit?: string }>) =>
  ['debit', 'credit'].map((k) => lines.reduce((a, l) => a.plus((l as Record<string, string | undefined>)[k] ?? 0), new Decimal(0)).toFixed(2));

describe('payoutJournal: payout rounding', () => {
  it('books a payout with nothing matched within tolerance exactly as before: no rounding line', () => {
    expect(payoutJournal(sample, accounts)).toEqual(nth(samplePayoutOutput.journals, 0, 'sample journal'));
  });

  it('credits clearing at the ERP amount and books Shopify paying a cent less to the rounding account, balanced', () => {
    const j = payoutJournal(withRounding('-0.01'), accounts);
    expect(j.lines).toEqual([
      { account: '1000', debit: '41.89', description: 'Shopify payout 623721858 deposit' },
      { account: '6100', debit: '2.10', description: 'Shopify Payments fees' },
      { account: '1190', credit: '44.00', description: 'Shopify clearing: charges less refunds' },
      { account: '6300', debit: '0.01', description: 'Payout rounding 623721858' },
    ]);
    const [debit, credit] = sides(j.lines);
    expect(debit).toBe(credit);
  });

  it('books Shopify paying more (or refunding less) than the documents as a rounding credit', () => {
    const j = payoutJournal(withRounding('0.02', { refunds: '-10.00' }), accounts);
    expect(j.lines.filter((l) => l.account === '1190' || l.account === '6300')).toEqual([
      { account: '1190', credit: '34.00', description: 'Shopify clearing: charges less refunds' },
      { account: '6300', credit: '0.02', description: 'Payout rounding 623721858' },
    ]);
    const [debit, credit] = sides(j.lines);
    expect(debit).toBe(credit);
  });

  it('keeps the rounding a line of its own on an account shared with adjustments and disputes', () => {
    const j = payoutJournal(withRounding('-0.01', { adjustments: '1.25' }), { ...accounts, rounding: '6200' });
    expect(j.lines.filter((l) => l.account === '6200')).toEqual([
      { account: '6200', credit: '1.25', description: 'Shopify adjustments' },
      { account: '6200', debit: '0.01', description: 'Payout rounding 623721858' },
    ]);
    const [debit, credit] = sides(j.lines);
    expect(debit).toBe(credit);
  });
});
