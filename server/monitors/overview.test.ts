import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runsMonitor } from '../../nodes/monitor/runs.ts';
import { webhookSilenceMonitor } from '../../nodes/monitor/webhook-silence.ts';
import { flow, testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true, extraNodes: [runsMonitor, webhookSilenceMonitor] });
});
afterEach(() => t.close());

const every5 = { cron: '*/5 * * * *', timezone: 'UTC' };

async function create(doc: ReturnType<typeof flow>, activate: boolean) {
  expect((await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc })).status).toBe(201);
  expect((await t.json('POST', `/api/flows/${doc.id}/publish`, { token: t.tokens.consultant, body: { message: 'v1' } })).status).toBe(201);
  if (activate) expect((await t.json('POST', `/api/flows/${doc.id}/activate`, { token: t.tokens.consultant, body: {} })).status).toBe(200);
}

describe('GET /api/monitors', () => {
  it('lists each monitor with what it watches, thresholds, schedule, state, last check and last firing, and the monitors per flow', async () => {
    const rt = t.server.runtime;
    await create(
      flow(
        'orders',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'post', type: 'test.flaky', config: { succeedOn: 99, errorClass: 'permanent' } },
        ],
        ['t->post'],
      ),
      true,
    );
    await create(
      flow(
        'other',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 1 } },
        ],
        ['t->a'],
      ),
      true,
    );
    const watchFlow = flow(
      'watch',
      [
        { id: 'tick', type: 'trigger.schedule', config: every5 },
        { id: 'runs', type: 'monitor.runs', config: { failedThreshold: 2, windowMinutes: 60, flows: ['orders'] } },
      ],
      ['tick->runs'],
    );
    Object.assign(watchFlow.nodes[1]!, { name: 'Order failures' });
    await create(watchFlow, true);
    await create(
      flow(
        'all',
        [
          { id: 'tick', type: 'trigger.schedule', config: every5 },
          { id: 'runs', type: 'monitor.runs', config: { failedThreshold: 2 } },
        ],
        ['tick->runs'],
      ),
      true,
    );
    await create(
      flow(
        'quiet',
        [
          { id: 'tick', type: 'trigger.schedule', config: every5 },
          { id: 'silence', type: 'monitor.webhook-silence', config: { source: 'webhook:other', silentMinutes: 45 } },
        ],
        ['tick->silence'],
      ),
      false,
    );

    let o = (await t.json('GET', '/api/monitors', { token: t.tokens.viewer })).body;
    const watch = () => o.monitors.find((m: { flowId: string }) => m.flowId === 'watch');
    expect(o.monitors.map((m: { flowId: string; nodeId: string }) => `${m.flowId}/${m.nodeId}`).sort()).toEqual(['all/runs', 'quiet/silence', 'watch/runs']);
    expect(watch()).toMatchObject({
      name: 'Order failures',
      type: 'monitor.runs',
      active: true,
      version: 1,
      state: 'not-run',
      open: 0,
      lastCheck: null,
      lastFired: null,
      watches: 'Failed and stuck runs of orders',
      raises: ['failed-run', 'stuck-run'],
      flows: ['orders'],
      schedule: { cron: '*/5 * * * *', every: 'Every 5 minutes', next: expect.any(String) },
    });
    // Config defaults are applied: the stuck threshold the node really uses is shown.
    expect(watch().thresholds).toEqual([
      { label: 'Failed runs', value: '2 or more unfixed failures within 60 min' },
      { label: 'Stuck run', value: "in progress over 5× the flow's usual (p95) time, and at least 15 min" },
    ]);
    expect(o.monitors.find((m: { flowId: string }) => m.flowId === 'quiet')).toMatchObject({
      state: 'inactive',
      watches: 'Events from webhook:other',
      thresholds: [{ label: 'Silence', value: expect.stringMatching(/^no event for 45 min during trading hours \(Mon–Fri 09:00–18:00 UTC\)$/) }],
    });
    expect(o.flows).toEqual([
      {
        flowId: 'orders',
        name: 'orders',
        active: true,
        monitors: [
          { key: 'watch/runs', state: 'not-run', open: 0 },
          { key: 'all/runs', state: 'not-run', open: 0 },
        ],
      },
      {
        flowId: 'other',
        name: 'other',
        active: true,
        monitors: [
          { key: 'all/runs', state: 'not-run', open: 0 },
          { key: 'quiet/silence', state: 'inactive', open: 0 },
        ],
      },
    ]);

    // The monitors also run on their */5 schedule: a tick between the failures and run-now would raise first (run-now
    // then finds the exception open, newly raising nothing). Close to a tick, the failures wait until it has run.
    const intoPeriod = Date.now() % 300_000;
    if (intoPeriod > 280_000) await new Promise((r) => setTimeout(r, 300_000 - intoPeriod + 3_000));
    // Two failed orders: the next check fires.
    for (const value of [1, 2]) await rt.queue.ingest({ source: 'manual', payload: { value }, targets: [{ flowId: 'orders', version: 1 }] });
    await rt.drain(10_000);
    // Another flow's failures are not this monitor's (it watches orders only).
    await t.server.deps.exceptions.raise({ type: 'failed-run', key: 'rate:other', title: 'other fails', links: { flowId: 'other' } });
    const now = await t.json('POST', '/api/flows/watch/run-now', { token: t.tokens.operator });
    expect(now.status).toBe(201);
    await rt.drain(10_000);
    o = (await t.json('GET', '/api/monitors', { token: t.tokens.operator })).body;
    expect(watch()).toMatchObject({
      state: 'firing',
      open: 1,
      lastCheck: { runId: now.body.runId, status: 'succeeded', found: 1, newlyRaised: 1, cleared: 0, at: expect.any(Number) },
      lastFired: { type: 'failed-run', state: 'open', title: '2 of 2 runs of orders failed in the last 60 min', at: expect.any(Number) },
    });
    // The catch-all runs monitor fires for orders (and clears the other flow's cause, which has no failed run); firing
    // for orders is not firing for the other flow it covers.
    const all = await t.json('POST', '/api/flows/all/run-now', { token: t.tokens.operator });
    await rt.drain(10_000);
    o = (await t.json('GET', '/api/monitors', { token: t.tokens.operator })).body;
    const of = (id: string) => o.flows.find((f: { flowId: string }) => f.flowId === id).monitors;
    expect(o.monitors.find((m: { flowId: string }) => m.flowId === 'all')).toMatchObject({
      state: 'firing',
      open: 1,
      lastCheck: { runId: all.body.runId, found: 1, cleared: 1 },
    });
    expect(of('orders')).toEqual([
      { key: 'watch/runs', state: 'firing', open: 1 },
      { key: 'all/runs', state: 'firing', open: 1 },
    ]);
    expect(of('other')).toEqual([
      { key: 'all/runs', state: 'ok', open: 0 },
      { key: 'quiet/silence', state: 'inactive', open: 0 },
    ]);

    // Resolved, it is ok again, and still says when it last fired.
    await t.server.deps.exceptions.clear('failed-run', 'rate:orders', 'fixed');
    o = (await t.json('GET', '/api/monitors', { token: t.tokens.operator })).body;
    expect(watch()).toMatchObject({ state: 'ok', open: 0, lastFired: { type: 'failed-run', state: 'resolved' } });
  }, 60_000);

  it('is refused to the client role, like the page', async () => {
    expect((await t.json('GET', '/api/monitors', { token: t.tokens.client })).status).toBe(403);
  });
});
