// The PostgreSQL pass (vitest.pg.config.ts) names its files: a new test file built on the shared factories must be
// named there too (or left out with a reason), or it would silently run on SQLite only.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NOT_IN_POSTGRES_PASS, POSTGRES_PASS_FILES } from '../vitest.pg.config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROOMS = ['runtime', 'nodes', 'flows', 'server', 'designer', 'bench', 'scripts'];
/** A call that builds a server, deployment, runtime or store on this pass's store (runtime/testing/pass.ts). */
const FACTORY_CALL = /\b(testServer|testDeployment|testRuntime|openTestStore|passDatabaseUrl|startHarness)\(|\bawait harness\(/;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...testFiles(p));
    } else if (e.name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

describe('the PostgreSQL pass', () => {
  it('names every test file built on the factories, or says why it is left out', () => {
    const users = ROOMS.flatMap((r) => testFiles(join(root, r))).filter(
      (f) => f !== 'scripts/pg-pass.test.ts' && FACTORY_CALL.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(users.length).toBeGreaterThan(40);
    const named = new Set([...POSTGRES_PASS_FILES, ...Object.keys(NOT_IN_POSTGRES_PASS)]);
    expect(users.filter((f) => !named.has(f))).toEqual([]);
  });

  it('lists only files that exist, each once', () => {
    const all = [...POSTGRES_PASS_FILES, ...Object.keys(NOT_IN_POSTGRES_PASS)];
    expect(all.filter((f) => !existsSync(join(root, f)))).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
  });
});
