// Keeps the store bounded: prunes finished runs by age and count, drops events no run needs, checkpoints the WAL.
import type { Store } from './store/db.ts';

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
  const s = store.sqlite;
  const finished = `status IN ('succeeded','failed','skipped','cancelled')`;
  return s.transaction(() => {
    let runs = s.prepare(`DELETE FROM runs WHERE ${finished} AND COALESCE(finished_at, created_at) < ?`).run(now - maxAge).changes;
    runs += s.prepare(`DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE ${finished} ORDER BY id DESC LIMIT -1 OFFSET ?)`).run(maxRuns).changes;
    // Events stay while any run (finished or not) refers to them, and always for the dedup window of 7 days.
    const events = s
      .prepare(`DELETE FROM events WHERE received_at < ? AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.event_id = events.id)`)
      .run(now - Math.max(maxAge, 7 * 86_400_000)).changes;
    return { runs, events };
  })();
}

/** Folds the WAL back into the database and truncates it, so it cannot grow without bound under steady load. */
export function checkpoint(store: Store): { busy: number; log: number; checkpointed: number } {
  const [r] = store.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  if (!r) throw new Error('wal_checkpoint(TRUNCATE) returned no row');
  return r;
}
