// Opens the embedded SQLite store under a data dir: WAL, migrations, and the checkpoint that keeps the WAL bounded.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type RuntimeDb = BetterSQLite3Database<typeof schema>;

export interface Store {
  sqlite: Database.Database;
  db: RuntimeDb;
  path: string;
  close(): void;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openStore(dataDir: string, opts: { migrate?: boolean } = {}): Store {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'ledgerline.db');
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  if (opts.migrate !== false) migrateStore(db);
  return { sqlite, db, path, close: () => sqlite.close() };
}

export function migrateStore(db: RuntimeDb): void {
  migrate(db, { migrationsFolder, migrationsTable: '__runtime_migrations' });
}
