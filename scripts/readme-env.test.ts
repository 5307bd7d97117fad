// Every environment variable the code reads is in README's environment-variable table, so an operator can find all
// of them in one place. The code is searched, not trusted to register its variables: `process.env.X`, `env.X`,
// `env?.X`, `env['X']`, and names read through a helper (`num('LEDGERLINE_X')`), in the non-test sources of the rooms
// that run (flows, runtime, nodes, server, scripts, bin, and the designer's build config).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['flows', 'runtime', 'nodes', 'server', 'scripts', 'bin', 'designer'];
/** Set by the operating system, not configuration of ours (the sandbox passes PATH on to its children). */
const SYSTEM = new Set(['PATH', 'HOME', 'TMPDIR', 'USER', 'SHELL']);

const isTestSource = (p: string) =>
  /\.test\.(ts|tsx)$/.test(p) ||
  p.split('/').includes('testing') ||
  p.endsWith('/testing.ts') ||
  p.startsWith('designer/e2e/') ||
  p.startsWith('designer/bench/');

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    // The designer's browser code (designer/src) has no process environment; its build config does.
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Names of environment variables a source text reads. */
function envReads(text: string): string[] {
  const names = new Set<string>();
  for (const [, name] of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b/g)) names.add(name!); // group 1 is not optional
  for (const [, name] of text.matchAll(/\benv\??\.?\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g)) names.add(name!);
  // Our own variables, also when a helper reads them by name.
  for (const [, name] of text.matchAll(/['"`](LEDGERLINE_[A-Z0-9_]+)['"`]/g)) names.add(name!);
  return [...names];
}

/** The variables README's "Configuration (environment)" table names (`A` / `B` rows name both). */
function readmeTable(readme: string): Set<string> {
  const start = readme.indexOf('## Configuration (environment)');
  if (start < 0) throw new Error('README.md has no "## Configuration (environment)" section');
  const end = readme.indexOf('\n## ', start + 1);
  const rows = readme
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  // Rows start with '| `', so the first cell always exists; group 1 is not optional.
  return new Set(rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)));
}

describe('README names every environment variable the code reads', () => {
  const files = DIRS.flatMap((d) => sources(join(ROOT, d))).map((f) => relative(ROOT, f).split(sep).join('/'));
  const code = files.filter((f) => !isTestSource(f) && !f.startsWith('designer/src/'));
  const readBy = new Map<string, string[]>();
  for (const f of code) {
    for (const name of envReads(readFileSync(join(ROOT, f), 'utf8'))) {
      if (!SYSTEM.has(name)) readBy.set(name, [...(readBy.get(name) ?? []), f]);
    }
  }

  it('each variable read is a row of the environment table', () => {
    const table = readmeTable(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const missing = [...readBy].filter(([name]) => !table.has(name)).map(([name, where]) => `${name} (read in ${where.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('finds the reads it is meant to find', () => {
    for (const name of [
      'PORT',
      'HOST',
      'LOG_LEVEL',
      'LEDGERLINE_DATA_DIR',
      'LEDGERLINE_SANDBOX',
      'LEDGERLINE_RETENTION_DAYS',
      'LEDGERLINE_HEADERS_TIMEOUT_MS',
    ]) {
      expect(readBy.has(name), name).toBe(true);
    }
    expect(envReads("const a = process.env.LEDGERLINE_X; o.env?.PORT; env['HOST']; num('LEDGERLINE_Y', 1); process.env.PATH").sort()).toEqual([
      'HOST',
      'LEDGERLINE_X',
      'LEDGERLINE_Y',
      'PATH',
      'PORT',
    ]);
    expect([...readmeTable('## Configuration (environment)\n\n| variable | default |\n|---|---|\n| `A_B` / `C` | 1 |\n\n## Next\n| `D` | x |')]).toEqual([
      'A_B',
      'C',
    ]);
  });
});
