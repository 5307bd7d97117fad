// The flow history the designer's tools read and clear, on every dialect: the events a dry run tries a change on
// (the latest outcome per event, one event per Shopify object) and clearing a flow's finished test runs.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, runKeys, runs, steps } from '../../runtime/store/schema.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { lastEvents } from './dry-run.ts';
import { clearTestRuns, TEST_SOURCE, testFlowId } from './test-run.ts';

const T0 = 1_800_000_000_000;

describe.each(testStores())('flow history on $name', (kind) => {
  const fresh = freshStores(kind);

  async function open() {
    const s = await fresh();
    const view = s.sql({ events, runKeys, runs, steps });
    const { db, tables: t } = view;
    const event = (id: string, at: number, source = 'shopify:shop') =>
      db.insert(t.events).values({ id, source, payload: `{"event":"${id}"}`, receivedAt: T0 + at });
    const run = async (id: string, flowId: string, eventId: string, status: string, at: number, keys: Record<string, string> = {}) => {
      await db.insert(t.runs).values({ id, flowId, flowVersion: 1, eventId, status, availableAt: T0 + at, createdAt: T0 + at });
      await db.insert(t.steps).values({ runId: id, nodeId: 'n', status: 'succeeded', attempts: 1 });
      for (const [key, value] of Object.entries(keys)) await db.insert(t.runKeys).values({ runId: id, key, value });
    };
    return { s, view, event, run };
  }

  it('dry-run events: newest first, each with its latest run that has an outcome, one per order', async () => {
    const { s, event, run } = await open();
    await event('e1', 1);
    await event('e2', 2);
    await event('e3', 3);
    await event('e4', 4);
    await event('e5', 5);
    await run('r1', 'f', 'e1', 'succeeded', 1, { shopifyOrderId: 'o1' });
    // e2 failed, then its replay succeeded: the replay stands for the event.
    await run('r2', 'f', 'e2', 'failed', 2, { shopifyOrderId: 'o2' });
    await run('r2b', 'f', 'e2', 'succeeded', 6, { shopifyOrderId: 'o2' });
    // e3 is o1 again (orders/paid after orders/create): its newest event stands for the order.
    await run('r3', 'f', 'e3', 'failed', 3, { shopifyOrderId: 'o1' });
    // e4's latest run has no outcome yet, so e4 has none to compare with; e5 belongs to another flow.
    await run('r4', 'f', 'e4', 'failed', 4);
    await run('r4b', 'f', 'e4', 'queued', 7);
    await run('r5', 'g', 'e5', 'succeeded', 5);
    const got = await lastEvents(s.store, 'f', 10);
    expect(got.map((e) => [e.eventId, e.runId, e.status])).toEqual([
      ['e3', 'r3', 'failed'],
      ['e2', 'r2b', 'succeeded'],
    ]);
    expect(got[0]).toEqual({ runId: 'r3', eventId: 'e3', status: 'failed', payload: '{"event":"e3"}', receivedAt: T0 + 3 });
    expect((await lastEvents(s.store, 'f', 1)).map((e) => e.eventId)).toEqual(['e3']);
  });

  it('clearing test runs removes the finished ones with their steps, keys and events; not running ones, not real runs', async () => {
    const { s, view, event, run } = await open();
    const { db, tables: t } = view;
    const test = testFlowId('f');
    await event('te1', 1, TEST_SOURCE);
    await event('te2', 2, TEST_SOURCE);
    await event('real', 3);
    await run('t1', test, 'te1', 'succeeded', 1, { shopifyOrderId: 'o1' });
    await run('t2', test, 'te1', 'failed', 2); // a second run of one test event
    await run('t3', test, 'te2', 'running', 3); // still running: kept, and so is its event
    await run('p1', 'f', 'real', 'succeeded', 4, { shopifyOrderId: 'o1' });
    expect(await clearTestRuns(s, 'f')).toBe(2);
    expect((await db.select({ id: t.runs.id }).from(t.runs).orderBy(t.runs.id)).map((r) => r.id)).toEqual(['p1', 't3']);
    expect((await db.select({ id: t.events.id }).from(t.events).orderBy(t.events.id)).map((r) => r.id)).toEqual(['real', 'te2']);
    expect(await db.select().from(t.steps).where(eq(t.steps.runId, 't1'))).toEqual([]);
    expect((await db.select({ runId: t.runKeys.runId }).from(t.runKeys)).map((r) => r.runId)).toEqual(['p1']);
    expect(await clearTestRuns(s, 'f')).toBe(0);
  });
});
