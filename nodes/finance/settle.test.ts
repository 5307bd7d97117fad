// Payout settlement on the sandbox ERP through the payout-reconciliation template: charges pay their invoices,
// refunds their credit memos, each line shows its own fee; a chargeback reopens the invoice and is an exception
// owned by finance, and the won dispute pays the invoice again and clears it.
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import type { ErpSettlement } from '../erp/contract.ts';
import { NodeError } from '../../runtime/node-api.ts';
import { erpMemo, erpOrder, ORDERS, orderGross, REFUNDS, shopifyScenario } from './testing/scenario-month.ts';
import { startHarness, type Harness } from './testing/harness.ts';
import { settlementItems } from './settle.ts';
import { classifyFailedRun } from '../../server/exceptions/store/classify.ts';
import { EXCEPTION_DEFAULTS } from '../../server/exceptions/store/defaults.ts';
import type { PayoutReconciliation } from './types.ts';
import { nth } from './testing/defined.ts';
import { rawCount, rawRows } from '../../runtime/testing/raw.ts';

let h: Harness | undefined;
let erp: SandboxErp;
afterEach(async () => {
  await h?.close();
  await erp?.close();
  h = undefined;
});

type Run = Awaited<ReturnType<Harness['runOnce']>>;
const step = (run: Run, id: string) => run.steps.find((s) => s.nodeId === id)!;
/** The settlement of the one payout a run posted (erp.post-journal gets the run's journals as a list). */
const settlementOf = (run: Run) => {
  const out = step(run, 'settle').output as { settlement: ErpSettlement | null; settlements?: Array<{ settlement: ErpSettlement }> };
  expect(out.settlements ?? [out]).toHaveLength(1);
  return (out.settlements?.[0] ?? out).settlement!;
};
const net = (ls: Array<{ debit: string; credit: string }>) => ls.reduce((a, l) => a.plus(l.debit).minus(l.credit), new Decimal(0)).toFixed(2);
const balanceOf = async (e: SandboxErp, account: string) => net(await e.listLedger({ from: '2026-01-01', to: '2026-12-31', accounts: [account] }));

/** The scenario month plus a chargeback of order 5002 (with a 15.00 fee) and, a payout later, the dispute won. */
function withDispute() {
  const s = shopifyScenario() as ReturnType<typeof shopifyScenario> & { payouts: any[]; balanceTransactions: any[] };
  const gross = orderGross(ORDERS.find((o) => o.id === 5002)!);
  const tx = (id: number, payout: number, amount: Decimal, fee: string, date: string, type: string) => ({
    id,
    type,
    test: false,
    payout_id: payout,
    payout_status: 'paid',
    currency: 'USD',
    amount: amount.toFixed(2),
    fee,
    net: amount.minus(fee).toFixed(2),
    source_id: 9960,
    source_type: 'dispute',
    source_order_id: 5002,
    source_order_transaction_id: 13002,
    processed_at: date,
    adjustment_order_transactions: [],
    adjustment_reason: null,
  });
  const zero = {
    charges_gross_amount: '0.00',
    charges_fee_amount: '0.00',
    refunds_gross_amount: '0.00',
    refunds_fee_amount: '0.00',
    reserved_funds_gross_amount: '0.00',
    reserved_funds_fee_amount: '0.00',
    retried_payouts_gross_amount: '0.00',
    retried_payouts_fee_amount: '0.00',
  };
  // Shopify's dispute behind both transactions (source_id 9960), as the Admin API serves ShopifyPaymentsDispute.
  (s as { disputes?: unknown[] }).disputes = [
    {
      id: 9960,
      order_id: 5002,
      type: 'chargeback',
      amount: gross.toFixed(2),
      currency: 'USD',
      reason: 'fraudulent',
      network_reason_code: '10.4',
      status: 'needs_response',
      evidence_due_by: '2026-12-08T23:59:59Z',
      evidence_sent_on: null,
      finalized_on: null,
      initiated_at: '2026-11-23T09:00:00Z',
    },
  ];
  s.balanceTransactions.push(
    tx(9950, 7003, gross.neg(), '15.00', '2026-11-24T10:00:00Z', 'dispute'),
    tx(9951, 7004, gross, '0.00', '2026-11-28T10:00:00Z', 'dispute'),
  );
  s.payouts.push(
    {
      id: 7003,
      status: 'paid',
      date: '2026-11-26',
      currency: 'USD',
      amount: gross.neg().minus(15).toFixed(2),
      summary: { ...zero, adjustments_gross_amount: gross.neg().toFixed(2), adjustments_fee_amount: '15.00' },
    },
    {
      id: 7004,
      status: 'paid',
      date: '2026-11-29',
      currency: 'USD',
      amount: gross.toFixed(2),
      summary: { ...zero, adjustments_gross_amount: gross.toFixed(2), adjustments_fee_amount: '0.00' },
    },
  );
  return s;
}

describe('finance.settle-receivables on the sandbox ERP', () => {
  it('settles what each payout paid, shows the fee on each line, and a chargeback reopens the invoice until the dispute is won', async () => {
    erp = createSandboxErp();
    for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
    for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
    h = await startHarness(withDispute(), erp);
    // One payout per run, as Shopify issues them (a backlog would all be posted and settled in one run).
    const later = h.store.state.payouts.splice(1);
    const next = () => h!.store.state.payouts.push(later.shift()!);

    const first = await h.runOnce();
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    const rec = nth((step(first, 'reconcile').output as { reconciliations: PayoutReconciliation[] }).reconciliations, 0, 'reconciliation');
    // Fees per transaction on each reconciled line; together they are the payout's fee total.
    const charges = rec.items.filter((i) => i.bucket === 'charge');
    expect(charges.map((i) => [i.orderId, i.fee])).toEqual(ORDERS.filter((o) => o.payout === 7001).map((o) => [String(o.id), o.fee]));
    const firstCharge = nth(charges, 0, 'charge');
    expect(firstCharge.net).toBe(new Decimal(firstCharge.shopifyAmount).minus(firstCharge.fee!).toFixed(2));
    expect(rec.items.reduce((a, i) => a.plus(i.fee ?? 0), new Decimal(0)).toFixed(2)).toBe(rec.totals.fees);

    expect(settlementItems(rec).map((i) => [i.kind, i.externalId])).toEqual([
      ['invoice', '5001'],
      ['invoice', '5002'],
      ['invoice', '5003'],
      ['credit-memo', '6001'],
    ]);
    expect(settlementOf(first).items.map((i) => [i.kind, i.externalId, i.status, i.settledAmount, i.invoiceStatus])).toEqual([
      ['invoice', '5001', 'settled', '44.00', 'paid'],
      ['invoice', '5002', 'settled', '13.20', 'paid'],
      ['invoice', '5003', 'settled', '39.60', 'paid'],
      ['credit-memo', '6001', 'settled', '22.00', 'paid'],
    ]);
    next();
    await h.runOnce();
    expect([await balanceOf(erp, '1100'), await balanceOf(erp, '1190')]).toEqual(['0.00', '0.00']);

    // The chargeback: Shopify takes 13.20 back plus a 15.00 fee. The invoice is open again, receivable 13.20, and
    // finance owns a dispute exception naming the order and amount.
    next();
    const cb = await h.runOnce();
    expect(step(cb, 'post-journal').output).toMatchObject({ journals: [{ externalId: '7003', created: true }] });
    const fees7003 = (await erp.listLedger({ from: '2026-01-01', to: '2026-12-31', accounts: ['6100'] })).filter(
      (l) => l.source.type === 'journal' && l.source.externalId === '7003',
    );
    expect(fees7003.map((l) => [l.debit, l.credit])).toEqual([['15.00', '0.00']]);
    expect(settlementOf(cb).items).toEqual([
      expect.objectContaining({ kind: 'chargeback', externalId: '5002', status: 'settled', settledAmount: '13.20', invoiceStatus: 'disputed' }),
    ]);
    // 6200 holds only the month's 1.25 fee-refund adjustment: the chargeback moved from it to the receivable.
    expect([await balanceOf(erp, '1100'), await balanceOf(erp, '1190'), await balanceOf(erp, '6200')]).toEqual(['13.20', '0.00', '-1.25']);
    const dispute = h.sink.open().filter((e) => e.type === 'payout-dispute');
    expect(dispute).toEqual([
      expect.objectContaining({
        key: 'dispute:order:5002',
        owner: 'finance',
        data: expect.objectContaining({ orderId: '5002', amount: '13.20', currency: 'USD', payoutId: '7003' }),
      }),
    ]);
    // Reason and evidence deadline come from Shopify's dispute object, and the title shows them.
    expect(nth(dispute, 0, 'dispute').data).toMatchObject({
      reason: 'FRAUDULENT',
      evidenceDueBy: '2026-12-08T23:59:59Z',
      disputeId: '9960',
      disputeStatus: 'NEEDS_RESPONSE',
      disputeType: 'CHARGEBACK',
    });
    expect(nth(dispute, 0, 'dispute').title).toContain('reason fraudulent, evidence due 2026-12-08');

    // Won: the amount comes back, the invoice is paid again, the exception clears; the fee stays an expense.
    next();
    const won = await h.runOnce();
    expect(settlementOf(won).items).toEqual([
      expect.objectContaining({ kind: 'chargeback-reversal', externalId: '5002', status: 'settled', invoiceStatus: 'paid' }),
    ]);
    expect([await balanceOf(erp, '1100'), await balanceOf(erp, '1190'), await balanceOf(erp, '6200'), await balanceOf(erp, '6100')]).toEqual([
      '0.00',
      '0.00',
      '-1.25',
      new Decimal(ORDERS.reduce((a, o) => a.plus(o.fee), new Decimal(0))).plus(15).toFixed(2),
    ]);
    expect(h.sink.open().filter((e) => e.type === 'payout-dispute')).toEqual([]);

    // Settling again is a no-op: the settlement is idempotent by payout id.
    const again = await erp.settleReceivables!({
      externalId: '7001',
      date: '2026-11-08',
      description: 'again',
      accounts: { receivable: '1100', clearing: '1190', disputes: '6200' },
      items: settlementItems(rec),
    });
    expect(again.created).toBe(false);
    expect(again.document.items.map((i) => i.status)).toEqual(['already-settled', 'already-settled', 'already-settled', 'already-settled']);
  });

  it('a USD payout into an ERP company keeping its books in EUR books nothing and is a currency-mismatch exception for finance naming both', async () => {
    erp = createSandboxErp({ currency: 'EUR' });
    for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
    for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
    h = await startHarness(withDispute(), erp);
    h.store.state.payouts.splice(1);
    const run = await h.runOnce();
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post-journal', code: 'CURRENCY_MISMATCH', details: { currency: 'USD', companyCurrency: 'EUR' } });
    expect(classifyFailedRun(run)).toMatchObject({ type: 'currency-mismatch' });
    expect(EXCEPTION_DEFAULTS['currency-mismatch']).toMatchObject({ owner: 'finance', severity: 'high' });
    expect((await erp.listLedger({ from: '2026-01-01', to: '2026-12-31' })).filter((l) => l.source.type === 'journal')).toEqual([]);
  });

  it("keeps each posted payout's settlement in the reconciliation records: a failure half way through a backlog resumes after the payouts settled, and nothing is booked twice", async () => {
    erp = createSandboxErp();
    for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
    for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
    // The ERP drops the connection on the second payout's settlement once (a transient failure): the step is retried.
    const calls: string[] = [];
    let failed = false;
    const flaky = {
      ...erp,
      settleReceivables: async (input: Parameters<NonNullable<SandboxErp['settleReceivables']>>[0]) => {
        calls.push(input.externalId);
        if (input.externalId === '7002' && !failed) {
          failed = true;
          throw new NodeError('sandbox ERP: connection reset', { code: 'ECONNRESET', errorClass: 'transient' });
        }
        return erp.settleReceivables!(input);
      },
    };
    h = await startHarness(shopifyScenario(), flaky);
    const run = await h.runOnce();
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(step(run, 'settle').attempts).toBe(2);
    // 7001 was settled by the failed attempt and not booked again by the retry; 7002 once it went through.
    expect(calls).toEqual(['7001', '7002', '7002']);
    const out = step(run, 'settle').output as { settlements: Array<{ payoutId: string; created: boolean; note?: string }> };
    expect(out.settlements.map((x) => [x.payoutId, x.created, x.note ?? null])).toEqual([
      ['7001', false, 'payout 7001 was settled before'],
      ['7002', true, null],
    ]);
    const settled = await rawRows<{ payout_id: string; status: string; result: string | { externalId?: string } }>(
      h.rt.store,
      `SELECT payout_id, status, result FROM recon_settlements ORDER BY payout_id`,
    );
    expect(
      settled.map((r) => ({ payout_id: r.payout_id, status: r.status, settled: (typeof r.result === 'string' ? JSON.parse(r.result) : r.result).externalId })),
    ).toEqual([
      { payout_id: '7001', status: 'settled', settled: '7001' },
      { payout_id: '7002', status: 'settled', settled: '7002' },
    ]);
    expect(await rawCount(h.rt.store, `SELECT COUNT(*) AS n FROM flow_state WHERE key = 'finance.payouts.settle'`)).toBe(0);
    expect([await balanceOf(erp, '1100'), await balanceOf(erp, '1190')]).toEqual(['0.00', '0.00']);
  });
  it('an invoice the payout paid that is gone from the ERP when settling is a high exception for finance naming it; the rest is settled', async () => {
    erp = createSandboxErp();
    for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
    for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
    // Between the reconciliation and the settlement, order 5002's invoice stops being findable (deleted or renumbered
    // in the ERP): the real connector is asked for an order id it does not know, and answers not-found for it.
    const renumbered = {
      ...erp,
      settleReceivables: (input: Parameters<NonNullable<SandboxErp['settleReceivables']>>[0]) =>
        erp.settleReceivables!({ ...input, items: input.items.map((i) => (i.externalId === '5002' ? { ...i, externalId: '5002-gone' } : i)) }),
    };
    h = await startHarness(shopifyScenario(), renumbered);
    h.store.state.payouts.splice(1);
    const run = await h.runOnce();
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(settlementOf(run).items.map((i) => [i.externalId, i.status])).toEqual([
      ['5001', 'settled'],
      ['5002-gone', 'not-found'],
      ['5003', 'settled'],
      ['6001', 'settled'],
    ]);
    const raised = h.sink.open().filter((x) => x.type === 'payout-settlement-incomplete');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ key: 'payout:7001', owner: 'finance', severity: 'high' });
    expect(raised[0]!.title).toContain('invoice 5002-gone (13.20 USD)');
    expect(raised[0]!.detail).toContain('1100 receivable and 1190 clearing');
    // What finance is told is what the ledger shows: clearing, zero once a payout is settled, still holds its 13.20.
    expect(await balanceOf(erp, '1190')).toBe('-13.20');
  });
});
