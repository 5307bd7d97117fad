// Migrations of the PostgreSQL store. On PostgreSQL a workspace (cell) is one schema of the shared database, so the
// one migration set (./migrations-pg, generated from drizzle.pg.config.ts by `npm run db:generate`) is applied inside
// a given schema, with its own `__migrations` table there. Processes starting together migrate the same schema at
// once: a transaction-scoped advisory lock per schema makes the second wait, then find everything applied.
//
// The bookkeeping is drizzle's own (table `id serial, hash, created_at bigint`; a migration applies when its folder
// time is later than the last one recorded), so drizzle's migrator would read a schema migrated here the same way.
// drizzle's migrator itself cannot be used: it takes no lock, and drizzle-kit writes foreign keys as
// `REFERENCES "public"."t"`, which must point into the workspace's schema instead.
import { type MigrationMeta, readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_TABLE } from './migrate.ts';

export const pgMigrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations-pg');

/** A pool (a client is taken from it for the migration) or a connected client not inside a transaction. */
export type PgTarget = pg.Pool | pg.ClientBase;

export interface PgMigrateOptions {
  /** The PG schema (namespace) holding the workspace's tables; created when missing. */
  schema: string;
  /** Defaults to the store's set; tests point it elsewhere. */
  migrationsFolder?: string;
}

/** First key of the advisory lock: ours, whatever else takes advisory locks on the database. */
const LOCK_CLASS = 'ledgerline.migrate';

/** Brings `schema` up to date; returns the tags of the migrations this call applied (none when already current). */
export async function migratePg(db: PgTarget, options: PgMigrateOptions): Promise<{ applied: string[]; created: boolean }> {
  const schema = quoteSchema(options.schema);
  const migrations = readPgMigrations(options.migrationsFolder);
  return withClient(db, async (client) => {
    await client.query('BEGIN');
    try {
      // Taken before anything is read, and held to COMMIT: every statement after it sees what a process that held
      // it before committed (READ COMMITTED takes a fresh snapshot per statement).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [LOCK_CLASS, options.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`SET LOCAL search_path TO ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      const last = await client.query<{ last: string | null }>(`SELECT max(created_at) AS last FROM ${schema}.${MIGRATIONS_TABLE}`);
      const lastMillis = Number(last.rows[0]?.last ?? -1);
      const applied: string[] = [];
      for (const m of migrations) {
        if (m.folderMillis <= lastMillis) continue;
        for (const [i, statement] of m.sql.entries()) {
          if (statement.trim() === '') continue;
          try {
            await client.query(inSchema(statement, schema));
          } catch (e) {
            throw new Error(`PostgreSQL migration ${m.tag} (statement ${i + 1}) failed in schema ${schema}: ${(e as Error).message}`, { cause: e });
          }
        }
        await client.query(`INSERT INTO ${schema}.${MIGRATIONS_TABLE} (hash, created_at) VALUES ($1, $2)`, [m.hash, m.folderMillis]);
        applied.push(m.tag);
      }
      await client.query('COMMIT');
      // Created: this call found the schema without migrations (a workspace's first open, whichever process it was).
      return { applied, created: lastMillis < 0 };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}

/** Whether `schema` was ever migrated (its migrations table exists): a store was created there. */
export async function pgSchemaMigrated(db: PgTarget, schema: string): Promise<boolean> {
  return withClient(db, (client) => hasMigrationsTable(client, quoteSchema(schema)));
}

async function hasMigrationsTable(client: pg.ClientBase, quotedSchema: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${quotedSchema}.${MIGRATIONS_TABLE}`]);
  return rows[0]?.t != null;
}

export type PgMigrationStatus = { current: true; applied: number; known: number } | { current: false; applied: number; known: number; problem: string };

/**
 * Whether `schema` holds exactly the migrations this build knows (for /readyz): not when some are missing (not
 * migrated yet) nor when it holds more (a newer build migrated it: this process's queries may no longer fit).
 */
export async function pgMigrationStatus(db: PgTarget, options: PgMigrateOptions): Promise<PgMigrationStatus> {
  const schema = quoteSchema(options.schema);
  const known = readPgMigrations(options.migrationsFolder);
  return withClient(db, async (client) => {
    if (!(await hasMigrationsTable(client, schema))) {
      return { current: false, applied: 0, known: known.length, problem: `PG schema ${schema} has no migrations table: it was never migrated` };
    }
    const { rows } = await client.query<{ hash: string; created_at: string }>(`SELECT hash, created_at FROM ${schema}.${MIGRATIONS_TABLE}`);
    const seen = new Set(rows.map((r) => Number(r.created_at)));
    const missing = known.filter((m) => !seen.has(m.folderMillis));
    const knownMillis = new Set(known.map((m) => m.folderMillis));
    const unknown = rows.filter((r) => !knownMillis.has(Number(r.created_at)));
    const counts = { applied: rows.length, known: known.length };
    if (unknown.length > 0) {
      return {
        current: false,
        ...counts,
        problem: `PG schema ${schema} holds ${unknown.length} migration(s) this version does not know: a newer version migrated it; restart on the new version`,
      };
    }
    if (missing.length > 0) {
      return { current: false, ...counts, problem: `PG schema ${schema} lacks migration(s) ${missing.map((m) => m.tag).join(', ')}` };
    }
    return { current: true, ...counts };
  });
}

type PgMigration = MigrationMeta & { tag: string };

/** The set's migrations in order, with their journal tags (drizzle's reader leaves the tags out). */
// The store's own set does not change while the process runs: read once, not at every /readyz.
let ownSet: PgMigration[] | undefined;

function readPgMigrations(folder = pgMigrationsFolder): PgMigration[] {
  if (folder === pgMigrationsFolder) return (ownSet ??= readMigrationSet(folder));
  return readMigrationSet(folder);
}

function readMigrationSet(folder: string): PgMigration[] {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const journal = readJournal(folder);
  return migrations.map((m, i) => ({ ...m, tag: journal[i] ?? `#${i}` }));
}

function readJournal(folder: string): string[] {
  // readMigrationFiles just read and parsed the same file, so it exists.
  const { entries } = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return entries.map((e) => e.tag);
}

/** drizzle-kit qualifies foreign-key targets with the schema the tables were declared in (none: "public"). */
function inSchema(statement: string, schema: string): string {
  return statement.replaceAll('"public".', `${schema}.`);
}

/** The schema name as a quoted identifier; workspace ids have dashes, so quoting is always needed. */
export function quoteSchema(name: string): string {
  if (name === '' || Buffer.byteLength(name) > 63 || name.startsWith('pg_') || name.includes('\0')) {
    throw new Error(`"${name}" cannot be a PostgreSQL schema name (1 to 63 bytes, not starting with pg_)`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient<T>(db: PgTarget, f: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return f(db);
  const client = await db.connect();
  try {
    return await f(client);
  } finally {
    client.release();
  }
}
