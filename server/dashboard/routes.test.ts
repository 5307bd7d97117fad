// The dashboard API over a real runtime store: runs with order keys, exceptions, drift samples, and payouts
// reconciled by the real finance.reconcile-payouts template.
import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Runtime } from '../../runtime/index.ts';
import { testRuntime } from '../../runtime/testing/runtime.ts';
import { defineNode, NodeError, route, type NodeServices } from '../../runtime/node-api.ts';
import { flow, tempDir, noSandbox } from '../../runtime/testing/fixtures.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { createExceptionService } from '../exceptions/store/index.ts';
import { createSandboxErp, type SandboxErp } from '../../nodes/erp/index.ts';
import { startHarness, type Harness } from '../../nodes/finance/testing/harness.ts';
import { erpMemo, erpOrder, ORDERS, REFUNDS, shopifyScenario } from '../../nodes/finance/testing/scenario-month.ts';
import { dashboardRoutes } from './routes.ts';

const post = defineNode({
  type: 'test.post',
  version: 1,
  title: 'Post',
  category: 'erp',
  description: 'fails when the payload says so',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: async (c, i: { n?: number; fail?: boolean }) => {
    if (i.fail) throw new NodeError('Sandbox ERP: rejected', { errorClass: 'permanent', code: 'ERP_VALIDATION', details: { erp: 'sandbox' } });
    // As erp.post-sales-order does: the order's business key is claimed, and completed with the ERP's document.
    if (i.n !== undefined && c.claims) {
      const key = `sales-order:test.myshopify.com:gid://shopify/Order/${i.n}`;
      if ((await c.claims.claim(key)).state === 'claimed') await c.claims.complete(key, `SO${i.n}`);
    }
    return i;
  },
});

/** A branch without the JavaScript sandbox: routes to `true` when the input asks for work. */
const when = defineNode({
  type: 'test.when',
  version: 1,
  title: 'When',
  category: 'core',
  description: 'routes on whether the schedule asks for work',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'true' }, { id: 'false' }],
  idempotent: true,
  sampleOutput: {},
  execute: (_c, i: { scheduledFor?: string }) => route(i.scheduledFor?.endsWith('work') ? 'true' : 'false', i),
});

let rt: Runtime | undefined;
let tmp: ReturnType<typeof tempDir> | undefined;
let fin: Harness | undefined;
let erp: SandboxErp | undefined;
afterEach(async () => {
  await rt?.close();
  tmp?.cleanup();
  await fin?.close();
  await erp?.close();
  rt = tmp = fin = erp = undefined;
});

const get = async (app: Hono, path: string) => {
  const res = await app.request(`/api/dashboard${path}`);
  return { status: res.status, body: (await res.json()) as any };
};

describe('dashboard API', () => {
  it('per flow last run, success rate, backlog; open exceptions by owner; orders per hour; drift over time', async () => {
    tmp = tempDir();
    const clock = { now: Date.parse('2026-11-25T10:30:00Z') };
    const services: NodeServices = {};
    const types = [...coreNodes, post, when];
    rt = await testRuntime({
      dataDir: tmp.dir,
      lookup: (t) => types.find((x) => x.type === t),
      sandbox: noSandbox,
      services,
      worker: { pollMs: 5 },
      now: () => clock.now,
    });
    const svc = createExceptionService(rt.store, rt, { now: () => clock.now });
    services.exceptions = svc;
    rt.start();
    await rt.flows.create(
      flow(
        'o2e',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'p', type: 'test.post' },
        ],
        ['t->p'],
      ),
    );
    await rt.flows.publish('o2e', { activate: true });
    await rt.flows.create(
      flow(
        'idle',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'p', type: 'test.post' },
        ],
        ['t->p'],
      ),
    );

    const order = async (n: number, fail = false) => {
      await rt!.queue.ingest({
        source: 'manual',
        payload: { n, fail },
        targets: [{ flowId: 'o2e', version: 1 }],
        keys: { shopifyOrderId: `gid://shopify/Order/${n}` },
      });
      await rt!.drain();
    };
    await order(1);
    await order(2);
    await order(2); // the same order again: counted once
    // Another flow's run succeeds on an order without posting it (as the gift-card flow does): not an order synced.
    await rt.flows.create(
      flow(
        'gift',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'b', type: 'test.when' },
        ],
        ['t->b'],
      ),
    );
    await rt.flows.publish('gift', { activate: true });
    await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'gift', version: 1 }], keys: { shopifyOrderId: 'gid://shopify/Order/99' } });
    await rt.drain();
    clock.now += 3_600_000; // 11:30
    await order(3);
    await order(4, true);
    await svc.raise({ type: 'payout-variance', key: 'p1', title: 'variance' });
    const ack = await svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'drift', severity: 'low' });
    await svc.acknowledge(ack.id, 'ops@shop.test');
    await svc.monitoring.sample('inventory.drift.skus', 2, { shopify: 'a' }, clock.now - 60_000);
    await svc.monitoring.sample('inventory.drift.units', 9, { shopify: 'a' }, clock.now - 60_000);
    await svc.monitoring.sample('inventory.drift.skus', 1, { shopify: 'b' }, clock.now - 60_000);
    await svc.monitoring.sample('inventory.drift.skus', 0, { shopify: 'a' }, clock.now);
    // A scheduled poll: twice it finds nothing (the branch skips the post), once it posts; only that one counts.
    await rt.flows.create(
      flow(
        'poll',
        [
          { id: 't', type: 'trigger.schedule', config: { cron: '*/5 * * * *' } },
          { id: 'b', type: 'test.when' },
          { id: 'p', type: 'test.post' },
        ],
        ['t->b', 'b:true->p'],
      ),
    );
    await rt.flows.publish('poll', { activate: true });
    for (const at of ['10:35', '10:40', '10:45 work']) {
      await rt.queue.ingest({ source: 'schedule', payload: { scheduledFor: at, firedAt: at }, targets: [{ flowId: 'poll', version: 1 }] });
      await rt.drain();
    }
    // The last run stays queued (the backlog): the worker stops first, or it may claim the run between the ingest and
    // its stop (seen on PostgreSQL, where the claim came before the stop and the run succeeded).
    await rt.worker.stop();
    await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'o2e', version: 1 }], keys: {} });

    const app = new Hono().route('/api/dashboard', dashboardRoutes(rt.store, { now: () => clock.now }));
    const s = await get(app, '/summary?windowHours=24');
    expect(s.status).toBe(200);
    const o2e = s.body.flows.find((f: any) => f.flowId === 'o2e');
    expect(o2e).toMatchObject({ succeeded: 4, failed: 1, idle: 0, successRate: 0.8, backlog: 1, active: true, lastRun: { status: 'queued' } });
    expect(s.body.flows.find((f: any) => f.flowId === 'poll')).toMatchObject({ succeeded: 1, failed: 0, idle: 2, successRate: 1 });
    expect(s.body.flows.find((f: any) => f.flowId === 'idle')).toMatchObject({ lastRun: null, successRate: null, backlog: 0, active: false });
    expect(s.body.exceptionsByOwner).toEqual({
      finance: { open: 1, acknowledged: 0, high: 1 },
      operations: { open: 1, acknowledged: 1, high: 1 },
      ecommerce: { open: 0, acknowledged: 0, high: 0 },
    });
    // operations' open one is the erp-rejected the failed order run raised.
    expect((await svc.list({ owner: 'operations', state: 'open' })).items.map((e) => e.type)).toEqual(['erp-rejected']);

    const orders = await get(app, '/series/orders?hours=3');
    expect(orders.body.points).toEqual([
      { hour: '2026-11-25T09:00:00.000Z', orders: 0 },
      { hour: '2026-11-25T10:00:00.000Z', orders: 2 },
      { hour: '2026-11-25T11:00:00.000Z', orders: 1 },
    ]);
    const drift = await get(app, '/series/drift?days=1');
    expect(drift.body.points).toEqual([
      { at: clock.now - 60_000, skus: 3, units: 9 },
      { at: clock.now, skus: 0, units: 0 },
    ]);
    expect((await get(app, '/series/orders?hours=0')).status).toBe(400);
    svc.detach();
  });

  it('payouts reconciled per month come from the finance reconciliation outputs', async () => {
    erp = createSandboxErp();
    for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
    for (const r of REFUNDS.slice(1)) await erp.createCreditMemo(erpMemo(r)); // one refund left unposted: that payout stays unbalanced
    fin = await startHarness(shopifyScenario(), erp);
    await fin.runOnce();
    await fin.runOnce();
    const app = new Hono().route('/api/dashboard', dashboardRoutes(fin.rt.store));
    const p = await get(app, '/series/payouts');
    expect(p.status).toBe(200);
    expect(p.body.points).toHaveLength(1);
    const m = p.body.points[0];
    expect(m.month).toBe('2026-11');
    expect(m.payouts).toBe(2);
    expect(m.reconciled + m.unbalanced + m.waiting).toBe(2);
    expect(m.unbalanced).toBeGreaterThanOrEqual(1);
  });
});
