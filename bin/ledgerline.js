#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 --heap-growing-percent=35
// Entry point for `npx ledgerline` and `npm start`: runs the compiled server in dist/ (built by `npm install`,
// or `npm run build`), and the TypeScript sources through tsx when dist/ is missing, older than a source file
// (an edit or a checkout since the build) or LEDGERLINE_FROM_SOURCE=1.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['runtime', 'nodes', 'flows', 'server', 'scripts'];

/** Is some source file newer than the build's stamp? A few ms for the ~700 files (stat only). */
function newerThan(dir, ms) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (newerThan(p, ms)) return true;
    } else if (!e.name.endsWith('.test.ts') && statSync(p).mtimeMs > ms) return true;
  }
  return false;
}

function compiledIsCurrent() {
  if (process.env.LEDGERLINE_FROM_SOURCE === '1') return false;
  const stamp = join(root, 'dist', 'BUILT');
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const stale = SOURCE_DIRS.some((d) => existsSync(join(root, d)) && newerThan(join(root, d), built));
  if (stale && process.argv[2] === 'serve')
    console.error('[ledgerline] dist/ is older than the sources: running them through tsx (`npm run build` refreshes it)');
  return !stale;
}

let main;
const compiled = compiledIsCurrent();
// A bench, or a deployment that must never fall back to the sources (slower to start, slower to run), says so.
if (!compiled && process.env.LEDGERLINE_REQUIRE_BUILD === '1') {
  console.error('[ledgerline] LEDGERLINE_REQUIRE_BUILD=1 but dist/ is missing or older than the sources: run `npm run build`');
  process.exit(1);
}
if (compiled) {
  ({ main } = await import('../dist/server/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../server/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
