// The checked-in PostgreSQL migrations must be what drizzle-kit generates from the derived schema (drizzle.pg.config.ts),
// as migrations-current.test.ts checks for SQLite: a table or column added to a sqlite schema file without
// `npm run db:generate` would reach SQLite stores and never PostgreSQL ones.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sqliteConfig from '../../drizzle.config.ts';
import config, { pgSchemaFiles } from '../../drizzle.pg.config.ts';
import { tempDir } from '../testing/fixtures.ts';
import { MIGRATIONS_TABLE } from './migrate.ts';
import { pgMigrationsFolder } from './pg-migrate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KIT = join(ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');

/** Runs `drizzle-kit generate` for PostgreSQL over a copy of the migrations; returns its output and the files it added. */
function generate(tmp: string, schema: string[]): { output: string; added: string[] } {
  const out = join(tmp, 'migrations-pg');
  cpSync(pgMigrationsFolder, out, { recursive: true });
  const before = readdirSync(out, { recursive: true }).map(String).sort();
  const cfg = join(tmp, 'drizzle.pg.config.mjs');
  // drizzle-kit reads `out` relative to the working directory (it prefixes absolute paths with "./").
  writeFileSync(cfg, `export default ${JSON.stringify({ dialect: 'postgresql', schema, out: relative(ROOT, out) })};\n`);
  const output = execFileSync(process.execPath, [KIT, 'generate', '--config', cfg], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  const added = readdirSync(out, { recursive: true })
    .map(String)
    .sort()
    .filter((f) => !before.includes(f));
  return { output, added };
}

describe('PostgreSQL migrations are current', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('drizzle.pg.config.ts covers every schema file of the SQLite config, writes where migratePg reads, with the same migrations table', () => {
    expect(pgSchemaFiles).toEqual(sqliteConfig.schema && (sqliteConfig.schema as string[]).map((f) => f.replace(/\.ts$/, '.pg.ts')));
    expect(config.schema).toEqual(pgSchemaFiles);
    expect(config.dialect).toBe('postgresql');
    expect(join(ROOT, config.out!)).toBe(join(pgMigrationsFolder));
    expect((config as { migrations?: { table?: string } }).migrations?.table).toBe(MIGRATIONS_TABLE);
  });

  it('drizzle-kit generate from the derived schema finds no changes', () => {
    const { output, added } = generate(tmp.dir, pgSchemaFiles);
    expect(added).toEqual([]);
    expect(output).toMatch(/No schema changes/);
  }, 60_000);

  it('and it does notice when schema and migrations disagree (a derived module left out)', () => {
    const { output, added } = generate(
      tmp.dir,
      pgSchemaFiles.filter((f) => !f.includes('exceptions')),
    );
    expect(output).not.toMatch(/No schema changes/);
    expect(added.some((f) => f.endsWith('.sql'))).toBe(true);
  }, 60_000);
});
