// Live: the scenario month through the templates into a real Tryton 6.0. Same fixture and the same trial balance
// (flows/templates/scenarios/month/expected.json) as on the sandbox ERP: receivables of paid-out orders zero,
// clearing zero, the chargeback the only divergence, owned by finance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../scripts/tryton/start.ts';
import type { ErpConnector, ErpSettlement } from '../erp/contract.ts';
import { createTrytonConnector } from '../erp/index.ts';
import { trialBalance } from '../../server/finance/trial-balance.ts';
import { loadExpected, runMonth, type MonthRun } from './testing/month.ts';

let tryton: StartedTryton;
let erp: ErpConnector;
let m: MonthRun;
const expected = loadExpected();

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector({ ...tryton.login, postInvoices: true });
  m = await runMonth(erp);
}, 900_000);
afterAll(async () => {
  await m?.close();
  await erp?.close();
  await tryton?.stop();
});

describe('scenario month on Tryton (live)', () => {
  it('posts every paid order and refund, skips the voided and pending orders', () => {
    const failed = [...m.orderRuns.values()]
      .flat()
      .filter((r) => r.status === 'failed')
      .map((r) => [r.flowId, JSON.stringify(r.error)]);
    expect(failed).toEqual([]);
    const skipped = [...m.orderRuns.entries()]
      .filter(([, [order]]) => order?.status === 'skipped')
      .map(([id]) => m.month.kinds[String(id)])
      .sort();
    expect(skipped).toEqual(['pending', 'voided']);
    expect(m.refundRuns.map((r) => [r.status, JSON.stringify(r.error ?? null)])).toEqual(m.month.refunds.map(() => ['succeeded', 'null']));
  });

  it("posts and settles both payouts; Tryton's month-end trial balance is the one worked out by hand", async () => {
    for (const r of m.payoutRuns) expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    // A run posts and settles every balanced payout: settle's output lists one settlement per payout.
    const settled = m.payoutRuns
      .flatMap(
        (r) =>
          (r.steps.find((s) => s.nodeId === 'settle')?.output as { settlements?: Array<{ settlement: ErpSettlement | null }> } | undefined)?.settlements ?? [],
      )
      .flatMap((x) => x.settlement?.items ?? []);
    expect(settled.length).toBeGreaterThan(40);
    expect(settled.filter((i) => i.status !== 'settled')).toEqual([]);
    expect(settled.filter((i) => i.invoiceStatus !== 'paid').map((i) => [i.kind, i.externalId, i.invoiceStatus])).toEqual([
      ['chargeback', String(m.month.chargebackOrder), 'disputed'],
    ]);
    const tb = await trialBalance(erp, expected.month, { receivable: '1100', clearing: '1190' });
    expect(tb.accounts).toEqual(expected.accounts);
    expect(tb.checks).toEqual({ receivable: { account: '1100', closing: expected.receivableOpen }, clearing: { account: '1190', closing: '0.00' } });
    expect(m.sink.open().map((e) => [e.type, e.key, e.owner, e.count])).toEqual([
      ['payout-dispute', `dispute:order:${expected.chargebackOrder}`, 'finance', 1],
    ]);
  });
});
