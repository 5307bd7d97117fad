// The store's one migration set: every table of every module (runtime, reconciliation, server, lookups, exceptions)
// lives in the one SQLite file, is declared in a drizzle schema beside its owner, and is created by the migrations in
// ./migrations, generated from drizzle.config.ts by `npm run db:generate`.
//
// Stores written before the one set (up to December 2026) carry five sets of their own, each with its own migrations
// table. Their SQL is kept, frozen, in ./legacy-migrations. Such a store is first brought to where those five sets
// end, which is exactly what the new set's first migration (the baseline) creates, and the baseline is then recorded as
// applied instead of run. Later migrations apply to old and new stores alike.
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { sql } from 'drizzle-orm';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = join(here, 'migrations');
/** drizzle.config.ts names the same table: drizzle-kit and the migrator must agree. */
export const MIGRATIONS_TABLE = '__migrations';

/** The sets before the one set, in the order the old code applied them, with their migrations tables. */
export const LEGACY_SETS = [
  { folder: 'runtime', table: '__runtime_migrations' },
  { folder: 'reconciliation', table: '__reconciliation_migrations' },
  { folder: 'server', table: '__server_migrations' },
  { folder: 'lookups', table: '__lookups_migrations' },
  { folder: 'exceptions', table: '__exceptions_migrations' },
].map((s) => ({ ...s, folder: join(here, 'legacy-migrations', s.folder) }));

/** Brings the store's schema up to date: the one migrator call, at store open. */
export function migrateStore(db: BetterSQLite3Database<any>): void {
  adoptLegacyStore(db);
  migrate(db, { migrationsFolder, migrationsTable: MIGRATIONS_TABLE });
}

function adoptLegacyStore(db: BetterSQLite3Database<any>): void {
  const hasTable = (name: string) => db.get(sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${name}`) !== undefined;
  if (hasTable(MIGRATIONS_TABLE) || !LEGACY_SETS.some((s) => hasTable(s.table))) return;
  // Each legacy set may stop short (a store from an older release, or one the server never opened): finish them all.
  // Every step is idempotent, so a crash in between just repeats it at the next open.
  for (const s of LEGACY_SETS) migrate(db, { migrationsFolder: s.folder, migrationsTable: s.table });
  const [baseline] = readMigrationFiles({ migrationsFolder });
  if (!baseline) throw new Error(`no migration in ${migrationsFolder} to mark the legacy store as migrated to`);
  db.transaction((tx) => {
    // The table as drizzle's migrator creates it, so that it finds the baseline and skips it.
    tx.run(sql`CREATE TABLE IF NOT EXISTS ${sql.identifier(MIGRATIONS_TABLE)} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
    tx.run(sql`INSERT INTO ${sql.identifier(MIGRATIONS_TABLE)} ("hash", "created_at") VALUES (${baseline.hash}, ${baseline.folderMillis})`);
  });
}
