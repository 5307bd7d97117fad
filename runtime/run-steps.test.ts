// The executor's store writes on each dialect (run-steps.ts): the same runs, executed on SQLite and on PostgreSQL with
// the same clock, leave the same rows — step outputs (inline, by reference, with JSON made by the node), errors, retry
// and started marks, flow state, claims, run outcomes — and a run resumed on either store reads its steps back as the
// run that wrote them had them.
import { EventEmitter } from 'node:events';
import { asc } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Executor, type RunOutcome } from './executor.ts';
import type { FlowStore } from './flow-store.ts';
import { silentLogger } from './index.ts';
import { defineNode, InputWith, NodeError, route, skipRun, WithJson, type NodeType } from './node-api.ts';
import type { ClaimedRun, RunQueue } from './queue.ts';
import { businessClaims, events, flowState, runs, steps } from './store/schema.ts';
import { isStoredReference, OUTPUT_IS_INPUT } from './stored-output.ts';
import { flow, noSandbox } from './testing/fixtures.ts';
import { freshStores, type TestStore, testStores } from './testing/stores.ts';
import type { Flow } from '../flows/schema.ts';
import { coreNodes } from '../nodes/core/index.ts';

const node = (type: string, idempotent: boolean, execute: NodeType['execute']) =>
  defineNode({
    type,
    version: 1,
    title: type,
    category: 'core',
    description: type,
    config: z.object({}),
    inputs: [{ id: 'in' }],
    outputs: [{ id: 'out' }, { id: 'big' }, { id: 'small' }],
    idempotent,
    sampleOutput: {},
    execute,
  });

/** What the post gets (through flaky, which passes its input on): the stamped order and the remembered total. */
type Joined = { gate: { order: { lines: Array<{ code: string }> }; warehouse: string }; remember: { input: { total: number } } };

/** Attempts per run and node, so a node can fail on its first attempt only. */
const attempts = new Map<string, number>();
const types: NodeType[] = [
  ...coreNodes,
  node('test.stamp', true, (_c, i: { order: { lines: Array<{ sku: string }> } }) => {
    const lines = i.order.lines.map((l) => ({ ...l, code: `C-${l.sku}` }));
    return new InputWith({ ...i, order: { ...i.order, lines }, warehouse: 'W1' }, [...lines.map((_, n) => ['order', 'lines', n, 'code']), ['warehouse']]);
  }),
  node('test.gate', true, (_c, i: unknown) => i),
  node('test.copy', true, (_c, i: object) => ({ ...i })),
  node('test.json', true, (_c, i: { warehouse: string }) => new WithJson({ at: i.warehouse }, '{"at":"W1"}')),
  node('test.route', true, (_c, i: { order: { total: number } }) => route(i.order.total > 10 ? 'big' : 'small', { total: i.order.total })),
  node('test.remember', true, async (c, i: unknown) => {
    const before = (await c.state.get<number>('count')) ?? 0;
    c.state.set('count', before + 1);
    return { before, input: i };
  }),
  node('test.post', false, async (c, i: Joined) => {
    const claim = await c.claims!.claim(`sales-order:${c.runId}`);
    if (!claim.mine) throw new NodeError('held', { errorClass: 'transient' });
    await c.claims!.complete(`sales-order:${c.runId}`, `SO-${c.runId}`);
    return { posted: i.remember.input.total, codes: i.gate.order.lines.map((l) => l.code), warehouse: i.gate.warehouse, document: `SO-${c.runId}` };
  }),
  node('test.flaky', true, (c, i: unknown) => {
    const key = `${c.runId}/${c.nodeId}`;
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (n === 1) throw new NodeError('ERP busy (token sk_live_secret)', { errorClass: 'transient', code: 'BUSY', details: { n } });
    return i;
  }),
  node('test.reject', true, () => {
    throw new NodeError('rejected by the ERP', { errorClass: 'permanent', code: 'REJECTED', details: { field: 'sku' } });
  }),
  node('test.skip', true, () => skipRun('TEST_ORDER', 'a test order', { test: true })),
];
const lookup = (t: string) => types.find((x) => x.type === t);

const T = { id: 't', type: 'trigger.manual' };
const FLOWS: Record<string, Flow> = {
  // Outputs by reference (stamp, gate), a node's own JSON, a route not taken, flow state, a non-idempotent post with
  // its claim, and a step failing once (the run deferred, then resumed from the store).
  full: flow(
    'full',
    [
      T,
      { id: 'stamp', type: 'test.stamp' },
      { id: 'gate', type: 'test.gate' },
      { id: 'json', type: 'test.json' },
      { id: 'route', type: 'test.route' },
      { id: 'small', type: 'test.gate' },
      { id: 'remember', type: 'test.remember' },
      { id: 'flaky', type: 'test.flaky' },
      { id: 'post', type: 'test.post' },
    ],
    ['t->stamp', 'stamp->gate', 'gate->json', 'gate->route', 'route:small->small', 'route:big->remember', 'remember->flaky', 'gate->flaky', 'flaky->post'],
  ) as Flow,
  failing: flow('failing', [T, { id: 'stamp', type: 'test.stamp' }, { id: 'reject', type: 'test.reject' }], ['t->stamp', 'stamp->reject']) as Flow,
  // Idempotent steps that each make a new output: one batch.
  chain: flow('chain', [T, ...['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, type: 'test.copy' }))], ['t->a', 'a->b', 'b->c', 'c->d', 'd->e']) as Flow,
  skipping: flow(
    'skipping',
    [T, { id: 'gate', type: 'test.gate' }, { id: 'skip', type: 'test.skip' }, { id: 'after', type: 'test.gate' }],
    ['t->gate', 'gate->skip', 'skip->after'],
  ) as Flow,
};
const flows = { version: (flowId: string) => ({ definition: FLOWS[flowId] }) } as unknown as FlowStore;
const ORDER = { order: { id: 7, total: 25, lines: [{ sku: 'TEE-S' }, { sku: 'TEE-M' }] } };

/** Every run of the scenario on one store, with a clock that moves 1 ms per reading (the same on both stores). */
async function scenario(s: TestStore, stepBatchMs: number) {
  let t = 1_000;
  const make = () =>
    new Executor({
      store: s.store,
      flows,
      queue: {} as RunQueue,
      lookup,
      sandbox: noSandbox,
      connection: async () => Promise.reject(new Error('unused')),
      services: {},
      log: silentLogger,
      events: new EventEmitter(),
      now: () => t++,
      maxOutputBytes: 1 << 20,
      stepBatchMs,
      redact: (text) => text.replaceAll('sk_live_secret', '[redacted]'),
    });
  const executor = make();
  const db = s.sql({ runs, events });
  const { runs: r, events: e } = db.tables;
  await db.db.insert(e).values({ id: 'ev1', source: 'manual', payload: JSON.stringify(ORDER), receivedAt: 0 });
  const claim = async (id: string, flowId: string): Promise<ClaimedRun> => {
    await db.db
      .insert(r)
      .values({ id, flowId, flowVersion: 1, eventId: 'ev1', status: 'running', leaseOwner: 'w1', leaseUntil: 1e15, availableAt: 0, createdAt: 0, startedAt: 0 })
      .onConflictDoUpdate({ target: r.id, set: { status: 'running', leaseOwner: 'w1', leaseUntil: 1e15 } });
    return { id, flowId, flowVersion: 1, eventId: 'ev1', status: 'running', replayOf: null, startedAt: 0 };
  };
  const outcomes: Record<string, RunOutcome> = {};
  const signal = new AbortController().signal;
  outcomes['full#1'] = await executor.execute(await claim(`full-${stepBatchMs}`, 'full'), 'w1', signal);
  const deferred = await everything(s);
  // The deferred run claimed again, by a new executor (another worker): it reads its steps back from the store.
  outcomes['full#2'] = await make().execute(await claim(`full-${stepBatchMs}`, 'full'), 'w1', signal);
  outcomes.failing = await executor.execute(await claim(`failing-${stepBatchMs}`, 'failing'), 'w1', signal);
  outcomes.skipping = await executor.execute(await claim(`skipping-${stepBatchMs}`, 'skipping'), 'w1', signal);
  // A run that is not ours any more writes nothing.
  outcomes.lost = await executor.execute({ ...(await claim(`lost-${stepBatchMs}`, 'full')), id: 'nobody' }, 'w1', signal);
  return { outcomes, deferred, rows: await everything(s) };
}

async function everything(s: TestStore) {
  const db = s.sql({ steps, runs, flowState, businessClaims });
  const t = db.tables;
  return {
    steps: await db.db.select().from(t.steps).orderBy(asc(t.steps.runId), asc(t.steps.nodeId)),
    // When a deferred run comes back has jitter (retry.ts): whether it was put off is what compares.
    runs: (
      await db.db
        .select({
          id: t.runs.id,
          status: t.runs.status,
          error: t.runs.error,
          finishedAt: t.runs.finishedAt,
          leaseOwner: t.runs.leaseOwner,
          availableAt: t.runs.availableAt,
        })
        .from(t.runs)
        .orderBy(asc(t.runs.id))
    ).map(({ availableAt, ...r }) => ({ ...r, putOff: availableAt > 1_000 })),
    flowState: await db.db.select().from(t.flowState).orderBy(asc(t.flowState.flowId), asc(t.flowState.key)),
    claims: await db.db.select().from(t.businessClaims).orderBy(asc(t.businessClaims.key)),
  };
}

describe("a run's steps written on each store", () => {
  const opened: TestStore[] = [];
  afterAll(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it.each([250, 0])('read back the same on every store (step batch %i ms)', async (batchMs) => {
    attempts.clear();
    const results: Array<{ name: string; r: Awaited<ReturnType<typeof scenario>> }> = [];
    for (const kind of testStores()) {
      const s = await kind.open();
      opened.push(s);
      results.push({ name: kind.name, r: await scenario(s, batchMs) });
      attempts.clear();
    }
    const [first] = results;
    const { outcomes, deferred, rows } = first!.r;
    expect(outcomes).toEqual({ 'full#1': 'deferred', 'full#2': 'succeeded', failing: 'failed', skipping: 'skipped', lost: 'lost' });

    // What the scenario is about, read on the first store (SQLite).
    const step = (run: string, nodeId: string) => rows.steps.find((x) => x.runId === `${run}-${batchMs}` && x.nodeId === nodeId);
    expect(isStoredReference(step('full', 'stamp')?.output)).toBe(true);
    expect(step('full', 'gate')?.output).toBe(OUTPUT_IS_INPUT);
    expect(step('full', 'json')?.output).toBe('{"at":"W1"}');
    expect(step('full', 'route')).toMatchObject({ status: 'succeeded', port: 'big' });
    expect(step('full', 'small')).toMatchObject({ status: 'skipped', output: null });
    expect(JSON.parse(step('full', 'remember')!.output!)).toEqual({ before: 0, input: { total: 25 } });
    expect(step('full', 'flaky')).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    // The post ran after the run was resumed from the store: its input was rebuilt from outputs stored by reference.
    expect(step('full', 'flaky')?.output).toBe(OUTPUT_IS_INPUT);
    expect(JSON.parse(step('full', 'post')!.output!)).toEqual({ posted: 25, codes: ['C-TEE-S', 'C-TEE-M'], warehouse: 'W1', document: `SO-full-${batchMs}` });
    expect(JSON.parse(step('full', 'post')!.reads!)).toEqual({ flowVersion: 1, lookups: [] });
    expect(step('failing', 'reject')).toMatchObject({ status: 'failed', output: null });
    expect(JSON.parse(step('failing', 'reject')!.error!)).toMatchObject({
      message: 'rejected by the ERP',
      class: 'permanent',
      code: 'REJECTED',
      nodeId: 'reject',
    });
    expect(step('failing', 'stamp')?.status).toBe('succeeded');
    expect(step('skipping', 'after')).toBeUndefined();
    expect(rows.runs.find((x) => x.id === `skipping-${batchMs}`)).toMatchObject({ status: 'skipped', leaseOwner: null });
    expect(JSON.parse(rows.runs.find((x) => x.id === `skipping-${batchMs}`)!.error!)).toMatchObject({ code: 'TEST_ORDER', nodeId: 'skip' });
    expect(rows.flowState).toEqual([{ flowId: 'full', key: 'count', value: '1', updatedAt: expect.any(Number) }]);
    expect(rows.claims).toEqual([expect.objectContaining({ key: `sales-order:full-${batchMs}`, state: 'done', document: `SO-full-${batchMs}` })]);
    expect(rows.steps.filter((x) => x.runId.startsWith('lost') || x.runId === 'nobody')).toEqual([]);

    // While the run waited out its retry: the failed attempt's error (redacted), and the run back in the queue.
    const waiting = deferred.steps.find((x) => x.nodeId === 'flaky');
    expect(waiting).toMatchObject({ status: 'retrying', attempts: 1, output: null });
    expect(JSON.parse(waiting!.error!)).toMatchObject({ message: 'ERP busy (token [redacted])', class: 'transient', code: 'BUSY', details: { n: 1 } });
    expect(deferred.runs.find((x) => x.id === `full-${batchMs}`)).toMatchObject({ status: 'queued', leaseOwner: null, finishedAt: null, putOff: true });
    expect(
      deferred.steps
        .filter((x) => x.status === 'succeeded')
        .map((x) => x.nodeId)
        .sort(),
    ).toEqual(['gate', 'json', 'remember', 'route', 'stamp', 't']);

    // And every store holds exactly the same.
    for (const { name, r } of results.slice(1)) {
      expect({ name, ...r }).toEqual({ name, ...first!.r });
    }
  });
});

describe.each(testStores().filter((k) => k.name === 'postgres'))('a step batch on $name', (kind) => {
  const fresh = freshStores(kind);

  it('is one transaction and one multi-row statement however many steps it holds', async () => {
    const s = await fresh();
    const db = s.sql({ runs, events });
    await db.db.insert(db.tables.events).values({ id: 'ev1', source: 'manual', payload: '{"n":1}', receivedAt: 0 });
    await db.db
      .insert(db.tables.runs)
      .values({ id: 'r1', flowId: 'chain', flowVersion: 1, eventId: 'ev1', status: 'running', leaseOwner: 'w1', availableAt: 0, createdAt: 0 });
    const executor = new Executor({
      store: s.store,
      flows,
      queue: {} as RunQueue,
      lookup,
      sandbox: noSandbox,
      connection: async () => Promise.reject(new Error('unused')),
      services: {},
      log: silentLogger,
      events: new EventEmitter(),
      now: () => 1_000,
      maxOutputBytes: 1 << 20,
    });
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
      const q = a[0] as string | { text?: string };
      sent.push((typeof q === 'string' ? q : (q?.text ?? '')).trim().split(/\s+/).slice(0, 3).join(' ').toLowerCase());
      return (query as (...x: unknown[]) => unknown).apply(this, a);
    } as typeof query;
    let outcome: RunOutcome;
    try {
      outcome = await executor.execute(
        { id: 'r1', flowId: 'chain', flowVersion: 1, eventId: 'ev1', status: 'running', replayOf: null, startedAt: 0 },
        'w1',
        new AbortController().signal,
      );
    } finally {
      pg.Client.prototype.query = query;
    }
    expect(outcome).toBe('succeeded');
    expect(sent.filter((q) => q.startsWith('insert into "steps"'))).toHaveLength(1);
    expect(sent.filter((q) => q === 'begin')).toHaveLength(1);
    const stored = await s.sql({ steps }).db.select({ nodeId: steps.nodeId, status: steps.status }).from(s.sql({ steps }).tables.steps);
    expect(stored.map((r) => r.nodeId).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 't']);
  });
});
