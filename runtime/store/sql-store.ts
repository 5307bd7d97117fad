// The store as an asynchronous SQL database, the same for both dialects: the embedded SQLite file and PostgreSQL
// (issue 13). Code written against `SqlStore` runs on either: drizzle query builders awaited (never `.all()`,
// `.get()`, `.run()`, which SQLite alone has), tables taken from `store.tables` (the dialect's own), transactions
// through `store.tx`, and raw SQL only through `rows`/`exec` in the SQL both dialects share. A SqlStore is a view of
// a connection (SQLite) or pool (PostgreSQL) owned by the Store that opened it; views of one share its transaction.
//
// SQL both dialects run the same way (what raw fragments may use):
// - upserts with `onConflictDoNothing` / `onConflictDoUpdate` (and `excluded.<column>`), never INSERT OR REPLACE/IGNORE;
// - `COALESCE` (not IFNULL), `CASE WHEN` (not two-argument MIN/MAX), `lower(a) LIKE lower(b)` (PostgreSQL's LIKE is
//   case-sensitive), `NULLS FIRST/LAST` when nulls are ordered, every selected column grouped or aggregated;
// - no rowid, json_each/json_extract, strftime/datetime, PRAGMA: keep such needs in columns, or give each dialect its
//   statement (`store.dialect`);
// - a read that decides a write inside `tx` goes through `forUpdate`; an aggregate of integers comes back a number.
import type { SQL } from 'drizzle-orm';
import type { SqliteRemoteDatabase } from 'drizzle-orm/sqlite-proxy';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The query surface both dialects share, typed as drizzle's asynchronous SQLite database: select / insert / update /
 * delete builders with `where`, `orderBy`, `limit`, `returning`, `onConflictDoNothing`, `onConflictDoUpdate`, awaited.
 * On PostgreSQL the object is drizzle's node-postgres database over the same tables in pg-core form, whose builders
 * have those methods with the same meaning.
 */
export type SqlDb<S extends Record<string, unknown> = Record<string, never>> = SqliteRemoteDatabase<S>;

export interface SqlStore<T extends Record<string, unknown> = Record<string, unknown>> {
  readonly dialect: Dialect;
  /** This dialect's tables, under the names the SQLite schema exports (the pg-core ones on PostgreSQL). */
  readonly tables: T;
  /** Outside a transaction. On SQLite a statement waits while another caller's transaction is open, so it never reads or writes into it. */
  readonly db: SqlDb;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. On SQLite the write lock is
   * taken at BEGIN (IMMEDIATE) and the transactions of one process run one after another; on PostgreSQL it is READ
   * COMMITTED on a connection of its own, so take row locks (`forUpdate`) where a read decides a write. Called inside
   * another transaction it is a savepoint of it. A transaction awaits nothing but the store.
   */
  tx<R>(fn: (tx: SqlDb) => Promise<R>): Promise<R>;
  /**
   * The select locks the rows it reads until the transaction ends (FOR UPDATE on PostgreSQL; on SQLite the
   * transaction holds the write lock already): for a read that decides a write.
   */
  forUpdate<Q>(select: Q): Q;
  /** Rows of a raw statement (column names as the statement gives them); inside `tx`, in the transaction. */
  rows<R = Record<string, unknown>>(q: SQL): Promise<R[]>;
  /** Runs a raw statement; how many rows it changed. */
  exec(q: SQL): Promise<number>;
}
