// A step whose output is derived from its input is stored by reference (stored-output.ts), not as another copy of its
// input: one that passes its input on (OUTPUT_IS_INPUT) and one that returns its input with a few values changed
// (InputWith). A resumed run, the run detail and a replay all see the output it had.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isStoredReference, OUTPUT_IS_INPUT } from './stored-output.ts';
import type { Runtime } from './index.ts';
import { bootRuntimes } from './testing/boot.ts';
import { rawRows } from './testing/raw.ts';
import { defineNode, InputWith, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow } from './testing/fixtures.ts';

const bootWith = bootRuntimes();

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
/** Writes a code into each line and adds a warehouse, as a lookup does, sharing the rest of its input. */
const stamp = defineNode({
  type: 'test.stamp',
  version: 1,
  title: 'Stamp',
  category: 'core',
  description: 'its input with lines and a warehouse written',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { order: { lines: [] as Array<Record<string, unknown>>, warehouse: 'WH' } },
  execute: (_c, i: { order: { lines: Array<Record<string, unknown>> } }) => {
    const order = { ...i.order, lines: i.order.lines.map((l) => ({ ...l, code: `C-${String(l.sku)}` })), warehouse: 'WH' };
    return new InputWith({ ...i, order }, [
      ['order', 'lines'],
      ['order', 'warehouse'],
      ['order', 'absent', 'x'],
    ]);
  },
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
  sampleOutput: { got: null as unknown },
  execute: (c, i: unknown) => {
    if (c.attempt === 1) throw new NodeError('busy', { errorClass: 'transient', code: 'BUSY' });
    return { got: i };
  },
});

const boot = () => bootWith([...coreNodes, gate, copy, stamp, flaky]);

const order = { order: { id: 'gid://shopify/Order/1', name: '#1001', lines: [{ sku: 'A', qty: 2 }], note: 'x'.repeat(2000) } };
const doc = flow(
  'f',
  [
    { id: 't', type: 'trigger.manual' },
    { id: 'g', type: 'test.gate' },
    { id: 'c', type: 'test.copy' },
    { id: 's', type: 'test.stamp' },
    { id: 'k', type: 'test.flaky' },
  ],
  ['t->g', 'g->c', 'c->s', 's->k'],
  { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } },
);
const rows = async (r: Runtime, runId: string) =>
  new Map(
    (await rawRows<{ node_id: string; output: string }>(r.store, 'SELECT node_id, output FROM steps WHERE run_id = ?', runId)).map((x) => [
      x.node_id,
      x.output,
    ]),
  );

describe('a step that passes its input on', () => {
  it('is stored by reference; the run resumed after a deferral, its detail and a replay see the output it had', async () => {
    const r = await boot();
    await r.flows.create(doc);
    await r.flows.publish('f', { activate: true });
    const { runIds } = await r.queue.ingest({ source: 'manual', payload: order, targets: [{ flowId: 'f', version: 1 }] });
    await r.drain();
    const runId = runIds[0]!;
    const run = await r.runs.get(runId);
    expect(run.status).toBe('succeeded');

    const stored = await rows(r, runId);
    expect(stored.get('g')).toBe(OUTPUT_IS_INPUT);
    expect(stored.get('c')).toBe(stored.get('t')); // an equal copy is stored as text, the same text
    const step = (id: string, x: typeof run = run) => x.steps.find((s) => s.nodeId === id)!;
    expect(step('k').attempts).toBe(2); // resumed: the gate's output was rebuilt from the stored trigger output
    expect(step('g').output).toEqual(step('t').output);
    expect(step('g').input).toEqual(step('t').output);
    expect(step('c').input).toEqual(step('t').output);
    expect(isStoredReference(stored.get('s'))).toBe(true);
    expect(stored.get('s')!.length).toBeLessThan(200); // the 2 KB note is not stored again
    const stamped = { order: { ...order.order, lines: [{ sku: 'A', qty: 2, code: 'C-A' }], warehouse: 'WH' } };
    expect(JSON.stringify(step('s').output)).toBe(JSON.stringify(stamped)); // key order included
    expect(step('s').input).toEqual(order);
    expect(step('k').input).toEqual(stamped);
    expect(step('k').output).toEqual({ got: stamped });

    // A replay from the flaky step reuses the others: the rows stored by reference are copied with their text.
    const replayId = (await r.runs.replay(runId, { from: { step: 'k' } })).runId;
    await r.drain();
    const replay = await r.runs.get(replayId);
    expect(replay.status).toBe('succeeded');
    expect((await rows(r, replayId)).get('g')).toBe(stored.get('t'));
    expect((await rows(r, replayId)).get('s')).toBe(JSON.stringify(stamped));
    for (const id of ['t', 'g', 'c', 's']) {
      expect(step(id, replay).output).toEqual(step(id).output);
      expect(step(id, replay).input).toEqual(step(id).input);
    }
  });
});
