// Durable hand-off of runs to workers: events are stored with their runs in one transaction, and workers claim
// runs with a lease. A run whose lease lapsed (its worker died) is claimed again and resumes where it stopped.
//
// On either store (issue 13). The ingest and the claim are hot paths, so each dialect takes its own road: on SQLite
// raw prepared statements (bench/README.md "Issue 15" for ingest, "Order to ERP" for the claim), run only through
// `store.exclusive` so they never land inside another caller's open SqlStore transaction; on PostgreSQL the pool, the
// ingest in one transaction and the claim one statement taking rows with FOR UPDATE SKIP LOCKED, so two processes
// claiming at once never take the same run and never wait for each other.
import type { Statement } from 'better-sqlite3';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { events, runKeys, runs } from './store/schema.ts';
import type { Store } from './store/db.ts';
import type { AnyStore } from './store/any-store.ts';
import type { SqlStore } from './store/sql-store.ts';
import { newId } from './ids.ts';
import { inTransaction } from './store/in-transaction.ts';

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
  /**
   * A webhook's body as it arrived, stored apart (events.body) when the payload is its delivery without it
   * (`{ headers }`, an object): the event then reads as `{ body, headers }` (runtime/event-payload.ts).
   */
  body?: string;
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

const queueTables = { events, runs, runKeys };
type QueueTables = typeof queueTables;

/** SQLite's raw statements of the hot paths, prepared once per queue. */
class SqliteStatements {
  readonly insertEvent: Statement;
  readonly findEvent: Statement;
  readonly insertRun: Statement;
  readonly insertKey: Statement;
  readonly claim: Statement;
  readonly renew: Statement;
  readonly release: Statement;

  constructor(s: Store['sqlite']) {
    this.insertEvent = s.prepare(
      `INSERT INTO events (id, source, dedup_key, topic, payload, body, meta, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, dedup_key) DO NOTHING`,
    );
    this.findEvent = s.prepare(`SELECT id FROM events WHERE source = ? AND dedup_key = ?`);
    this.insertRun = s.prepare(
      `INSERT INTO runs (id, flow_id, flow_version, event_id, status, replay_of, available_at, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    this.insertKey = s.prepare(`INSERT OR IGNORE INTO run_keys (run_id, key, value) VALUES (?, ?, ?)`);
    // Due runs and runs whose lease expired are taken apart, each an ordered range of the runs_queue index with its
    // own LIMIT, then merged: one condition with OR made SQLite collect and sort the whole backlog on every claim
    // (7 ms a claim at 20,000 queued runs, 0.07 ms this way).
    this.claim = s.prepare(
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
    this.renew = s.prepare(`UPDATE runs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'running'`);
    // An expired lease is what claim() looks for: the run resumes in the next worker that polls, as after a crash.
    this.release = s.prepare(`UPDATE runs SET lease_until = 0 WHERE id = ? AND lease_owner = ? AND status = 'running'`);
  }
}

const payloadText = (p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p ?? null));

export class RunQueue {
  private readonly sql: SqlStore<QueueTables>;
  /** Set on SQLite only. */
  private readonly lite?: { store: Store; st: SqliteStatements };
  private listeners = new Set<() => void>();

  constructor(
    store: AnyStore,
    private now: () => number = Date.now,
  ) {
    this.sql = store.sql(queueTables);
    if (store.dialect === 'sqlite') this.lite = { store, st: new SqliteStatements(store.sqlite) };
  }

  /** Stores the event and its runs atomically; once this resolves, nothing is lost even if the process dies. */
  async ingest(req: IngestRequest): Promise<IngestResult> {
    if (this.lite) return this.lite.store.exclusive(() => this.ingestSqlite(req));
    const result = await this.sql.tx(() => this.ingestPg(req));
    if (result.runIds.length) this.notify();
    return result;
  }

  /**
   * The SQLite ingest for a caller that holds the transaction already (`store.exclusive`: group commit, a sweep that
   * moves its cursor with the events): synchronous, a savepoint of that transaction. Throws on PostgreSQL.
   */
  ingestSqlite(req: IngestRequest): IngestResult {
    if (!this.lite) throw new Error('RunQueue.ingestSqlite is for the SQLite store; use ingest()');
    const { store, st } = this.lite;
    const payload = payloadText(req.payload);
    const t = this.now();
    const result = inTransaction(store.sqlite, (): IngestResult => {
      const eventId = newId('evt');
      const r = st.insertEvent.run(
        eventId,
        req.source,
        req.dedupKey ?? null,
        req.topic ?? null,
        payload,
        req.body ?? null,
        req.meta ? JSON.stringify(req.meta) : null,
        t,
      );
      if (r.changes === 0) {
        const existing = st.findEvent.get(req.source, req.dedupKey) as { id: string };
        return { eventId: existing.id, duplicate: true, runIds: [] };
      }
      const runIds = req.targets.map((target) => {
        const runId = newId('run');
        st.insertRun.run(runId, target.flowId, target.version, eventId, null, t, t);
        for (const [k, v] of Object.entries(req.keys ?? {})) st.insertKey.run(runId, k, String(v));
        return runId;
      });
      return { eventId, duplicate: false, runIds };
    });
    if (result.runIds.length) this.notify();
    return result;
  }

  /** PostgreSQL: the ingest's statements, for a caller that holds the transaction (`store.tx`); `ingest` opens one. Wakes no worker: the caller does (`notify`) once it has committed. */
  async ingestPg(req: IngestRequest): Promise<IngestResult> {
    const { db, tables: t } = this.sql;
    const at = this.now();
    const eventId = newId('evt');
    // A concurrent delivery of the same key: ON CONFLICT waits for its transaction, then does nothing if it committed.
    const inserted = await db
      .insert(t.events)
      .values({
        id: eventId,
        source: req.source,
        dedupKey: req.dedupKey ?? null,
        topic: req.topic ?? null,
        payload: payloadText(req.payload),
        body: req.body ?? null,
        meta: req.meta ? JSON.stringify(req.meta) : null,
        receivedAt: at,
      })
      .onConflictDoNothing()
      .returning({ id: t.events.id });
    if (!inserted.length) {
      const [existing] = await db
        .select({ id: t.events.id })
        .from(t.events)
        .where(and(eq(t.events.source, req.source), eq(t.events.dedupKey, req.dedupKey!))); // a null key never conflicts
      return { eventId: existing!.id, duplicate: true, runIds: [] }; // the conflict was on this row
    }
    const planned = req.targets.map((target) => ({ id: newId('run'), target }));
    if (planned.length) {
      await db.insert(t.runs).values(
        planned.map(({ id, target }) => ({
          id,
          flowId: target.flowId,
          flowVersion: target.version,
          eventId,
          status: 'queued',
          replayOf: null,
          availableAt: at,
          createdAt: at,
        })),
      );
      const keys = Object.entries(req.keys ?? {});
      if (keys.length)
        await db
          .insert(t.runKeys)
          .values(planned.flatMap(({ id }) => keys.map(([key, value]) => ({ runId: id, key, value: String(value) }))))
          .onConflictDoNothing();
    }
    return { eventId, duplicate: false, runIds: planned.map((p) => p.id) };
  }

  /**
   * Queues a run of an already stored event (replays). `fill` runs in the same transaction with the new run's id, to
   * pre-fill it with steps copied by the caller (through the store's `SqlStore` view, or synchronous SQLite work).
   */
  async enqueueRun(eventId: string, target: IngestTarget, replayOf: string | null, fill?: (runId: string) => void | Promise<void>): Promise<string> {
    const runId = newId('run');
    const at = this.now();
    await this.sql.tx(async (db) => {
      const { runs: r, runKeys: k } = this.sql.tables;
      await db
        .insert(r)
        .values({ id: runId, flowId: target.flowId, flowVersion: target.version, eventId, status: 'queued', replayOf, availableAt: at, createdAt: at });
      if (replayOf) {
        const keysOfReplayed = db
          .select({ runId: sql<string>`CAST(${runId} AS text)`.as('run_id'), key: k.key, value: k.value })
          .from(k)
          .where(eq(k.runId, replayOf));
        await db.insert(k).select(keysOfReplayed).onConflictDoNothing();
      }
      await fill?.(runId);
    });
    this.notify();
    return runId;
  }

  /** Takes up to `limit` runs that are due or whose lease expired, leased to `owner` for `leaseMs`. */
  async claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedRun[]> {
    const t = this.now();
    if (this.lite) {
      const { st } = this.lite;
      return this.lite.store.exclusive(() => st.claim.all({ owner, until: t + leaseMs, now: t, limit }) as ClaimedRun[]);
    }
    // Each branch an ordered range of runs_queue with its own LIMIT (as on SQLite: one OR would sort the backlog);
    // rows another claimer has locked are skipped, and a row changed since this statement's snapshot is re-checked
    // when locked (READ COMMITTED), so a run just claimed elsewhere drops out.
    return this.sql.rows<ClaimedRun>(sql`
      WITH due AS (
        SELECT id, available_at FROM runs WHERE status = 'queued' AND available_at <= ${t}
        ORDER BY available_at LIMIT ${limit} FOR UPDATE SKIP LOCKED),
      lapsed AS (
        SELECT id, available_at FROM runs WHERE status = 'running' AND lease_until < ${t}
        ORDER BY available_at LIMIT ${limit} FOR UPDATE SKIP LOCKED),
      picked AS (
        SELECT id FROM (SELECT id, available_at FROM due UNION ALL SELECT id, available_at FROM lapsed) c
        ORDER BY available_at LIMIT ${limit})
      UPDATE runs SET status = 'running', lease_owner = ${owner}, lease_until = ${t + leaseMs}, started_at = COALESCE(started_at, ${t})
      FROM picked WHERE runs.id = picked.id
      RETURNING runs.id, flow_id AS "flowId", flow_version AS "flowVersion", event_id AS "eventId", status, replay_of AS "replayOf", started_at AS "startedAt"`);
  }

  /** Extends a lease; false means the run is no longer ours (cancelled, or claimed by another worker). */
  async renew(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    const until = this.now() + leaseMs;
    if (this.lite) {
      const { st } = this.lite;
      return this.lite.store.exclusive(() => st.renew.run(until, runId, owner).changes > 0);
    }
    return (await this.sql.exec(sql`UPDATE runs SET lease_until = ${until} WHERE id = ${runId} AND lease_owner = ${owner} AND status = 'running'`)) > 0;
  }

  /** Gives up a lease at once (a draining worker), so another worker resumes the run without waiting out the lease. */
  async release(runId: string, owner: string): Promise<boolean> {
    let released: boolean;
    if (this.lite) {
      const { st } = this.lite;
      released = await this.lite.store.exclusive(() => st.release.run(runId, owner).changes > 0);
    } else {
      released = (await this.sql.exec(sql`UPDATE runs SET lease_until = 0 WHERE id = ${runId} AND lease_owner = ${owner} AND status = 'running'`)) > 0;
    }
    if (released) this.notify();
    return released;
  }

  async depth(): Promise<{ queued: number; running: number }> {
    const { runs: r } = this.sql.tables;
    const rows = await this.sql.db
      .select({ status: r.status, n: count() })
      .from(r)
      .where(inArray(r.status, ['queued', 'running']))
      .groupBy(r.status);
    const get = (s: string) => Number(rows.find((x) => x.status === s)?.n ?? 0);
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
