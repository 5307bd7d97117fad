// Group commit on each store: every delivery stored with its runs before it settles, one failing delivery taking
// only itself back; and the replay guard of the PostgreSQL ingest, which two concurrent copies of a body must not
// both pass.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { GroupCommit } from './group-commit.ts';
import { ReplayGuard } from './ingress-guards.ts';
import { RunQueue, type IngestRequest } from '../../runtime/queue.ts';
import { events, runs } from '../../runtime/store/schema.ts';
import { freshStores, testStores, type TestStore } from '../../runtime/testing/stores.ts';

const delivery = (n: number): IngestRequest => ({
  source: 'shopify:main',
  dedupKey: `evt-${n}`,
  topic: 'orders/paid',
  payload: { n },
  targets: [{ flowId: 'o2e', version: 1 }],
});

const counts = async (s: TestStore) => {
  const store = s.sql({ events, runs });
  const [e] = await store.rows<{ n: number }>(sql`SELECT COUNT(*) AS n FROM events`);
  const [r] = await store.rows<{ n: number }>(sql`SELECT COUNT(*) AS n FROM runs`);
  return { events: Number(e?.n), runs: Number(r?.n) };
};

describe.each(testStores())('group commit on $name', (kind) => {
  const fresh = freshStores(kind);

  it('stores each delivery with its runs before it settles; a failing one is rolled back alone', async () => {
    const s = await fresh();
    const q = new RunQueue(s.store);
    const commits: number[] = [];
    const group = new GroupCommit(s.store, 0, (n) => commits.push(n));
    const work = (n: number, fail = false) => ({
      sqlite: () => {
        const r = q.ingestSqlite(delivery(n));
        if (fail) throw new Error(`delivery ${n} failed`);
        return r;
      },
      postgres: async () => {
        const r = await q.ingestPg(delivery(n));
        if (fail) throw new Error(`delivery ${n} failed`);
        return r;
      },
    });
    const settled = await Promise.allSettled([group.submit(work(1)), group.submit(work(2, true)), group.submit(work(3)), group.submit(work(1))]);
    expect(settled.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const [one, , three, again] = settled.map((x) => (x.status === 'fulfilled' ? x.value : undefined));
    expect(one?.duplicate).toBe(false);
    expect(three?.duplicate).toBe(false);
    expect(again).toEqual({ eventId: one?.eventId, duplicate: true, runIds: [] });
    expect(await counts(s)).toEqual({ events: 2, runs: 2 });
    // SQLite: one commit for the tick; PostgreSQL: a transaction per delivery (the failed one committed nothing).
    expect(commits).toEqual(kind.name === 'sqlite' ? [4] : [1, 1, 1]);
    expect(group.waiting).toBe(0);
    // Delivery 2's key is free: its retry is stored.
    expect((await group.submit(work(2))).duplicate).toBe(false);
  });

  it('of two copies of one signed body under different ids arriving at once, the replay guard lets one through', async () => {
    const a = await fresh();
    const b = await a.twin();
    const guards = [a, b].map((s) => new ReplayGuard(s.store, Date.now));
    const stores = [a, b].map((s) => s.sql({}));
    // Each in its own transaction, as the PostgreSQL ingest keeps the digest (SQLite: one after another).
    const kept = await Promise.all(
      [0, 1].map((i) =>
        stores[i]!.tx(async () => {
          if (await guards[i]!.seen('digest-1')) return false;
          return !(await guards[i]!.claim('digest-1', 'main', 'orders/paid', `evt-${i}`));
        }),
      ),
    );
    expect(kept.filter(Boolean)).toHaveLength(1);
    const first = await guards[0]!.seen('digest-1');
    expect(first?.eventId).toBe(`evt-${kept.indexOf(true)}`);
    // The same event again (Shopify's retry keeps its id) keeps its digest; another event does not take it.
    expect(await guards[1]!.claim('digest-1', 'main', 'orders/paid', first!.eventId)).toBeUndefined();
    expect((await guards[1]!.claim('digest-1', 'main', 'orders/paid', 'evt-other'))?.eventId).toBe(first!.eventId);
  });
});
