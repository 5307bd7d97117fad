// Runs on both stores: listing and paging, a run's detail, cancelling, and planning and starting replays.
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { coreNodes } from '../nodes/core/index.ts';
import type { Flow } from '../flows/schema.ts';
import { NotFoundError } from './flow-store.ts';
import type { IngestTarget } from './queue.ts';
import { Runs, RunStateError, type ReplayQueue, type RunFlows } from './runs.ts';
import { isSqlite, type AnyStore } from './store/any-store.ts';
import { Calls, flow, testNodes } from './testing/fixtures.ts';
import { runTables, seedRuns } from './testing/run-rows.ts';
import { freshStores, testStores } from './testing/stores.ts';

const types = [...coreNodes, ...testNodes(new Calls())];
const lookup = (t: string) => types.find((x) => x.type === t);

// t → a → p (a non-idempotent post) → b; version 2 changes a's settings.
const version = (n: number) =>
  ({
    ...flow(
      'f',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n }, name: `Add ${n}` },
        { id: 'p', type: 'test.post' },
        { id: 'b', type: 'test.add', config: { n: 2 } },
      ],
      ['t->a', 'a->p', 'p->b'],
    ),
    name: 'Orders to the ERP',
  }) as unknown as Flow;

/** Flows held in memory: versions 1 and 2 of `f`, the active one settable. */
function memoryFlows(): RunFlows & { active: number } {
  const defs = new Map([
    [1, version(1)],
    [2, version(5)],
  ]);
  return {
    active: 1,
    get(flowId) {
      if (flowId !== 'f') throw new NotFoundError(`flow "${flowId}"`);
      return { activeVersion: this.active };
    },
    version(flowId, v) {
      const definition = flowId === 'f' ? defs.get(v) : undefined;
      if (!definition) throw new NotFoundError(`version ${v} of flow "${flowId}"`);
      return { definition };
    },
  };
}

/** Queues a run row on the store, as RunQueue.enqueueRun does, and counts the wake-ups. */
function rowQueue(store: AnyStore): ReplayQueue & { notified: number; queued: string[] } {
  const s = store.sql(runTables);
  return {
    notified: 0,
    queued: [],
    async enqueueRun(eventId: string, target: IngestTarget, replayOf: string | null) {
      const id = `run_9${String(this.queued.length + 1).padStart(3, '0')}`;
      await s.db
        .insert(s.tables.runs)
        .values({ id, flowId: target.flowId, flowVersion: target.version, eventId, status: 'queued', replayOf, availableAt: 9000, createdAt: 9000 });
      this.queued.push(id);
      return id;
    },
    notify() {
      this.notified++;
    },
  };
}

describe.each(testStores())('Runs on $name', (kind) => {
  const fresh = freshStores(kind);

  async function setup() {
    const { store } = await fresh();
    const flows = memoryFlows();
    const queue = rowQueue(store);
    const runs = new Runs(
      store,
      queue,
      flows,
      lookup,
      async () => undefined,
      () => 5000,
    );
    return { store, flows, queue, runs };
  }

  const ok = (nodeId: string, output: unknown) => ({ nodeId, status: 'succeeded', output });

  describe('list', () => {
    async function listed() {
      const s = await setup();
      await seedRuns(s.store, [
        { id: 'run_0001', flowId: 'f', status: 'succeeded', createdAt: 1000, keys: { shopifyOrderId: 'gid://shopify/Order/1' } },
        { id: 'run_0002', flowId: 'f', status: 'failed', createdAt: 2000, keys: { shopifyOrderId: 'gid://shopify/Order/2' }, error: { message: 'down' } },
        { id: 'run_0003', flowId: 'g', status: 'succeeded', createdAt: 3000, keys: { shopifyOrderId: 'gid://shopify/Order/2' } },
        { id: 'run_0004', flowId: 'f', status: 'skipped', createdAt: 4000, error: { code: 'NOT_PAID', message: 'unpaid', nodeId: 'a' } },
        { id: 'run_0005', flowId: 'f', status: 'queued', createdAt: 5000 },
        { id: 'run_0006', flowId: 'g', status: 'failed', createdAt: 6000 },
        { id: 'run_0007', flowId: 'f', status: 'succeeded', createdAt: 7000, keys: { refundId: 'gid://shopify/Refund/7' } },
      ]);
      return s.runs;
    }
    const ids = (rs: { runId: string }[]) => rs.map((r) => r.runId);

    it('lists newest first and filters by flow, status, time and business key', async () => {
      const runs = await listed();
      expect(ids(await runs.list())).toEqual(['run_0007', 'run_0006', 'run_0005', 'run_0004', 'run_0003', 'run_0002', 'run_0001']);
      expect(ids(await runs.list({ flowId: 'g' }))).toEqual(['run_0006', 'run_0003']);
      expect(ids(await runs.list({ status: 'failed' }))).toEqual(['run_0006', 'run_0002']);
      expect(ids(await runs.list({ flowId: 'f', status: 'succeeded' }))).toEqual(['run_0007', 'run_0001']);
      // from inclusive, to exclusive
      expect(ids(await runs.list({ from: 2000, to: 5000 }))).toEqual(['run_0004', 'run_0003', 'run_0002']);
      expect(ids(await runs.list({ key: { key: 'shopifyOrderId', value: 'gid://shopify/Order/2' } }))).toEqual(['run_0003', 'run_0002']);
      expect(ids(await runs.list({ key: { key: 'refundId', value: 'gid://shopify/Order/2' } }))).toEqual([]);
      expect(ids(await runs.list({ flowId: 'f', key: { key: 'shopifyOrderId', value: 'gid://shopify/Order/2' } }))).toEqual(['run_0002']);
    });

    it('pages with limit and before: every run once, in order', async () => {
      const runs = await listed();
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await runs.list({ limit: 3, before });
        if (!page.length) break;
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...ids(page));
        before = page.at(-1)!.runId;
      }
      expect(seen).toEqual(['run_0007', 'run_0006', 'run_0005', 'run_0004', 'run_0003', 'run_0002', 'run_0001']);
      expect(ids(await runs.list({ status: 'succeeded', before: 'run_0007', limit: 1 }))).toEqual(['run_0003']);
    });

    it("names each run's order, a refund's run through the order id a named run of that order carries", async () => {
      const s = await setup();
      await seedRuns(s.store, [
        { id: 'run_0001', flowId: 'f', status: 'succeeded', createdAt: 1, keys: { shopifyOrderId: 'gid://shopify/Order/1', shopifyOrderName: '#1001' } },
        {
          id: 'run_0002',
          flowId: 'g',
          status: 'failed',
          createdAt: 2,
          keys: { shopifyOrderId: 'gid://shopify/Order/1', shopifyRefundId: 'gid://shopify/Refund/9' },
        },
        // An order none of whose runs was named (its own webhooks were never received): no name is made up.
        { id: 'run_0003', flowId: 'g', status: 'failed', createdAt: 3, keys: { shopifyOrderId: 'gid://shopify/Order/2' } },
        { id: 'run_0004', flowId: 'h', status: 'succeeded', createdAt: 4 },
        { id: 'run_0005', flowId: 'f', status: 'succeeded', createdAt: 5, keys: { shopifyOrderId: 'gid://shopify/Order/5', shopifyOrderName: '#1005' } },
        {
          id: 'run_0006',
          flowId: 'g',
          status: 'succeeded',
          createdAt: 6,
          keys: { shopifyOrderId: 'gid://shopify/Order/5', shopifyRefundId: 'gid://shopify/Refund/10' },
        },
      ]);
      const named = (await s.runs.list()).map((r) => [r.runId, r.orderName]);
      expect(named).toEqual([
        ['run_0006', '#1005'],
        ['run_0005', '#1005'],
        ['run_0004', undefined],
        ['run_0003', undefined],
        ['run_0002', '#1001'],
        ['run_0001', '#1001'],
      ]);
      // A page of runs is named by itself: the named run need not be on it.
      expect((await s.runs.list({ flowId: 'g', status: 'failed', limit: 1, before: 'run_0003' }))[0]).toMatchObject({ runId: 'run_0002', orderName: '#1001' });
    });

    it('shows a failed run its error and a skipped run its reason, never as an error', async () => {
      const runs = await listed();
      const [skipped] = await runs.list({ status: 'skipped' });
      expect(skipped).toMatchObject({ runId: 'run_0004', error: null, skipped: { code: 'NOT_PAID', message: 'unpaid', nodeId: 'a' }, flowVersion: 1 });
      const [failed] = await runs.list({ flowId: 'f', status: 'failed' });
      expect(failed).toMatchObject({ runId: 'run_0002', error: { message: 'down' }, createdAt: 2000, finishedAt: 2010, replayOf: null });
      expect(failed).not.toHaveProperty('skipped');
    });
  });

  describe('replays of a run', () => {
    // 1 failed, replayed by 2 (failed) then 3 (succeeded); 4 failed, replayed by 5 (failed), which 6 replayed (succeeded);
    // 7 failed, its replay 8 still queued; 9 failed, never replayed; 10 succeeded, replayed from the start by 11 (failed).
    async function replayed() {
      const s = await setup();
      await seedRuns(s.store, [
        { id: 'run_0001', status: 'failed', createdAt: 1000 },
        { id: 'run_0002', status: 'failed', createdAt: 2000, eventId: 'evt_run_0001', replayOf: 'run_0001' },
        { id: 'run_0003', status: 'succeeded', createdAt: 3000, eventId: 'evt_run_0001', replayOf: 'run_0001' },
        { id: 'run_0004', flowId: 'g', status: 'failed', createdAt: 4000 },
        { id: 'run_0005', flowId: 'g', status: 'failed', createdAt: 5000, eventId: 'evt_run_0004', replayOf: 'run_0004' },
        { id: 'run_0006', flowId: 'g', status: 'succeeded', createdAt: 6000, eventId: 'evt_run_0004', replayOf: 'run_0005' },
        { id: 'run_0007', status: 'failed', createdAt: 7000 },
        { id: 'run_0008', status: 'queued', createdAt: 8000, eventId: 'evt_run_0007', replayOf: 'run_0007' },
        { id: 'run_0009', status: 'failed', createdAt: 9000 },
        { id: 'run_0010', status: 'succeeded', createdAt: 10_000 },
        { id: 'run_0011', status: 'failed', createdAt: 11_000, eventId: 'evt_run_0010', replayOf: 'run_0010' },
      ]);
      return s;
    }
    const replays = (r: { runId: string; replayedBy?: unknown; replaySucceededBy?: string }) => [r.runId, r.replayedBy, r.replaySucceededBy];

    it('lists each run with its replays, newest first, and the replay that succeeded, also through a replay of a replay', async () => {
      const { runs } = await replayed();
      expect((await runs.list()).map(replays)).toEqual([
        ['run_0011', undefined, undefined],
        ['run_0010', [{ runId: 'run_0011', status: 'failed', createdAt: 11_000 }], undefined],
        ['run_0009', undefined, undefined],
        ['run_0008', undefined, undefined],
        ['run_0007', [{ runId: 'run_0008', status: 'queued', createdAt: 8000 }], undefined],
        ['run_0006', undefined, undefined],
        ['run_0005', [{ runId: 'run_0006', status: 'succeeded', createdAt: 6000 }], 'run_0006'],
        ['run_0004', [{ runId: 'run_0005', status: 'failed', createdAt: 5000 }], 'run_0006'],
        ['run_0003', undefined, undefined],
        ['run_0002', undefined, undefined],
        [
          'run_0001',
          [
            { runId: 'run_0003', status: 'succeeded', createdAt: 3000 },
            { runId: 'run_0002', status: 'failed', createdAt: 2000 },
          ],
          'run_0003',
        ],
      ]);
      // A run never replayed carries neither field.
      const [never] = await runs.list({ status: 'failed', before: 'run_0010', limit: 1 });
      expect(never!.runId).toBe('run_0009');
      expect(never).not.toHaveProperty('replayedBy');
      expect(never).not.toHaveProperty('replaySucceededBy');
      // The replays need not be on the page: a page of failures only still finds them.
      expect((await runs.list({ status: 'failed', before: 'run_0002', limit: 1 })).map(replays)).toEqual([
        ['run_0001', [expect.objectContaining({ runId: 'run_0003' }), expect.objectContaining({ runId: 'run_0002' })], 'run_0003'],
      ]);
      expect((await runs.list({ flowId: 'g', status: 'failed' })).map((r) => [r.runId, r.replaySucceededBy])).toEqual([
        ['run_0005', 'run_0006'],
        ['run_0004', 'run_0006'],
      ]);
    });

    it("a run's detail names its replays and the one that succeeded", async () => {
      const { runs } = await replayed();
      expect(replays(await runs.get('run_0001'))).toEqual([
        'run_0001',
        [
          { runId: 'run_0003', status: 'succeeded', createdAt: 3000 },
          { runId: 'run_0002', status: 'failed', createdAt: 2000 },
        ],
        'run_0003',
      ]);
      expect(replays(await runs.get('run_0004'))).toEqual(['run_0004', [{ runId: 'run_0005', status: 'failed', createdAt: 5000 }], 'run_0006']);
      expect(replays(await runs.get('run_0007'))).toEqual(['run_0007', [{ runId: 'run_0008', status: 'queued', createdAt: 8000 }], undefined]);
      expect(await runs.get('run_0009')).not.toHaveProperty('replayedBy');
    });

    it('finds replays through the runs_replay_of index, not by reading every later run of the flow', async () => {
      const { runs, store } = await replayed();
      if (!isSqlite(store)) {
        // PostgreSQL: the migration made the same partial index (its planner picks it only on a table of some size).
        const { rows } = await store.pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'runs_replay_of' AND schemaname = current_schema()`);
        expect(rows.map((r: { indexdef: string }) => r.indexdef)).toEqual([expect.stringMatching(/\(replay_of\) WHERE \(replay_of IS NOT NULL\)/)]);
        return;
      }
      // The statements the run page and the runs list make, each planned by SQLite.
      const prepared: string[] = [];
      const prepare = store.sqlite.prepare.bind(store.sqlite);
      const spy = vi.spyOn(store.sqlite, 'prepare').mockImplementation((q: string) => (prepared.push(q), prepare(q)));
      try {
        await runs.get('run_0001');
        await runs.list({ status: 'failed' });
      } finally {
        spy.mockRestore();
      }
      const lookups = prepared.filter((q) => /"replay_of" in \(/i.test(q));
      expect(lookups.length).toBeGreaterThan(0);
      for (const q of lookups) {
        const params = Array.from({ length: q.split('?').length - 1 }, () => 'run_0001');
        const plan = (store.sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
        expect(plan.join('; ')).toMatch(/USING INDEX runs_replay_of/);
      }
    });
  });

  describe('get', () => {
    it('gives the steps in plan order with the inputs rebuilt from the event and upstream outputs, and the keys', async () => {
      const { store, runs } = await setup();
      await seedRuns(store, [
        {
          id: 'run_0001',
          status: 'succeeded',
          createdAt: 1000,
          payload: { value: 1 },
          keys: { shopifyOrderId: 'gid://shopify/Order/1', orderName: '#1001' },
          // Stored out of order: the plan orders them.
          steps: [
            ok('b', { value: 4 }),
            { ...ok('t', { value: 1 }), startedAt: 1000, finishedAt: 1003 },
            ok('p', { posted: { value: 2 }, key: null }),
            { ...ok('a', { value: 2 }), reads: { flowVersion: 1, lookups: [] } },
          ],
        },
      ]);
      const run = await runs.get('run_0001');
      expect(run.keys).toEqual({ orderName: '#1001', shopifyOrderId: 'gid://shopify/Order/1' });
      expect(run.steps.map((s) => [s.nodeId, s.type])).toEqual([
        ['t', 'trigger.manual'],
        ['a', 'test.add'],
        ['p', 'test.post'],
        ['b', 'test.add'],
      ]);
      // Named as the flow's version names them (a node without a name has none), as the canvas shows them.
      expect(run.flowName).toBe('Orders to the ERP');
      expect(run.steps.map((s) => s.name)).toEqual([undefined, 'Add 1', undefined, undefined]);
      expect(run.steps[0]).toMatchObject({ input: { value: 1 }, output: { value: 1 }, durationMs: 3 });
      expect(run.steps[1]).toMatchObject({ input: { value: 1 }, output: { value: 2 }, reads: { flowVersion: 1, lookups: [] } });
      expect(run.steps[3]).toMatchObject({ input: { posted: { value: 2 }, key: null }, output: { value: 4 } });
    });

    it('without the flow version, shows the steps by node id without inputs; an unknown run is not found', async () => {
      const { store, runs } = await setup();
      await seedRuns(store, [
        {
          id: 'run_0001',
          flowVersion: 9,
          status: 'failed',
          createdAt: 1000,
          steps: [ok('t', {}), ok('b', {}), { nodeId: 'a', status: 'failed', error: { message: 'x' } }],
        },
      ]);
      const run = await runs.get('run_0001');
      expect(run.steps.map((s) => s.nodeId)).toEqual(['a', 'b', 't']);
      expect(run.steps.every((s) => s.input === undefined && s.type === undefined)).toBe(true);
      expect(run.steps[0]!.error).toEqual({ message: 'x' });
      await expect(runs.get('run_nope')).rejects.toThrow(NotFoundError);
    });
  });

  describe('cancel', () => {
    it('cancels a queued or running run, and refuses a finished one', async () => {
      const { store, runs } = await setup();
      await seedRuns(store, [
        { id: 'run_0001', status: 'queued', createdAt: 1000 },
        { id: 'run_0002', status: 'succeeded', createdAt: 2000 },
      ]);
      expect(await runs.cancel('run_0001')).toMatchObject({ runId: 'run_0001', status: 'cancelled', finishedAt: 5000 });
      await expect(runs.cancel('run_0001')).rejects.toThrow(RunStateError);
      await expect(runs.cancel('run_0002')).rejects.toThrow(/is succeeded; only queued or running runs can be cancelled/);
      expect((await runs.get('run_0002')).status).toBe('succeeded');
      await expect(runs.cancel('run_nope')).rejects.toThrow(NotFoundError);
    });
  });

  describe('replay', () => {
    const failedAtPost = (id: string, errorClass = 'transient') => ({
      id,
      status: 'failed',
      createdAt: 1000,
      payload: { value: 1 },
      keys: { shopifyOrderId: 'gid://shopify/Order/1' },
      steps: [ok('t', { value: 1 }), ok('a', { value: 2 }), { nodeId: 'p', status: 'failed', error: { message: 'post timed out', class: errorClass } }],
    });
    const posted = {
      id: 'run_0002',
      status: 'succeeded',
      createdAt: 2000,
      steps: [ok('t', { value: 1 }), ok('a', { value: 2 }), ok('p', { posted: { value: 2 } }), ok('b', { value: 4 })],
      claims: { 'shop:order:1': ['p', 'SO0012'] as [string, string] },
    };
    const actions = (plan: { steps: { nodeId: string; action: string }[] }) => plan.steps.map((s) => `${s.nodeId}:${s.action}`);

    it('plans from the failed step: what ran fine is reused, a step whose settings changed re-runs, with reasons', async () => {
      const { store, runs, flows } = await setup();
      await seedRuns(store, [failedAtPost('run_0001')]);
      const same = await runs.planReplay('run_0001');
      expect(same).toMatchObject({ flowVersion: 1, from: 'failed', reused: ['t', 'a'], rerun: ['p', 'b'], confirm: [] });
      expect(same.steps.find((s) => s.nodeId === 'b')!.reason).toBe('it did not run');
      flows.active = 2;
      const onV2 = await runs.planReplay('run_0001');
      expect(onV2).toMatchObject({ flowVersion: 2, reused: ['t'], rerun: ['a', 'p', 'b'] });
      expect(onV2.steps.find((s) => s.nodeId === 'a')!.reason).toBe('its settings changed (version 1 → 2)');
      expect((await runs.planReplay('run_0001', { version: 1 })).reused).toEqual(['t', 'a']);
    });

    it('a step that posted a document is reused, not re-sent, unless confirmed; also when it was itself reused from an earlier run', async () => {
      const { store, runs } = await setup();
      await seedRuns(store, [
        posted,
        {
          id: 'run_0003',
          status: 'succeeded',
          createdAt: 3000,
          replayOf: 'run_0002',
          steps: [ok('t', { value: 1 }), ok('a', { value: 2 }), { ...ok('p', { posted: { value: 2 } }), reusedFrom: 'run_0002' }, ok('b', { value: 4 })],
        },
      ]);
      await expect(runs.planReplay('run_0002')).rejects.toThrow(/only failed or cancelled runs can be replayed from the failed step/);
      for (const runId of ['run_0002', 'run_0003']) {
        const plan = await runs.planReplay(runId, { from: 'start' });
        expect(actions(plan)).toEqual(['t:rerun', 'a:rerun', 'p:reuse', 'b:rerun']);
        expect(plan.steps.find((s) => s.nodeId === 'p')).toMatchObject({ written: { documents: ['SO0012'] }, needsConfirmation: true });
        expect(plan.confirm).toEqual(['p']);
      }
      const resent = await runs.planReplay('run_0002', { from: 'start', resend: ['p'] });
      expect(actions(resent)).toEqual(['t:rerun', 'a:rerun', 'p:rerun', 'b:rerun']);
      expect(resent.steps.find((s) => s.nodeId === 'p')!.reason).toMatch(/^already posted as SO0012; re-sent because you confirmed it/);
      const fromB = await runs.planReplay('run_0002', { from: { step: 'b' } });
      expect(actions(fromB)).toEqual(['t:reuse', 'a:reuse', 'p:reuse', 'b:rerun']);
      await expect(runs.planReplay('run_0002', { from: { step: 'nope' } })).rejects.toThrow('step "nope" is not in version 1 of flow "f"');
    });

    it('queues a new run of the event with the reused steps copied under it, then wakes the workers', async () => {
      const { store, runs, queue } = await setup();
      await seedRuns(store, [failedAtPost('run_0001')]);
      const r = await runs.replay('run_0001');
      expect(r).toMatchObject({ runId: 'run_9001', flowVersion: 1, reused: ['t', 'a'] });
      expect(queue.notified).toBe(1);
      const run = await runs.get(r.runId);
      expect(run).toMatchObject({ status: 'queued', replayOf: 'run_0001', eventId: 'evt_run_0001' });
      // The replayed run names its replay.
      expect((await runs.get('run_0001')).replayedBy).toEqual([{ runId: 'run_9001', status: 'queued', createdAt: 9000 }]);
      expect(run.steps.map((s) => [s.nodeId, s.status, s.reusedFrom, s.output])).toEqual([
        ['t', 'succeeded', 'run_0001', { value: 1 }],
        ['a', 'succeeded', 'run_0001', { value: 2 }],
      ]);
      // A replay of the replay names the run that executed the step first.
      const s = store.sql(runTables);
      await s.db.update(s.tables.runs).set({ status: 'failed' }).where(eq(s.tables.runs.id, r.runId));
      const again = await runs.replay(r.runId);
      expect((await runs.get(again.runId)).steps.map((st) => st.reusedFrom)).toEqual(['run_0001', 'run_0001']);
    });

    it('refuses to re-run a post that failed ambiguously until it is confirmed', async () => {
      const { store, runs, queue } = await setup();
      await seedRuns(store, [failedAtPost('run_0001', 'ambiguous')]);
      await expect(runs.replay('run_0001')).rejects.toThrow(/step "p" may already have taken effect/);
      expect(queue.queued).toEqual([]);
      const r = await runs.replay('run_0001', { resend: ['p'] });
      expect(r.plan.confirm).toEqual(['p']);
      expect(queue.queued).toEqual([r.runId]);
    });
  });
});
