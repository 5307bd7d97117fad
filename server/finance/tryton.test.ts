// Live: the scenario month against a real Tryton. Orders and refunds are posted in Tryton, the template reconciles
// and posts both payout journals, then the month-end report reads the clearing account back and shows it reconciled.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../scripts/tryton/start.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { createTrytonConnector } from '../../nodes/erp/index.ts';
import { startHarness, type Harness } from '../../nodes/finance/testing/harness.ts';
import { erpMemo, erpOrder, ORDERS, REFUNDS, shopifyScenario } from '../../nodes/finance/testing/scenario-month.ts';
import { financeRoutes } from './routes.ts';
import { reconciliationsFromStore } from './source.ts';
import type { MonthEndReport } from './report.ts';

let tryton: StartedTryton;
let erp: ErpConnector;
let h: Harness;

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector({ ...tryton.login, postInvoices: true });
  for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
  // Tryton refuses a credit note whose payment date is in the past, so the ERP books the refunds today.
  const today = new Date().toISOString().slice(0, 10);
  for (const r of REFUNDS) await erp.createCreditMemo({ ...erpMemo(r), restock: false, date: today });
  h = await startHarness(shopifyScenario(), erp);
}, 240_000);
afterAll(async () => {
  await h?.close();
  await erp?.close();
  await tryton?.stop();
});

describe('payout reconciliation on Tryton (live)', () => {
  it('posts both payout journals in one run and the clearing account reads back reconciled', async () => {
    const first = await h.runOnce();
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    const posted = first.steps.find((s) => s.nodeId === 'post-journal')!.output as { journals: Array<{ externalId: string; created: boolean }> };
    expect(posted.journals.map((j) => [j.externalId, j.created])).toEqual([
      ['7001', true],
      ['7002', true],
    ]);
    const second = await h.runOnce();
    expect(second.steps.find((s) => s.nodeId === 'post-journal')!.status).toBe('skipped');
    expect(h.sink.open()).toEqual([]);

    const clearing = await erp.listLedger({ from: '2026-11-01', to: '2026-11-30', accounts: ['1190'] });
    const credited = clearing
      .filter((l) => l.source.type === 'journal' && ['7001', '7002'].includes(l.source.externalId!))
      .reduce((a, l) => a.plus(l.credit).minus(l.debit), new Decimal(0));
    expect(credited.toFixed(2)).toBe('177.09'); // 221.08 charged − 43.99 refunded

    // Each payout's settlement paid the invoices and credit notes in Tryton: receivable and clearing are back to zero.
    const all = { from: '2026-01-01', to: '2027-12-31' };
    const net = (ls: Array<{ debit: string; credit: string }>) => ls.reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0)).toFixed(2);
    expect([net(await erp.listLedger({ ...all, accounts: ['1100'] })), net(await erp.listLedger({ ...all, accounts: ['1190'] }))]).toEqual(['0.00', '0.00']);
    const settle = (
      first.steps.find((s) => s.nodeId === 'settle')!.output as {
        settlements: Array<{ settlement: { items: Array<{ kind: string; status: string; invoiceStatus: string }> } }>;
      }
    ).settlements;
    expect(settle.flatMap((s) => s.settlement.items.map((i) => [i.kind, i.status, i.invoiceStatus]))).toEqual([
      ...ORDERS.filter((o) => o.payout === 7001).map(() => ['invoice', 'settled', 'paid']),
      ['credit-memo', 'settled', 'paid'],
      ...ORDERS.filter((o) => o.payout === 7002).map(() => ['invoice', 'settled', 'paid']),
      ['credit-memo', 'settled', 'paid'],
    ]);

    const app = financeRoutes({ load: () => reconciliationsFromStore(h.rt.store), erp: async () => erp });
    const report = (await (await app.request('/month-end?month=2026-11&ledger=true')).json()) as MonthEndReport;
    expect(report.payouts.map((p) => [p.payoutId, p.status, p.ledger?.posted, p.ledger?.ties])).toEqual([
      ['7001', 'balanced', true, true],
      ['7002', 'balanced', true, true],
    ]);
    expect(report.months[0]).toMatchObject({ month: '2026-11', payouts: 2, balanced: 2, erpVariance: '0.00', shopifyVariance: '0.00', reconciled: true });
  }, 180_000);
});
