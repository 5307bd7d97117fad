// The payout-reconciliation template through the real runtime: Shopify sandbox store -> finance.reconcile-payouts ->
// erp.post-journal on the sandbox ERP, with a scenario month that ties and one with planted divergences.
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { erpMemo, erpOrder, ORDERS, payoutNet, REFUNDS, shopifyScenario } from './testing/scenario-month.ts';
import { startHarness, type Harness } from './testing/harness.ts';
import type { PayoutReconciliation } from './types.ts';
import { nth } from './testing/defined.ts';
import { rawRows } from '../../runtime/testing/raw.ts';
import { ledgerStatus } from '../../server/finance/ledger-check.ts';
import { monthEndReport } from '../../server/finance/report.ts';

let h: Harness | undefined;
let erp: SandboxErp;
afterEach(async () => {
  await h?.close();
  await erp?.close();
  h = undefined;
});

async function postAll(e: SandboxErp, skip: { orders?: number[]; refunds?: number[] } = {}, override: Record<number, { price?: string; qty?: number }> = {}) {
  for (const o of ORDERS) if (!skip.orders?.includes(o.id)) await e.createSalesOrder(erpOrder(o, override[o.id]));
  for (const r of REFUNDS) if (!skip.refunds?.includes(r.id)) await e.createCreditMemo(erpMemo(r));
}

const step = (run: Awaited<ReturnType<Harness['runOnce']>>, id: string) => run.steps.find((s) => s.nodeId === id)!;
const recsOf = (run: Awaited<ReturnType<Harness['runOnce']>>) => (step(run, 'reconcile').output as { reconciliations: PayoutReconciliation[] }).reconciliations;

async function ledger(e: SandboxErp, account: string) {
  return e.listLedger({ from: '2026-11-01', to: '2026-11-30', accounts: [account] });
}

describe('finance.reconcile-payouts: a scenario month that ties', () => {
  it('reconciles both payouts to the cent and posts one journal per payout in one run, idempotently', async () => {
    erp = createSandboxErp();
    await postAll(erp);
    h = await startHarness(shopifyScenario(), erp);

    const first = await h.runOnce();
    expect(first.status).toBe('succeeded');
    expect(step(first, 'reconcile').port).toBe('balanced');
    const recs = recsOf(first);
    expect(recs.map((r) => [r.payoutId, r.status, r.shopifyVariance, r.erpVariance])).toEqual([
      ['7001', 'balanced', '0.00', '0.00'],
      ['7002', 'balanced', '0.00', '0.00'],
    ]);
    const p1 = nth(recs, 0, 'reconciliation');
    expect(p1.totals).toEqual({
      charges: '96.80',
      refunds: '-22.00',
      fees: '3.71',
      adjustments: '1.25',
      disputes: '0.00',
      reserves: '-40.00',
      retriedPayouts: '0.00',
      net: '32.34',
    });
    expect(p1.payoutNet).toBe(payoutNet(7001).toFixed(2));
    expect(p1.counts).toMatchObject({ matched: 4, 'missing-in-erp': 0, 'amount-mismatch': 0, 'erp-only': 0, 'unmatched-adjustment': 2 });
    // The refund was matched through its Shopify refund id (read from the sandbox store), not by amount; the claim says so.
    expect(p1.items.find((i) => i.bucket === 'refund')).toMatchObject({
      status: 'matched',
      refundId: '6001',
      matchedBy: 'id',
      erp: { kind: 'credit-memo', externalId: '6001' },
    });
    const claims = await rawRows(h.rt.store, `SELECT payout_id, item, matched_by FROM recon_claims WHERE item LIKE 'refund:%' ORDER BY item`);
    expect(claims).toEqual([
      { payout_id: '7001', item: 'refund:6001', matched_by: 'id' },
      { payout_id: '7002', item: 'refund:6002', matched_by: 'id' },
    ]);
    // Both journals in the first run, each once.
    expect(step(first, 'post-journal').output).toMatchObject({
      created: 2,
      existing: 0,
      journals: [
        { externalId: '7001', created: true, totals: { debit: '76.05', credit: '76.05' } },
        { externalId: '7002', created: true },
      ],
    });

    const second = await h.runOnce();
    expect(step(second, 'reconcile').port).toBe('idle');
    expect(step(second, 'post-journal').status).toBe('skipped');

    // Read back: the bank got exactly the two payouts, the clearing account exactly Σ charges − Σ refunds, the reserve nets to zero.
    const bank = (await ledger(erp, '1000')).filter((l) => l.source.type === 'journal');
    expect(bank.map((l) => [l.source.externalId, l.debit])).toEqual([
      ['7001', '32.34'],
      ['7002', '137.93'],
    ]);
    const net = (ls: Awaited<ReturnType<typeof ledger>>) => ls.reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0)).toFixed(2);
    const clearing = await ledger(erp, '1190');
    const receivable = await ledger(erp, '1100');
    const invoiced = net(receivable.filter((l) => l.source.type === 'invoice' || l.source.type === 'credit-memo'));
    expect(net(clearing.filter((l) => l.source.externalId === '7001' || l.source.externalId === '7002'))).toBe(`-${invoiced}`);
    // Each payout's settlement then clears what it paid: nothing left receivable, clearing nets to zero.
    expect([net(receivable), net(clearing)]).toEqual(['0.00', '0.00']);
    expect(receivable.filter((l) => l.source.type === 'invoice').every((l) => l.reconciled)).toBe(true);
    const reserve = await ledger(erp, '1195');
    expect(reserve.reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0)).toFixed(2)).toBe('0.00');
    expect(h.sink.open()).toEqual([]);
  });
});

describe('finance.reconcile-payouts: lines matched within the amount tolerance', () => {
  it('books the cents to payout rounding, so clearing and the receivable net to zero once both payouts are settled', async () => {
    erp = createSandboxErp();
    await postAll(erp);
    // Shopify charged order 5001 a cent less than its 44.00 invoice (payout 7001) and refunded 6002 a cent more than
    // its credit memo (payout 7002): both within the template's 0.01 tolerance, both FX rounding.
    const s = shopifyScenario();
    // The scenario's REST-shaped payouts and balance transactions (the sandbox store keeps them untyped).
    type Tx = { id: number; amount: string; fee: string; net: string };
    type Payout = { id: number; amount: string; summary: Record<string, string> };
    const cent = (id: number, payout: number, summary: string) => {
      const tx = (s.balanceTransactions as Tx[]).find((t) => t.id === id)!;
      tx.amount = new Decimal(tx.amount).minus('0.01').toFixed(2);
      tx.net = new Decimal(tx.amount).minus(tx.fee).toFixed(2);
      const p = (s.payouts as Payout[]).find((x) => x.id === payout)!;
      p.amount = new Decimal(p.amount).minus('0.01').toFixed(2);
      p.summary[summary] = new Decimal(p.summary[summary]!).minus('0.01').toFixed(2);
    };
    cent(9000 + 5001, 7001, 'charges_gross_amount');
    cent(9000 + 6002, 7002, 'refunds_gross_amount');
    h = await startHarness(s, erp);

    const run = await h.runOnce();
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const recs = recsOf(run);
    expect(recs.map((r) => [r.payoutId, r.status, r.erpVariance, r.withinTolerance])).toEqual([
      ['7001', 'balanced', '0.00', '-0.01'],
      ['7002', 'balanced', '0.00', '-0.01'],
    ]);
    expect(h.sink.open()).toEqual([]);

    const net = (ls: Awaited<ReturnType<typeof ledger>>) => ls.reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0)).toFixed(2);
    expect([net(await ledger(erp, '1100')), net(await ledger(erp, '1190'))]).toEqual(['0.00', '0.00']);
    // The template's rounding account (6200) holds the two cents, each on its payout's own "Payout rounding" line.
    const rounding = (await ledger(erp, '6200')).filter((l) => l.description?.startsWith('Payout rounding'));
    expect(rounding.map((l) => [l.source.externalId, l.debit, l.credit, l.description])).toEqual([
      ['7001', '0.01', '0.00', 'Payout rounding 7001'],
      ['7002', '0.01', '0.00', 'Payout rounding 7002'],
    ]);

    // Finance sees the rounding per payout and per month, and the journals read back tie.
    const report = monthEndReport(recs, { ledger: await ledgerStatus(erp, recs) });
    expect(report.payouts.map((p) => [p.payoutId, p.rounding, p.ledger?.ties, p.ledger?.problems])).toEqual([
      ['7001', '-0.01', true, []],
      ['7002', '-0.01', true, []],
    ]);
    expect(report.months.map((m) => [m.month, m.rounding, m.reconciled])).toEqual([['2026-11', '-0.02', true]]);
  });
});

describe('finance.reconcile-payouts: planted divergences', () => {
  it('raises the right exception for each, owned by finance, and posts nothing that does not tie', async () => {
    erp = createSandboxErp();
    // 5003 never reached the ERP, 5006 was posted at the wrong price, refund 6002 was never posted as a credit memo,
    // and an order Shopify does not know sits in the ERP inside the first payout's dates.
    await postAll(erp, { orders: [5003], refunds: [6002] }, { 5006: { price: '25.00' } });
    await erp.createSalesOrder({ ...erpOrder(nth(ORDERS, 1)), externalId: '5999', reference: '#5999', date: '2026-11-04' });
    h = await startHarness(shopifyScenario(), erp);

    const run = await h.runOnce();
    expect(run.status).toBe('succeeded');
    expect(step(run, 'reconcile').port).toBe('unbalanced');
    expect(step(run, 'post-journal').status).toBe('skipped');
    const [p1, p2] = [nth(recsOf(run), 0, 'reconciliation'), nth(recsOf(run), 1, 'reconciliation')];
    expect([p1.status, p1.erpVariance, p2.status, p2.erpVariance]).toEqual(['unbalanced', '39.60', 'unbalanced', '-23.09']);

    const open = h.sink.open();
    const byType = (t: string) => open.filter((e) => e.type === t).map((e) => [e.key, e.owner]);
    expect(byType('payout-missing-in-erp')).toEqual([['order:5003', 'finance']]);
    expect(byType('payout-refund-unposted')).toEqual([['refund:6002', 'finance']]);
    expect(byType('payout-amount-mismatch')).toEqual([['order:5006', 'finance']]);
    expect(byType('payout-unknown-in-shopify')).toEqual([['invoice:5999', 'finance']]);
    expect(byType('payout-variance')).toEqual([
      ['payout:7001', 'finance'],
      ['payout:7002', 'finance'],
    ]);
    const mismatch = open.find((e) => e.type === 'payout-amount-mismatch')!;
    expect(mismatch.data).toMatchObject({ item: { shopifyAmount: '26.40', erpAmount: '27.50', delta: '-1.10' } });
    expect(open.find((e) => e.type === 'payout-variance' && e.key === 'payout:7001')!.data).toMatchObject({ erpVariance: '39.60', currency: 'USD' });
    expect((await erp.listLedger({ from: '2026-11-01', to: '2026-11-30' })).filter((l) => l.source.type === 'journal')).toEqual([]);

    // Finance posts the missing order: the next run posts payout 7001 and clears its exceptions; 7002 keeps its own.
    await erp.createSalesOrder(erpOrder(nth(ORDERS, 2)));
    const again = await h.runOnce();
    expect(step(again, 'post-journal').output).toMatchObject({ created: 1, journals: [{ externalId: '7001', created: true }] });
    const still = h.sink.open();
    expect(still.map((e) => `${e.type} ${e.key}`).sort()).toEqual([
      'payout-amount-mismatch order:5006',
      'payout-refund-unposted refund:6002',
      'payout-unknown-in-shopify invoice:5999',
      'payout-variance payout:7002',
    ]);
    expect(still.find((e) => e.key === 'refund:6002')!.count).toBe(2);
  });

  it('fails clearly, naming every exception, when the host provides no exceptions service', async () => {
    erp = createSandboxErp();
    await postAll(erp, { orders: [5003] });
    h = await startHarness(shopifyScenario(), erp, { sink: false });
    const run = await h.runOnce();
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'reconcile', class: 'permanent' });
    expect(String((run.error as { message: string }).message)).toMatch(/no exceptions service.*payout-missing-in-erp.*order 5003/);
  });
});
