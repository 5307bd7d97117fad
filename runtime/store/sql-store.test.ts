// The contract of `SqlStore`, run on both dialects: what code written once against it may rely on.
import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { bigint, boolean, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayDatabase, type ThrowawayDatabase } from '../testing/pg.ts';
import { pgPool, pgSqlStore } from './pg-sql-store.ts';
import type { SqlStore } from './sql-store.ts';
import { sqliteSqlStore } from './sqlite-sql-store.ts';

const counters = sqliteTable('counters', {
  id: text('id').primaryKey(),
  n: integer('n').notNull(),
  flag: integer('flag', { mode: 'boolean' }).notNull().default(false),
  at: integer('at').notNull(),
});
const pgCounters = pgTable('counters', {
  id: pgText('id').primaryKey(),
  n: bigint('n', { mode: 'number' }).notNull(),
  flag: boolean('flag').notNull().default(false),
  at: bigint('at', { mode: 'number' }).notNull(),
});
type Tables = { counters: typeof counters };

interface Dialect {
  name: string;
  open(): Promise<SqlStore<Tables>>;
  cleanup(): Promise<void>;
}

const sqliteDialect = (): Dialect => {
  const dir = mkdtempSync(join(tmpdir(), 'll-sqlstore-'));
  const conns: Database.Database[] = [];
  return {
    name: 'sqlite',
    async open() {
      const sqlite = new Database(join(dir, 'db.sqlite'));
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 5000');
      sqlite.exec('CREATE TABLE IF NOT EXISTS counters (id text PRIMARY KEY, n integer NOT NULL, flag integer NOT NULL DEFAULT 0, at integer NOT NULL)');
      conns.push(sqlite);
      return sqliteSqlStore(sqlite, { counters });
    },
    async cleanup() {
      for (const c of conns) c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const pgDialect = (): Dialect => {
  let database: ThrowawayDatabase | undefined;
  const pools: pg.Pool[] = [];
  return {
    name: 'postgres',
    async open() {
      database ??= await throwawayDatabase();
      const pool = pgPool({ url: database.url, schema: 'ws_test' });
      await pool.query('CREATE SCHEMA IF NOT EXISTS ws_test');
      await pool.query('CREATE TABLE IF NOT EXISTS counters (id text PRIMARY KEY, n bigint NOT NULL, flag boolean NOT NULL DEFAULT false, at bigint NOT NULL)');
      pools.push(pool);
      return pgSqlStore(pool, { counters: pgCounters as unknown as typeof counters });
    },
    async cleanup() {
      for (const p of pools) await p.end();
      await database?.drop();
    },
  };
};

describe.each([
  { name: 'sqlite', make: sqliteDialect },
  { name: 'postgres', make: pgDialect },
])('SqlStore on $name', ({ make }) => {
  const d = make();
  let store: SqlStore<Tables>;
  let c: typeof counters;
  beforeAll(async () => {
    store = await d.open();
    c = store.tables.counters;
  });
  afterAll(() => d.cleanup());

  it(`${d.name}: inserts, reads and upserts with the same builders; epoch ms and booleans round-trip`, async () => {
    await store.db.insert(c).values({ id: 'a', n: 1, at: 1_733_000_000_123 });
    await store.db
      .insert(c)
      .values({ id: 'a', n: 5, at: 0 })
      .onConflictDoUpdate({ target: c.id, set: { n: sql`${c.n} + 1`, flag: true } });
    const rows = await store.db.select().from(c).where(eq(c.id, 'a'));
    expect(rows).toEqual([{ id: 'a', n: 2, flag: true, at: 1_733_000_000_123 }]);
    const changed = await store.db.update(c).set({ n: 3 }).where(eq(c.id, 'a')).returning({ id: c.id });
    expect(changed).toEqual([{ id: 'a' }]);
    const returned = await store.db.delete(c).where(eq(c.id, 'nope')).returning({ id: c.id });
    expect(returned).toEqual([]);
  });

  it(`${d.name}: raw rows and exec in the shared SQL; counts come back as numbers`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    expect(await store.exec(sql`INSERT INTO counters (id, n, at) VALUES (${'x'}, ${1}, ${2}), (${'y'}, ${2}, ${3})`)).toBe(2);
    const [r] = await store.rows<{ total: number; count: number }>(sql`SELECT SUM(n) AS total, COUNT(*) AS count FROM counters`);
    expect(r).toEqual({ total: 3, count: 2 });
  });

  it(`${d.name}: a transaction commits when it resolves and rolls back when it throws`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    await store.tx(async (tx) => {
      await tx.insert(c).values({ id: 'kept', n: 1, at: 1 });
    });
    await expect(
      store.tx(async (tx) => {
        await tx.insert(c).values({ id: 'lost', n: 1, at: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.db.select({ id: c.id }).from(c)).map((r) => r.id)).toEqual(['kept']);
  });

  it(`${d.name}: a nested transaction is a savepoint: its failure undoes only its own work`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    await store.tx(async (tx) => {
      await tx.insert(c).values({ id: 'outer', n: 1, at: 1 });
      await store
        .tx(async (inner) => {
          await inner.insert(c).values({ id: 'inner', n: 1, at: 1 });
          throw new Error('inner fails');
        })
        .catch(() => undefined);
      await tx.insert(c).values({ id: 'after', n: 1, at: 1 });
    });
    expect((await store.db.select({ id: c.id }).from(c).orderBy(c.id)).map((r) => r.id)).toEqual(['after', 'outer']);
  });

  it(`${d.name}: inside a transaction, store.db is the transaction (reads its own writes)`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    await store.tx(async () => {
      await store.db.insert(c).values({ id: 'own', n: 7, at: 1 });
      const [r] = await store.rows<{ n: number }>(sql`SELECT n FROM counters WHERE id = ${'own'}`);
      expect(r?.n).toBe(7);
    });
  });

  it(`${d.name}: concurrent read-modify-write transactions lose no update`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    await store.db.insert(c).values({ id: 'k', n: 0, at: 0 });
    // Read, yield, write: without isolation between callers, increments would overwrite one another.
    const bump = () =>
      store.tx(async (tx) => {
        const [row] = await store.forUpdate(tx.select({ n: c.n }).from(c).where(eq(c.id, 'k')));
        await new Promise<void>((r) => setImmediate(r));
        await tx
          .update(c)
          .set({ n: (row?.n ?? 0) + 1 })
          .where(eq(c.id, 'k'));
      });
    await Promise.all(Array.from({ length: 40 }, bump));
    const [row] = await store.db.select({ n: c.n }).from(c).where(eq(c.id, 'k'));
    expect(row?.n).toBe(40);
  });

  it(`${d.name}: a statement from outside never sees or joins another caller's open transaction`, async () => {
    await store.exec(sql`DELETE FROM counters`);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inserted!: () => void;
    const didInsert = new Promise<void>((r) => {
      inserted = r;
    });
    const t = store.tx(async (tx) => {
      await tx.insert(c).values({ id: 'pending', n: 1, at: 1 });
      inserted();
      await held;
      throw new Error('rolled back');
    });
    await didInsert;
    // On SQLite the read waits for the transaction to end; on PostgreSQL it does not see uncommitted rows. Either way: none.
    const seen = store.db.select({ id: c.id }).from(c);
    setTimeout(release, 30);
    await expect(t).rejects.toThrow('rolled back');
    expect(await seen).toEqual([]);
  });

  it(`${d.name}: two stores on one database (two processes) serialise their transactions`, async () => {
    const other = await d.open();
    await store.exec(sql`DELETE FROM counters`);
    await store.db.insert(c).values({ id: 'shared', n: 0, at: 0 });
    const bump = (s: SqlStore<Tables>) =>
      s.tx(async (tx) => {
        const t = s.tables.counters;
        const [row] = await s.forUpdate(tx.select({ n: t.n }).from(t).where(eq(t.id, 'shared')));
        await tx
          .update(t)
          .set({ n: (row?.n ?? 0) + 1 })
          .where(eq(t.id, 'shared'));
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? store : other)));
    const [row] = await store.db.select({ n: c.n }).from(c).where(eq(c.id, 'shared'));
    expect(row?.n).toBe(20);
  });
});
