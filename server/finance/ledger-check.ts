// Reads the payout journals back from the ERP ledger and checks them against the reconciliation: bank = the net
// Shopify deposited, clearing credit = charges − refunds (+ retried payouts) that the orders booked, at the ERP
// documents' amounts (Shopify's less the payout rounding, which the journal books to its own account).
import { Decimal } from 'decimal.js';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';
import type { LedgerStatus } from './report.ts';

export async function ledgerStatus(
  erp: ErpConnector,
  recs: PayoutReconciliation[],
  accounts: { bank: string; clearing: string } = { bank: '1000', clearing: '1190' },
): Promise<Map<string, LedgerStatus>> {
  const out = new Map<string, LedgerStatus>();
  if (!recs.length) return out;
  const dates = recs.map((r) => r.date).sort();
  const lines = await erp.listLedger({ from: dates[0]!, to: dates[dates.length - 1]!, accounts: [accounts.bank, accounts.clearing] }); // recs is not empty
  for (const r of recs) {
    const mine = lines.filter((l) => l.source.type === 'journal' && l.source.externalId === r.payoutId);
    const net = (acc: string) => mine.filter((l) => l.account === acc).reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0));
    const problems: string[] = [];
    const [first] = mine;
    if (!first) {
      out.set(r.payoutId, { posted: false, ties: false, entryNumber: null, problems: ['no journal for this payout in the ERP ledger'] });
      continue;
    }
    const bank = net(accounts.bank);
    const clearing = net(accounts.clearing).neg();
    const expectedClearing = new Decimal(r.totals.charges).plus(r.totals.refunds).plus(r.totals.retriedPayouts).minus(r.withinTolerance);
    if (!bank.eq(r.payoutNet)) problems.push(`bank ${bank.toFixed(2)} in the ERP vs ${r.payoutNet} deposited by Shopify`);
    if (!clearing.eq(expectedClearing))
      problems.push(`clearing credit ${clearing.toFixed(2)} in the ERP vs ${expectedClearing.toFixed(2)} charges less refunds at the ERP documents' amounts`);
    out.set(r.payoutId, { posted: true, ties: problems.length === 0, entryNumber: first.entryNumber, problems });
  }
  return out;
}
