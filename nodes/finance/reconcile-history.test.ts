// Reconciliation over a long history, through the real runtime (manual trigger -> finance.reconcile-payouts ->
// erp.post-journal on the sandbox ERP): claims and posted payouts live in the reconciliation tables, so nothing is
// forgotten between runs, a backlog is journaled in one run, and what a run keeps and outputs stays bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type SqliteRuntime } from '../../runtime/index.ts';
import { tempDir, noSandbox } from '../../runtime/testing/fixtures.ts';
import { coreNodes } from '../core/index.ts';
import { createSandboxErp, erpNodes, type SandboxErp } from '../erp/index.ts';
import { financeNodes } from './index.ts';
import { MemorySink } from './testing/memory-sink.ts';
import { payoutOf, seedErpDocs, type SeedDoc, type TxSpec } from './testing/bulk.ts';
import type { ShopifyPayout } from '../shopify/types.ts';
import type { PayoutReconciliation } from './types.ts';
import { nth } from './testing/defined.ts';

let rt: SqliteRuntime | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await rt?.close();
  cleanup?.();
  rt = undefined;
});

async function start(erp: SandboxErp, { sink = new MemorySink(), reportErpOnly = true } = {}) {
  const tmp = tempDir('ledgerline-recon-history-');
  cleanup = tmp.cleanup;
  const types = [...coreNodes, ...erpNodes, ...financeNodes];
  rt = createRuntime({
    dataDir: tmp.dir,
    lookup: (t) => types.find((x) => x.type === t),
    sandbox: noSandbox,
    worker: { pollMs: 5 },
    services: { exceptions: sink },
    connection: async (kind, id) => {
      if (kind === 'erp' && id === 'sandbox-erp') return erp;
      throw new Error(`no ${kind} connection ${id}`);
    },
  });
  const flow = {
    schemaVersion: 1,
    id: 'recon',
    name: 'Reconcile',
    nodes: [
      { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      {
        id: 'reconcile',
        type: 'finance.reconcile-payouts',
        position: { x: 200, y: 0 },
        config: { connection: 'sandbox-erp', dateToleranceDays: 3, reportErpOnly },
      },
      { id: 'post-journal', type: 'erp.post-journal', position: { x: 400, y: 0 }, config: { connection: 'sandbox-erp' } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'reconcile' },
      { id: 'e2', source: 'reconcile', sourceHandle: 'balanced', target: 'post-journal' },
    ],
  };
  await rt.flows.create(flow as never);
  const { version } = await rt.flows.publish('recon', { message: 'test', activate: true });
  rt.start();
  const r = rt;
  return {
    sink,
    async run(payouts: ShopifyPayout[]) {
      const { runIds } = await r.queue.ingest({ source: 'manual', payload: { payouts }, targets: [{ flowId: 'recon', version }] });
      await r.drain(120_000);
      return r.runs.get(nth(runIds, 0, 'run'));
    },
  };
}

type RunView = Awaited<ReturnType<SqliteRuntime['runs']['get']>>;
const step = (run: RunView, id: string) => run.steps.find((s) => s.nodeId === id)!;
const recsOf = (run: RunView) => (step(run, 'reconcile').output as { reconciliations: PayoutReconciliation[] }).reconciliations;

// Few distinct amounts, every document within the date tolerance of every charge, and ERP ids that are not
// Shopify's: only amount and date can match, and every document of an earlier payout is a candidate for a later one.
const PRICES = ['19.90', '24.50', '49.00', '5.25', '99.99'];
const DAYS = ['2026-11-02', '2026-11-03', '2026-11-04'];
const PER_PAYOUT = 1000;

function charges(payout: number): TxSpec[] {
  return Array.from({ length: PER_PAYOUT }, (_, i) => ({
    id: `${payout}${String(i).padStart(4, '0')}`,
    type: 'CHARGE',
    amount: nth(PRICES, i % PRICES.length),
    fee: '0.30',
    order: `${900000 + payout * PER_PAYOUT + i}`,
    date: `${nth(DAYS, i % DAYS.length)}T12:00:00Z`,
  }));
}

function invoicesFor(payout: number): SeedDoc[] {
  return Array.from({ length: PER_PAYOUT }, (_, i) => ({
    kind: 'invoice' as const,
    externalId: `SO-${payout}-${i}`,
    date: nth(DAYS, i % DAYS.length),
    gross: nth(PRICES, i % PRICES.length),
  }));
}

describe.each([
  ['an exceptions service that lists its open keys', true],
  ['one that does not', false],
])('an ERP document paid out in a later payout, with %s', (_, listsOpenKeys) => {
  it('is raised as in no payout while its payout waits, and cleared when the next payout matches it', async () => {
    const erp = createSandboxErp();
    // Order 5002 was captured on the 4th, inside payout 1's days, but Shopify paid it out in payout 2.
    seedErpDocs(erp, [
      { kind: 'invoice', externalId: '5001', date: '2026-11-03', gross: '20.00' },
      { kind: 'invoice', externalId: '5003', date: '2026-11-04', gross: '45.00' },
      { kind: 'invoice', externalId: '5002', date: '2026-11-04', gross: '30.00' },
    ]);
    const sink = new MemorySink({ listsOpenKeys });
    const h = await start(erp, { sink });
    const first = await h.run([
      payoutOf('1', '2026-11-05', [
        { id: '101', type: 'CHARGE', amount: '20.00', order: '5001', date: '2026-11-03T12:00:00Z' },
        { id: '102', type: 'CHARGE', amount: '45.00', order: '5003', date: '2026-11-04T12:00:00Z' },
      ]),
    ]);
    expect(nth(recsOf(first), 0, 'reconciliation').counts).toMatchObject({ matched: 2, 'erp-only': 1 });
    expect(sink.open().map((e) => [e.type, e.key])).toEqual([['payout-unknown-in-shopify', 'invoice:5002']]);

    const second = await h.run([payoutOf('2', '2026-11-07', [{ id: '201', type: 'CHARGE', amount: '30.00', order: '5002', date: '2026-11-04T18:00:00Z' }])]);
    expect(nth(recsOf(second), 0, 'reconciliation')).toMatchObject({ status: 'balanced', counts: { matched: 1, 'erp-only': 0 } });
    expect(sink.open()).toEqual([]);
    expect(sink.all.get('payout-unknown-in-shopify\u0000invoice:5002')).toMatchObject({ state: 'resolved', note: 'cleared by the payout reconciliation' });
  });
});

describe('finance.reconcile-payouts over a long history', () => {
  it('reconciles 20 payouts of 1,000 transactions across 20 runs by amount and date, claiming no document twice, and remembers every claim', async () => {
    const erp = createSandboxErp();
    for (let p = 1; p <= 20; p++) seedErpDocs(erp, invoicesFor(p));
    // Every later payout's documents fall within each payout's dates: reporting them as ERP-only would be noise here.
    const h = await start(erp, { reportErpOnly: false });
    const outputs: number[] = [];

    for (let p = 1; p <= 20; p++) {
      const run = await h.run([payoutOf(String(p), '2026-11-05', charges(p))]);
      expect(run.status).toBe('succeeded');
      const rec = nth(recsOf(run), 0, 'reconciliation');
      expect([rec.payoutId, rec.status, rec.counts.matched, rec.counts['missing-in-erp']]).toEqual([String(p), 'balanced', PER_PAYOUT, 0]);
      expect(step(run, 'post-journal').output).toMatchObject({ created: 1, journals: [{ externalId: String(p), created: true }] });
      outputs.push(JSON.stringify(step(run, 'reconcile').output).length);
    }

    const db = rt!.store.sqlite;
    const claims = db
      .prepare(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT doc_uid) AS docs, COUNT(DISTINCT payout_id) AS payouts, MIN(matched_by) AS a, MAX(matched_by) AS b FROM recon_claims`,
      )
      .get();
    expect(claims).toEqual({ n: 20 * PER_PAYOUT, docs: 20 * PER_PAYOUT, payouts: 20, a: 'amount-date', b: 'amount-date' });
    const perPayout = db.prepare(`SELECT payout_id, COUNT(*) AS n FROM recon_claims GROUP BY payout_id`).all() as Array<{ n: number }>;
    expect(perPayout.every((r) => r.n === PER_PAYOUT)).toBe(true);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM recon_payouts WHERE status = 'posted' AND data IS NULL`).get()).toEqual({ n: 20 });

    // A 21st payout of the same amounts and dates: every document is claimed, however long ago, so none matches.
    const late = await h.run([payoutOf('21', '2026-11-05', charges(21))]);
    const rec21 = nth(recsOf(late), 0, 'reconciliation');
    expect([rec21.status, rec21.counts.matched, rec21.counts['missing-in-erp']]).toEqual(['unbalanced', 0, PER_PAYOUT]);
    expect(step(late, 'post-journal').status).toBe('skipped');

    // Flat: run 20's output is no bigger than run 10's (same id lengths; history does not leak in); flow state holds no claims,
    // posted or pending payouts, nor settlements (those wait in recon_settlements, one row per posted payout).
    expect(nth(outputs, 19)).toBeLessThanOrEqual(nth(outputs, 9) + 64);
    expect(db.prepare(`SELECT key FROM flow_state WHERE flow_id = 'recon'`).all()).toEqual([]);
    expect(db.prepare(`SELECT status, COUNT(*) AS n FROM recon_settlements GROUP BY status`).all()).toEqual([{ status: 'pending', n: 20 }]);
  }, 180_000);

  it('journals a backlog of balanced payouts in one run, one journal per payout, and does not post them again', async () => {
    const erp = createSandboxErp();
    const backlog: ShopifyPayout[] = [];
    for (let p = 1; p <= 30; p++) {
      const txs: TxSpec[] = Array.from({ length: 10 }, (_, i) => ({
        id: `${p}${String(i).padStart(3, '0')}`,
        type: 'CHARGE',
        amount: '10.00',
        fee: '0.40',
        order: `${p * 100 + i}`,
        date: '2026-11-03T10:00:00Z',
      }));
      seedErpDocs(
        erp,
        txs.map((t) => ({ kind: 'invoice', externalId: t.order!, date: '2026-11-03', gross: t.amount })),
      );
      backlog.push(payoutOf(String(p), '2026-11-05', txs));
    }
    // One payout does not tie: its order is missing in the ERP. It waits; the 30 others are journaled now.
    backlog.push(payoutOf('31', '2026-11-05', [{ id: '31000', type: 'CHARGE', amount: '10.00', order: '3100', date: '2026-11-03T10:00:00Z' }]));
    const h = await start(erp);

    const run = await h.run(backlog);
    expect(step(run, 'reconcile').port).toBe('balanced');
    const out = step(run, 'reconcile').output as { payoutIds: string[]; pending: string[] };
    expect(out.payoutIds).toHaveLength(30);
    expect(out.pending).toEqual(['31']);
    expect(step(run, 'post-journal').output).toMatchObject({ created: 30, existing: 0 });
    const journals = (await erp.listLedger({ from: '2026-11-01', to: '2026-11-30', accounts: ['1000'] })).filter((l) => l.source.type === 'journal');
    expect(journals.map((l) => l.source.externalId).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    expect(
      h.sink
        .open()
        .map((e) => `${e.type} ${e.key}`)
        .sort(),
    ).toEqual(['payout-missing-in-erp order:3100', 'payout-variance payout:31']);

    // The same payouts again (Shopify lists them again): nothing is posted twice; the waiting one is reconciled again.
    seedErpDocs(erp, [{ kind: 'invoice', externalId: '3100', date: '2026-11-03', gross: '10.00' }]);
    const again = await h.run(backlog);
    expect((step(again, 'reconcile').output as { payoutIds: string[] }).payoutIds).toEqual(['31']);
    expect(step(again, 'post-journal').output).toMatchObject({ created: 1, existing: 0 });
    expect(h.sink.open()).toEqual([]);
  }, 60_000);
});
