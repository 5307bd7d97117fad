// The production build: dist/ must run the CLI, the server and the sandbox children without TypeScript, and an
// install without dev dependencies must not silently lose the designer.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flow } from '../runtime/testing/fixtures.ts';
// @ts-expect-error plain JavaScript module without declarations (it runs in `npm install`)
import { asciiOnly, buildServer, designerPlan } from './build.mjs';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
// A dist of its own, directly in the package folder as dist/ is (the compiled code finds the package from there).
const out = join(root, `.dist-test-${process.pid}`);
const tmp = mkdtempSync(join(tmpdir(), 'll-build-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the compiled CLI with plain `node`: no tsx loader anywhere, so any TypeScript left would fail to load. */
const compiledCli = (args: string[], env: Record<string, string> = {}) =>
  exec(
    process.execPath,
    [
      '--no-node-snapshot',
      '--input-type=module',
      '-e',
      `const { main } = await import(${JSON.stringify(join(out, 'server', 'cli.js'))}); process.exitCode = await main(${JSON.stringify(args)});`,
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  ).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('the compiled build (dist/)', () => {
  beforeAll(async () => {
    await buildServer({ out });
  }, 120_000);

  it('runs a flow whose code nodes run in sandbox children forked from dist/', async () => {
    const f = flow(
      'build-check',
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'double', type: 'core.code', config: { code: 'return { total: input.total * 2 }' } },
        { id: 'big', type: 'core.branch', config: { condition: 'input.total > 10' } },
        { id: 'yes', type: 'core.code', config: { code: "return { verdict: 'big', total: input.total }" } },
      ],
      ['start->double', 'double->big', 'big:true->yes'],
    );
    writeFileSync(join(tmp, 'flow.json'), JSON.stringify(f));
    writeFileSync(join(tmp, 'event.json'), JSON.stringify({ total: 21 }));
    const r = await compiledCli(['run', join(tmp, 'flow.json'), '--event', join(tmp, 'event.json'), '--json', '--data-dir', join(tmp, 'run-data')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const steps = (JSON.parse(r.stdout) as { steps: { nodeId: string; status: string; output?: unknown }[] }).steps;
    expect(steps.find((s) => s.nodeId === 'yes')).toMatchObject({ status: 'succeeded', output: { verdict: 'big', total: 42 } });
  }, 60_000);

  it('serves: healthy and ready on an empty data dir, templates installed from dist/flows', async () => {
    const dataDir = join(tmp, 'serve-data');
    const child = spawn(
      process.execPath,
      [
        '--no-node-snapshot',
        '--input-type=module',
        '-e',
        `const { main } = await import(${JSON.stringify(join(out, 'server', 'cli.js'))}); process.exitCode = await main(['serve']);`,
      ],
      {
        env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LEDGERLINE_DATA_DIR: dataDir, LEDGERLINE_ADMIN_PASSWORD: 'build-admin-pw' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    try {
      const url = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`not listening within 60 s:\n${log}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /"url":"(http:[^"]+)"/.exec(log);
          const url = m?.[1]; // the group is not optional: a match has it
          if (url) clearTimeout(timer), ok(url);
        });
        child.once('exit', (code) => fail(new Error(`exited ${code}:\n${log}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(log).toContain('templates installed');
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@localhost', password: 'build-admin-pw' }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const flows = (await (await fetch(`${url}/api/flows`, { headers: { authorization: `Bearer ${token}` } })).json()) as
        | { flows?: { id: string }[] }
        | { id: string }[];
      const ids = (Array.isArray(flows) ? flows : (flows.flows ?? [])).map((x) => x.id);
      expect(ids).toContain('order-to-erp');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);

  it('copies the files the code reads beside it (migrations, realm prelude, templates)', () => {
    expect(readFileSync(join(out, 'runtime', 'sandbox', 'realm-prelude.js'), 'utf8')).toBe(
      readFileSync(join(root, 'runtime', 'sandbox', 'realm-prelude.js'), 'utf8'),
    );
    expect(readFileSync(join(out, 'runtime', 'store', 'migrations', 'meta', '_journal.json'), 'utf8')).toBe(
      readFileSync(join(root, 'runtime', 'store', 'migrations', 'meta', '_journal.json'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(out, 'flows', 'templates', 'order-to-erp.json'), 'utf8')).id).toBe('order-to-erp');
  });

  it('writes the bundles in ASCII, so V8 holds their source one byte a character (half the heap of two)', () => {
    for (const bundle of [join(out, 'server', 'cli.js'), join(out, 'runtime', 'sandbox', 'child-host.js')]) {
      const text = readFileSync(bundle, 'utf8');
      const first = /[\u0080-\uffff]/.exec(text);
      expect(first && `${bundle}: ${JSON.stringify(text.slice(Math.max(0, first.index - 60), first.index + 20))}`).toBeNull();
    }
  });

  it('escapes what it rewrites to the same text: a string, a template and a regular expression keep their characters', async () => {
    const source = 'export const s = "a → b", t = `’`, r = /—/u.test("x—y"), e = "😀";';
    const file = join(tmp, 'ascii.mjs');
    writeFileSync(file, asciiOnly(source));
    expect(/[\u0080-\uffff]/.test(readFileSync(file, 'utf8'))).toBe(false);
    expect({ ...(await import(file)) }).toEqual({ s: 'a → b', t: '’', r: true, e: '😀' });
  });
});

describe('the designer at install time', () => {
  const pkg = (files: string[]) => {
    const dir = mkdtempSync(join(tmp, 'pkg-'));
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    return dir;
  };

  it('is built when Vite is installed', () => {
    expect(designerPlan(pkg(['designer/vite.config.ts', 'node_modules/vite/bin/vite.js']), {}).kind).toBe('build');
  });

  it('without dev dependencies: refused with a clear message, unless already built or left out on purpose', () => {
    const plan = designerPlan(pkg(['designer/vite.config.ts']), {});
    expect(plan.kind).toBe('refuse');
    expect(plan.message).toContain('--omit=dev');
    expect(plan.message).toContain('LEDGERLINE_NO_DESIGNER=1');
    expect(designerPlan(pkg(['designer/vite.config.ts', 'designer/dist/index.html']), {}).kind).toBe('prebuilt');
    expect(designerPlan(pkg(['designer/vite.config.ts']), { LEDGERLINE_NO_DESIGNER: '1' }).kind).toBe('skip');
  });
});
