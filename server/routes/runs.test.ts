import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flow, testServer, waitFor, type TestServer } from '../testing.ts';
import { rawRows } from '../../runtime/testing/raw.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
  const rt = t.server.runtime;
  await rt.flows.create(
    flow(
      'f',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'test.add', config: { n: 1 } },
        { id: 'x', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
      ],
      ['t->a', 'a->x'],
    ),
  );
  await rt.flows.publish('f', { activate: true });
});
afterEach(() => t.close());

describe('/api/runs', () => {
  it('lists with filters, shows steps with input/output/error/timing, replays from the failed step', async () => {
    const rt = t.server.runtime;
    await rt.queue.ingest({
      source: 'manual',
      payload: { value: 1 },
      targets: [{ flowId: 'f', version: 1 }],
      keys: { shopifyOrderId: 'gid://shopify/Order/1' },
    });
    await rt.queue.ingest({
      source: 'manual',
      payload: { value: 2 },
      targets: [{ flowId: 'f', version: 1 }],
      keys: { shopifyOrderId: 'gid://shopify/Order/2' },
    });
    await rt.drain();
    const tok = t.tokens.operator;
    const all = await t.json('GET', '/api/runs?flowId=f&status=failed', { token: tok });
    expect(all.body.runs).toHaveLength(2);
    const byKey = await t.json('GET', `/api/runs?key=${encodeURIComponent('shopifyOrderId:gid://shopify/Order/2')}`, { token: tok });
    expect(byKey.body.runs).toHaveLength(1);
    const since = await t.json('GET', `/api/runs?from=${new Date(Date.now() + 60_000).toISOString()}`, { token: tok });
    expect(since.body.runs).toHaveLength(0);
    expect((await t.json('GET', '/api/runs?from=yesterday', { token: tok })).status).toBe(400);
    const run = await t.json('GET', `/api/runs/${byKey.body.runs[0].runId}`, { token: tok });
    expect(run.body.keys).toEqual({ shopifyOrderId: 'gid://shopify/Order/2' });
    expect(run.body.steps.map((s: { nodeId: string; status: string }) => [s.nodeId, s.status])).toEqual([
      ['t', 'succeeded'],
      ['a', 'succeeded'],
      ['x', 'failed'],
    ]);
    expect(run.body.steps[1]).toMatchObject({ input: { value: 2 }, output: { value: 3 } });
    expect(run.body.steps[2].error).toBeTruthy();
    expect(typeof run.body.steps[1].durationMs).toBe('number');
    const replay = await t.json('POST', `/api/runs/${run.body.runId}/replay`, { token: tok, body: {} });
    expect(replay.status).toBe(201);
    expect(replay.body.reused).toEqual(['t', 'a']);
    await rt.drain();
    const again = await t.json('GET', `/api/runs/${replay.body.runId}`, { token: tok });
    expect(again.body.replayOf).toBe(run.body.runId);
    expect(again.body.steps[1].reusedFrom).toBe(run.body.runId);
    // Replaying a succeeded or running run is a conflict, not a crash.
    const conflict = await t.json('POST', `/api/runs/${all.body.runs[0].runId}/cancel`, { token: tok });
    expect(conflict.status).toBe(409);
    expect((await t.json('GET', '/api/runs/run_nope', { token: tok })).status).toBe(404);
  });

  it('previews a replay step by step, replays from the start or a chosen step, and names a bad option', async () => {
    const rt = t.server.runtime;
    const { runIds } = await rt.queue.ingest({ source: 'manual', payload: { value: 5 }, targets: [{ flowId: 'f', version: 1 }] });
    await rt.drain();
    const tok = t.tokens.operator;
    const preview = await t.json('POST', `/api/runs/${runIds[0]}/replay/preview`, { token: t.tokens.viewer, body: {} });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ runId: runIds[0], flowVersion: 1, from: 'failed', rerun: ['x'], reused: ['t', 'a'], confirm: [] });
    expect(preview.body.steps.map((s: { nodeId: string; action: string; reason: string }) => [s.nodeId, s.action, s.reason])).toEqual([
      ['t', 'reuse', 'nothing it depends on changed; its output is reused'],
      ['a', 'reuse', 'nothing it depends on changed; its output is reused'],
      ['x', 'rerun', 'it failed'],
    ]);
    const fromA = await t.json('POST', `/api/runs/${runIds[0]}/replay/preview`, { token: tok, body: { from: { step: 'a' } } });
    expect(fromA.body).toMatchObject({ from: 'step', fromStep: 'a', rerun: ['a', 'x'], reused: ['t'] });
    const bad = await t.json('POST', `/api/runs/${runIds[0]}/replay/preview`, { token: tok, body: { from: { step: 'zz' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('step "zz" is not in version 1 of flow "f"');
    expect((await t.json('POST', `/api/runs/${runIds[0]}/replay`, { token: tok, body: { from: 'middle' } })).status).toBe(400);
    const replay = await t.json('POST', `/api/runs/${runIds[0]}/replay`, { token: tok, body: { from: 'start' } });
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ reused: [], plan: { from: 'start', rerun: ['t', 'a', 'x'] } });
    await rt.drain();
    const again = await t.json('GET', `/api/runs/${replay.body.runId}`, { token: tok });
    expect(again.body.steps[1]).toMatchObject({ nodeId: 'a', output: { value: 6 }, reads: { flowVersion: 1, lookups: [] } });
    expect(again.body.steps[1].reusedFrom).toBeUndefined();
  });

  it('a replayed run names its replays, newest first, and the one that succeeded; the list marks it', async () => {
    const rt = t.server.runtime;
    const { runIds } = await rt.queue.ingest({ source: 'manual', payload: { value: 7 }, targets: [{ flowId: 'f', version: 1 }] });
    await rt.drain();
    const tok = t.tokens.operator;
    const failed = runIds[0]!;
    const never = await t.json('GET', `/api/runs/${failed}`, { token: tok });
    expect(never.body.status).toBe('failed');
    expect(never.body).not.toHaveProperty('replayedBy');
    // Replayed before the cause is fixed: the replay fails too.
    const first = (await t.json('POST', `/api/runs/${failed}/replay`, { token: tok, body: {} })).body.runId;
    await rt.drain();
    let run = await t.json('GET', `/api/runs/${failed}`, { token: tok });
    expect(run.body.replayedBy).toEqual([{ runId: first, status: 'failed', createdAt: expect.any(Number) }]);
    expect(run.body).not.toHaveProperty('replaySucceededBy');
    // The cause fixed (version 2 no longer fails at x), the next replay succeeds.
    await rt.flows.updateDraft(
      'f',
      flow(
        'f',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
          { id: 'x', type: 'test.flaky', config: { succeedOn: 1 } },
        ],
        ['t->a', 'a->x'],
      ),
    );
    await rt.flows.publish('f', { activate: true });
    const second = (await t.json('POST', `/api/runs/${failed}/replay`, { token: tok, body: {} })).body.runId;
    await rt.drain();
    run = await t.json('GET', `/api/runs/${failed}`, { token: tok });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('failed');
    expect(run.body.replayedBy.map((r: { runId: string; status: string }) => [r.runId, r.status])).toEqual([
      [second, 'succeeded'],
      [first, 'failed'],
    ]);
    expect(run.body.replaySucceededBy).toBe(second);
    // The first replay, which failed, was made good by the second, a replay of the same run: only the original is marked.
    expect((await t.json('GET', `/api/runs/${first}`, { token: tok })).body).not.toHaveProperty('replayedBy');
    const { runs } = (await t.json('GET', '/api/runs?flowId=f&status=failed', { token: tok })).body;
    expect(runs.map((r: { runId: string; replaySucceededBy?: string }) => [r.runId, r.replaySucceededBy])).toEqual([
      [first, undefined],
      [failed, second],
    ]);
    expect(runs[1].replayedBy).toHaveLength(2);
  });

  it('cancels a queued run', async () => {
    await t.server.runtime.worker.stop();
    const { runIds } = await t.server.runtime.queue.ingest({ source: 'manual', payload: { value: 1 }, targets: [{ flowId: 'f', version: 1 }] });
    const r = await t.json('POST', `/api/runs/${runIds[0]}/cancel`, { token: t.tokens.consultant });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('cancelled');
    await waitFor(() => true);
  });

  it('searches by order name or number, Shopify id, any key value and ERP document number, and pages by run id', async () => {
    const rt = t.server.runtime;
    await rt.flows.create(
      flow(
        'g',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'doc', type: 'test.add', config: { n: 1 } },
        ],
        ['t->doc'],
      ),
    );
    await rt.flows.publish('g', { activate: true });
    const ingest = async (value: unknown, keys: Record<string, string>) =>
      (await rt.queue.ingest({ source: 'manual', payload: { value }, targets: [{ flowId: 'g', version: 1 }], keys })).runIds[0];
    const a = await ingest(1, { shopifyOrderId: 'gid://shopify/Order/820982911946154508', shopifyOrderName: '#5007' });
    const b = await ingest(2, { shopifyRefundId: 'gid://shopify/Refund/509562969' });
    await rt.drain();
    // An ERP document number shows up in a step's output (here planted the way erp.post-sales-order writes it).
    await rawRows(rt.store, `UPDATE steps SET output = ? WHERE run_id = ? AND node_id = 'doc'`, JSON.stringify({ number: 'SO0042', externalId: 'x' }), b);
    const tok = t.tokens.operator;
    const ids = async (q: string) =>
      (await t.json('GET', `/api/runs?q=${encodeURIComponent(q)}`, { token: tok })).body.runs.map((r: { runId: string }) => r.runId);
    expect(await ids('#5007')).toEqual([a]);
    expect(await ids('5007')).toEqual([a]);
    expect(await ids('820982911946154508')).toEqual([a]);
    expect(await ids('gid://shopify/Order/820982911946154508')).toEqual([a]);
    expect(await ids('509562969')).toEqual([b]);
    expect(await ids('SO0042')).toEqual([b]);
    expect(await ids('SO004')).toEqual([]); // a document number matches whole, not as a prefix
    expect(await ids('%')).toEqual([]);
    // Paging: `before` is a run id; two pages of one cover both runs.
    const p1 = (await t.json('GET', '/api/runs?flowId=g&limit=1', { token: tok })).body.runs;
    const p2 = (await t.json('GET', `/api/runs?flowId=g&limit=1&before=${p1[0].runId}`, { token: tok })).body.runs;
    expect([p1[0].runId, p2[0].runId].sort()).toEqual([a, b].sort());
  });

  it('names what started each run, so one order’s orders/create and orders/paid runs can be told apart', async () => {
    const rt = t.server.runtime;
    const ingest = async (source: string, topic: string | undefined) =>
      (await rt.queue.ingest({ source, topic, payload: { value: 1 }, targets: [{ flowId: 'f', version: 1 }] })).runIds[0];
    const created = await ingest('shopify:shop', 'orders/create');
    const paid = await ingest('shopify:shop', 'orders/paid');
    const manual = await ingest('manual', undefined);
    await rt.drain();
    const runs = (await t.json('GET', '/api/runs?flowId=f', { token: t.tokens.operator })).body.runs as Array<{ runId: string; trigger?: unknown }>;
    const of = (id: string | undefined) => runs.find((r) => r.runId === id)?.trigger;
    expect(of(created)).toEqual({ source: 'shopify:shop', topic: 'orders/create' });
    expect(of(paid)).toEqual({ source: 'shopify:shop', topic: 'orders/paid' });
    expect(of(manual)).toEqual({ source: 'manual', topic: null });
  });
});
