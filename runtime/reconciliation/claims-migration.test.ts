// Migration 0006 rebuilds recon_claims WITHOUT ROWID: a store with claims from before opens with every claim, in the
// claim order rowid gave, and the table keeps one B-tree.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { openStore, STORE_FILE } from '../store/db.ts';
import { MIGRATIONS_TABLE, migrationsFolder } from '../store/migrate.ts';
import { StepReconciliation } from './records.ts';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('claims-migration-');
});
afterEach(() => tmp.cleanup());

/** The one migration set as the release before shipped it: everything before the claims rebuild. */
function setBefore(dir: string): string {
  const out = join(dir, 'set-before');
  mkdirSync(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_recon_claims_by_document'));
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(join(out, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(join(migrationsFolder, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  return out;
}

it('keeps every claim and its claim order, and leaves the table WITHOUT ROWID with no by-payout index', async () => {
  const dir = join(tmp.dir, 'data');
  mkdirSync(dir, { recursive: true });
  const old = new Database(join(dir, STORE_FILE));
  migrate(drizzle(old), { migrationsFolder: setBefore(tmp.dir), migrationsTable: MIGRATIONS_TABLE });
  const insert = old.prepare(`INSERT INTO recon_claims (flow_id, scope, doc_uid, payout_id, item, matched_by, claimed_at) VALUES ('f', 'e', ?, ?, ?, 'id', ?)`);
  // Claim order is rowid order, unlike the documents' order.
  for (const [doc, payout, item, at] of [
    ['invoice:9', 'p1', 'a', 1],
    ['invoice:10', 'p1', 'b', 1],
    ['invoice:2', 'p2', 'c', 1],
    ['invoice:1', 'p1', 'd', 2],
  ] as const)
    insert.run(doc, payout, item, at);
  old.close();

  const store = openStore(dir);
  try {
    const table = store.sqlite.prepare(`SELECT sql FROM sqlite_master WHERE name = 'recon_claims'`).get() as { sql: string };
    expect(table.sql).toMatch(/WITHOUT ROWID\s*$/);
    expect(
      store.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'recon_claims' AND name NOT LIKE 'sqlite_%'`).all(),
    ).toEqual([]);
    const r = new StepReconciliation(store, 'f', () => 3).scope('e');
    expect((await r.claimsOf('p1')).map((c) => c.item)).toEqual(['a', 'b', 'd']);
    expect(await r.claimedBy(['invoice:2', 'invoice:3'])).toEqual(new Map([['invoice:2', 'p2']]));
  } finally {
    store.close();
  }
});
