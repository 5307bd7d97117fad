// "Migrations current", for /readyz. The store migrates itself at start (drizzle's `__migrations` table; stores from
// before the one migration set also keep their old `__*_migrations` tables), so a process that started has applied
// every migration it knows. What it cannot know is a
// newer build's process migrating the shared store further (a rolling upgrade): its queries may then no longer fit
// the schema. So a process remembers the migrations it saw once started and is not ready when a set has grown since.
import type Database from 'better-sqlite3';

export type MigrationState = Map<string, { count: number; last: number }>;

export function readMigrationState(sqlite: Database.Database): MigrationState {
  // Raw on purpose: these are drizzle's own bookkeeping tables (found by name in sqlite_master), not tables of our schema.
  const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_\\_%migrations' ESCAPE '\\'`).all() as {
    name: string;
  }[];
  const state: MigrationState = new Map();
  for (const { name } of tables) {
    const r = sqlite.prepare(`SELECT COUNT(*) AS count, COALESCE(MAX(created_at), 0) AS last FROM "${name.replace(/"/g, '""')}"`).get() as {
      count: number;
      last: number;
    };
    state.set(name, r);
  }
  return state;
}

/** Compares the store's migrations now with those seen at start. */
export function migrationsSince(started: MigrationState, sqlite: Database.Database): { ok: true } | { ok: false; problem: string } {
  const now = readMigrationState(sqlite);
  for (const [table, r] of now) {
    const was = started.get(table);
    if (!was || r.count > was.count || r.last > was.last) {
      return {
        ok: false,
        problem: `the store was migrated by a newer version since this process started (${table}: ${was?.count ?? 0} → ${r.count} migrations); restart it on the new version`,
      };
    }
  }
  return { ok: true };
}
