// The PostgreSQL schema is derived from the SQLite one: after the PG migrations ran, every table, column, key, index
// and foreign key the sqlite-core declarations hold must be in the PG catalog, with the mapped type and nullability.
// A table added to a schema file but not to its schema.pg.ts, or not derivable, fails here.
import { eq, is } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig, type SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaFiles } from '../../drizzle.config.ts';
import { pgSchemaFiles } from '../../drizzle.pg.config.ts';
import { pgUnavailable, type ThrowawayDatabase, throwawayDatabase } from '../testing/pg.ts';
import { migratePg } from './pg-migrate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCHEMA = 'ws-parity';

/** Each schema file's sqlite tables and its schema.pg.ts's exports. Loaded by path, as drizzle-kit does: runtime knows no server module. */
const modules = await Promise.all(
  schemaFiles.map(async (file, i) => ({
    file,
    sqlite: (await import(join(ROOT, file))) as Record<string, unknown>,
    pg: (await import(join(ROOT, pgSchemaFiles[i]!))) as Record<string, unknown>,
  })),
);
const sqliteTables = modules.flatMap((m) => Object.values(m.sqlite).filter((v): v is SQLiteTable => is(v, SQLiteTable)));

const PG_TYPE: Record<string, string> = {
  SQLiteText: 'text',
  SQLiteInteger: 'bigint',
  SQLiteBoolean: 'boolean',
  SQLiteReal: 'double precision',
  SQLiteNumeric: 'numeric',
  SQLiteBlobBuffer: 'bytea',
};
/** pg_constraint's confdeltype / confupdtype letters. */
const ON_DELETE: Record<string, string> = { a: 'no action', c: 'cascade', r: 'restrict', n: 'set null', d: 'set default' };

const unavailable = await pgUnavailable();

describe.skipIf(unavailable)('the PostgreSQL schema derived from the SQLite one', () => {
  let db: ThrowawayDatabase;
  beforeAll(async () => {
    db = await throwawayDatabase();
    await migratePg(db.pool, { schema: SCHEMA });
  });
  afterAll(async () => db?.drop());

  it('every schema.pg.ts exports each table of its schema file, under the same name', () => {
    expect(sqliteTables.length).toBeGreaterThan(30);
    for (const m of modules) {
      const expected = Object.keys(m.sqlite).filter((k) => is(m.sqlite[k], SQLiteTable));
      expect(Object.keys(m.pg).sort(), m.file).toEqual(expected.sort());
    }
  });

  it('PG holds exactly the SQLite tables (and the migrations table)', async () => {
    const { rows } = await db.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [SCHEMA]);
    const names = sqliteTables.map((t) => getTableConfig(t).name);
    expect(rows.map((r) => r.table_name).sort()).toEqual([...names, '__migrations'].sort());
  });

  it('every column has the mapped type, nullability, default and identity', async () => {
    const { rows } = await db.pool.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
      is_identity: string;
    }>(`SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = $1`, [SCHEMA]);
    const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    let checked = 0;
    for (const table of sqliteTables) {
      const { name, columns } = getTableConfig(table);
      expect(
        rows
          .filter((r) => r.table_name === name)
          .map((r) => r.column_name)
          .sort(),
        name,
      ).toEqual(columns.map((c) => c.name).sort());
      for (const c of columns as SQLiteColumn[]) {
        const r = actual.get(`${name}.${c.name}`);
        const where = `${name}.${c.name}`;
        expect(r?.data_type, where).toBe(PG_TYPE[c.columnType]);
        expect(r?.is_nullable, where).toBe(c.notNull || c.primary ? 'NO' : 'YES');
        expect(r?.is_identity, where).toBe((c as { autoIncrement?: boolean }).autoIncrement ? 'YES' : 'NO');
        expect(r?.column_default ?? undefined, where).toBe(c.default === undefined ? undefined : pgDefault(c.default));
        checked++;
      }
    }
    expect(checked).toBe(rows.length - 3); // __migrations: id, hash, created_at
  });

  it('primary keys, unique constraints and foreign keys are the same, by name', async () => {
    const { rows } = await db.pool.query<{
      table_name: string;
      name: string;
      type: string;
      columns: string[];
      target: string | null;
      target_columns: string[] | null;
      on_delete: string;
      on_update: string;
    }>(
      `SELECT c.conrelid::regclass::text AS table_name, c.conname AS name, c.contype AS type,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
              c.confrelid::regclass::text AS target,
              ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS target_columns,
              c.confdeltype AS on_delete, c.confupdtype AS on_update
         FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
        WHERE s.nspname = $1 AND c.contype IN ('p', 'u', 'f') AND c.conrelid::regclass::text NOT LIKE '%__migrations%'`,
      [SCHEMA],
    );
    // regclass prints schema-qualified names when the schema is not on the search_path.
    const bare = (t: string | null) => t?.replace(/^"[^"]+"\./, '') ?? null;
    const actual = rows.map((r) => ({
      table: bare(r.table_name),
      name: r.name,
      type: r.type,
      columns: r.columns,
      ...(r.type === 'f'
        ? { target: bare(r.target), targetColumns: r.target_columns, onDelete: ON_DELETE[r.on_delete], onUpdate: ON_DELETE[r.on_update] }
        : {}),
    }));
    const expected = sqliteTables.flatMap((table) => {
      const config = getTableConfig(table);
      const cols = config.columns as SQLiteColumn[];
      const single = cols.filter((c) => c.primary).map((c) => ({ table: config.name, name: `${config.name}_pkey`, type: 'p', columns: [c.name] }));
      const composite = config.primaryKeys.map((pk) => ({ table: config.name, name: pk.getName(), type: 'p', columns: pk.columns.map((c) => c.name) }));
      const uniques = [
        ...cols.filter((c) => c.isUnique).map((c) => ({ table: config.name, name: c.uniqueName ?? '', type: 'u', columns: [c.name] })),
        ...config.uniqueConstraints.map((u) => ({ table: config.name, name: u.getName() ?? '', type: 'u', columns: u.columns.map((c) => c.name) })),
      ];
      const fks = config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        return {
          table: config.name,
          name: fk.getName(),
          type: 'f',
          columns: ref.columns.map((c) => c.name),
          target: getTableConfig(ref.foreignTable).name,
          targetColumns: ref.foreignColumns.map((c) => c.name),
          onDelete: fk.onDelete ?? 'no action',
          onUpdate: fk.onUpdate ?? 'no action',
        };
      });
      return [...single, ...composite, ...uniques, ...fks];
    });
    const key = (c: { table: string | null; name: string }) => `${c.table}/${c.name}`;
    const sort = <T extends { table: string | null; name: string }>(xs: T[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(actual)).toEqual(sort(expected));
    expect(expected.filter((c) => c.type === 'f').length).toBeGreaterThanOrEqual(8);
  });

  it('indexes are the same: name, columns in order, unique, partial condition', async () => {
    const { rows } = await db.pool.query<{ table_name: string; name: string; columns: string[]; unique: boolean; predicate: string | null }>(
      `SELECT t.relname AS table_name, i.relname AS name, x.indisunique AS unique, pg_get_expr(x.indpred, x.indrelid) AS predicate,
              ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) AS columns
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
      [SCHEMA],
    );
    const actual = rows.map((r) => ({ table: r.table_name, name: r.name, columns: r.columns, unique: r.unique, predicate: normalize(r.predicate) }));
    const expected = sqliteTables.flatMap((table) => {
      const config = getTableConfig(table);
      return config.indexes.map((ix) => ({
        table: config.name,
        name: ix.config.name,
        columns: ix.config.columns.map((c) => (c as SQLiteColumn).name),
        unique: ix.config.unique,
        predicate: normalize(ix.config.where ? sqlString(ix.config.where) : null),
      }));
    });
    const sort = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
    expect(sort(actual)).toEqual(sort(expected));
    expect(expected.some((i) => i.predicate)).toBe(true);
  });

  it('epoch-ms timestamps, booleans, reals and identity keys round-trip through drizzle node-postgres', async () => {
    const { flows, runs } = await import('./schema.pg.ts');
    const { audit, shopifyBuckets } = (await import(join(ROOT, 'server/db/schema.pg.ts'))) as typeof import('../../server/db/schema.pg.ts');
    const { exceptions } = (await import(join(ROOT, 'server/exceptions/store/schema.pg.ts'))) as typeof import('../../server/exceptions/store/schema.pg.ts');
    // The session's search_path picks the workspace: the derived tables name no schema.
    const pool = new pg.Pool({ connectionString: db.url, max: 2, options: `-c search_path="${SCHEMA}"` });
    try {
      const d = drizzle(pool);
      const ms = 1_733_000_000_000;
      // int8 read as a JS number: exact up to 2^53 - 1, where int4 would already fail at 2^31.
      const late = Number.MAX_SAFE_INTEGER;
      await d.insert(flows).values({ id: 'f1', name: 'Orders', draft: '{}', draftUpdatedAt: ms, active: true, createdAt: ms });
      await d.insert(flows).values({ id: 'f2', name: 'Stock', draft: '{}', draftUpdatedAt: late, createdAt: ms });
      expect(await d.select().from(flows).orderBy(flows.id)).toEqual([
        { id: 'f1', name: 'Orders', draft: '{}', draftUpdatedAt: ms, active: true, activeVersion: null, createdAt: ms },
        { id: 'f2', name: 'Stock', draft: '{}', draftUpdatedAt: late, active: false, activeVersion: null, createdAt: ms },
      ]);
      await d.insert(runs).values({ id: 'r1', flowId: 'f1', flowVersion: 1, eventId: 'e1', status: 'queued', availableAt: ms + 1, createdAt: ms });
      const [run] = await d.select({ availableAt: runs.availableAt, leaseUntil: runs.leaseUntil }).from(runs).where(eq(runs.id, 'r1'));
      expect(run).toEqual({ availableAt: ms + 1, leaseUntil: null });
      expect(typeof run?.availableAt).toBe('number');

      // Identity keys: generated, then an explicit one (a copied store) is accepted too.
      const ids = await d
        .insert(audit)
        .values([
          { at: ms, actor: 'a', action: 'x', target: 't' },
          { at: ms, actor: 'a', action: 'y', target: 't' },
        ])
        .returning({ id: audit.id });
      expect(ids).toEqual([{ id: 1 }, { id: 2 }]);
      await d.insert(audit).values({ id: 900, at: ms, actor: 'a', action: 'z', target: 't' });
      expect((await d.select({ id: audit.id }).from(audit).orderBy(audit.id)).map((r) => r.id)).toEqual([1, 2, 900]);

      await d.insert(shopifyBuckets).values({ shop: 's', available: 999.5, maximum: 1000, restoreRate: 50.25, at: ms });
      expect(await d.select().from(shopifyBuckets)).toEqual([{ shop: 's', available: 999.5, maximum: 1000, restoreRate: 50.25, at: ms, answeredAt: null }]);

      // Defaults (false, 1, '{}') and the partial unique index: one unresolved row per cause.
      const ex = { type: 't', key: 'k', title: 'T', severity: 'low', owner: 'finance', state: 'open', firstSeen: ms, lastSeen: ms };
      await d.insert(exceptions).values({ ...ex, id: 'x1' });
      await expect(d.insert(exceptions).values({ ...ex, id: 'x2' })).rejects.toThrow();
      await d.update(exceptions).set({ state: 'resolved' }).where(eq(exceptions.id, 'x1'));
      await d.insert(exceptions).values({ ...ex, id: 'x2' });
      const [x1] = await d.select().from(exceptions).where(eq(exceptions.id, 'x1'));
      expect(x1).toMatchObject({ autoResolved: false, count: 1, links: '{}', state: 'resolved' });
    } finally {
      await pool.end();
    }
  });

  it('foreign keys cascade inside the workspace schema', async () => {
    const client = await db.pool.connect();
    try {
      await client.query(`SET search_path TO "${SCHEMA}"`);
      await client.query(`INSERT INTO runs (id, flow_id, flow_version, event_id, status, available_at, created_at) VALUES ('r9', 'f', 1, 'e', 'queued', 1, 1)`);
      await client.query(`INSERT INTO steps (run_id, node_id, status) VALUES ('r9', 'n', 'running')`);
      await expect(client.query(`INSERT INTO steps (run_id, node_id, status) VALUES ('nope', 'n', 'running')`)).rejects.toThrow(/foreign key/);
      await client.query(`DELETE FROM runs WHERE id = 'r9'`);
      expect((await client.query(`SELECT count(*)::int AS n FROM steps WHERE run_id = 'r9'`)).rows[0]).toEqual({ n: 0 });
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
  });
});

/** What PG's catalog shows for a drizzle default value. */
function pgDefault(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'::text`;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  throw new Error(`no expected catalog form for default ${String(value)}: extend the test`);
}

function sqlString(where: unknown): string {
  return (where as { queryChunks: { value?: string[] }[] }).queryChunks.map((c) => c.value?.join('') ?? '?').join('');
}

/** PG prints `state <> 'resolved'` back as `(state <> 'resolved'::text)`. */
function normalize(predicate: string | null): string | null {
  return predicate === null
    ? null
    : predicate
        .replaceAll('::text', '')
        .replace(/^\((.*)\)$/, '$1')
        .replace(/\s+/g, ' ')
        .trim();
}
