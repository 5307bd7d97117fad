// The checked-in migrations must be what drizzle-kit generates from the schema files named in drizzle.config.ts:
// a table or column added to a schema without `npm run db:generate` would never reach anyone's store.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import config, { schemaFiles } from '../../drizzle.config.ts';
import { tempDir } from '../testing/fixtures.ts';
import { MIGRATIONS_TABLE, migrationsFolder } from './migrate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KIT = join(ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');

/** Runs `drizzle-kit generate` over a copy of the migrations; returns its output and the files it added. */
function generate(tmp: string, schema: string[]): { output: string; added: string[] } {
  const out = join(tmp, 'migrations');
  cpSync(migrationsFolder, out, { recursive: true });
  const before = readdirSync(out, { recursive: true }).map(String).sort();
  const cfg = join(tmp, 'drizzle.config.mjs');
  // drizzle-kit reads `out` relative to the working directory (it prefixes absolute paths with "./").
  writeFileSync(cfg, `export default ${JSON.stringify({ dialect: 'sqlite', schema, out: relative(ROOT, out) })};\n`);
  const output = execFileSync(process.execPath, [KIT, 'generate', '--config', cfg], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  const added = readdirSync(out, { recursive: true })
    .map(String)
    .sort()
    .filter((f) => !before.includes(f));
  return { output, added };
}

describe('migrations are current', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('drizzle.config.ts is the one config: its folder and migrations table are the ones the store opens with', () => {
    expect(join(ROOT, config.out!)).toBe(join(migrationsFolder));
    expect((config as { migrations?: { table?: string } }).migrations?.table).toBe(MIGRATIONS_TABLE);
  });

  it('drizzle-kit generate from the one config finds no schema changes', () => {
    const { output, added } = generate(tmp.dir, schemaFiles);
    expect(added).toEqual([]);
    expect(output).toMatch(/No schema changes/);
  }, 60_000);

  it('and it does notice when schema and migrations disagree (a schema file left out of the list)', () => {
    const { output, added } = generate(
      tmp.dir,
      schemaFiles.filter((f) => !f.includes('exceptions')),
    );
    expect(output).not.toMatch(/No schema changes/);
    expect(added.some((f) => f.endsWith('.sql'))).toBe(true);
  }, 60_000);
});
