// The server's drizzle handle on the runtime's SQLite file, migrated with its own migrations table.
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type Database from 'better-sqlite3';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type ServerDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openServerDb(sqlite: Database.Database): ServerDb {
  const db = drizzle(sqlite, { schema }) as ServerDb;
  migrate(db, { migrationsFolder, migrationsTable: '__server_migrations' });
  return db;
}
