// Keeps the store bounded: prunes finished runs by age and count, drops events no run needs, checkpoints the WAL.
import { and, eq, inArray, lt, notExists, sql } from 'drizzle-orm';
import type { Store } from './store/db.ts';
import { events, runs } from './store/schema.ts';

export interface RetentionPolicy {
  /** Finished runs older than this are deleted. Default 30 days. */
  maxAgeMs?: number;
  /** At most this many finished runs are kept. Default 100,000. */
  maxRuns?: number;
}

export interface PruneResult {
  runs: number;
  events: number;
}

export function pruneRuns(store: Store, policy: RetentionPolicy = {}, now = Date.now()): PruneResult {
  const maxAge = policy.maxAgeMs ?? 30 * 86_400_000;
  const maxRuns = policy.maxRuns ?? 100_000;
  const { db } = store;
  const finished = inArray(runs.status, ['succeeded', 'failed', 'skipped', 'cancelled']);
  return store.sqlite.transaction(() => {
    let pruned = db
      .delete(runs)
      .where(and(finished, lt(sql`COALESCE(${runs.finishedAt}, ${runs.createdAt})`, now - maxAge)))
      .run().changes;
    // LIMIT -1 (no limit) with an OFFSET: drizzle's builder drops a negative limit, so this subquery is a template.
    const beyondCount = sql`(SELECT ${runs.id} FROM ${runs} WHERE ${finished} ORDER BY ${runs.id} DESC LIMIT -1 OFFSET ${maxRuns})`;
    pruned += db.delete(runs).where(inArray(runs.id, beyondCount)).run().changes;
    // Events stay while any run (finished or not) refers to them, and always for the dedup window of 7 days.
    const referenced = db.select({ one: sql`1` }).from(runs).where(eq(runs.eventId, events.id));
    const eventsPruned = db
      .delete(events)
      .where(and(lt(events.receivedAt, now - Math.max(maxAge, 7 * 86_400_000)), notExists(referenced)))
      .run().changes;
    return { runs: pruned, events: eventsPruned };
  })();
}

/** Folds the WAL back into the database and truncates it, so it cannot grow without bound under steady load. */
export function checkpoint(store: Store): { busy: number; log: number; checkpointed: number } {
  const [r] = store.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  if (!r) throw new Error('wal_checkpoint(TRUNCATE) returned no row');
  return r;
}
