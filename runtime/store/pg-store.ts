// The PostgreSQL store of one workspace: a schema of the deployment's shared database, migrated at open
// (processes starting together wait for each other: see ./pg-migrate.ts), and the same `sql(tables)` as the SQLite
// store, giving the pg-core forms of the tables asked for (./pg-derive.ts).
import { is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';
import type { StoreHealth } from './db.ts';
import { StoreOpenError } from './db.ts';
import { derivePgTable } from './pg-derive.ts';
import { migratePg, pgMigrationStatus } from './pg-migrate.ts';
import { pgPool, pgSqlStore } from './pg-sql-store.ts';
import type { SqlStore } from './sql-store.ts';

export interface PgStore {
  readonly dialect: 'postgres';
  /** The PG schema holding this workspace's tables. */
  readonly schema: string;
  /** The database URL without its password, for messages. */
  readonly where: string;
  readonly pool: pg.Pool;
  /** This open created the workspace's tables (its first open, by any process): what a fresh SQLite data dir is. */
  readonly created: boolean;
  sql<T extends Record<string, unknown>>(tables: T): SqlStore<T>;
  /** Reachable, and migrated exactly to what this build knows (for /readyz). */
  check(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The schema of a workspace: `ws_` and its id (ids are lower-case letters, digits and dashes; dashes become `_`). */
export const pgSchemaOf = (workspace: string) => `ws_${workspace.replaceAll('-', '_')}`;

/** The URL as it may be shown: everything but the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

/** The tables asked for, each sqlite table replaced by its pg-core form under the same name. */
function pgTables<T extends Record<string, unknown>>(tables: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tables)) out[k] = is(v, SQLiteTable) ? derivePgTable(v) : v;
  return out as T;
}

export async function openPgStore(o: { url: string; workspace: string; max?: number; onIdleError?: (e: Error) => void }): Promise<PgStore> {
  const schema = pgSchemaOf(o.workspace);
  const where = redactUrl(o.url);
  const pool = pgPool({ url: o.url, schema, max: o.max, onIdleError: o.onIdleError });
  let created: boolean;
  try {
    ({ created } = await migratePg(pool, { schema }));
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StoreOpenError(`cannot open the PostgreSQL store at ${where} (schema ${schema}): ${(e as Error).message}`);
  }
  let since = 0;
  const check = async (): Promise<StoreHealth> => {
    try {
      const status = await pgMigrationStatus(pool, { schema });
      if (status.current) {
        since = 0;
        return { ok: true };
      }
      since ||= Date.now();
      return { ok: false, problem: status.problem, since };
    } catch (e) {
      since ||= Date.now();
      return { ok: false, problem: `the PostgreSQL store at ${where} is unreachable: ${(e as Error).message}`, since };
    }
  };
  return { dialect: 'postgres', schema, where, pool, created, sql: (tables) => pgSqlStore(pool, pgTables(tables)), check, close: () => pool.end() };
}
