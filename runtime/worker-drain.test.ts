// Worker.stop({ graceMs }): what a draining process (SIGTERM) does with the runs it has in flight.
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testRuntime } from './testing/runtime.ts';
import { rawRow, rawRows } from './testing/raw.ts';
import { defineNode } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow, tempDir } from './testing/fixtures.ts';
import type { Sandbox } from './sandbox/types.ts';

const tmp = tempDir('ledgerline-drain-');
afterAll(() => tmp.cleanup());
const unused: Sandbox = { run: () => Promise.reject(new Error('unused')), runBatch: () => Promise.reject(new Error('unused')), close: async () => {} };

/** A step that takes as long as the test says: it ends when `open()` is called. */
function gate() {
  let open!: () => void;
  let opened = new Promise<void>((r) => (open = r));
  const executions: string[] = [];
  const node = defineNode({
    type: 'test.gate',
    version: 1,
    title: 'Gate',
    category: 'core',
    description: 'waits until the test opens it',
    config: z.object({}),
    inputs: [{ id: 'in' }],
    outputs: [{ id: 'out' }],
    idempotent: true,
    sampleOutput: {} as unknown,
    execute: async (ctx, input: unknown) => {
      executions.push(`${ctx.nodeId}:${ctx.runId}`);
      await opened;
      return input;
    },
  });
  return {
    node,
    executions,
    open: () => open(),
    reset: () => (opened = new Promise<void>((r) => (open = r))),
  };
}

function setup(dir: string, g: ReturnType<typeof gate>) {
  const types = [...coreNodes, g.node];
  return testRuntime({ dataDir: dir, lookup: (t) => types.find((x) => x.type === t), sandbox: unused, worker: { leaseMs: 60_000, pollMs: 10 } });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a draining worker', () => {
  it('lets a run that ends within the grace period finish, releasing nothing', async () => {
    const g = gate();
    const rt = await setup(`${tmp.dir}/a`, g);
    await rt.flows.create(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'wait', type: 'test.gate' },
        ],
        ['t->wait'],
      ),
    );
    const { version } = await rt.flows.publish('f', { activate: true });
    const { runIds } = await rt.queue.ingest({ source: 'test', payload: { n: 1 }, targets: [{ flowId: 'f', version }] });
    rt.start();
    while (!g.executions.length) await sleep(5);
    setTimeout(() => g.open(), 200);
    expect(await rt.worker.stop({ graceMs: 5000 })).toEqual({ finished: 1, released: 0 });
    expect((await rt.runs.get(runIds[0]!)).status).toBe('succeeded');
    await rt.close();
  });

  it('stops a run still going after the grace period at its next step, keeps its finished steps and releases it to the next worker at once', async () => {
    const g = gate();
    const dir = `${tmp.dir}/b`;
    const rt = await setup(dir, g);
    await rt.flows.create(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'first', type: 'test.gate' },
          { id: 'second', type: 'test.gate' },
        ],
        ['t->first', 'first->second'],
      ),
    );
    const { version } = await rt.flows.publish('f', { activate: true });
    const { runIds } = await rt.queue.ingest({ source: 'test', payload: { n: 2 }, targets: [{ flowId: 'f', version }] });
    const runId = runIds[0]!;
    rt.start();
    while (!g.executions.length) await sleep(5);
    // The step in flight ends after the grace period (200 ms) but within the wait for a step boundary.
    setTimeout(() => g.open(), 400);
    const t0 = Date.now();
    expect(await rt.worker.stop({ graceMs: 200, abortWaitMs: 2000 })).toEqual({ finished: 0, released: 1 });
    expect(Date.now() - t0).toBeLessThan(1500);
    const row = await rawRow<{ status: string; until: number | string }>(rt.store, `SELECT status, lease_until AS until FROM runs WHERE id = ?`, runId);
    expect({ ...row, until: Number(row?.until) }).toEqual({ status: 'running', until: 0 }); // its lease of 60 s released, not left to expire
    expect(await rawRows(rt.store, `SELECT node_id AS node, status FROM steps WHERE run_id = ? ORDER BY node_id`, runId)).toEqual([
      { node: 'first', status: 'succeeded' },
      { node: 't', status: 'succeeded' },
    ]);
    await rt.close();

    // The next worker claims it at its first poll and carries on from the second step.
    const next = await setup(dir, g);
    next.start();
    await next.drain(5000);
    expect((await next.runs.get(runId)).status).toBe('succeeded');
    expect(g.executions).toEqual([`first:${runId}`, `second:${runId}`]);
    await next.close();
  });
});
