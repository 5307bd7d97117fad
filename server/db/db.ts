// The server's drizzle handle on the runtime's SQLite file. Its tables are created with every other table by the
// store's one migration set, at openStore (runtime/store/migrate.ts).
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type Database from 'better-sqlite3';
import * as schema from './schema.ts';

export type ServerDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export function openServerDb(sqlite: Database.Database): ServerDb {
  return drizzle(sqlite, { schema }) as ServerDb;
}
