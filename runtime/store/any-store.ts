// The store a workspace's runtime runs on: the embedded SQLite file or a PostgreSQL schema (issue 13). Code that
// runs on both asks for a `SqlStore` view (`store.sql(tables)`); a hot path may take each dialect's own road by
// `store.dialect` — raw prepared statements through `store.exclusive` on SQLite, the pool on PostgreSQL.
import type { Store } from './db.ts';
import type { PgStore } from './pg-store.ts';

export type AnyStore = Store | PgStore;

export const isSqlite = (s: AnyStore): s is Store => s.dialect === 'sqlite';
