// Succeeded steps of idempotent nodes share commits (issue 15): what must be durable still is, when it must be.
// Each test watches the store from inside a node, as a crash at that moment would find it.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, type SqliteRuntime } from './index.ts';
import { defineNode, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow, tempDir } from './testing/fixtures.ts';
import type { Sandbox } from './sandbox/types.ts';

const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};

let rt: SqliteRuntime | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await rt?.close();
  tmp?.cleanup();
  rt = tmp = undefined;
});

/** What a crash at this moment would find: the steps of the run in the store. */
const stored = (runId: string) =>
  (
    rt!.store.sqlite.prepare(`SELECT node_id FROM steps WHERE run_id = ? AND status = 'succeeded' ORDER BY node_id`).all(runId) as Array<{ node_id: string }>
  ).map((r) => r.node_id);
const seen: Record<string, string[]> = {};
const transactions = { n: 0 };

const pass = defineNode({
  type: 'test.pass',
  version: 1,
  title: 'Pass',
  category: 'core',
  description: 'idempotent: passes its input on',
  config: z.object({ sleepMs: z.number().optional() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: async (c, i: Record<string, unknown>) => {
    seen[c.nodeId] = stored(c.runId);
    if (c.config.sleepMs) await new Promise((r) => setTimeout(r, c.config.sleepMs));
    return { ...i, [c.nodeId]: true };
  },
});
const post = defineNode({
  type: 'test.post-once',
  version: 1,
  title: 'Post',
  category: 'erp',
  description: 'not idempotent',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: false,
  sampleOutput: { posted: true },
  execute: (c, i: Record<string, unknown>) => {
    seen[c.nodeId] = stored(c.runId);
    return { ...i, posted: true };
  },
});
const remember = defineNode({
  type: 'test.remember',
  version: 1,
  title: 'Remember',
  category: 'core',
  description: 'writes flow state',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (c, i: Record<string, unknown>) => {
    c.state?.set('cursor', 42);
    return i;
  },
});
const recall = defineNode({
  type: 'test.recall',
  version: 1,
  title: 'Recall',
  category: 'core',
  description: 'reads flow state as stored',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { cursor: null as string | null },
  execute: (c) => ({
    cursor:
      (rt!.store.sqlite.prepare(`SELECT value FROM flow_state WHERE flow_id = ? AND key = 'cursor'`).get(c.flowId) as { value: string } | undefined)?.value ??
      null,
  }),
});
const reject = defineNode({
  type: 'test.reject',
  version: 1,
  title: 'Reject',
  category: 'erp',
  description: 'fails for good',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: () => {
    throw new NodeError('rejected', { errorClass: 'permanent', code: 'REJECTED' });
  },
});

function boot(stepBatchMs?: number) {
  tmp = tempDir();
  const types = [...coreNodes, pass, post, remember, recall, reject];
  rt = createRuntime({
    dataDir: tmp.dir,
    lookup: (t) => types.find((x) => x.type === t),
    sandbox: noSandbox,
    worker: { pollMs: 5 },
    ...(stepBatchMs !== undefined ? { stepBatchMs } : {}),
  });
  // Count write transactions (each one an fsync-bearing commit in WAL mode).
  const sqlite = rt.store.sqlite;
  const tx = sqlite.transaction.bind(sqlite);
  (sqlite as { transaction: typeof tx }).transaction = ((fn: (...a: unknown[]) => unknown) => {
    const t = tx(fn);
    return Object.assign((...a: unknown[]) => (transactions.n++, t(...a)), { immediate: t.immediate, deferred: t.deferred, exclusive: t.exclusive });
  }) as typeof tx;
  rt.start();
}

async function runOnce(doc: ReturnType<typeof flow>, payload: unknown = {}) {
  await rt!.flows.create(doc);
  await rt!.flows.publish(doc.id, { activate: true });
  const { runIds } = await rt!.queue.ingest({ source: 'manual', payload, targets: [{ flowId: doc.id, version: 1 }] });
  await rt!.drain();
  expect(runIds).toHaveLength(1);
  return rt!.runs.get(runIds[0]!);
}

const chain = (ids: string[], type = 'test.pass') => ids.map((id) => ({ id, type }));

describe('step batching', () => {
  it('a run of idempotent steps lands in one commit, every step recorded', async () => {
    boot();
    const before = transactions.n;
    const run = await runOnce(flow('f', [{ id: 't', type: 'trigger.manual' }, ...chain(['a', 'b', 'c', 'd'])], ['t->a', 'a->b', 'b->c', 'c->d']));
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['t', 'succeeded'],
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'succeeded'],
      ['d', 'succeeded'],
    ]);
    expect(run.steps.every((s) => s.durationMs !== null && s.attempts === 1)).toBe(true);
    // Steps before d were still in memory while d ran: a crash then re-runs them, which idempotent nodes allow.
    expect(seen.d).toEqual([]);
    const batched = transactions.n - before;
    await rt!.close();
    // The same run with a commit per step, for comparison.
    boot(0);
    const b0 = transactions.n;
    const again = await runOnce(flow('f', [{ id: 't', type: 'trigger.manual' }, ...chain(['a', 'b', 'c', 'd'])], ['t->a', 'a->b', 'b->c', 'c->d']));
    expect(again.steps).toHaveLength(5);
    expect(seen.d).toEqual(['a', 'b', 'c', 't']);
    expect(transactions.n - b0).toBeGreaterThanOrEqual(batched + 4);
  });

  it('everything before a non-idempotent step is durable when it starts', async () => {
    boot();
    const run = await runOnce(
      flow(
        'f',
        [{ id: 't', type: 'trigger.manual' }, ...chain(['a', 'b']), { id: 'post', type: 'test.post-once' }, { id: 'after', type: 'test.pass' }],
        ['t->a', 'a->b', 'b->post', 'post->after'],
      ),
    );
    expect(run.status).toBe('succeeded');
    expect(seen.post).toEqual(['a', 'b', 't']);
    expect(seen.after).toEqual(['a', 'b', 'post', 't']);
  });

  it('flow state a step wrote is in the store before the next step runs', async () => {
    boot();
    const run = await runOnce(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'w', type: 'test.remember' },
          { id: 'r', type: 'test.recall' },
        ],
        ['t->w', 'w->r'],
      ),
    );
    expect(run.steps.find((s) => s.nodeId === 'r')?.output).toEqual({ cursor: '42' });
  });

  it('a failed run keeps the steps that succeeded before it (a replay from the failed step reuses them)', async () => {
    boot();
    const run = await runOnce(
      flow('f', [{ id: 't', type: 'trigger.manual' }, ...chain(['a', 'b']), { id: 'x', type: 'test.reject' }], ['t->a', 'a->b', 'b->x']),
    );
    expect(run.status).toBe('failed');
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['t', 'succeeded'],
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['x', 'failed'],
    ]);
  });

  it('a batch older than its bound is committed before the next step, so a slow run keeps its progress', async () => {
    boot(50);
    const run = await runOnce(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.pass' },
          { id: 'slow', type: 'test.pass', config: { sleepMs: 120 } },
          { id: 'c', type: 'test.pass' },
        ],
        ['t->a', 'a->slow', 'slow->c'],
      ),
    );
    expect(run.status).toBe('succeeded');
    expect(seen.slow).toEqual([]);
    expect(seen.c).toEqual(['a', 'slow', 't']);
  });
});
