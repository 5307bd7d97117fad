// What the monitors read of the runtime's runs, steps and events, and the samples they record, on every store dialect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { events, runKeys, runs, steps } from '../../../runtime/store/schema.ts';
import { testStores, type TestStore } from '../../../runtime/testing/stores.ts';
import { StoreMonitorHost } from './monitoring.ts';
import { monitorSamples } from './schema.ts';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

describe.each(testStores())('monitor host on $name', (kind) => {
  let store: TestStore;
  let host: StoreMonitorHost;
  beforeEach(async () => {
    store = await kind.open();
    host = new StoreMonitorHost(store, () => NOW);
    const s = store.sql({ events, runs, steps });
    const { events: e, runs: r, steps: st } = s.tables;
    await s.db.insert(e).values([
      { id: 'ev1', source: 'shopify:main', payload: '{}', receivedAt: NOW - 30 * MIN },
      { id: 'ev2', source: 'shopify:main', payload: '{}', receivedAt: NOW - 5 * MIN },
    ]);
    const run = (id: string, flowId: string, status: string, createdAt: number, more: Partial<typeof runs.$inferInsert> = {}) => ({
      id,
      flowId,
      flowVersion: 1,
      eventId: 'ev1',
      status,
      availableAt: createdAt,
      createdAt,
      ...more,
    });
    await s.db.insert(r).values([
      // orders: three quick successes, one failure replayed successfully, one failure not (the last one).
      run('run_a1', 'orders', 'succeeded', NOW - 50 * MIN, { startedAt: NOW - 50 * MIN, finishedAt: NOW - 50 * MIN + 1000 }),
      run('run_a2', 'orders', 'succeeded', NOW - 49 * MIN, { startedAt: NOW - 49 * MIN, finishedAt: NOW - 49 * MIN + 3000 }),
      run('run_a3', 'orders', 'failed', NOW - 48 * MIN),
      run('run_a4', 'orders', 'succeeded', NOW - 47 * MIN, { replayOf: 'run_a3', startedAt: NOW - 47 * MIN, finishedAt: NOW - 47 * MIN + 2000 }),
      run('run_a5', 'orders', 'failed', NOW - 46 * MIN),
      run('run_a6', 'orders', 'running', NOW - 40 * MIN, { startedAt: NOW - 40 * MIN }),
      // stock: queued, one due and one not yet.
      run('run_b1', 'stock', 'queued', NOW - 10 * MIN),
      run('run_b2', 'stock', 'queued', NOW + 10 * MIN),
      run('run_old', 'stock', 'failed', NOW - 600 * MIN),
    ]);
    await s.db.insert(st).values([
      { runId: 'run_a3', nodeId: 'erp', status: 'failed', error: JSON.stringify({ code: 'RATE_LIMITED', message: 'slow down' }), startedAt: NOW - 48 * MIN },
      { runId: 'run_a5', nodeId: 'erp', status: 'failed', error: JSON.stringify({ code: 'RATE_LIMITED' }), finishedAt: NOW - 46 * MIN },
      { runId: 'run_a2', nodeId: 'erp', status: 'succeeded', error: JSON.stringify({ code: 'ERP_TIMEOUT' }), finishedAt: NOW - 49 * MIN },
    ]);
  });
  afterEach(async () => {
    await store.close();
  });

  it('runs in progress, usual durations, failures no replay fixed, step errors by code, the last event', async () => {
    expect(await host.inProgress()).toEqual([
      { runId: 'run_a6', flowId: 'orders', status: 'running', since: NOW - 40 * MIN },
      { runId: 'run_b1', flowId: 'stock', status: 'queued', since: NOW - 10 * MIN },
    ]);
    const d = await host.durations(['orders', 'stock', 'orders']);
    expect([...d.values()]).toEqual([
      { flowId: 'orders', samples: 3, p95Ms: 3000 },
      { flowId: 'stock', samples: 0, p95Ms: null },
    ]);
    expect(await host.failures(NOW - 60 * MIN)).toEqual([{ flowId: 'orders', failed: 1, total: 6, lastRunId: 'run_a5' }]);
    expect(await host.stepErrors(['RATE_LIMITED'], NOW - 60 * MIN)).toEqual([
      { flowId: 'orders', nodeId: 'erp', code: 'RATE_LIMITED', count: 2, last: NOW - 46 * MIN },
    ]);
    expect(await host.stepErrors([], NOW - 60 * MIN)).toEqual([]);
    expect(await host.lastEventAt('shopify:main')).toBe(NOW - 5 * MIN);
    expect(await host.lastEventAt('shopify:other')).toBeNull();
  });

  it("finds an order's runs by its key, newest first", async () => {
    const s = store.sql({ runKeys });
    await s.db.insert(s.tables.runKeys).values([
      { runId: 'run_a3', key: 'shopifyOrderId', value: 'gid://shopify/Order/7' },
      { runId: 'run_a4', key: 'shopifyOrderId', value: 'gid://shopify/Order/7' },
      { runId: 'run_a5', key: 'shopifyOrderId', value: 'gid://shopify/Order/8' },
      { runId: 'run_a4', key: 'shopifyRefundId', value: 'gid://shopify/Order/7' },
    ]);
    expect(await host.runsOf('shopifyOrderId', 'gid://shopify/Order/7')).toEqual([
      { runId: 'run_a4', flowId: 'orders', status: 'succeeded', createdAt: NOW - 47 * MIN },
      { runId: 'run_a3', flowId: 'orders', status: 'failed', createdAt: NOW - 48 * MIN },
    ]);
    expect(await host.runsOf('shopifyOrderId', 'gid://shopify/Order/9')).toEqual([]);
  });

  it('records samples', async () => {
    await host.sample('inventory.drift.skus', 3, { shopify: 'a' });
    await host.sample('inventory.drift.units', '12.5', undefined, NOW - MIN);
    const s = store.sql({ monitorSamples });
    const rows = await s.db.select().from(s.tables.monitorSamples).orderBy(s.tables.monitorSamples.at);
    expect(rows).toEqual([
      { name: 'inventory.drift.units', at: NOW - MIN, value: '12.5', labels: null },
      { name: 'inventory.drift.skus', at: NOW, value: '3', labels: '{"shopify":"a"}' },
    ]);
  });
});
