// Succeeded steps of idempotent nodes share commits (issue 15): what must be durable still is, when it must be.
// Each test watches the store from inside a node, as a crash at that moment would find it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Runtime } from './index.ts';
import { bootRuntimes } from './testing/boot.ts';
import { rawRow, rawRows } from './testing/raw.ts';
import { defineNode, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow } from './testing/fixtures.ts';

const bootWith = bootRuntimes();
let rt: Runtime | undefined;

/** What a crash at this moment would find: the steps of the run in the store. */
const stored = async (runId: string) =>
  (await rawRows<{ node_id: string }>(rt!.store, `SELECT node_id FROM steps WHERE run_id = ? AND status = 'succeeded' ORDER BY node_id`, runId)).map(
    (r) => r.node_id,
  );
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
    seen[c.nodeId] = await stored(c.runId);
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
  execute: async (c, i: Record<string, unknown>) => {
    seen[c.nodeId] = await stored(c.runId);
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
  execute: async (c) => ({
    cursor: (await rawRow<{ value: string }>(rt!.store, `SELECT value FROM flow_state WHERE flow_id = ? AND key = 'cursor'`, c.flowId))?.value ?? null,
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

async function boot(stepBatchMs?: number) {
  rt = await bootWith([...coreNodes, pass, post, remember, recall, reject], { start: false, ...(stepBatchMs !== undefined ? { stepBatchMs } : {}) });
  countTransactions(rt);
  rt.start();
}

/** Counts write transactions (each one a commit, fsync-bearing: in WAL mode on SQLite, the WAL flush on PostgreSQL). */
function countTransactions(r: Runtime): void {
  if (r.store.dialect === 'sqlite') {
    const sqlite = r.store.sqlite;
    const tx = sqlite.transaction.bind(sqlite);
    (sqlite as { transaction: typeof tx }).transaction = ((fn: (...a: unknown[]) => unknown) => {
      const t = tx(fn);
      return Object.assign((...a: unknown[]) => (transactions.n++, t(...a)), { immediate: t.immediate, deferred: t.deferred, exclusive: t.exclusive });
    }) as typeof tx;
    return;
  }
  // Every transaction on PostgreSQL begins on a pooled client: count its BEGINs.
  const counted = new WeakSet<object>();
  r.store.pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as { query: unknown }).query = (...a: unknown[]) => {
      const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
      if (text && /^\s*begin\b/i.test(text)) transactions.n++;
      return query(...a);
    };
  });
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
    await boot();
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
    await boot(0);
    const b0 = transactions.n;
    const again = await runOnce(flow('f', [{ id: 't', type: 'trigger.manual' }, ...chain(['a', 'b', 'c', 'd'])], ['t->a', 'a->b', 'b->c', 'c->d']));
    expect(again.steps).toHaveLength(5);
    expect(seen.d).toEqual(['a', 'b', 'c', 't']);
    expect(transactions.n - b0).toBeGreaterThanOrEqual(batched + 4);
  });

  it('everything before a non-idempotent step is durable when it starts', async () => {
    await boot();
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
    await boot();
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
    await boot();
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
    await boot(50);
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
