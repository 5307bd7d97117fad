// The move from a stored row per transaction to a stored row per page, on both stores: rows a payout read wrote before
// the upgrade come back in the same order, and the reference made then still verifies (count and digest).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, STORE_FILE } from '../store/db.ts';
import { MIGRATIONS_TABLE, migrationsFolder } from '../store/migrate.ts';
import { migratePg, pgMigrationsFolder, quoteSchema } from '../store/pg-migrate.ts';
import { openPgStore, pgSchemaOf } from '../store/pg-store.ts';
import { tempDir } from '../testing/fixtures.ts';
import { pgUnavailable, throwawayDatabase } from '../testing/pg.ts';
import { StepPayoutRows } from './payout-rows.ts';

/** A migration set as the release before pages shipped it: up to the migration tagged `last`. */
function setUpTo(folder: string, last: string, out: string): string {
  mkdirSync(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === last) + 1);
  writeFileSync(join(out, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(join(folder, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  return out;
}

/** 2,345 rows of payout p1 stored out of seq order, and one of p2 in another scope: [flow, scope, payout, tx, seq, gen, data]. */
const N = 2_345;
const seqs = Array.from({ length: N }, (_, i) => (i * 11) % N);
const oldRows = [
  ...seqs.map((seq) => ['f', 'shop', 'p1', `tx${seq}`, seq, 1, `["tx${seq}"]`] as const),
  ['f', 'other', 'p2', 'tx0', 0, 3, '["other"]'] as const,
];
const p1 = Array.from({ length: N }, (_, seq) => `["tx${seq}"]`);
const refOf = (texts: string[]) => {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\n');
  return { count: texts.length, digest: h.digest('hex') };
};

const pgDown = await pgUnavailable();

describe('recon_balance_transactions → recon_balance_pages', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('SQLite: moves the rows into pages of 1,000 in seq order; references made before still verify', async () => {
    const dir = join(tmp.dir, 'store');
    mkdirSync(dir);
    const old = new Database(join(dir, STORE_FILE));
    migrate(drizzle(old), {
      migrationsFolder: setUpTo(migrationsFolder, '0004_shopify_bucket_answered', join(tmp.dir, 'set')),
      migrationsTable: MIGRATIONS_TABLE,
    });
    const insert = old.prepare(`INSERT INTO recon_balance_transactions (flow_id, scope, payout_id, tx_id, seq, gen, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    old.transaction(() => {
      for (const r of oldRows) insert.run(...r);
    })();
    old.close();

    const store = openStore(dir);
    try {
      expect(store.sqlite.prepare(`SELECT name FROM sqlite_master WHERE name = 'recon_balance_transactions'`).all()).toEqual([]);
      expect(store.sqlite.prepare(`SELECT payout_id, page, gen, count FROM recon_balance_pages ORDER BY payout_id, page`).raw(true).all()).toEqual([
        ['p1', 0, 1, 1000],
        ['p1', 1, 1, 1000],
        ['p1', 2, 1, 345],
        ['p2', 0, 3, 1],
      ]);
      const rows = new StepPayoutRows(store, 'f');
      const slices: string[][] = [];
      for await (const s of rows.scope('shop').read('p1', 700, refOf(p1))) slices.push(s);
      expect(slices.flat()).toEqual(p1);
      expect(slices.map((s) => s.length)).toEqual([700, 700, 700, 245]);
      const p2: string[] = [];
      for await (const s of rows.scope('other').read('p2', 10, refOf(['["other"]']))) p2.push(...s);
      expect(p2).toEqual(['["other"]']);
    } finally {
      store.close();
    }
  });

  it.skipIf(pgDown)(
    'PostgreSQL: the same move',
    async () => {
      const db = await throwawayDatabase();
      try {
        const workspace = 'test';
        const schema = pgSchemaOf(workspace);
        await migratePg(db.pool, { schema, migrationsFolder: setUpTo(pgMigrationsFolder, '0002_shopify_bucket_answered', join(tmp.dir, 'set-pg')) });
        const values = oldRows.map((_, i) => `(${Array.from({ length: 7 }, (_, k) => `$${i * 7 + k + 1}`).join(', ')})`).join(', ');
        await db.pool.query(
          `INSERT INTO ${quoteSchema(schema)}.recon_balance_transactions (flow_id, scope, payout_id, tx_id, seq, gen, data) VALUES ${values}`,
          oldRows.flat(),
        );
        const store = await openPgStore({ url: db.url, workspace, max: 2 });
        try {
          const pages = await db.pool.query(`SELECT payout_id, page::int, gen::int, count::int FROM ${quoteSchema(schema)}.recon_balance_pages ORDER BY 1, 2`);
          expect(pages.rows.map((r) => Object.values(r))).toEqual([
            ['p1', 0, 1, 1000],
            ['p1', 1, 1, 1000],
            ['p1', 2, 1, 345],
            ['p2', 0, 3, 1],
          ]);
          const got: string[] = [];
          for await (const s of new StepPayoutRows(store, 'f').scope('shop').read('p1', 700, refOf(p1))) got.push(...s);
          expect(got).toEqual(p1);
        } finally {
          await store.close();
        }
      } finally {
        await db.drop();
      }
    },
    30_000,
  );
});
