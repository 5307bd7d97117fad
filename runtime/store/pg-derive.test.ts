// The deriver on small sqlite tables: what each construct becomes on PostgreSQL, and the refusals that name the table
// and column instead of deriving something unfaithful. (The real schema against the PG catalog: pg-schema.test.ts.)
import { is, sql } from 'drizzle-orm';
import { PgColumn, PgDialect, type PgTable, getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { blob, check, foreignKey, index, integer, numeric, primaryKey, real, type SQLiteTable, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { derivePgSchema, derivePgTable, PgDeriveError } from './pg-derive.ts';
import * as runtime from './schema.ts';
import * as runtimePg from './schema.pg.ts';

const typeOf = (t: PgTable) => Object.fromEntries(pgConfig(t).columns.map((c) => [c.name, c.getSQLType()]));

describe('derivePgTable', () => {
  it('maps each column kind: integers to int8 (epoch ms), boolean, double precision, numeric, bytea, text', () => {
    const t = sqliteTable('kinds', {
      id: integer('id').primaryKey({ autoIncrement: true }),
      at: integer('at').notNull(),
      on: integer('on', { mode: 'boolean' }).notNull().default(true),
      ratio: real('ratio'),
      amount: numeric('amount'),
      raw: blob('raw', { mode: 'buffer' }),
      label: text('label', { enum: ['a', 'b'] })
        .notNull()
        .default('a'),
    });
    const pg = derivePgTable(t);
    expect(typeOf(pg)).toEqual({ id: 'bigint', at: 'bigint', on: 'boolean', ratio: 'double precision', amount: 'numeric', raw: 'bytea', label: 'text' });
    const cols = pgConfig(pg).columns;
    const id = cols.find((c) => c.name === 'id')!;
    expect([id.primary, id.generatedIdentity?.type]).toEqual([true, 'byDefault']);
    expect(cols.map((c) => [c.name, c.notNull, c.default])).toEqual([
      ['id', true, undefined],
      ['at', true, undefined],
      ['on', true, true],
      ['ratio', false, undefined],
      ['amount', false, undefined],
      ['raw', false, undefined],
      ['label', true, 'a'],
    ]);
    // int8 comes back from node-postgres as a string; the column maps it to a number.
    expect(pg.at.mapFromDriverValue('1733000000000')).toBe(1_733_000_000_000);
    expect(derivePgTable(t)).toBe(pg);
  });

  it('keeps names of composite keys, unique and partial indexes and foreign keys, with onDelete', () => {
    const parent = sqliteTable('parent', { id: text('id').primaryKey() });
    const child = sqliteTable(
      'child',
      {
        parentId: text('parent_id').notNull(),
        n: integer('n').notNull(),
        state: text('state').notNull(),
        email: text('email').unique(),
      },
      (t) => [
        primaryKey({ columns: [t.parentId, t.n] }),
        foreignKey({ columns: [t.parentId], foreignColumns: [parent.id] }).onDelete('cascade'),
        uniqueIndex('child_open').on(t.parentId).where(sql`${t.state} <> 'closed'`),
        index('child_state').on(t.state, t.n),
      ],
    );
    derivePgTable(parent);
    const c = pgConfig(derivePgTable(child));
    expect(c.primaryKeys.map((p) => [p.getName(), p.columns.map((x) => x.name)])).toEqual([['child_parent_id_n_pk', ['parent_id', 'n']]]);
    expect(c.foreignKeys.map((f) => [f.getName(), f.onDelete, pgConfig(f.reference().foreignTable).name])).toEqual([
      ['child_parent_id_parent_id_fk', 'cascade', 'parent'],
    ]);
    expect(c.indexes.map((i) => [i.config.name, i.config.unique, i.config.columns.map((x) => (x as PgColumn).name)])).toEqual([
      ['child_open', true, ['parent_id']],
      ['child_state', false, ['state', 'n']],
    ]);
    // The condition's column is the PG table's now, rendered as PG renders index conditions.
    const where = c.indexes[0]!.config.where!;
    expect(where.queryChunks.some((x) => is(x, PgColumn))).toBe(true);
    expect(new PgDialect().sqlToQuery(where, 'indexes').sql).toBe(`"state" <> 'closed'`);
    expect(c.columns.find((x) => x.name === 'email')).toMatchObject({ isUnique: true, uniqueName: 'child_email_unique' });
  });

  it('translates known SQL defaults and literals, and refuses others naming table and column', () => {
    const ok = sqliteTable('defaults_ok', {
      at: integer('at').default(sql`(unixepoch() * 1000)`),
      n: integer('n').default(sql`0`),
      s: text('s').default(sql`'x'`),
    });
    const dialect = new PgDialect();
    const defaults = pgConfig(derivePgTable(ok)).columns.map((c) => dialect.sqlToQuery(c.default as never).sql);
    expect(defaults).toEqual(['(extract(epoch from now())*1000)::bigint', '0', `'x'`]);

    const bad = sqliteTable('defaults_bad', { id: text('id').default(sql`(lower(hex(randomblob(16))))`) });
    expect(() => derivePgTable(bad)).toThrow(
      new PgDeriveError(
        'table "defaults_bad", column "id": no PostgreSQL translation for the SQL default `(lower(hex(randomblob(16))))`; add one to SQL_DEFAULTS in runtime/store/pg-derive.ts',
      ),
    );
  });

  it('refuses what it cannot derive faithfully, saying where', () => {
    const cases: [SQLiteTable, RegExp][] = [
      [sqliteTable('ts', { at: integer('at', { mode: 'timestamp_ms' }) }), /table "ts", column "at": SQLiteTimestamp has no PostgreSQL mapping/],
      [sqliteTable('js', { doc: text('doc', { mode: 'json' }) }), /table "js", column "doc": SQLiteTextJson has no PostgreSQL mapping/],
      [sqliteTable('gen', { a: integer('a'), b: integer('b').generatedAlwaysAs(sql`a + 1`) }), /table "gen", column "b": generated columns/],
      [sqliteTable('x'.repeat(64), { a: text('a') }), /longer than PostgreSQL's 63 bytes/],
      [sqliteTable('chk', { a: integer('a') }, (t) => [check('chk_a', sql`${t.a} > 0`)]), /table "chk": check constraints are not derived/],
    ];
    for (const [table, message] of cases) expect(() => derivePgTable(table)).toThrow(message);
  });

  it('refuses, when the config is read, an expression index, a condition with values or other tables, a foreign key to a table never derived', () => {
    const expr = sqliteTable('expr', { a: text('a') }, (t) => [index('expr_lower').on(sql`lower(${t.a})`)]);
    expect(() => pgConfig(derivePgTable(expr))).toThrow(/table "expr": index expr_lower is on an expression/);
    const other = sqliteTable('other', { state: text('state') });
    const param = sqliteTable('param', { state: text('state') }, (t) => [index('param_open').on(t.state).where(sql`${t.state} <> ${'closed'}`)]);
    expect(() => pgConfig(derivePgTable(param))).toThrow(/table "param": the condition of index param_open: holds the value "closed"; only text/);
    const foreign = sqliteTable('foreign', { state: text('state') }, (t) => [index('foreign_open').on(t.state).where(sql`${other.state} <> 'x'`)]);
    expect(() => pgConfig(derivePgTable(foreign))).toThrow(/holds column "state" of another table/);
    const lone = sqliteTable('lone', { id: text('id').primaryKey() });
    const ref = sqliteTable('ref', { loneId: text('lone_id').references(() => lone.id) });
    expect(() => pgConfig(derivePgTable(ref))).toThrow(/table "ref": foreign key ref_lone_id_lone_id_fk references table "lone", which has not been derived/);
  });
});

describe('derivePgSchema', () => {
  it('derives every table of a module under its export name, leaving other exports out', () => {
    const t = sqliteTable('only', { a: text('a') });
    expect(Object.keys(derivePgSchema({ t, helper: () => 1, n: 3 }))).toEqual(['t']);
    expect(runtimePg.runs).toBe(derivePgTable(runtime.runs));
  });

  it('types the PG tables as their SQLite ones: rows read and written are the same objects', () => {
    expectTypeOf<typeof runtimePg.flows.$inferSelect>().toEqualTypeOf<typeof runtime.flows.$inferSelect>();
    expectTypeOf<typeof runtimePg.steps.$inferInsert>().toEqualTypeOf<typeof runtime.steps.$inferInsert>();
    expectTypeOf(runtimePg.runs.availableAt).toExtend<PgColumn>();
  });
});
