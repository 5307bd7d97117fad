// Upgrade from the five migration sets of earlier releases to the one set: a data dir written by the old code opens
// with the new code, keeps every row, and ends up with exactly the schema a fresh store gets.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { openStore, STORE_FILE } from './db.ts';
import { LEGACY_SETS, MIGRATIONS_TABLE, migrationsFolder } from './migrate.ts';

/** What the old code did at open: each module applied its own set, with its own migrations table. */
function oldStore(dir: string, opts: { sets?: string[]; runtimeUpTo?: number } = {}): Database.Database {
  mkdirSync(dir, { recursive: true });
  const sqlite = new Database(join(dir, STORE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  for (const s of LEGACY_SETS) {
    if (opts.sets && !opts.sets.includes(s.table)) continue;
    let folder = s.folder;
    if (s.table === '__runtime_migrations' && opts.runtimeUpTo !== undefined) folder = truncatedRuntimeSet(dir, opts.runtimeUpTo);
    migrate(drizzle(sqlite), { migrationsFolder: folder, migrationsTable: s.table });
  }
  return sqlite;
}

/** The runtime set as an older release shipped it: only its first `n` migrations. */
function truncatedRuntimeSet(dir: string, n: number): string {
  const [runtime] = LEGACY_SETS;
  if (!runtime) throw new Error('no legacy migration set');
  const out = join(dir, '..', `runtime-set-${n}`);
  mkdirSync(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(runtime.folder, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, n);
  writeFileSync(join(out, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(join(runtime.folder, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  return out;
}

/** Tables, columns (in order), foreign keys, indexes (with their WHERE) and triggers, migrations tables aside. */
function shape(sqlite: Database.Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const objects = sqlite
    .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  for (const o of objects) {
    if (o.type === 'table') {
      const indexes = (sqlite.pragma(`index_list(${o.name})`) as { name: string }[]).map((i) => ({ ...i, cols: sqlite.pragma(`index_info(${i.name})`) }));
      out[o.name] = { cols: sqlite.pragma(`table_info(${o.name})`), fks: sqlite.pragma(`foreign_key_list(${o.name})`), indexes };
    } else if (o.type === 'index') out[`index ${o.name}`] = { on: o.tbl_name, where: /\bWHERE\b(.*)$/is.exec(o.sql ?? '')?.[1]?.trim() ?? null };
    else out[`${o.type} ${o.name}`] = o.sql;
  }
  return out;
}

const T = 1_790_000_000_000;

function insertRows(sqlite: Database.Database): void {
  sqlite.prepare(`INSERT INTO flows (id, name, draft, draft_updated_at, created_at) VALUES ('f1', 'Orders', '{"nodes":[]}', ?, ?)`).run(T, T);
  sqlite
    .prepare(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('r1', 'f1', 3, 'e1', 'succeeded', ?, ?)`)
    .run(T, T);
  sqlite.prepare(`INSERT INTO steps (run_id, node_id, status, attempts, reads) VALUES ('r1', 'n1', 'succeeded', 2, '{"flowVersion":3}')`).run();
  sqlite.prepare(`INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ('u1', 'a@example.com', 'Ann', 'admin', 'scrypt$x', ?)`).run(T);
  sqlite.prepare(`INSERT INTO lookup_tables (scope, name, current_version, created_at, updated_at) VALUES ('shared', 'skus', 1, ?, ?)`).run(T, T);
  sqlite.prepare(`INSERT INTO lookup_uses (run_id, node_id, table_id, version, used_at) VALUES ('r1', 'n1', 1, 1, ?)`).run(T);
  sqlite
    .prepare(`INSERT INTO recon_settlements (flow_id, scope, payout_id, status, data, updated_at) VALUES ('f1', 'shop', 'p1', 'open', '{"amount":"12.30"}', ?)`)
    .run(T);
}

describe('store migrations', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  const freshShape = () => {
    const store = openStore(join(tmp.dir, 'fresh'));
    const s = shape(store.sqlite);
    store.close();
    return s;
  };

  it('opens a data dir written by the five old sets: every row kept, schema the same as a fresh store, later migrations applied', () => {
    const dir = join(tmp.dir, 'old');
    const old = oldStore(dir);
    insertRows(old);
    old.close();

    const store = openStore(dir);
    const q = (sql: string) => store.sqlite.prepare(sql).all();
    expect(q(`SELECT id, name, draft FROM flows`)).toEqual([{ id: 'f1', name: 'Orders', draft: '{"nodes":[]}' }]);
    expect(q(`SELECT node_id, attempts, reads FROM steps`)).toEqual([{ node_id: 'n1', attempts: 2, reads: '{"flowVersion":3}' }]);
    expect(q(`SELECT email, role FROM users`)).toEqual([{ email: 'a@example.com', role: 'admin' }]);
    expect(q(`SELECT name, current_version FROM lookup_tables`)).toEqual([{ name: 'skus', current_version: 1 }]);
    expect(q(`SELECT payout_id, data FROM recon_settlements`)).toEqual([{ payout_id: 'p1', data: '{"amount":"12.30"}' }]);
    // The baseline is recorded, not run; the migrations after it ran.
    const applied = q(`SELECT hash FROM ${MIGRATIONS_TABLE} ORDER BY created_at`) as { hash: string }[];
    expect(applied.map((r) => r.hash)).toEqual(readMigrationFiles({ migrationsFolder }).map((m) => m.hash));
    expect(shape(store.sqlite)).toEqual(freshShape());
    // The trigger still prunes lookup uses with their run.
    store.sqlite.prepare(`DELETE FROM runs WHERE id = 'r1'`).run();
    expect(q(`SELECT * FROM lookup_uses`)).toEqual([]);
    store.close();

    // A second open changes nothing.
    const again = openStore(dir);
    expect(again.sqlite.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get()).toEqual({ n: applied.length });
    expect(again.sqlite.prepare(`SELECT count(*) AS n FROM users`).get()).toEqual({ n: 1 });
    again.close();
  });

  it('finishes an old store that stopped short: a runtime-only store from an older release (no server tables, runtime set at 0001)', () => {
    const dir = join(tmp.dir, 'older');
    const old = oldStore(dir, { sets: ['__runtime_migrations', '__reconciliation_migrations'], runtimeUpTo: 2 });
    old.prepare(`INSERT INTO flows (id, name, draft, draft_updated_at, created_at) VALUES ('f1', 'Orders', '{}', ?, ?)`).run(T, T);
    expect(() => old.prepare(`SELECT reads FROM steps`).all()).toThrow(/no such column/);
    old.close();

    const store = openStore(dir);
    expect(store.sqlite.prepare(`SELECT id FROM flows`).all()).toEqual([{ id: 'f1' }]);
    expect(shape(store.sqlite)).toEqual(freshShape());
    store.close();
  });

  it('the legacy sets are frozen: a migration for an old set (say from a branch merged late) belongs in the one set', () => {
    const counts = LEGACY_SETS.map((s) => [s.table, JSON.parse(readFileSync(join(s.folder, 'meta', '_journal.json'), 'utf8')).entries.length]);
    expect(Object.fromEntries(counts)).toEqual({
      __runtime_migrations: 4,
      __reconciliation_migrations: 3,
      __server_migrations: 3,
      __lookups_migrations: 2,
      __exceptions_migrations: 1,
    });
  });

  it('a fresh store has only the one migrations table', () => {
    const store = openStore(join(tmp.dir, 'new'));
    const tables = store.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_\\_%' ESCAPE '\\'`).all();
    expect(tables).toEqual([{ name: MIGRATIONS_TABLE }]);
    store.close();
  });
});
