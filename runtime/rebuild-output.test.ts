// A node that rebuilds its output from its input (NodeType.rebuildsOutput, as the Shopify trigger does from the
// event) has only a reference stored; a resumed run, the run detail and a replay see the output it had, and a node so
// marked that reaches for anything but its settings and input is stopped on its first run.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OUTPUT_REBUILT } from './stored-output.ts';
import type { Runtime } from './index.ts';
import { bootRuntimes } from './testing/boot.ts';
import { rawRows } from './testing/raw.ts';
import { defineNode, NodeError } from './node-api.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { flow } from './testing/fixtures.ts';

const bootWith = bootRuntimes();
afterEach(() => {
  broken = false;
});

/** Set to make the expanding node fail from then on: its output can no longer be made again. */
let broken = false;
let expansions = 0;
const expand = defineNode({
  type: 'test.expand',
  version: 1,
  title: 'Expand',
  category: 'core',
  description: 'a large output made from its input alone',
  config: z.object({ prefix: z.string() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  rebuildsOutput: true,
  sampleOutput: { lines: [] as string[], skipped: undefined as undefined },
  execute: (c, i: { n: number }) => {
    expansions++;
    if (broken) throw new Error('cannot read this input any more');
    // `skipped: undefined` is dropped by JSON: the run detail shows what a stored copy would have held.
    return { lines: Array.from({ length: i.n }, (_, k) => `${c.config.prefix}-${k}`), skipped: undefined };
  },
});
/** Marked as rebuilding its output, yet reads the clock. */
const clocked = defineNode({
  type: 'test.clocked',
  version: 1,
  title: 'Clocked',
  category: 'core',
  description: 'not a function of its input',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  rebuildsOutput: true,
  sampleOutput: { at: '' },
  execute: (c) => ({ at: c.now().toISOString() }),
});
/** Fails transiently on its first attempt (optionally breaking `expand` first): the run resumes from the stored steps. */
const flaky = defineNode({
  type: 'test.flaky',
  version: 1,
  title: 'Flaky',
  category: 'erp',
  description: 'transient failure once',
  config: z.object({ breakExpand: z.boolean().default(false) }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { got: null as unknown },
  execute: (c, i: unknown) => {
    if (c.attempt === 1) {
      if (c.config.breakExpand) broken = true;
      throw new NodeError('busy', { errorClass: 'transient', code: 'BUSY' });
    }
    return { got: i };
  },
});

const boot = () => bootWith([...coreNodes, expand, clocked, flaky]);

const retry = { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 } };
const doc = (breakExpand = false) =>
  flow(
    'f',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'x', type: 'test.expand', config: { prefix: 'L' } },
      { id: 'k', type: 'test.flaky', config: { breakExpand } },
    ],
    ['t->x', 'x->k'],
    retry,
  );

async function runOnce(r: Runtime, d: ReturnType<typeof flow>, payload: unknown) {
  await r.flows.create(d);
  await r.flows.publish(d.id, { activate: true });
  const { runIds } = await r.queue.ingest({ source: 'manual', payload, targets: [{ flowId: d.id, version: 1 }] });
  await r.drain();
  return runIds[0]!;
}

const rowOf = async (r: Runtime, runId: string, nodeId: string) =>
  (await rawRows<{ output: string | null; status: string }>(r.store, 'SELECT output, status FROM steps WHERE run_id = ? AND node_id = ?', runId, nodeId))[0];

const expected = { lines: ['L-0', 'L-1', 'L-2'] };

describe('a node that rebuilds its output', () => {
  it('has a reference stored; the resumed run, the run detail and a replay see the output it had', async () => {
    const r = await boot();
    const runId = await runOnce(r, doc(), { n: 3 });
    const run = await r.runs.get(runId);
    expect(run.status).toBe('succeeded');
    expect((await rowOf(r, runId, 'x'))?.output).toBe(OUTPUT_REBUILT);
    const step = (id: string, x: typeof run = run) => x.steps.find((s) => s.nodeId === id)!;
    // The flaky step ran twice: the second time in a resumed run, whose input was the rebuilt output.
    expect(step('k').attempts).toBe(2);
    expect(step('k').output).toEqual({ got: expected });
    expect(step('x').output).toEqual(expected);
    expect(step('x').input).toEqual({ n: 3 });
    expect(step('k').input).toEqual(expected);

    // A replay from the flaky step copies the expanded output with its text, as it had it.
    const replayId = (await r.runs.replay(runId, { from: { step: 'k' } })).runId;
    await r.drain();
    const replay = await r.runs.get(replayId);
    expect(replay.status).toBe('succeeded');
    expect((await rowOf(r, replayId, 'x'))?.output).toBe(JSON.stringify(expected));
    expect(step('x', replay).output).toEqual(expected);
    expect(step('k', replay).input).toEqual(expected);
  });

  it('shows the run without that output, and says why, when it can no longer be made again', async () => {
    const r = await boot();
    const runId = await runOnce(r, doc(), { n: 2 });
    broken = true;
    const run = await r.runs.get(runId);
    expect(run.status).toBe('succeeded');
    const x = run.steps.find((s) => s.nodeId === 'x')!;
    expect(x.output).toBeUndefined();
    expect(x.error).toMatchObject({ message: expect.stringContaining('cannot read this input any more') });
    expect(x.error).toMatchObject({ message: expect.stringContaining('made again from its input') });
    expect(run.steps.find((s) => s.nodeId === 'k')?.output).toEqual({ got: { lines: ['L-0', 'L-1'] } });
  });

  it('fails a resumed run at that step when its output cannot be made again, rather than going on without it', async () => {
    const r = await boot();
    const before = expansions;
    const runId = await runOnce(r, doc(true), { n: 2 });
    const run = await r.runs.get(runId);
    expect(run.status).toBe('failed');
    expect(expansions - before).toBe(2); // the first run, and the rebuild that failed
    expect(run.error).toMatchObject({ nodeId: 'x', message: expect.stringContaining('cannot read this input any more') });
    expect((await rowOf(r, runId, 'x'))?.status).toBe('failed');
  });

  it('is stopped on its first run when it reaches for anything but its settings and input', async () => {
    const r = await boot();
    const runId = await runOnce(
      r,
      flow(
        'c',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'w', type: 'test.clocked' },
        ],
        ['t->w'],
        retry,
      ),
      { n: 1 },
    );
    const run = await r.runs.get(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'w', code: 'REBUILD_NOT_PURE', message: expect.stringContaining('the clock') });
  });
});
