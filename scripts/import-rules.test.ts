// The borders between the rooms (README, "Architecture: five rooms"), checked over the import graph of the sources so
// that a new back-arrow fails CI. Every relative import, `import type`, re-export, dynamic import() and require() of
// every source file is resolved and checked against the rule of the room it is in. There is no list of exceptions.
//
// Free of the rules: tests and their support (`*.test.ts`, anything in a `testing/` folder or named `testing.ts`,
// designer/e2e/), and tooling: scripts/, bin/ and benchmarks (bench/, designer/bench/). They exist to drive the whole
// system. In return no production file may import test support, so nothing reaches another room through it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROOMS = ['flows', 'runtime', 'nodes', 'server', 'designer', 'scripts', 'bench', 'bin'];
const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;

/** A rule: which files a production file of the room may import (repository-relative paths, `/` separated). */
interface Rule {
  says: string;
  allows(target: string): boolean;
}

const under =
  (...dirs: string[]) =>
  (p: string) =>
    dirs.some((d) => p.startsWith(`${d}/`));
const NODE_API = (p: string) => p === 'runtime/node-api.ts' || p.startsWith('runtime/node-api/');

const RULES: Record<string, Rule> = {
  flows: { says: 'flows/ imports nothing of the other rooms', allows: under('flows') },
  runtime: { says: 'runtime/ imports only flows/ (never nodes/, server/, designer/)', allows: under('runtime', 'flows') },
  nodes: {
    says: 'nodes/ imports from runtime/ only the node API (runtime/node-api.ts and runtime/node-api/), nothing of flows/, server/, designer/, scripts/',
    allows: (p) => under('nodes')(p) || NODE_API(p),
  },
  server: { says: 'server/ uses runtime/, nodes/ and flows/, never designer/ (nor scripts/, bench/)', allows: under('server', 'runtime', 'nodes', 'flows') },
  // The flow document's types are the data the designer sends and receives; everything else comes over HTTP.
  designer: {
    says: 'designer/ reaches the server over HTTP only: it imports flows/ (the flow document) and nothing of server/, runtime/, nodes/',
    allows: under('designer', 'flows'),
  },
};

/** Build and install scripts, the CLI launcher and benchmarks. */
function isTooling(file: string): boolean {
  const parts = file.split('/');
  return parts[0] === 'scripts' || parts[0] === 'bin' || parts.slice(0, -1).includes('bench');
}

function isTestSupport(file: string): boolean {
  const parts = file.split('/');
  return /\.test\.(ts|tsx)$/.test(file) || parts.includes('testing') || parts.at(-1) === 'testing.ts' || file.startsWith('designer/e2e/');
}

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/');

/** The file a relative specifier names (`./x.ts`, `./x`, `./dir`), or the path as written when nothing is there. */
function resolveSpecifier(from: string, spec: string): string {
  const base = resolve(dirname(join(ROOT, from)), spec);
  for (const cand of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(cand) && statSync(cand).isFile()) return rel(cand);
  }
  return rel(base);
}

interface Edge {
  from: string;
  to: string;
}

/** Every relative import of one file, found by TypeScript's own scanner (comments and strings are not imports). */
function importsOf(file: string, text: string): Edge[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.filter((f) => f.fileName.startsWith('.')).map((f) => ({ from: file, to: resolveSpecifier(file, f.fileName) }));
}

/** The broken rules among these edges, one line each: `<file> -> <target>: <rule>`. */
function violations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (isTestSupport(e.from) || isTooling(e.from)) continue;
    const [room = ''] = e.from.split('/');
    if (isTestSupport(e.to)) {
      out.push(`${e.from} -> ${e.to}: production code never imports test support`);
      continue;
    }
    const rule = RULES[room];
    if (rule && !rule.allows(e.to)) out.push(`${e.from} -> ${e.to}: ${rule.says}`);
  }
  return out;
}

function graph(): { files: string[]; edges: Edge[] } {
  const files = ROOMS.filter((r) => existsSync(join(ROOT, r)))
    .flatMap((r) => walk(join(ROOT, r), []))
    .map(rel);
  return { files, edges: files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8'))) };
}

describe('borders between rooms', () => {
  const { files, edges } = graph();

  it('holds for every import of every source file', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('sees the whole graph (every room, the node API in use, imports resolved to files that exist)', () => {
    for (const room of ['flows', 'runtime', 'nodes', 'server', 'designer'])
      expect(files.filter((f) => f.startsWith(`${room}/`)).length, room).toBeGreaterThan(10);
    expect(edges.filter((e) => e.from.startsWith('nodes/') && e.to === 'runtime/node-api.ts').length).toBeGreaterThan(50);
    expect(edges.filter((e) => e.from.startsWith('server/') && e.to.startsWith('runtime/')).length).toBeGreaterThan(20);
    // dist/ is built output (bin/ledgerline.js runs it when present).
    const dangling = edges.filter((e) => !e.to.startsWith('dist/') && !existsSync(join(ROOT, e.to))).map((e) => `${e.from} -> ${e.to}`);
    expect(dangling).toEqual([]);
  });

  it('catches each kind of back-arrow, type-only and dynamic imports included', () => {
    const src = [
      "import type { LookupRow } from '../../nodes/lookup/describe-key.ts';",
      "export { x } from '../../server/app.ts';",
      "const m = await import('../../server/app.ts');",
    ].join('\n');
    expect(importsOf('runtime/store/x.ts', src).map((e) => e.to)).toEqual(['nodes/lookup/describe-key.ts', 'server/app.ts', 'server/app.ts']);
    const broken = violations([
      { from: 'runtime/store/db.ts', to: 'nodes/lookup/describe-key.ts' },
      { from: 'flows/validate.ts', to: 'runtime/node-api.ts' },
      { from: 'nodes/finance/settle.ts', to: 'runtime/executor.ts' },
      { from: 'nodes/shopify/schema.ts', to: 'scripts/shopify/fetch-admin-schema.ts' },
      { from: 'server/app.ts', to: 'designer/src/main.tsx' },
      { from: 'designer/src/mapper/model/fields.ts', to: 'nodes/core/mapping/config.ts' },
      { from: 'server/app.ts', to: 'runtime/testing/fixtures.ts' },
    ]);
    expect(broken).toHaveLength(7);
    expect(
      violations([
        { from: 'nodes/finance/settle.ts', to: 'runtime/node-api.ts' },
        { from: 'nodes/finance/settle.ts', to: 'runtime/node-api/exceptions.ts' },
        { from: 'server/app.ts', to: 'nodes/registry.ts' },
        { from: 'runtime/executor.ts', to: 'flows/schema.ts' },
        { from: 'designer/src/api/types.ts', to: 'flows/schema.ts' },
        { from: 'flows/templates/testing/harness.ts', to: 'server/lookups/seed.ts' },
        { from: 'nodes/finance/settle.test.ts', to: 'runtime/index.ts' },
        { from: 'scripts/build.test.ts', to: 'server/cli.ts' },
        { from: 'bench/runs.ts', to: 'runtime/testing/fixtures.ts' },
        { from: 'designer/bench/perf.ts', to: 'designer/e2e/browser.ts' },
      ]),
    ).toEqual([]);
  });
});
