import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from './index.ts';
import { testRuntime } from './testing/runtime.ts';
import { rawCount, rawRow } from './testing/raw.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { Calls, flow, tempDir, testNodes } from './testing/fixtures.ts';
import type { Sandbox } from './sandbox/types.ts';
import type { Logger } from './node-api.ts';

// These tests exercise the engine with nodes that need no sandbox; sandboxed nodes have their own tests.
const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('sandbox not used in this test')),
  runBatch: async () => Promise.reject(new Error('sandbox not used in this test')),
  close: async () => {},
};

let rt: Runtime;
let calls: Calls;
let tmp: ReturnType<typeof tempDir>;

async function boot(log?: Logger) {
  const types = [...coreNodes, ...testNodes(calls)];
  rt = await testRuntime({ dataDir: tmp.dir, lookup: (t) => types.find((x) => x.type === t), sandbox: noSandbox, worker: { pollMs: 10 }, log });
  rt.start();
}

beforeEach(async () => {
  tmp = tempDir();
  calls = new Calls();
  await boot();
});
afterEach(async () => {
  await rt.close();
  tmp.cleanup();
});

async function publish(doc: ReturnType<typeof flow>) {
  await rt.flows.create(doc);
  return await rt.flows.publish(doc.id, { message: 'first', activate: true });
}

async function runOnce(flowId: string, payload: unknown, version?: number) {
  version ??= (await rt.flows.get(flowId)).activeVersion!;
  const { runIds } = await rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId, version }] });
  await rt.drain();
  expect(runIds).toHaveLength(1);
  return rt.runs.get(runIds[0]!);
}

describe('runtime', () => {
  it('runs nodes in graph order, passing outputs along edges, and records every step', async () => {
    await publish(
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 2 } },
          { id: 'b', type: 'test.add', config: { n: 10 } },
        ],
        ['t->a', 'a->b'],
      ),
    );
    const run = await runOnce('f', { value: 1 });
    expect(run.status).toBe('succeeded');
    expect(run.flowVersion).toBe(1);
    expect(run.steps.map((s) => [s.nodeId, s.status, s.output])).toEqual([
      ['t', 'succeeded', { value: 1 }],
      ['a', 'succeeded', { value: 3 }],
      ['b', 'succeeded', { value: 13 }],
    ]);
    expect(run.steps[2]!.input).toEqual({ value: 3 });
    expect(run.steps.every((s) => s.attempts === 1 && s.durationMs !== null)).toBe(true);
  });

  it('a node that skips ends the run `skipped` with its reason: nothing after it runs, it is not a failure, and it is listed as such', async () => {
    await publish(
      flow(
        's',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'g', type: 'test.skip-unless' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['t->g', 'g->a'],
      ),
    );
    const skipped = await runOnce('s', { value: 7 });
    expect(skipped.status).toBe('skipped');
    expect(skipped.error).toBeNull();
    expect(skipped.skipped).toEqual({ code: 'NOT_GO', message: 'value 7 is not for us', details: { value: 7 }, nodeId: 'g' });
    expect(skipped.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['t', 'succeeded'],
      ['g', 'succeeded'],
    ]);
    expect(skipped.steps[1]!.output).toEqual({ skipped: true, code: 'NOT_GO', message: 'value 7 is not for us', details: { value: 7 } });
    expect(calls.of('a')).toBe(0);
    const went = await runOnce('s', { value: 8, go: true });
    expect(went.status).toBe('succeeded');
    expect((await rt.runs.list({ status: 'skipped' })).map((r) => [r.runId, r.skipped?.code])).toEqual([[skipped.runId, 'NOT_GO']]);
    await expect(rt.runs.replay(skipped.runId)).rejects.toThrow(/only failed or cancelled runs/);
  });

  it('follows only the port a routing node chose and skips the other branch', async () => {
    await publish(
      flow(
        'r',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'route', type: 'test.router' },
          { id: 'big', type: 'test.add', config: { n: 0 } },
          { id: 'small', type: 'test.add', config: { n: 0 } },
          { id: 'after', type: 'test.add', config: { n: 1 } },
        ],
        ['t->route', 'route:big->big', 'route:small->small', 'small->after'],
      ),
    );
    const run = await runOnce('r', { value: 50 });
    const status = Object.fromEntries(run.steps.map((s) => [s.nodeId, s.status]));
    expect(status).toEqual({ t: 'succeeded', route: 'succeeded', big: 'succeeded', small: 'skipped', after: 'skipped' });
    expect(calls.of('small')).toBe(0);
  });

  it('retries a transient failure with backoff and records the attempts', async () => {
    await publish(
      flow(
        'x',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'f', type: 'test.flaky', config: { succeedOn: 3 }, retry: { maxAttempts: 5, initialDelayMs: 5 } },
        ],
        ['t->f'],
      ),
    );
    const run = await runOnce('x', { ok: true });
    expect(run.status).toBe('succeeded');
    expect(run.steps[1]!.attempts).toBe(3);
    expect(calls.of('f')).toBe(3);
  });

  it('fails the run when retries are exhausted and keeps the error with the node id', async () => {
    await publish(
      flow(
        'x',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'f', type: 'test.flaky', config: { succeedOn: 99 }, retry: { maxAttempts: 2, initialDelayMs: 1 } },
        ],
        ['t->f'],
      ),
    );
    const run = await runOnce('x', {});
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'f', class: 'transient', message: 'flaky failure on attempt 2' });
    expect(calls.of('f')).toBe(2);
  });

  it('a run is in flight until its asynchronous run listeners settle: drain() waits for them; a failing one is only logged', async () => {
    await publish(
      flow(
        'x',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'f', type: 'test.flaky', config: { succeedOn: 99 }, retry: { maxAttempts: 1, initialDelayMs: 1 } },
        ],
        ['t->f'],
      ),
    );
    const heard: string[] = [];
    rt.events.on('run', async (e: { runId: string; status: string }) => {
      await new Promise((r) => setTimeout(r, 50));
      heard.push(`${e.status}:${(await rt.runs.get(e.runId)).status}`);
    });
    rt.events.on('run', async () => Promise.reject(new Error('a listener that fails')));
    rt.events.on('run', () => {
      throw new Error('a listener that throws');
    });
    const run = await runOnce('x', {});
    expect(run.status).toBe('failed');
    expect(heard).toEqual(['failed:failed']);
  });

  it('logs a run that failed as a warning and one that succeeded at debug only (an info line per run was ≈ 3 % of its CPU)', async () => {
    await rt.close();
    const lines: { level: string; msg?: string; obj: object | string }[] = [];
    const at = (level: string) => (obj: object | string, msg?: string) => lines.push({ level, obj, msg });
    await boot({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
    await publish(flow('ok', [{ id: 't', type: 'trigger.manual' }], []));
    await publish(
      flow(
        'bad',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'f', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
        ],
        ['t->f'],
      ),
    );
    const ok = await runOnce('ok', {});
    const bad = await runOnce('bad', {});
    const about = (runId: string) =>
      lines.filter((l) => typeof l.obj === 'object' && (l.obj as { runId?: string }).runId === runId && l.msg?.startsWith('run '));
    expect(about(ok.runId)).toEqual([expect.objectContaining({ level: 'debug', msg: 'run succeeded' })]);
    expect(about(bad.runId)).toEqual([expect.objectContaining({ level: 'warn', msg: 'run failed' })]);
  });

  it('does not retry a permanent failure', async () => {
    await publish(
      flow(
        'x',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'f', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
        ],
        ['t->f'],
      ),
    );
    const run = await runOnce('x', {});
    expect(run.status).toBe('failed');
    expect(calls.of('f')).toBe(1);
  });

  it('does not re-run a non-idempotent node after an ambiguous failure', async () => {
    await publish(
      flow(
        'p',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'post', type: 'test.post', config: { failWith: 'ambiguous', failTimes: 1 } },
        ],
        ['t->post'],
      ),
    );
    const run = await runOnce('p', { order: 1 });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ class: 'ambiguous', nodeId: 'post' });
    expect(calls.of('post')).toBe(1);
  });

  it('retries a non-idempotent node after a transient (pre-send) failure', async () => {
    await publish(
      flow(
        'p',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'post', type: 'test.post', config: { failWith: 'transient', failTimes: 1 }, retry: { initialDelayMs: 1 } },
        ],
        ['t->post'],
      ),
    );
    const run = await runOnce('p', { order: 1 });
    expect(run.status).toBe('succeeded');
    expect(calls.of('post')).toBe(2);
  });

  it('replays a failed run from the failed step, keeping the outputs before it', async () => {
    const doc = flow(
      'rp',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
        { id: 'f', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
        { id: 'b', type: 'test.add', config: { n: 1 } },
      ],
      ['t->a', 'a->f', 'f->b'],
    );
    await publish(doc);
    const failed = await runOnce('rp', { value: 1 });
    expect(failed.status).toBe('failed');
    expect(failed.steps.find((s) => s.nodeId === 'b')).toBeUndefined();
    // The fix: a new published version where the failing node succeeds.
    doc.nodes[2]!.config = { succeedOn: 1 };
    await rt.flows.updateDraft('rp', doc);
    await rt.flows.publish('rp', { message: 'fix' });
    const replay = await rt.runs.replay(failed.runId);
    expect(replay.flowVersion).toBe(2);
    expect(replay.reused).toEqual(['t', 'a']);
    await rt.drain();
    const run = await rt.runs.get(replay.runId);
    expect(run.status).toBe('succeeded');
    expect(run.replayOf).toBe(failed.runId);
    expect(run.steps.find((s) => s.nodeId === 'a')!.reusedFrom).toBe(failed.runId);
    expect(run.steps.find((s) => s.nodeId === 'b')!.output).toEqual({ value: 3 });
    expect(calls.of('a')).toBe(1);
  });

  it('commits flow state with the step that wrote it, not when the step fails', async () => {
    await publish(
      flow(
        's',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'c', type: 'test.cursor' },
        ],
        ['t->c'],
      ),
    );
    await runOnce('s', {});
    await runOnce('s', {});
    const doc = flow(
      's2',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'c', type: 'test.cursor', config: { fail: true } },
      ],
      ['t->c'],
    );
    await publish(doc);
    await runOnce('s2', {});
    const get = async (f: string) => (await rawRow<{ value: string }>(rt.store, `SELECT value FROM flow_state WHERE flow_id = ? AND key = 'n'`, f))?.value;
    expect(await get('s')).toBe('2');
    expect(await get('s2')).toBeUndefined();
  });

  it('stores a repeat delivery once and starts nothing for it', async () => {
    await publish(
      flow(
        'd',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['t->a'],
      ),
    );
    const target = [{ flowId: 'd', version: 1 }];
    const first = await rt.queue.ingest({ source: 'shopify:shop', dedupKey: 'evt-1', payload: { value: 1 }, targets: target });
    const again = await rt.queue.ingest({ source: 'shopify:shop', dedupKey: 'evt-1', payload: { value: 1 }, targets: target });
    await rt.drain();
    expect(again).toEqual({ eventId: first.eventId, duplicate: true, runIds: [] });
    expect(calls.of('a')).toBe(1);
  });

  it('finds runs by business key and status', async () => {
    await publish(
      flow(
        'k',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['t->a'],
      ),
    );
    await rt.queue.ingest({ source: 'm', payload: { value: 1 }, targets: [{ flowId: 'k', version: 1 }], keys: { shopifyOrderId: 'gid://shopify/Order/1' } });
    await rt.queue.ingest({ source: 'm', payload: { value: 2 }, targets: [{ flowId: 'k', version: 1 }], keys: { shopifyOrderId: 'gid://shopify/Order/2' } });
    await rt.drain();
    const found = await rt.runs.list({ key: { key: 'shopifyOrderId', value: 'gid://shopify/Order/2' } });
    expect(found).toHaveLength(1);
    expect((await rt.runs.get(found[0]!.runId)).steps[1]!.output).toEqual({ value: 3 });
    expect(await rt.runs.list({ flowId: 'k', status: 'succeeded' })).toHaveLength(2);
  });

  it('prunes old finished runs and keeps the store bounded', async () => {
    await publish(
      flow(
        'o',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['t->a'],
      ),
    );
    for (let i = 0; i < 5; i++) await rt.queue.ingest({ source: 'm', payload: { value: i }, targets: [{ flowId: 'o', version: 1 }] });
    await rt.drain();
    expect((await rt.prune()).runs).toBe(0);
    const pruned = await (await import('./retention.ts')).pruneRuns(rt.store, { maxRuns: 2 });
    expect(pruned.runs).toBe(3);
    expect(await rt.runs.list()).toHaveLength(2);
    expect(await rawCount(rt.store, 'SELECT COUNT(*) AS n FROM steps')).toBe(4);
  });
});

// FlowStore's own tests (versions, roll back, activation for routing) are in flow-store.test.ts, on both stores.

describe('redaction', () => {
  it('stores step outputs and errors through the host redactor', async () => {
    await rt.close();
    const types = [...coreNodes, ...testNodes(calls)];
    rt = await testRuntime({
      dataDir: tmp.dir,
      lookup: (t) => types.find((x) => x.type === t),
      sandbox: noSandbox,
      worker: { pollMs: 10 },
      redact: (t) => t.split('s3cret-token').join('[redacted]'),
    });
    rt.start();
    await publish(
      flow(
        'sec',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'p', type: 'test.post' },
        ],
        ['t->p'],
      ),
    );
    const run = await runOnce('sec', { auth: 'Bearer s3cret-token' });
    expect(JSON.stringify(await rawRow(rt.store, `SELECT output FROM steps WHERE run_id = ? AND node_id = 'p'`, run.runId))).not.toContain('s3cret-token');
    expect(run.steps[1]!.output).toEqual({ posted: { auth: 'Bearer [redacted]' }, key: null });
  });
});

describe('idempotency keys', () => {
  it('reads a plain property path without the sandbox and passes the key to the node', async () => {
    await publish(
      flow(
        'ik',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'p', type: 'test.post', idempotencyKey: 'trigger.order.id' },
        ],
        ['t->p'],
      ),
    );
    const run = await runOnce('ik', { order: { id: 'gid://shopify/Order/7' } });
    expect(run.status).toBe('succeeded');
    expect(run.steps[1]!.output).toMatchObject({ key: 'ik:p:gid://shopify/Order/7' });
  });

  it('fails the step when the key is empty, instead of posting without one', async () => {
    await publish(
      flow(
        'ik2',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'p', type: 'test.post', idempotencyKey: 'trigger.order.id' },
        ],
        ['t->p'],
      ),
    );
    const run = await runOnce('ik2', { order: {} });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'p', message: expect.stringMatching(/idempotency key expression of node "p" gave an empty value/) });
    expect(calls.of('p')).toBe(0);
  });
});
