// Keeps the store bounded: prunes finished runs by age and count, drops events no run needs, checkpoints the WAL
// (SQLite). On either store (issue 13), in bounded batches: each batch is one statement, committed on its own, so a
// large backlog never holds SQLite's write lock (or PostgreSQL row locks) for long, and other work runs between
// batches. A run's steps, keys and claim uses go with it (ON DELETE CASCADE).
import { and, desc, eq, inArray, lt, notExists, sql, type SQL } from 'drizzle-orm';
import type { AnyStore } from './store/any-store.ts';
import { isSqlite } from './store/any-store.ts';
import { events, runs } from './store/schema.ts';

export interface RetentionPolicy {
  /** Finished runs older than this are deleted. Default 30 days. */
  maxAgeMs?: number;
  /** At most this many finished runs are kept. Default 100,000. */
  maxRuns?: number;
  /** Rows deleted per statement. Default 500. */
  batch?: number;
}

export interface PruneResult {
  runs: number;
  events: number;
}

const FINISHED = ['succeeded', 'failed', 'skipped', 'cancelled'];
/** Events stay at least this long whatever the policy: the window in which a repeat delivery is known as one. */
const DEDUP_WINDOW_MS = 7 * 86_400_000;

export async function pruneRuns(store: AnyStore, policy: RetentionPolicy = {}, now = Date.now()): Promise<PruneResult> {
  const maxAge = policy.maxAgeMs ?? 30 * 86_400_000;
  const maxRuns = policy.maxRuns ?? 100_000;
  const batch = Math.max(1, policy.batch ?? 500);
  const s = store.sql({ runs, events });
  const { db } = s;
  const { runs: r, events: e } = s.tables;
  const finished = inArray(r.status, FINISHED);

  /** Deletes the rows of `table` that `where` selects, a batch per statement, until a batch comes back short. */
  const inBatches = async (table: typeof r | typeof e, where: SQL | undefined): Promise<number> => {
    let total = 0;
    for (;;) {
      const ids = db.select({ id: table.id }).from(table).where(where).limit(batch);
      const n = (await db.delete(table).where(inArray(table.id, ids)).returning({ id: table.id })).length;
      total += n;
      if (n < batch) return total;
    }
  };

  let pruned = await inBatches(r, and(finished, lt(sql`COALESCE(${r.finishedAt}, ${r.createdAt})`, now - maxAge)));

  // Beyond the count: every finished run older (by id, which orders by creation) than the newest maxRuns. The
  // boundary is read once; runs finishing meanwhile only make the next prune find more.
  if (maxRuns <= 0) pruned += await inBatches(r, finished);
  else {
    const [boundary] = await db
      .select({ id: r.id })
      .from(r)
      .where(finished)
      .orderBy(desc(r.id))
      .limit(1)
      .offset(maxRuns - 1);
    if (boundary) pruned += await inBatches(r, and(finished, lt(r.id, boundary.id)));
  }

  // Events stay while any run (finished or not) refers to them, and always for the dedup window.
  const unneeded = and(lt(e.receivedAt, now - Math.max(maxAge, DEDUP_WINDOW_MS)), notExists(db.select({ one: sql`1` }).from(r).where(eq(r.eventId, e.id))));
  const eventsPruned = await inBatches(e, unneeded);
  return { runs: pruned, events: eventsPruned };
}

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Folds the WAL back into the database and truncates it, so it cannot grow without bound under steady load. SQLite
 * only: PostgreSQL manages its own log (null). Waits for an open SqlStore transaction of the file to end first (a
 * checkpoint from inside one could not truncate).
 */
export async function checkpoint(store: AnyStore): Promise<CheckpointResult | null> {
  if (!isSqlite(store)) return null;
  const [r] = await store.sql({}).rows<CheckpointResult>(sql.raw('PRAGMA wal_checkpoint(TRUNCATE)'));
  if (!r) throw new Error('wal_checkpoint(TRUNCATE) returned no row');
  return r;
}
