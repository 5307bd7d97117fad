// Per-flow key/value state whose writes land together with the step that made them.
import type { Statement } from 'better-sqlite3';
import { and, eq, sql } from 'drizzle-orm';
import { type AnyStore, isSqlite } from './store/any-store.ts';
import type { Store } from './store/db.ts';
import { flowState } from './store/schema.ts';
import type { SqlStore } from './store/sql-store.ts';
import type { FlowState } from './node-api.ts';

type StateTables = { flowState: typeof flowState };

export class StepState implements FlowState {
  private pending = new Map<string, string>();
  private readonly sql: SqlStore<StateTables>;

  constructor(
    private store: AnyStore,
    private flowId: string,
    private now: () => number = Date.now,
  ) {
    this.sql = viewOf(store);
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const staged = this.pending.get(key);
    if (staged !== undefined) return JSON.parse(staged) as T;
    const { flowState: s } = this.sql.tables;
    const [row] = await this.sql.db
      .select({ value: s.value })
      .from(s)
      .where(and(eq(s.flowId, this.flowId), eq(s.key, key)));
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** The step wrote something that lands with its commit. */
  get staged(): boolean {
    return this.pending.size > 0;
  }

  set(key: string, value: unknown): void {
    this.pending.set(key, JSON.stringify(value ?? null));
  }

  /** Writes what the step staged, inside the caller's transaction (`SqlStore.tx`), on either store. */
  async commit(): Promise<void> {
    if (!this.pending.size) return;
    const { flowState: s } = this.sql.tables;
    const at = this.now();
    await this.sql.db
      .insert(s)
      .values([...this.pending].map(([key, value]) => ({ flowId: this.flowId, key, value, updatedAt: at })))
      .onConflictDoUpdate({ target: [s.flowId, s.key], set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } });
  }

  /**
   * `commit` as raw statements on the SQLite connection, for the executor's step commit (bench/README.md "Order to
   * ERP", "per-step commit"): called inside `Store.exclusive` (or a raw `sqlite.transaction`), never outside one.
   */
  commitSqlite(): void {
    if (!this.pending.size) return;
    if (!isSqlite(this.store)) throw new Error('StepState.commitSqlite on a PostgreSQL store');
    const stmt = upsertOf(this.store);
    const at = this.now();
    for (const [k, v] of this.pending) stmt.run(this.flowId, k, v, at);
  }
}

// A step makes a StepState, so the view (a drizzle database and its statements on SQLite) is made once per store.
const views = new WeakMap<AnyStore, SqlStore<StateTables>>();
const viewOf = (store: AnyStore) => {
  let v = views.get(store);
  if (!v) views.set(store, (v = store.sql({ flowState })));
  return v;
};

const upserts = new WeakMap<Store['sqlite'], Statement>();
const upsertOf = (store: Store) => {
  let st = upserts.get(store.sqlite);
  if (!st) {
    st = store.sqlite.prepare(
      `INSERT INTO flow_state (flow_id, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (flow_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    upserts.set(store.sqlite, st);
  }
  return st;
};
