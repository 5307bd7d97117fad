// Retention on both stores: finished runs pruned by age and count in small batches, with what hangs off them; events
// kept while a run needs them or within the dedup window.
import { count, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkpoint, pruneRuns } from './retention.ts';
import { runTables, seedRuns, type RunRow } from './testing/run-rows.ts';
import { freshStores, testStores } from './testing/stores.ts';

const DAY = 86_400_000;
const NOW = 100 * DAY;

describe.each(testStores())('retention on $name', (kind) => {
  const fresh = freshStores(kind);

  async function seeded(rows: RunRow[]) {
    const { store } = await fresh();
    await seedRuns(store, rows);
    const s = store.sql(runTables);
    const t = s.tables;
    const ids = async () => (await s.db.select({ id: t.runs.id }).from(t.runs).orderBy(t.runs.id)).map((r) => r.id);
    const events = async () => (await s.db.select({ id: t.events.id }).from(t.events).orderBy(t.events.id)).map((r) => r.id);
    const hanging = async (runIds: string[]) => {
      const [steps] = await s.db.select({ n: count() }).from(t.steps).where(inArray(t.steps.runId, runIds));
      const [keys] = await s.db.select({ n: count() }).from(t.runKeys).where(inArray(t.runKeys.runId, runIds));
      return steps!.n + keys!.n;
    };
    return { store, ids, events, hanging };
  }

  const run = (id: string, ageDays: number, status = 'succeeded', extra: Partial<RunRow> = {}): RunRow => ({
    id,
    status,
    createdAt: NOW - ageDays * DAY,
    keys: { orderName: `#${id}` },
    steps: [{ nodeId: 't', status: 'succeeded', output: {} }],
    ...extra,
  });

  it('prunes finished runs past the age, in batches, with their steps and keys; unfinished runs stay whatever their age', async () => {
    const old = Array.from({ length: 7 }, (_, i) => run(`run_00${i + 10}`, 40 + i, i % 2 ? 'failed' : 'succeeded'));
    const s = await seeded([
      ...old,
      run('run_0001', 50, 'queued'),
      run('run_0002', 45, 'running'),
      run('run_0003', 45, 'skipped', { finishedAt: NOW - 2 * DAY }), // finished recently: its age counts from then
      run('run_0004', 1),
    ]);
    const r = await pruneRuns(s.store, { maxAgeMs: 30 * DAY, batch: 2 }, NOW);
    expect(r.runs).toBe(7);
    expect(await s.ids()).toEqual(['run_0001', 'run_0002', 'run_0003', 'run_0004']);
    expect(await s.hanging(old.map((o) => o.id))).toBe(0);
    expect(await s.hanging(['run_0001'])).toBe(2);
    expect((await pruneRuns(s.store, { maxAgeMs: 30 * DAY, batch: 2 }, NOW)).runs).toBe(0);
  });

  it('keeps at most maxRuns finished runs, the newest', async () => {
    const s = await seeded([
      ...Array.from({ length: 6 }, (_, i) => run(`run_000${i + 1}`, 6 - i)),
      run('run_0007', 0, 'queued'),
      run('run_0008', 0, 'cancelled'),
    ]);
    const r = await pruneRuns(s.store, { maxRuns: 3, batch: 2 }, NOW);
    expect(r.runs).toBe(4);
    expect(await s.ids()).toEqual(['run_0005', 'run_0006', 'run_0007', 'run_0008']);
    expect((await pruneRuns(s.store, { maxRuns: 0 }, NOW)).runs).toBe(3);
    expect(await s.ids()).toEqual(['run_0007']);
  });

  it('drops events no run refers to once past the age and the 7-day dedup window', async () => {
    const s = await seeded([
      run('run_0001', 60, 'succeeded', { eventId: 'evt_a', receivedAt: NOW - 60 * DAY }), // pruned, then its event
      run('run_0002', 60, 'queued', { eventId: 'evt_b', receivedAt: NOW - 60 * DAY }), // still needs its event
      run('run_0003', 60, 'succeeded', { eventId: 'evt_c', receivedAt: NOW - 5 * DAY }), // pruned; its event is within the window
      run('run_0004', 1, 'succeeded', { eventId: 'evt_d', receivedAt: NOW - 60 * DAY }), // kept, and so its event
    ]);
    const r = await pruneRuns(s.store, { maxAgeMs: 3 * DAY, batch: 1 }, NOW);
    expect(r).toEqual({ runs: 2, events: 1 });
    expect(await s.events()).toEqual(['evt_b', 'evt_c', 'evt_d']);
  });

  it('checkpoints the WAL on SQLite; PostgreSQL has nothing to checkpoint', async () => {
    const { store } = await fresh();
    const r = await checkpoint(store);
    if (kind.name === 'sqlite') expect(r).toMatchObject({ busy: 0 });
    else expect(r).toBeNull();
  });
});
