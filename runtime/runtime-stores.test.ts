// The whole runtime — flows, queue, workers, executor, steps, flow state, runs, replay, retention — on each store a
// deployment can choose, with two runtimes on one store as two processes would be: every run executes once, its steps
// and flow state land, a failed run is replayed from its failed step, and the store reads back the same on both dialects.
import { describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from './index.ts';
import type { AnyStore } from './store/any-store.ts';
import { pruneRuns } from './retention.ts';
import { runKeys, steps } from './store/schema.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { Calls, flow, tempDir, testNodes } from './testing/fixtures.ts';
import { freshStores, testStores } from './testing/stores.ts';
import type { Sandbox } from './sandbox/types.ts';

const unused: Sandbox = { run: () => Promise.reject(new Error('unused')), runBatch: () => Promise.reject(new Error('unused')), close: async () => {} };
const RUNS = 60;

describe.each(testStores())('the runtime on $name', (kind) => {
  const fresh = freshStores(kind);

  const runtimeOn = (store: AnyStore, calls: Calls, dir: string): Runtime =>
    createRuntime({
      dataDir: dir,
      store,
      lookup: (t) => [...coreNodes, ...testNodes(calls)].find((n) => n.type === t),
      sandbox: unused,
      worker: { concurrency: 4, pollMs: 5, leaseMs: 30_000 },
      stepBatchMs: 0,
    });

  it('two runtimes on one store run every queued run exactly once, steps and flow state included', async () => {
    const tmp = tempDir('ledgerline-rt-stores-');
    const a = await fresh();
    const b = await a.twin();
    const calls = new Calls();
    const [one, two] = [runtimeOn(a.store, calls, tmp.dir), runtimeOn(b.store, calls, tmp.dir)];
    await one.flows.create(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'x', type: 'test.add', config: { n: 1 } },
          { id: 'c', type: 'test.cursor' },
          { id: 'y', type: 'test.add', config: { n: 2 } },
        ],
        ['t->x', 'x->c', 'c->y'],
      ),
    );
    const { version } = await one.flows.publish('f', { activate: true });
    // The other process sees the publish at its next routing check.
    expect((await two.flows.activeTriggers()).map((t) => `${t.flowId}@${t.version}`)).toEqual([`f@${version}`]);

    const ingested = await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        (i % 2 ? one : two).queue.ingest({ source: 'test', dedupKey: `e${i}`, payload: { value: i }, targets: [{ flowId: 'f', version }] }),
      ),
    );
    // A repeat delivery starts nothing.
    expect((await one.queue.ingest({ source: 'test', dedupKey: 'e0', payload: { value: 0 }, targets: [{ flowId: 'f', version }] })).duplicate).toBe(true);
    one.start({ retention: false });
    two.start({ retention: false });
    await Promise.all([one.drain(30_000), two.drain(30_000)]);

    const runs = await one.runs.list({ flowId: 'f', limit: 200 });
    expect(runs).toHaveLength(RUNS);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    // Each step ran once per run, whichever process claimed it.
    expect([calls.of('x'), calls.of('y')]).toEqual([RUNS, RUNS]);
    const detail = await two.runs.get(ingested[7]!.runIds[0]!);
    expect(detail.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['t', 'succeeded'],
      ['x', 'succeeded'],
      ['c', 'succeeded'],
      ['y', 'succeeded'],
    ]);
    expect(detail.steps.find((s) => s.nodeId === 'x')?.output).toEqual({ value: 8 });
    // Flow state written by a step is read by the next run (last writer wins between concurrent runs of one flow).
    const later = await one.queue.ingest({ source: 'test', payload: { value: 1 }, targets: [{ flowId: 'f', version }] });
    await Promise.all([one.drain(30_000), two.drain(30_000)]);
    const after = (await two.runs.get(later.runIds[0]!)).steps.find((st) => st.nodeId === 'c')?.output as { n: number };
    expect(after.n).toBeGreaterThan(1);

    await one.worker.stop();
    await two.worker.stop();
    tmp.cleanup();
  }, 60_000);

  it('a failed run is replayed from its failed step after the fix is published, reusing what succeeded', async () => {
    const tmp = tempDir('ledgerline-rt-stores-');
    const s = await fresh();
    const calls = new Calls();
    const rt = runtimeOn(s.store, calls, tmp.dir);
    const doc = (fail: boolean) =>
      flow(
        'r',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'x', type: 'test.add', config: { n: 1 } },
          { id: 'c', type: 'test.cursor', config: { fail } },
        ],
        ['t->x', 'x->c'],
      );
    await rt.flows.create(doc(true));
    const { version } = await rt.flows.publish('r', { activate: true });
    const { runIds } = await rt.queue.ingest({ source: 'test', payload: { value: 5 }, targets: [{ flowId: 'r', version }] });
    rt.start({ retention: false });
    await rt.drain(20_000);
    const failed = await rt.runs.get(runIds[0]!);
    expect(failed.status).toBe('failed');
    expect(failed.steps.find((st) => st.nodeId === 'c')?.error).toMatchObject({ message: 'boom' });

    await rt.flows.updateDraft('r', doc(false));
    await rt.flows.publish('r', { message: 'fix' });
    const replay = await rt.runs.replay(failed.runId);
    expect(replay.reused).toEqual(['t', 'x']);
    await rt.drain(20_000);
    const done = await rt.runs.get(replay.runId);
    expect(done.status).toBe('succeeded');
    expect(done.steps.find((st) => st.nodeId === 'x')?.reusedFrom).toBe(failed.runId);
    expect(calls.of('x')).toBe(1);

    // Retention removes finished runs with their steps (the policy: none kept).
    const pruned = await pruneRuns(s.store, { maxRuns: 0 });
    expect(pruned.runs).toBe(2);
    expect(await rt.runs.list({ flowId: 'r' })).toEqual([]);
    const left = s.sql({ steps, runKeys });
    expect(await left.db.select().from(left.tables.steps)).toEqual([]);
    // The store is the test's (freshStores closes it): stop the workers only.
    await rt.worker.stop();
    tmp.cleanup();
  }, 60_000);
});
