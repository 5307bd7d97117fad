// Compiles the server to dist/ with esbuild: two bundles, the CLI (dist/server/cli.js: server, runtime, nodes,
// flows, with their npm dependencies except native and test-only ones) and the sandbox child process
// (dist/runtime/sandbox/child-host.js). One file to load instead of ~1,000 modules halves the start's CPU time.
// Every non-TypeScript file of the source folders (migrations, templates, the realm prelude, samples) is copied to
// the same relative path in dist/, and each module's `import.meta.url` is rewritten to the URL its own compiled
// file would have there, so the paths the code resolves from it hold in dist/ as in the sources.
// bin/ledgerline.js runs dist/ when it is current. Plain JavaScript on purpose: it runs in
// `npm install --omit=dev` (esbuild comes with tsx, a production dependency).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The folders the server's code and files come from; designer/ is built by Vite, bench/ is not shipped. */
export const SOURCE_DIRS = ['runtime', 'nodes', 'flows', 'server', 'scripts'];
/** Bundles: output path in dist/ (without .js) → source. */
const BUNDLES = { 'server/cli': 'server/cli.ts', 'runtime/sandbox/child-host': 'runtime/sandbox/child-host.ts' };
/** Left to node_modules: native addons, pino's worker-thread transports, and what only tests or the build use. */
const EXTERNAL = ['better-sqlite3', 'isolated-vm', 'pino', 'thread-stream', 'sonic-boom', 'tsx', 'esbuild', 'vite', 'vitest', 'playwright-core'];
/**
 * V8 keeps a script's source text while its functions live (it compiles them lazily from it), and one character past
 * Latin-1 anywhere makes it store the whole text two bytes a character: the 6 MB CLI bundle held 12 MB of the server's
 * heap for its whole life. esbuild already writes such characters in code as escapes (charset ascii); comments it keeps
 * as written (dependencies' ’ and →). There a `\u` escape is plain text, and in code it means the same character.
 */
export const asciiOnly = (text) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Written last: its mtime is when dist/ was complete (bin/ledgerline.js compares sources against it). */
export const STAMP = 'BUILT';

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** `import.meta.url` of each of our modules → the URL of its would-be file in dist/, from the bundle's own URL. */
const metaUrl = (root, bundleOut) => ({
  name: 'meta-url',
  setup(b) {
    const up = '../'.repeat(bundleOut.split('/').length - 1);
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      if (a.path.split(sep).includes('node_modules')) return undefined;
      const rel = relative(root, a.path).split(sep).join('/').replace(/\.ts$/, '.js');
      const src = readFileSync(a.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(up + rel)}, import.meta.url).href`);
      return { contents: src, loader: 'ts' };
    });
  },
});

export async function buildServer({ root = ROOT, out = join(root, 'dist') } = {}) {
  const files = SOURCE_DIRS.flatMap((d) => walk(join(root, d), []));
  const assets = files.filter((f) => !f.endsWith('.ts'));
  // Built beside dist/ and swapped in whole: a server starting meanwhile never sees half a build.
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const built = await Promise.all(
    Object.entries(BUNDLES).map(([to, from]) =>
      build({
        entryPoints: { [to]: join(root, from) },
        outdir: tmp,
        bundle: true,
        external: EXTERNAL,
        plugins: [metaUrl(root, to)],
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // CommonJS dependencies bundled into an ES module still call require() for Node's built-ins.
        banner: { js: "import { createRequire as __llCreateRequire } from 'node:module'; const require = __llCreateRequire(import.meta.url);" },
        logLevel: 'warning',
        write: false,
      }),
    ),
  );
  for (const f of built.flatMap((b) => b.outputFiles)) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, asciiOnly(f.text));
  }
  for (const f of assets) {
    const to = join(tmp, relative(root, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  writeFileSync(join(tmp, STAMP), `${new Date().toISOString()}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return { bundles: Object.keys(BUNDLES).length, assets: assets.length };
}

/**
 * What `npm install` does about the designer (the web UI, built by Vite from dev dependencies): build it, keep one
 * already built, leave it out when asked to (LEDGERLINE_NO_DESIGNER=1), or refuse, so that an install without dev
 * dependencies never silently yields a server without its UI.
 */
export function designerPlan(root = ROOT, env = process.env) {
  if (!existsSync(join(root, 'designer', 'vite.config.ts'))) return { kind: 'none' };
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (existsSync(vite)) return { kind: 'build', args: [vite, 'build', '--config', 'designer/vite.config.ts', '--logLevel', 'warn'] };
  if (existsSync(join(root, 'designer', 'dist', 'index.html'))) return { kind: 'prebuilt' };
  if (env.LEDGERLINE_NO_DESIGNER === '1') return { kind: 'skip' };
  return {
    kind: 'refuse',
    message: [
      'cannot build the designer (the web UI): it needs the dev dependencies (Vite, React), which',
      '`npm install --omit=dev` leaves out. Install with them (`npm install` or `npm ci`) so the designer is built,',
      'or put a designer/dist built elsewhere in place before installing, or set LEDGERLINE_NO_DESIGNER=1 for a',
      'server without the UI (API and webhooks only).',
    ].join('\n  '),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = performance.now();
  const r = await buildServer();
  console.log(`[ledgerline] dist/: ${r.bundles} bundles, ${r.assets} other files (${Math.round(performance.now() - t)} ms)`);
}
