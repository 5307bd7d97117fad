// Durable hand-off of runs to workers: events are stored with their runs in one transaction, and workers claim
// runs with a lease. A run whose lease lapsed (its worker died) is claimed again and resumes where it stopped.
import type { Statement } from 'better-sqlite3';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { runKeys, runs } from './store/schema.ts';
import type { Store } from './store/db.ts';
import { newId } from './ids.ts';

export interface IngestTarget {
  flowId: string;
  version: number;
}

export interface IngestRequest {
  source: string;
  /** A repeat delivery with the same (source, dedupKey) is recorded as a duplicate and starts nothing. */
  dedupKey?: string;
  topic?: string;
  /** The event body, as JSON text (kept byte for byte) or as a value. */
  payload: string | unknown;
  meta?: Record<string, unknown>;
  targets: IngestTarget[];
  /** Business keys to find the runs by (e.g. shopifyOrderId). */
  keys?: Record<string, string>;
}

export interface IngestResult {
  eventId: string;
  duplicate: boolean;
  runIds: string[];
}

export interface ClaimedRun {
  id: string;
  flowId: string;
  flowVersion: number;
  eventId: string;
  status: string;
  replayOf: string | null;
  startedAt: number | null;
}

export class RunQueue {
  private insertEvent: Statement;
  private findEvent: Statement;
  private insertRun: Statement;
  private insertKey: Statement;
  private claimStmt: Statement;
  private renewStmt: Statement;
  private releaseStmt: Statement;
  private listeners = new Set<() => void>();

  constructor(
    private store: Store,
    private now: () => number = Date.now,
  ) {
    const s = store.sqlite;
    // Raw prepared statements on the ingest and queue-claim hot paths: bench/webhook.ts (bench/README.md "Issue 15", group commit) and bench/order-to-erp.ts ("Order to ERP", the queue claim).
    this.insertEvent = s.prepare(
      `INSERT INTO events (id, source, dedup_key, topic, payload, meta, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, dedup_key) DO NOTHING`,
    );
    this.findEvent = s.prepare(`SELECT id FROM events WHERE source = ? AND dedup_key = ?`);
    this.insertRun = s.prepare(
      `INSERT INTO runs (id, flow_id, flow_version, event_id, status, replay_of, available_at, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    this.insertKey = s.prepare(`INSERT OR IGNORE INTO run_keys (run_id, key, value) VALUES (?, ?, ?)`);
    // Due runs and runs whose lease expired are taken apart, each an ordered range of the runs_queue index with its
    // own LIMIT, then merged: one condition with OR made SQLite collect and sort the whole backlog on every claim
    // (7 ms a claim at 20,000 queued runs, 0.07 ms this way). Raw prepared statement on the worker hot path
    // (bench/README.md "Order to ERP": the queue claim).
    this.claimStmt = s.prepare(
      `UPDATE runs SET status = 'running', lease_owner = @owner, lease_until = @until, started_at = COALESCE(started_at, @now)
       WHERE id IN (
         SELECT id FROM (
           SELECT id, available_at FROM (
             SELECT id, available_at FROM runs WHERE status = 'queued' AND available_at <= @now ORDER BY available_at LIMIT @limit)
           UNION ALL
           SELECT id, available_at FROM (
             SELECT id, available_at FROM runs WHERE status = 'running' AND lease_until < @now ORDER BY available_at LIMIT @limit))
         ORDER BY available_at LIMIT @limit)
       RETURNING id, flow_id AS flowId, flow_version AS flowVersion, event_id AS eventId, status, replay_of AS replayOf, started_at AS startedAt`,
    );
    this.renewStmt = s.prepare(`UPDATE runs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'running'`);
    // An expired lease is what claim() looks for: the run resumes in the next worker that polls, as after a crash.
    this.releaseStmt = s.prepare(`UPDATE runs SET lease_until = 0 WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  }

  /** Stores the event and its runs atomically; once this returns, nothing is lost even if the process dies. */
  ingest(req: IngestRequest): IngestResult {
    const payload = typeof req.payload === 'string' ? req.payload : JSON.stringify(req.payload ?? null);
    const t = this.now();
    const result = this.store.sqlite.transaction((): IngestResult => {
      const eventId = newId('evt');
      const r = this.insertEvent.run(eventId, req.source, req.dedupKey ?? null, req.topic ?? null, payload, req.meta ? JSON.stringify(req.meta) : null, t);
      if (r.changes === 0) {
        const existing = this.findEvent.get(req.source, req.dedupKey) as { id: string };
        return { eventId: existing.id, duplicate: true, runIds: [] };
      }
      const runIds = req.targets.map((target) => {
        const runId = newId('run');
        this.insertRun.run(runId, target.flowId, target.version, eventId, null, t, t);
        for (const [k, v] of Object.entries(req.keys ?? {})) this.insertKey.run(runId, k, String(v));
        return runId;
      });
      return { eventId, duplicate: false, runIds };
    })();
    if (result.runIds.length) this.notify();
    return result;
  }

  /** Queues a run of an already stored event (replays), optionally pre-filled with steps copied by the caller. */
  enqueueRun(eventId: string, target: IngestTarget, replayOf: string | null, fill?: (runId: string) => void): string {
    const runId = newId('run');
    const t = this.now();
    this.store.sqlite.transaction(() => {
      this.insertRun.run(runId, target.flowId, target.version, eventId, replayOf, t, t);
      if (replayOf) {
        const keysOfReplayed = this.store.db
          .select({ runId: sql<string>`${runId}`.as('run_id'), key: runKeys.key, value: runKeys.value })
          .from(runKeys)
          .where(eq(runKeys.runId, replayOf));
        this.store.db.insert(runKeys).select(keysOfReplayed).onConflictDoNothing().run();
      }
      fill?.(runId);
    })();
    this.notify();
    return runId;
  }

  claim(owner: string, limit: number, leaseMs: number): ClaimedRun[] {
    const t = this.now();
    return this.claimStmt.all({ owner, until: t + leaseMs, now: t, limit }) as ClaimedRun[];
  }

  /** Extends a lease; false means the run is no longer ours (cancelled, or claimed by another worker). */
  renew(runId: string, owner: string, leaseMs: number): boolean {
    return this.renewStmt.run(this.now() + leaseMs, runId, owner).changes > 0;
  }

  /** Gives up a lease at once (a draining worker), so another worker resumes the run without waiting out the lease. */
  release(runId: string, owner: string): boolean {
    const released = this.releaseStmt.run(runId, owner).changes > 0;
    if (released) this.notify();
    return released;
  }

  depth(): { queued: number; running: number } {
    const rows = this.store.db
      .select({ status: runs.status, n: count() })
      .from(runs)
      .where(inArray(runs.status, ['queued', 'running']))
      .groupBy(runs.status)
      .all();
    const get = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { queued: get('queued'), running: get('running') };
  }

  /** Wakes in-process workers at once instead of at their next poll. */
  onEnqueue(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify() {
    for (const fn of this.listeners) fn();
  }
}
