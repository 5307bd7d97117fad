// Which runs a node's samples come from, on every dialect: the draft's latest test runs, then the flow's latest runs
// that reached the node (newest first), and the latest that succeeded when none of those did.
import { describe, expect, it } from 'vitest';
import { events, runs, steps } from '../../runtime/store/schema.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { sampleRuns } from './node-samples.ts';
import { testFlowId } from './test-run.ts';

const T0 = 1_800_000_000_000;

describe.each(testStores())('sampleRuns on $name', (kind) => {
  const fresh = freshStores(kind);

  async function seed(rows: Array<{ id: string; flowId?: string; status: string; at: number; step?: string | null }>) {
    const s = await fresh();
    const { db, tables: t } = s.sql({ events, runs, steps });
    await db.insert(t.events).values({ id: 'e', source: 'webhook', payload: '{}', receivedAt: T0 });
    for (const r of rows) {
      await db
        .insert(t.runs)
        .values({ id: r.id, flowId: r.flowId ?? 'f', flowVersion: 1, eventId: 'e', status: r.status, availableAt: T0 + r.at, createdAt: T0 + r.at });
      // The node's step: finished as the run did, unless said otherwise (null: the run never reached the node).
      const step = r.step === undefined ? (r.status === 'succeeded' ? 'succeeded' : 'failed') : r.step;
      if (step) await db.insert(t.steps).values({ runId: r.id, nodeId: 'map', status: step, attempts: 1 });
      await db.insert(t.steps).values({ runId: r.id, nodeId: 'other', status: 'succeeded', attempts: 1 });
    }
    return s;
  }

  it('test runs first (two), then the flow’s newest runs that reached the node; never runs that did not reach it', async () => {
    const s = await seed([
      { id: 't1', flowId: testFlowId('f'), status: 'succeeded', at: 1 },
      { id: 't2', flowId: testFlowId('f'), status: 'failed', at: 2 },
      { id: 't3', flowId: testFlowId('f'), status: 'succeeded', at: 3 },
      { id: 'p1', status: 'succeeded', at: 1 },
      { id: 'p2', status: 'failed', at: 2 },
      { id: 'p3', status: 'running', at: 3, step: 'running' }, // its step has not finished
      { id: 'p4', status: 'failed', at: 4, step: null }, // failed before the node
      { id: 'p5', status: 'succeeded', at: 5 },
      { id: 'g1', flowId: 'g', status: 'succeeded', at: 9 }, // another flow
    ]);
    expect((await sampleRuns(s.store, 'f', 'map', 5)).map((r) => r.id)).toEqual(['t3', 't2', 'p5', 'p2', 'p1']);
    expect((await sampleRuns(s.store, 'f', 'map', 1)).map((r) => r.id)).toEqual(['t3', 't2', 'p5']);
  });

  it('adds the latest run that succeeded when the newest ones all failed', async () => {
    const s = await seed([
      { id: 'ok-old', status: 'succeeded', at: 1 },
      { id: 'ok', status: 'succeeded', at: 2 },
      { id: 'bad1', status: 'failed', at: 3 },
      { id: 'bad2', status: 'failed', at: 4 },
    ]);
    expect(await sampleRuns(s.store, 'f', 'map', 2)).toEqual([
      { id: 'bad2', flowId: 'f', status: 'failed', createdAt: T0 + 4 },
      { id: 'bad1', flowId: 'f', status: 'failed', createdAt: T0 + 3 },
      { id: 'ok', flowId: 'f', status: 'succeeded', createdAt: T0 + 2 },
    ]);
  });
});
