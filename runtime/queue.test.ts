// The run queue on every store a deployment can choose: ingest with dedupe, claims by several processes at once,
// leases that lapse, renew and release, and a draining worker handing its runs back.
import { describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { RunQueue, type IngestRequest } from './queue.ts';
import { Worker } from './worker.ts';
import { events, runKeys, runs } from './store/schema.ts';
import { freshStores, testStores, type TestStore } from './testing/stores.ts';
import { silentLogger } from './index.ts';
import type { RunOutcome } from './executor.ts';

const order = (n: number, more: Partial<IngestRequest> = {}): IngestRequest => ({
  source: 'shopify:main',
  dedupKey: `evt-${n}`,
  topic: 'orders/paid',
  payload: { n },
  targets: [{ flowId: 'o2e', version: 1 }],
  keys: { shopifyOrderId: `gid://shopify/Order/${n}` },
  ...more,
});

describe.each(testStores())('RunQueue on $name', (kind) => {
  const fresh = freshStores(kind);

  const tables = (s: TestStore) => s.sql({ events, runs, runKeys });
  const countOf = async (s: TestStore) => {
    const { db, tables: t } = tables(s);
    return {
      events: (await db.select({ id: t.events.id }).from(t.events)).length,
      runs: (await db.select({ id: t.runs.id }).from(t.runs)).length,
      keys: (await db.select({ runId: t.runKeys.runId }).from(t.runKeys)).length,
    };
  };

  describe('ingest', () => {
    it('stores the event, its runs and their keys; a repeat of its (source, dedup key) is a duplicate that starts nothing', async () => {
      const s = await fresh();
      const q = new RunQueue(s.store);
      const first = await q.ingest(
        order(1, {
          targets: [
            { flowId: 'o2e', version: 1 },
            { flowId: 'stock', version: 3 },
          ],
        }),
      );
      expect(first.duplicate).toBe(false);
      expect(first.runIds).toHaveLength(2);
      const again = await q.ingest(order(1));
      expect(again).toEqual({ eventId: first.eventId, duplicate: true, runIds: [] });
      // Another source may use the same key; no key never deduplicates.
      expect((await q.ingest(order(1, { source: 'shopify:other' }))).duplicate).toBe(false);
      expect((await q.ingest(order(2, { dedupKey: undefined }))).duplicate).toBe(false);
      expect((await q.ingest(order(2, { dedupKey: undefined }))).duplicate).toBe(false);
      expect(await countOf(s)).toEqual({ events: 4, runs: 5, keys: 5 });

      const { db, tables: t } = tables(s);
      const [ev] = await db.select().from(t.events).where(eq(t.events.id, first.eventId));
      expect(ev).toMatchObject({ source: 'shopify:main', dedupKey: 'evt-1', topic: 'orders/paid', payload: '{"n":1}' });
      const stored = await db.select().from(t.runs).where(inArray(t.runs.id, first.runIds));
      expect(stored.map((r) => [r.flowId, r.flowVersion, r.status, r.eventId]).sort()).toEqual([
        ['o2e', 1, 'queued', first.eventId],
        ['stock', 3, 'queued', first.eventId],
      ]);
      expect(await db.select({ key: t.runKeys.key, value: t.runKeys.value }).from(t.runKeys).where(eq(t.runKeys.runId, first.runIds[0]!))).toEqual([
        { key: 'shopifyOrderId', value: 'gid://shopify/Order/1' },
      ]);
    });

    it('keeps a JSON text payload byte for byte', async () => {
      const s = await fresh();
      const q = new RunQueue(s.store);
      const text = '{"id": 12345678901234567890, "b": 1}';
      const { eventId } = await q.ingest(order(1, { payload: text }));
      const { db, tables: t } = tables(s);
      expect((await db.select({ p: t.events.payload }).from(t.events).where(eq(t.events.id, eventId)))[0]?.p).toBe(text);
    });

    it('is atomic: a run that cannot be stored leaves no event and no other run behind', async () => {
      const s = await fresh();
      const q = new RunQueue(s.store);
      const bad = order(1, {
        targets: [
          { flowId: 'o2e', version: 1 },
          { flowId: null as unknown as string, version: 1 },
        ],
      });
      await expect(q.ingest(bad)).rejects.toThrow();
      expect(await countOf(s)).toEqual({ events: 0, runs: 0, keys: 0 });
      // The key was not taken: the delivery stored whole once it can be.
      expect((await q.ingest(order(1))).duplicate).toBe(false);
    });

    it('of one delivery arriving at two processes at once, exactly one is stored', async () => {
      const a = await fresh();
      const b = await a.twin();
      const qa = new RunQueue(a.store);
      const qb = new RunQueue(b.store);
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => (i % 2 ? qa : qb).ingest(order(7))));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
      expect(await countOf(a)).toEqual({ events: 1, runs: 1, keys: 1 });
    });

    it('wakes in-process workers when it queued runs, not for a duplicate', async () => {
      const s = await fresh();
      const q = new RunQueue(s.store);
      let woken = 0;
      const off = q.onEnqueue(() => woken++);
      await q.ingest(order(1));
      await q.ingest(order(1));
      await q.ingest(order(2, { targets: [] }));
      off();
      await q.ingest(order(3));
      expect(woken).toBe(1);
    });
  });

  describe('claims and leases', () => {
    async function queued(n: number, q: RunQueue) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push(...(await q.ingest(order(i))).runIds);
      return ids;
    }

    it('two processes claiming at once never get the same run, and between them get every run', async () => {
      const a = await fresh();
      const b = await a.twin();
      const qa = new RunQueue(a.store);
      const qb = new RunQueue(b.store);
      const ids = await queued(60, qa);
      const taken: Record<'A' | 'B', string[]> = { A: [], B: [] };
      const claimer = async (q: RunQueue, who: 'A' | 'B') => {
        for (;;) {
          const got = await q.claim(who, 4, 60_000);
          if (!got.length) return;
          taken[who].push(...got.map((r) => r.id));
        }
      };
      await Promise.all([claimer(qa, 'A'), claimer(qb, 'B'), claimer(qa, 'A'), claimer(qb, 'B')]);
      const all = [...taken.A, ...taken.B];
      expect(all).toHaveLength(60);
      expect(new Set(all)).toEqual(new Set(ids));
      expect(taken.A.filter((id) => taken.B.includes(id))).toEqual([]);
      expect(await qa.depth()).toEqual({ queued: 0, running: 60 });
      const { db, tables: t } = tables(a);
      const owners = await db.select({ id: t.runs.id, owner: t.runs.leaseOwner }).from(t.runs);
      for (const r of owners) expect(taken[r.owner as 'A' | 'B']).toContain(r.id);
    });

    it('claims several runs at once, oldest first, and only due ones', async () => {
      const s = await fresh();
      const clock = { t: 1_000_000 };
      const q = new RunQueue(s.store, () => clock.t);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(...(await q.ingest(order(i))).runIds);
        clock.t += 10;
      }
      // The last one waits out a retry delay.
      const { db, tables: t } = tables(s);
      await db
        .update(t.runs)
        .set({ availableAt: clock.t + 60_000 })
        .where(eq(t.runs.id, ids[4]!));
      const lease = 600_000;
      const got = await q.claim('A', 3, lease);
      expect(got.map((r) => r.id)).toEqual(ids.slice(0, 3));
      expect(got[0]).toMatchObject({ flowId: 'o2e', flowVersion: 1, status: 'running', replayOf: null, startedAt: clock.t });
      expect((await q.claim('A', 10, lease)).map((r) => r.id)).toEqual([ids[3]]);
      expect(await q.claim('A', 10, lease)).toEqual([]);
      clock.t += 60_000;
      expect((await q.claim('A', 10, lease)).map((r) => r.id)).toEqual([ids[4]]);
    });

    it('a lease that lapsed is claimed again (keeping when the run started); a renewed one is not; the old owner can no longer renew', async () => {
      const a = await fresh();
      const b = await a.twin();
      const clock = { t: 5_000_000 };
      const qa = new RunQueue(a.store, () => clock.t);
      const qb = new RunQueue(b.store, () => clock.t);
      const [id] = await queued(1, qa);
      const [mine] = await qa.claim('A', 1, 1000);
      expect(mine?.id).toBe(id);
      const startedAt = clock.t;
      clock.t += 900;
      expect(await qa.renew(id!, 'A', 1000)).toBe(true); // until +1900
      clock.t += 900;
      expect(await qb.claim('B', 1, 1000)).toEqual([]);
      expect(await qb.renew(id!, 'B', 1000)).toBe(false); // not B's
      clock.t += 200; // A died: nothing renewed since +900
      const [taken] = await qb.claim('B', 1, 1000);
      expect(taken).toMatchObject({ id, status: 'running', startedAt });
      expect(await qa.renew(id!, 'A', 1000)).toBe(false);
      expect(await qb.renew(id!, 'B', 1000)).toBe(true);
    });

    it('release hands a run to the next claimer at once, only by its owner', async () => {
      const a = await fresh();
      const b = await a.twin();
      const qa = new RunQueue(a.store);
      const qb = new RunQueue(b.store);
      const [id] = await queued(1, qa);
      await qa.claim('A', 1, 600_000);
      expect(await qb.release(id!, 'B')).toBe(false);
      expect(await qb.claim('B', 1, 600_000)).toEqual([]);
      let woken = 0;
      qa.onEnqueue(() => woken++);
      expect(await qa.release(id!, 'A')).toBe(true);
      expect(woken).toBe(1);
      expect((await qb.claim('B', 1, 600_000)).map((r) => r.id)).toEqual([id]);
    });
  });

  it('enqueueRun queues a replay of a stored event with the replayed run keys, and what fill writes, in one transaction', async () => {
    const s = await fresh();
    const q = new RunQueue(s.store);
    const { eventId, runIds } = await q.ingest(order(1, { keys: { shopifyOrderId: 'gid://shopify/Order/1', shopifyOrderName: '#1001' } }));
    const { db, tables: t } = tables(s);
    const replayId = await q.enqueueRun(eventId, { flowId: 'o2e', version: 2 }, runIds[0]!, async (id) => {
      await db.insert(t.runKeys).values({ runId: id, key: 'note', value: 'filled' });
    });
    const [r] = await db.select().from(t.runs).where(eq(t.runs.id, replayId));
    expect(r).toMatchObject({ eventId, flowId: 'o2e', flowVersion: 2, status: 'queued', replayOf: runIds[0] });
    const keys = await db.select({ key: t.runKeys.key, value: t.runKeys.value }).from(t.runKeys).where(eq(t.runKeys.runId, replayId));
    expect(keys.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'note', value: 'filled' },
      { key: 'shopifyOrderId', value: 'gid://shopify/Order/1' },
      { key: 'shopifyOrderName', value: '#1001' },
    ]);
    // A fill that fails takes the new run with it.
    await expect(
      q.enqueueRun(eventId, { flowId: 'o2e', version: 2 }, null, () => {
        throw new Error('copy failed');
      }),
    ).rejects.toThrow('copy failed');
    expect(await countOf(s)).toMatchObject({ runs: 2 });
  });

  it('a draining worker stops its runs at the grace period and releases their leases for another process to resume at once', async () => {
    const a = await fresh();
    const b = await a.twin();
    const qa = new RunQueue(a.store);
    const qb = new RunQueue(b.store);
    const { runIds } = await qa.ingest(order(1));
    const started: string[] = [];
    // An executor whose run never ends by itself: it stops when told to (the abort at the end of the grace period).
    const executor = {
      execute: (run: { id: string }, _owner: string, signal?: AbortSignal) =>
        new Promise<RunOutcome>((resolve) => {
          started.push(run.id);
          signal?.addEventListener('abort', () => resolve('lost'));
        }),
    };
    const worker = new Worker(qa, executor, silentLogger, { leaseMs: 600_000, pollMs: 10, owner: 'A' });
    worker.start();
    while (!started.length) await new Promise((r) => setTimeout(r, 5));
    expect(await qb.claim('B', 1, 600_000)).toEqual([]); // A holds it
    const stopped = await worker.stop({ graceMs: 50, abortWaitMs: 1000 });
    expect(stopped).toEqual({ finished: 0, released: 1 });
    expect((await qb.claim('B', 1, 600_000)).map((r) => r.id)).toEqual(runIds);
  });
});
