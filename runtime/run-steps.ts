// A run's steps in the store as the executor reads and writes them, each dialect its own way on this hot path
// (bench/README.md "Issue 15", "Order to ERP": steps persisted in batches, outputs by reference). On SQLite, raw
// prepared statements, run only through Store.exclusive (outside it they could run inside another caller's open
// SqlStore transaction). On PostgreSQL, one transaction per commit, its steps one multi-row upsert, the run's row locked
// while the run's ownership decides whether anything is written.
import type { Statement } from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import { type AnyStore, isSqlite } from './store/any-store.ts';
import type { Store } from './store/db.ts';
import type { PgStore } from './store/pg-store.ts';
import type { SqlStore } from './store/sql-store.ts';
import { events, runs, steps } from './store/schema.ts';
import type { StoredEvent } from './event-payload.ts';

/** A step as a resumed run reads it. */
export interface StoredStep {
  nodeId: string;
  status: string;
  attempts: number;
  port: string | null;
  output: string | null;
}

/** A step row written whole (its output and error already redacted, `reads` as JSON text). */
export interface StepWrite {
  nodeId: string;
  status: string;
  attempts: number;
  port: string | null;
  output: string | null;
  error: string | null;
  reads: string | null;
  startedAt: number;
  finishedAt: number;
}

/** What lands in one transaction while the run is still ours, in this order. */
export interface StepCommit {
  /** Step rows; at most one per node. */
  steps?: readonly StepWrite[];
  /** The durable "started" mark of a non-idempotent step: what tells a resumed run not to repeat it. */
  running?: { nodeId: string; attempts: number; startedAt: number };
  /**
   * The step's other writes (flow state, reconciliation records...), in the same transaction: `sqlite` synchronous raw
   * statements (inside Store.exclusive), `pg` through the store's SqlStore views (inside the transaction).
   */
  also?: { sqlite(): void; pg(): Promise<void> };
  /** The run ends (`error`: its failure or skip reason as JSON text). */
  finish?: { status: string; error: string | null; at: number };
  /** The run goes back to the queue until `availableAt` (a step waits out its retry delay). */
  defer?: { availableAt: number };
}

export interface RunSteps {
  /** The run's stored steps and its event (undefined: the event is gone). */
  load(runId: string, eventId: string): Promise<{ steps: StoredStep[]; event: StoredEvent | undefined }>;
  /**
   * Writes `c` if the run is running under `owner`'s lease; false when it is not (lost, cancelled), and nothing is
   * written. With `finish`, whether the finish took.
   */
  commit(runId: string, owner: string, c: StepCommit): Promise<boolean>;
  /** Ends the run if its lease is still `owner`'s (nothing else is written). */
  finish(runId: string, owner: string, f: NonNullable<StepCommit['finish']>): Promise<boolean>;
}

export const runStepsOf = (store: AnyStore): RunSteps => (isSqlite(store) ? new SqliteRunSteps(store) : new PgRunSteps(store));

type Queries = Record<'steps' | 'event' | 'owned' | 'stepRunning' | 'stepDone' | 'finish' | 'defer', Statement>;
const prepared = new WeakMap<Store['sqlite'], Queries>();

function queries(store: Store): Queries {
  let q = prepared.get(store.sqlite);
  if (q) return q;
  const s = store.sqlite;
  q = {
    steps: s.prepare(`SELECT node_id AS nodeId, status, attempts, port, output FROM steps WHERE run_id = ?`),
    event: s.prepare(`SELECT payload, body FROM events WHERE id = ?`),
    owned: s.prepare(`SELECT 1 FROM runs WHERE id = ? AND lease_owner = ? AND status = 'running'`),
    stepRunning: s.prepare(
      `INSERT INTO steps (run_id, node_id, status, attempts, started_at) VALUES (?, ?, 'running', ?, ?)
       ON CONFLICT (run_id, node_id) DO UPDATE SET status = 'running', attempts = excluded.attempts, started_at = excluded.started_at, error = NULL`,
    ),
    stepDone: s.prepare(
      `INSERT INTO steps (run_id, node_id, status, attempts, port, output, error, reads, started_at, finished_at) VALUES (@runId, @nodeId, @status, @attempts, @port, @output, @error, @reads, @startedAt, @finishedAt)
       ON CONFLICT (run_id, node_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, port = excluded.port,
         output = excluded.output, error = excluded.error, reads = excluded.reads, started_at = excluded.started_at, finished_at = excluded.finished_at`,
    ),
    finish: s.prepare(`UPDATE runs SET status = ?, error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`),
    defer: s.prepare(`UPDATE runs SET status = 'queued', available_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`),
  };
  prepared.set(s, q);
  return q;
}

class SqliteRunSteps implements RunSteps {
  private q: Queries;

  constructor(private store: Store) {
    this.q = queries(store);
  }

  load(runId: string, eventId: string) {
    const { q } = this;
    return this.store.exclusive(() => ({
      steps: q.steps.all(runId) as StoredStep[],
      event: q.event.get(eventId) as StoredEvent | undefined,
    }));
  }

  commit(runId: string, owner: string, c: StepCommit): Promise<boolean> {
    const { q } = this;
    return this.store.exclusive(() => {
      if (!q.owned.get(runId, owner)) return false;
      for (const s of c.steps ?? []) q.stepDone.run({ runId, ...s });
      if (c.running) q.stepRunning.run(runId, c.running.nodeId, c.running.attempts, c.running.startedAt);
      c.also?.sqlite();
      if (c.finish) return q.finish.run(c.finish.status, c.finish.error, c.finish.at, runId, owner).changes > 0;
      if (c.defer) q.defer.run(c.defer.availableAt, runId, owner);
      return true;
    });
  }

  finish(runId: string, owner: string, f: NonNullable<StepCommit['finish']>): Promise<boolean> {
    return this.store.exclusive(() => this.q.finish.run(f.status, f.error, f.at, runId, owner).changes > 0);
  }
}

type RunTables = { steps: typeof steps; events: typeof events; runs: typeof runs };

class PgRunSteps implements RunSteps {
  private s: SqlStore<RunTables>;

  constructor(store: PgStore) {
    this.s = store.sql({ steps, events, runs });
  }

  async load(runId: string, eventId: string) {
    const { db, tables: t } = this.s;
    const [stored, [event]] = await Promise.all([
      db
        .select({ nodeId: t.steps.nodeId, status: t.steps.status, attempts: t.steps.attempts, port: t.steps.port, output: t.steps.output })
        .from(t.steps)
        .where(eq(t.steps.runId, runId)),
      db.select({ payload: t.events.payload, body: t.events.body }).from(t.events).where(eq(t.events.id, eventId)),
    ]);
    return { steps: stored, event };
  }

  commit(runId: string, owner: string, c: StepCommit): Promise<boolean> {
    const { db, tables: t } = this.s;
    return this.s.tx(async () => {
      // The run's row stays locked to the commit: a claim that takes the run over after its lease waits for these steps.
      const [own] = await this.s.forUpdate(
        db
          .select({ id: t.runs.id })
          .from(t.runs)
          .where(and(eq(t.runs.id, runId), eq(t.runs.leaseOwner, owner), eq(t.runs.status, 'running'))),
      );
      if (!own) return false;
      if (c.steps?.length) {
        // One row per node: an upsert may not touch a row twice (the executor gives one anyway; the last would win).
        const rows = new Map(c.steps.map((s) => [s.nodeId, { runId, ...s }]));
        await db
          .insert(t.steps)
          .values([...rows.values()])
          .onConflictDoUpdate({
            target: [t.steps.runId, t.steps.nodeId],
            set: {
              status: sql`excluded.status`,
              attempts: sql`excluded.attempts`,
              port: sql`excluded.port`,
              output: sql`excluded.output`,
              error: sql`excluded.error`,
              reads: sql`excluded.reads`,
              startedAt: sql`excluded.started_at`,
              finishedAt: sql`excluded.finished_at`,
            },
          });
      }
      if (c.running) {
        const { nodeId, attempts, startedAt } = c.running;
        await db
          .insert(t.steps)
          .values({ runId, nodeId, status: 'running', attempts, startedAt })
          .onConflictDoUpdate({
            target: [t.steps.runId, t.steps.nodeId],
            set: { status: 'running', attempts: sql`excluded.attempts`, startedAt: sql`excluded.started_at`, error: null },
          });
      }
      await c.also?.pg();
      if (c.finish) return this.finishIn(runId, owner, c.finish);
      if (c.defer) {
        await db
          .update(t.runs)
          .set({ status: 'queued', availableAt: c.defer.availableAt, leaseOwner: null, leaseUntil: null })
          .where(and(eq(t.runs.id, runId), eq(t.runs.leaseOwner, owner)));
      }
      return true;
    });
  }

  finish(runId: string, owner: string, f: NonNullable<StepCommit['finish']>): Promise<boolean> {
    return this.finishIn(runId, owner, f);
  }

  private async finishIn(runId: string, owner: string, f: NonNullable<StepCommit['finish']>): Promise<boolean> {
    const { db, tables: t } = this.s;
    const done = await db
      .update(t.runs)
      .set({ status: f.status, error: f.error, finishedAt: f.at, leaseOwner: null, leaseUntil: null })
      .where(and(eq(t.runs.id, runId), eq(t.runs.leaseOwner, owner)))
      .returning({ id: t.runs.id });
    return done.length > 0;
  }
}
