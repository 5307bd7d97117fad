// The dashboard's figures from rows written straight into the store, on every dialect: what counts as succeeded,
// failed, idle and backlog; orders per hour from confirmed claims; exception counts per owner; drift sums.
import { describe, expect, it } from 'vitest';
import { businessClaims, events, flows, runs, steps } from '../../runtime/store/schema.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { exceptions, monitorSamples } from '../exceptions/store/schema.ts';
import { driftSeries, flowHealth, openExceptionsByOwner, ordersPerHour } from './queries.ts';

const H = 3_600_000;
const H0 = 480_000 * H; // an hour boundary

describe.each(testStores())('dashboard queries on $name', (kind) => {
  const fresh = freshStores(kind);

  it('flow health: finished runs in the window, idle scheduled runs apart, backlog and the last run', async () => {
    const store = await fresh();
    const { db, tables: t } = store.sql({ flows, runs, events, steps });
    const flow = (id: string, name: string, active: boolean) => ({ id, name, active, draft: '{}', draftUpdatedAt: H0, createdAt: H0 });
    await db.insert(t.flows).values([flow('orders', 'Orders', true), flow('nightly', 'Nightly', false), flow('__test.orders', 'Test', true)]);
    await db.insert(t.events).values([
      { id: 'hook', source: 'webhook', payload: '{}', receivedAt: H0 },
      { id: 'cron', source: 'schedule', payload: '{}', receivedAt: H0 },
    ]);
    const run = (id: string, flowId: string, eventId: string, status: string, createdAt: number) => ({
      id,
      flowId,
      flowVersion: 1,
      eventId,
      status,
      availableAt: createdAt,
      createdAt,
      finishedAt: status === 'queued' ? null : createdAt + 10,
    });
    const since = H0 + H;
    await db.insert(t.runs).values([
      run('o-old', 'orders', 'hook', 'succeeded', since - 1), // before the window
      run('o-ok', 'orders', 'hook', 'succeeded', since + 1),
      run('o-bad', 'orders', 'hook', 'failed', since + 2),
      run('o-q', 'orders', 'hook', 'queued', since + 3),
      run('n-skip', 'nightly', 'cron', 'skipped', since + 1), // idle: skipped
      run('n-none', 'nightly', 'cron', 'succeeded', since + 2), // idle: a branch skipped the rest
      run('n-work', 'nightly', 'cron', 'succeeded', since + 3),
      run('t-bad', '__test.orders', 'hook', 'failed', since + 1),
    ]);
    await db.insert(t.steps).values([
      { runId: 'n-none', nodeId: 'post', status: 'skipped' },
      { runId: 'n-work', nodeId: 'post', status: 'succeeded' },
    ]);
    expect(await flowHealth(store, since)).toEqual([
      {
        flowId: 'nightly',
        name: 'Nightly',
        active: false,
        lastRun: { runId: 'n-work', status: 'succeeded', at: since + 13 },
        succeeded: 1,
        failed: 0,
        idle: 2,
        successRate: 1,
        backlog: 0,
      },
      {
        flowId: 'orders',
        name: 'Orders',
        active: true,
        lastRun: { runId: 'o-q', status: 'queued', at: since + 3 },
        succeeded: 1,
        failed: 1,
        idle: 0,
        successRate: 0.5,
        backlog: 1,
      },
    ]);
    // A window with no finished runs has no rate.
    expect((await flowHealth(store, since + 100)).map((f) => [f.flowId, f.successRate, f.succeeded, f.idle])).toEqual([
      ['nightly', null, 0, 0],
      ['orders', null, 0, 0],
    ]);
  });

  it('orders per hour: distinct confirmed sales orders by completion hour, test flows left out, empty hours zero', async () => {
    const store = await fresh();
    const { db, tables: t } = store.sql({ businessClaims });
    const claim = (key: string, flowId: string, state: string, completedAt: number | null) => ({
      key,
      runId: `r-${key}`,
      flowId,
      state,
      claimedAt: H0,
      completedAt,
    });
    await db.insert(t.businessClaims).values([
      claim('sales-order:s:1', 'orders', 'done', H0 + 60_000),
      claim('sales-order:s:2', 'orders', 'done', H0 + H - 1),
      claim('sales-order:s:3', 'backfill', 'done', H0 + H + 5),
      claim('sales-order:s:4', 'orders', 'claimed', null),
      claim('gift-card:s:5', 'orders', 'done', H0 + 10),
      claim('sales-order:s:6', '__test.orders', 'done', H0 + 10),
      claim('sales-order:s:7', 'orders', 'done', H0 + 3 * H), // past the range
    ]);
    const h = (n: number) => new Date(H0 + n * H).toISOString();
    expect(await ordersPerHour(store, H0, H0 + 3 * H)).toEqual([
      { hour: h(0), orders: 2 },
      { hour: h(1), orders: 1 },
      { hour: h(2), orders: 0 },
    ]);
    expect(await ordersPerHour(store, H0, H0 + 2 * H, 'backfill')).toEqual([
      { hour: h(0), orders: 0 },
      { hour: h(1), orders: 1 },
    ]);
  });

  it('unresolved exceptions per owner and state, high severity counted apart', async () => {
    const store = await fresh();
    const { db, tables: t } = store.sql({ exceptions });
    const ex = (id: string, owner: string, state: string, severity: string) => ({
      id,
      type: 'failed-run',
      key: id,
      title: id,
      severity,
      owner,
      state,
      firstSeen: H0,
      lastSeen: H0,
    });
    await db
      .insert(t.exceptions)
      .values([
        ex('a', 'finance', 'open', 'high'),
        ex('b', 'finance', 'open', 'high'),
        ex('c', 'finance', 'acknowledged', 'low'),
        ex('d', 'operations', 'open', 'medium'),
        ex('e', 'ecommerce', 'resolved', 'high'),
        ex('f', 'nobody', 'open', 'high'),
      ]);
    expect(await openExceptionsByOwner(store)).toEqual({
      finance: { open: 2, acknowledged: 1, high: 2 },
      operations: { open: 1, acknowledged: 0, high: 0 },
      ecommerce: { open: 0, acknowledged: 0, high: 0 },
    });
  });

  it('drift series: samples summed over shops per check time, fractions kept', async () => {
    const store = await fresh();
    const { db, tables: t } = store.sql({ monitorSamples });
    await db.insert(t.monitorSamples).values([
      { name: 'inventory.drift.skus', at: H0, value: '2', labels: '{"shop":"a"}' },
      { name: 'inventory.drift.skus', at: H0, value: '1', labels: '{"shop":"b"}' },
      { name: 'inventory.drift.units', at: H0, value: '5.5', labels: '{"shop":"a"}' },
      { name: 'inventory.drift.units', at: H0, value: '4', labels: '{"shop":"b"}' },
      { name: 'inventory.drift.skus', at: H0 + H, value: '0' },
      { name: 'runs.failed', at: H0, value: '7' },
      { name: 'inventory.drift.skus', at: H0 + 2 * H, value: '9' }, // past the range
    ]);
    expect(await driftSeries(store, H0, H0 + 2 * H)).toEqual([
      { at: H0, skus: 3, units: 9.5 },
      { at: H0 + H, skus: 0, units: 0 },
    ]);
  });
});
