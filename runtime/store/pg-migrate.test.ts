// Migrating a workspace's PG schema: processes starting together apply the set once, workspaces stay apart, a failed
// migration leaves nothing half-done, and the status says whether a schema matches this build's migrations.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/fixtures.ts';
import { pgUnavailable, type ThrowawayDatabase, throwawayDatabase } from '../testing/pg.ts';
import { migratePg, pgMigrationStatus, pgMigrationsFolder, quoteSchema } from './pg-migrate.ts';

const unavailable = await pgUnavailable();
const journal = () => JSON.parse(readFileSync(join(pgMigrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };

describe.skipIf(unavailable)('migratePg', () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => (db = await throwawayDatabase()));
  afterAll(async () => db?.drop());

  const tablesIn = async (schema: string) =>
    (await db.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map(
      (r) => r.t,
    );
  const recorded = async (schema: string) => (await db.pool.query(`SELECT hash, created_at FROM ${quoteSchema(schema)}.__migrations`)).rows;

  it('creates the schema and applies the whole set inside it, migrations table included; nothing lands in public', async () => {
    const { applied, created } = await migratePg(db.pool, { schema: 'ws-a' });
    expect(created).toBe(true);
    expect(applied).toEqual(journal().entries.map((e) => e.tag));
    const tables = await tablesIn('ws-a');
    expect(tables).toContain('__migrations');
    expect(tables).toContain('runs');
    expect(tables.length).toBeGreaterThan(30);
    // Nor any relation (identity sequences, indexes) in public: drizzle-kit's SQL names none but FK targets.
    const inPublic = await db.pool.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`);
    expect(inPublic.rows).toEqual([]);
    const sequences = await db.pool.query<{ s: string }>(
      `SELECT c.relname AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ws-a' AND c.relkind = 'S'`,
    );
    expect(sequences.rows.map((r) => r.s)).toContain('audit_log_id_seq');
    expect(await recorded('ws-a')).toHaveLength(journal().entries.length);
    // Foreign keys point into the workspace's schema, not at "public" where drizzle-kit aims them.
    const fks = await db.pool.query<{ target: string }>(
      `SELECT DISTINCT n.nspname AS target FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND c.connamespace = 'ws-a'::regnamespace`,
    );
    expect(fks.rows).toEqual([{ target: 'ws-a' }]);
  });

  it('applies nothing the second time', async () => {
    // Not created by this open: a second process opening the workspace finds it made (and installs no sandbox again).
    expect(await migratePg(db.pool, { schema: 'ws-a' })).toEqual({ applied: [], created: false });
    expect(await recorded('ws-a')).toHaveLength(journal().entries.length);
  });

  it('two processes migrating one new schema at once both succeed and the set is applied once', async () => {
    // Separate pools: separate sessions, as two processes would have.
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: db.url, max: 1 }));
    try {
      const results = await Promise.all(pools.map((p) => migratePg(p, { schema: 'ws-race' })));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, journal().entries.length]);
      // Exactly one of them created the schema's tables.
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      expect(await recorded('ws-race')).toHaveLength(journal().entries.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('without the lock the same race fails, so the lock is what makes it pass', async () => {
    // Proves the test above can fail: two sessions running the baseline unserialized collide on a catalog row.
    const sql = readFileSync(join(pgMigrationsFolder, `${journal().entries[0]!.tag}.sql`), 'utf8').replaceAll('"public".', '"ws-nolock".');
    const clients = [0, 1].map(() => new pg.Client({ connectionString: db.url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const run = async (c: pg.Client) => {
        await c.query('BEGIN');
        await c.query(`CREATE SCHEMA IF NOT EXISTS "ws-nolock"`);
        await c.query(`SET LOCAL search_path TO "ws-nolock"`);
        for (const s of sql.split('--> statement-breakpoint')) await c.query(s);
        await c.query('COMMIT');
      };
      const outcomes = await Promise.allSettled(clients.map(run));
      expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("two workspaces' schemas are independent", async () => {
    await migratePg(db.pool, { schema: 'ws-b' });
    const c = await db.pool.connect();
    try {
      await c.query(`INSERT INTO "ws-a".leases (name, holder, expires_at, acquired_at, term) VALUES ('scheduler', 'a', 1, 1, 1)`);
      await c.query(`INSERT INTO "ws-b".leases (name, holder, expires_at, acquired_at, term) VALUES ('scheduler', 'b', 2, 2, 1)`);
      expect((await c.query(`SELECT holder FROM "ws-a".leases`)).rows).toEqual([{ holder: 'a' }]);
      expect((await c.query(`SELECT holder FROM "ws-b".leases`)).rows).toEqual([{ holder: 'b' }]);
      await c.query(`DROP SCHEMA "ws-b" CASCADE`);
      expect((await c.query(`SELECT holder FROM "ws-a".leases`)).rows).toEqual([{ holder: 'a' }]);
    } finally {
      c.release();
    }
  });

  it('accepts a connected client as well as a pool', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await migratePg(c, { schema: 'ws-client' })).applied.length).toBe(journal().entries.length);
      expect(await pgMigrationStatus(c, { schema: 'ws-client' })).toMatchObject({ current: true });
    } finally {
      await c.end();
    }
  });

  it('refuses names PostgreSQL would truncate or reserves', async () => {
    await expect(migratePg(db.pool, { schema: 'x'.repeat(64) })).rejects.toThrow(/cannot be a PostgreSQL schema name/);
    await expect(migratePg(db.pool, { schema: 'pg_ws' })).rejects.toThrow(/cannot be a PostgreSQL schema name/);
    expect(quoteSchema('we"ird')).toBe('"we""ird"');
  });

  describe('with a migration set of its own', () => {
    let tmp: ReturnType<typeof tempDir>;
    let folder: string;
    beforeEach(() => {
      tmp = tempDir();
      folder = join(tmp.dir, 'migrations-pg');
      cpSync(pgMigrationsFolder, folder, { recursive: true });
    });
    afterEach(() => tmp.cleanup());

    /** Appends a migration to the copied set, as `npm run db:generate` would. */
    const addMigration = (tag: string, sql: string) => {
      const j = journal();
      const last = j.entries.at(-1)!;
      j.entries.push({ ...last, idx: j.entries.length, tag, when: last.when + 1000 } as (typeof j.entries)[number]);
      writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(j, null, 2));
      writeFileSync(join(folder, `${tag}.sql`), sql);
    };

    it('a failing migration rolls back whole: nothing of it stays, and nothing is recorded', async () => {
      await migratePg(db.pool, { schema: 'ws-fail' });
      addMigration('9000_broken', 'CREATE TABLE "half" (id text);--> statement-breakpoint\nALTER TABLE "nope" ADD COLUMN x text;');
      await expect(migratePg(db.pool, { schema: 'ws-fail', migrationsFolder: folder })).rejects.toThrow(
        /9000_broken \(statement 2\) failed in schema "ws-fail"/,
      );
      expect(await tablesIn('ws-fail')).not.toContain('half');
      expect(await recorded('ws-fail')).toHaveLength(journal().entries.length);
    });

    it('status: never migrated, current, behind (a migration to apply), ahead (migrated by a newer build)', async () => {
      expect(await pgMigrationStatus(db.pool, { schema: 'ws-status' })).toMatchObject({ current: false, problem: expect.stringMatching(/never migrated/) });
      await migratePg(db.pool, { schema: 'ws-status' });
      const known = journal().entries.length;
      expect(await pgMigrationStatus(db.pool, { schema: 'ws-status' })).toEqual({ current: true, applied: known, known });

      addMigration('9001_next', 'CREATE TABLE "next" (id text);');
      const behind = await pgMigrationStatus(db.pool, { schema: 'ws-status', migrationsFolder: folder });
      expect(behind).toMatchObject({ current: false, applied: known, known: known + 1, problem: expect.stringMatching(/lacks migration\(s\) 9001_next/) });

      expect((await migratePg(db.pool, { schema: 'ws-status', migrationsFolder: folder })).applied).toEqual(['9001_next']);
      expect(await pgMigrationStatus(db.pool, { schema: 'ws-status', migrationsFolder: folder })).toMatchObject({ current: true });
      // This build (the checked-in set) now sees a schema a newer build migrated.
      const ahead = await pgMigrationStatus(db.pool, { schema: 'ws-status' });
      expect(ahead).toMatchObject({ current: false, problem: expect.stringMatching(/newer version migrated it/) });
    });
  });
});
