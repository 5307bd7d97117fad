// A step that passes its input on unchanged is stored by reference (OUTPUT_IS_INPUT), not as a second copy of its
// input: a resumed run, the run detail and a replay all see the output it had.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OUTPUT_IS_INPUT } from './executor.ts';
import { createRuntime, type Runtime } from './index.ts';
import { defineNode, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow, tempDir } from './testing/fixtures.ts';
import type { Sandbox } from './sandbox/types.ts';

const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};

let rt: Runtime | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  await rt?.close();
  tmp?.cleanup();
  rt = tmp = undefined;
});

const gate = defineNode({
  type: 'test.gate',
  version: 1,
  title: 'Gate',
  category: 'core',
  description: 'passes its input on',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (_c, i: unknown) => i,
});
const copy = defineNode({
  type: 'test.copy',
  version: 1,
  title: 'Copy',
  category: 'core',
  description: 'returns an equal object, not its input',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (_c, i: Record<string, unknown>) => ({ ...i }),
});
/** Fails transiently on its first attempt: the run is deferred and resumes from the stored steps. */
const flaky = defineNode({
  type: 'test.flaky',
  version: 1,
  title: 'Flaky',
  category: 'erp',
  description: 'transient failure once',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (c, i: unknown) => {
    if (c.attempt === 1) throw new NodeError('busy', { errorClass: 'transient', code: 'BUSY' });
    return { got: i };
  },
});

function boot() {
  tmp = tempDir();
  const types = [...coreNodes, gate, copy, flaky];
  rt = createRuntime({ dataDir: tmp.dir, lookup: (t) => types.find((x) => x.type === t), sandbox: noSandbox, worker: { pollMs: 5 } });
  rt.start();
  return rt;
}

const order = { order: { id: 'gid://shopify/Order/1', name: '#1001', lines: [{ sku: 'A', qty: 2 }], note: 'x'.repeat(2000) } };
const doc = flow(
  'f',
  [
    { id: 't', type: 'trigger.manual' },
    { id: 'g', type: 'test.gate' },
    { id: 'c', type: 'test.copy' },
    { id: 'k', type: 'test.flaky' },
  ],
  ['t->g', 'g->c', 'c->k'],
  { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } },
);
const rows = (r: Runtime, runId: string) =>
  new Map(
    (r.store.sqlite.prepare('SELECT node_id, output FROM steps WHERE run_id = ?').all(runId) as Array<{ node_id: string; output: string }>).map((x) => [
      x.node_id,
      x.output,
    ]),
  );

describe('a step that passes its input on', () => {
  it('is stored by reference; the run resumed after a deferral, its detail and a replay see the output it had', async () => {
    const r = boot();
    r.flows.create(doc);
    r.flows.publish('f', { activate: true });
    const { runIds } = r.queue.ingest({ source: 'manual', payload: order, targets: [{ flowId: 'f', version: 1 }] });
    await r.drain();
    const runId = runIds[0]!;
    const run = r.runs.get(runId);
    expect(run.status).toBe('succeeded');

    const stored = rows(r, runId);
    expect(stored.get('g')).toBe(OUTPUT_IS_INPUT);
    expect(stored.get('c')).toBe(stored.get('t')); // an equal copy is stored as text, the same text
    const step = (id: string, x: typeof run = run) => x.steps.find((s) => s.nodeId === id)!;
    expect(step('k').attempts).toBe(2); // resumed: the gate's output was rebuilt from the stored trigger output
    expect(step('g').output).toEqual(step('t').output);
    expect(step('g').input).toEqual(step('t').output);
    expect(step('c').input).toEqual(step('t').output);
    expect(step('k').output).toEqual({ got: step('t').output });

    // A replay from the copy step reuses trigger and gate: the gate's row is copied with its text.
    const replayId = r.runs.replay(runId, { from: { step: 'c' } }).runId;
    await r.drain();
    const replay = r.runs.get(replayId);
    expect(replay.status).toBe('succeeded');
    expect(rows(r, replayId).get('g')).toBe(stored.get('t'));
    for (const id of ['t', 'g', 'c']) {
      expect(step(id, replay).output).toEqual(step(id).output);
      expect(step(id, replay).input).toEqual(step(id).input);
    }
  });
});
