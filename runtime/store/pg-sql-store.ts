// The PostgreSQL side of `SqlStore`: drizzle's node-postgres driver over a pool whose connections live in one schema
// (a workspace). Inside `tx`, `store.db` is the transaction (found by async context), as on SQLite where there is one
// connection: code reads the same whichever handle it holds, and never deadlocks on its own transaction's row locks.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { sharedSchemaPool } from './pg-shared-pool.ts';
import type { SqlDb, SqlStore } from './sql-store.ts';

type PgDb = NodePgDatabase<Record<string, never>>;

/** PostgreSQL identifiers for workspace schemas: lower-case letters, digits and underscores. */
export const PG_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

// int8 (counts, epoch milliseconds) and numeric (what SUM of an int8 gives) as JavaScript numbers, as SQLite gives
// them. Drizzle passes pg's global parsers with every query, so they are set there; this process's only PostgreSQL is
// the store. Every such value of the store is a whole number below 2^53 (money is exact text): one that is not is
// kept as text rather than rounded.
const INT8 = 20;
const NUMERIC = 1700;
const wholeNumber = (v: string): number | string => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};
pg.types.setTypeParser(INT8, wholeNumber);
pg.types.setTypeParser(NUMERIC, wholeNumber);

export interface PgPoolOptions {
  url: string;
  /** The schema the connections work in (search_path); the workspace's. */
  schema: string;
  /** Connections of the process's pool on this database (all its schemas share it); the first store opened sets it. */
  max?: number;
  /**
   * An idle connection that failed (the server restarted, a network cut): the pool drops it and the next query opens
   * another, so this is for the log only. Without a listener pg would throw it out of the process.
   */
  onIdleError?: (e: Error) => void;
}

/** The schema's view of this process's one pool on the database (runtime/store/pg-shared-pool.ts). */
export function pgPool(o: PgPoolOptions): pg.Pool {
  if (!PG_SCHEMA.test(o.schema)) throw new Error(`PostgreSQL schema "${o.schema}" must be lower-case letters, digits and underscores (at most 63)`);
  const pool = sharedSchemaPool(o.url, o.schema, o.max ?? 4);
  pool.on('error', o.onIdleError ?? (() => undefined));
  return pool;
}

// Every view of one pool (each room asks for its own tables) finds the same open transaction.
const pools = new WeakMap<pg.Pool, { base: PgDb; current: AsyncLocalStorage<PgDb> }>();

/** `tables`: the pg-core tables, under the names of the SQLite ones they stand for. */
export function pgSqlStore<T extends Record<string, unknown>>(pool: pg.Pool, tables: T): SqlStore<T> {
  let p = pools.get(pool);
  if (!p) pools.set(pool, (p = { base: drizzle(pool) as PgDb, current: new AsyncLocalStorage<PgDb>() }));
  const { base, current } = p;
  const handle = (): PgDb => current.getStore() ?? base;
  const db = new Proxy(base, { get: (_t, prop) => Reflect.get(handle(), prop) }) as unknown as SqlDb;

  const tx = <R>(fn: (tx: SqlDb) => Promise<R>): Promise<R> => handle().transaction((t) => current.run(t as unknown as PgDb, () => fn(db)));

  const rows = async <R>(q: SQL): Promise<R[]> => (await handle().execute(q)).rows as R[];
  const exec = async (q: SQL): Promise<number> => (await handle().execute(q)).rowCount ?? 0;

  const forUpdate = <Q>(q: Q): Q => (q as unknown as { for(strength: 'update'): Q }).for('update');

  return { dialect: 'postgres', tables, db, tx, forUpdate, rows, exec };
}
