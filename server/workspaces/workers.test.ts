// Each workspace has its own worker pool: a backlog in B, holding all of B's workers, takes none of A's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { Calls, testNodes } from '../../runtime/testing/fixtures.ts';
import { flow, waitFor } from '../testing.ts';
import { testDeployment, type TestDeployment } from './testing.ts';

let release: () => void = () => {};
const gate = new Promise<void>((r) => (release = r));
/** Holds its run (and the worker running it) until the test releases the gate. */
const blocking = defineNode({
  type: 'test.block',
  version: 1,
  title: 'Block (test)',
  category: 'core',
  description: 'waits for the test',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: async () => (await gate, {}),
});

let t: TestDeployment;
beforeAll(async () => {
  t = await testDeployment({ worker: { concurrency: 2, pollMs: 5 }, nodeTypes: [...coreNodes, ...testNodes(new Calls()), blocking] });
  for (const id of ['a', 'b']) await t.d.createWorkspace({ id });
});
afterAll(async () => {
  release();
  await t?.close();
});

it("a backlog in workspace B holding all of B's workers does not delay A's runs", async () => {
  const A = t.d.cell('a')!.runtime;
  const B = t.d.cell('b')!.runtime;
  await B.flows.create(
    flow(
      'backfill',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'b', type: 'test.block' },
      ],
      ['t->b'],
    ),
  );
  await B.flows.publish('backfill', { message: 'v1' });
  await A.flows.create(
    flow(
      'live',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a'],
    ),
  );
  await A.flows.publish('live', { message: 'v1' });
  for (let i = 0; i < 50; i++) await B.queue.ingest({ source: 'manual', payload: { i }, targets: [{ flowId: 'backfill', version: 1 }] });
  await waitFor(async () => (await B.queue.depth()).running === 2);
  const t0 = Date.now();
  const [run] = (await A.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'live', version: 1 }] })).runIds;
  const done = await waitFor(async () => {
    const r = await A.runs.get(run!);
    return r.status === 'succeeded' ? r : undefined;
  }, 5000);
  expect(done.status).toBe('succeeded');
  expect(Date.now() - t0).toBeLessThan(2000);
  // B is still saturated by its own backlog, within its own limit.
  expect(await B.queue.depth()).toMatchObject({ running: 2, queued: 48 });
  release();
  await waitFor(async () => {
    const d = await B.queue.depth();
    return d.queued === 0 && d.running === 0;
  }, 10_000);
});
