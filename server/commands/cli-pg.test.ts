// The CLI commands that open a workspace's store, with LEDGERLINE_DATABASE_URL set as the server has it: through the
// real binary they act on the workspace's PostgreSQL schema (never a SQLite file in the data dir), and backup and
// restore, which copy SQLite files, refuse and say what to do instead.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore } from '../../runtime/store/pg-store.ts';
import { flow, tempDir } from '../../runtime/testing/fixtures.ts';
import { pgUnavailable, throwawayDatabase, type ThrowawayDatabase } from '../../runtime/testing/pg.ts';
import { MASTER_KEY } from '../testing.ts';
import { loadVault } from '../vault/vault.ts';
import { SecretStore } from '../vault/secrets.ts';
import { testDeployment } from '../workspaces/testing.ts';
import { serverSandboxSecret } from './sandbox-store.ts';
import { withDirectory } from './workspace.ts';

const exec = promisify(execFile);
const bin = new URL('../../bin/ledgerline.js', import.meta.url).pathname;
const tmp = tempDir('ledgerline-cli-pg-');
const data = join(tmp.dir, 'data');
let database: ThrowawayDatabase;
let env: NodeJS.ProcessEnv;

const unavailable = await pgUnavailable();
beforeAll(async () => {
  if (unavailable) return;
  database = await throwawayDatabase();
  env = { ...process.env, LEDGERLINE_DATABASE_URL: database.url, LEDGERLINE_MASTER_KEY: MASTER_KEY, LEDGERLINE_DATA_DIR: data };
  mkdirSync(data, { recursive: true });
});
afterAll(async () => {
  await database?.drop();
  tmp.cleanup();
});

async function cli(args: string[], o: { stdin?: string } = {}) {
  try {
    const p = exec(process.execPath, [bin, ...args], { encoding: 'utf8', env });
    if (o.stdin !== undefined) {
      p.child.stdin!.end(o.stdin);
    }
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const schemas = async () =>
  (await database.pool.query<{ n: string }>(`SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'ws\\_%' ORDER BY 1`)).rows.map((r) => r.n);
const noSqliteFile = () => expect(readdirSync(data, { recursive: true }).filter((f) => String(f).endsWith('ledgerline.db'))).toEqual([]);

describe.skipIf(unavailable)('the CLI with LEDGERLINE_DATABASE_URL', () => {
  it('workspace create and list, migrate --workspace: schemas of the database, no SQLite file', async () => {
    const c = await cli(['workspace', 'create', 'brand-b', '--name', 'Brand B']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('PostgreSQL schema ws_brand_b');
    expect(await schemas()).toEqual(['ws_brand_b', 'ws_default']);
    const list = await cli(['workspace', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((w: { id: string }) => w.id)).toEqual(['default', 'brand-b']);
    const m = await cli(['migrate', '--workspace', 'brand-b']);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout.trim()).toMatch(/^migrated PostgreSQL schema ws_brand_b at postgres:\/\//);
    expect((await cli(['migrate', '--workspace', 'nope'])).stderr).toContain('no workspace "nope"');
    noSqliteFile();
  });

  it('user add, token create and user add --workspace work on the directory in the database', async () => {
    expect((await cli(['user', 'add', '--email', 'o@b.example', '--role', 'owner'], { stdin: 'password-long-1\n' })).code).toBe(0);
    const t = await cli(['token', 'create', '--email', 'o@b.example', '--name', 'ci']);
    expect(t.code, t.stderr).toBe(0);
    expect((await cli(['user', 'add', '--email', 'c@b.example', '--role', 'consultant', '--workspace', 'brand-b'], { stdin: 'password-long-2\n' })).code).toBe(
      0,
    );
    await withDirectory(data, env, async (d) => {
      expect(await d.users.byEmail('o@b.example')).toBeTruthy();
      const c = (await d.users.byEmail('c@b.example'))!;
      expect((await d.workspacesOf(c.id)).map((w) => [w.id, w.role])).toEqual([['brand-b', 'consultant']]);
    });
    noSqliteFile();
  });

  it('run --workspace stores the run in that schema, and runbook reads the flow from it', async () => {
    const doc = flow(
      'cli-pg',
      [
        { id: 'start', type: 'trigger.manual' },
        { id: 'double', type: 'core.code', config: { code: 'return { total: input.total * 2 }' } },
      ],
      ['start->double'],
    );
    writeFileSync(join(tmp.dir, 'flow.json'), JSON.stringify(doc));
    writeFileSync(join(tmp.dir, 'event.json'), JSON.stringify({ total: 21 }));
    const r = await cli(['run', join(tmp.dir, 'flow.json'), '--event', join(tmp.dir, 'event.json'), '--workspace', 'brand-b', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record.steps.find((s: { nodeId: string }) => s.nodeId === 'double').output).toEqual({ total: 42 });
    const runs = await database.pool.query(`SELECT id, status FROM ws_brand_b.runs`);
    expect(runs.rows).toEqual([{ id: record.runId, status: 'succeeded' }]);
    expect((await database.pool.query(`SELECT id FROM ws_default.runs`)).rows).toEqual([]);
    const rb = await cli(['runbook', 'cli-pg', '--workspace', 'brand-b']);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toContain('cli-pg');
    expect((await cli(['runbook', 'cli-pg'])).code).toBe(1); // not in the default workspace
    noSqliteFile();
  });

  it('backup and restore refuse, naming the schema and pg_dump / pg_restore; nothing is written', async () => {
    const to = join(tmp.dir, 'backup');
    const b = await cli(['backup', '--to', to, '--workspace', 'brand-b']);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('PostgreSQL schema ws_brand_b');
    expect(b.stderr).toContain('pg_dump --format=custom --schema=ws_brand_b');
    expect(b.stderr).toContain('LEDGERLINE_MASTER_KEY');
    expect(existsSync(to)).toBe(false);
    const r = await cli(['restore', '--from', to]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pg_restore');
    expect(r.stderr).toContain('ws_default');
  });

  it('sandbox-store finds the sandbox-shop secret of a server on the database', async () => {
    const store = await openPgStore({ url: database.url, workspace: 'default' });
    try {
      await new SecretStore(store, loadVault(data, MASTER_KEY).vault).set('sandbox-webhook-secret', 'from-the-database');
    } finally {
      await store.close();
    }
    expect(await serverSandboxSecret(data, env)).toBe('from-the-database');
    // Without the database URL the data dir holds no store, so there is no server secret to use.
    expect(await serverSandboxSecret(data, { LEDGERLINE_MASTER_KEY: MASTER_KEY })).toBeUndefined();
  });

  it("a deployment refuses to create a workspace whose schema is already there (someone's data) and adopts nothing", async () => {
    // A database of its own: this one's default workspace already has users the test deployment would not know.
    const other = await throwawayDatabase();
    await other.pool.query('CREATE SCHEMA ws_stray');
    const t = await testDeployment({ databaseUrl: other.url, dir: join(tmp.dir, 'deploy') });
    try {
      await expect(t.d.createWorkspace({ id: 'stray' })).rejects.toThrow(/PostgreSQL schema ws_stray .* already holds a store/);
      expect(await t.d.directory.get('stray')).toBeFalsy();
      expect((await t.d.createWorkspace({ id: 'fresh' })).id).toBe('fresh');
    } finally {
      await t.close();
      await other.drop();
    }
  });
});
