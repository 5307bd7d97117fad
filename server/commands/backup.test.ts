// Backup of a running server's data dir, and restore as an operator would after losing the disk: the restored
// server has the same users, flows and decryptable credentials, is recognised as the store that lived there, and a
// damaged or foreign backup changes nothing.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { serve, type Serving } from '../main.ts';
import { backupCommand } from './backup.ts';

const tmp = tempDir('ledgerline-backup-');
afterAll(() => tmp.cleanup());

const PASSWORD = 'backup-owner-pw';
const env = { ...process.env, LEDGERLINE_SANDBOX: '0', LEDGERLINE_ADMIN_EMAIL: 'owner@example.com', LEDGERLINE_ADMIN_PASSWORD: PASSWORD };
delete (env as Record<string, unknown>).LEDGERLINE_MASTER_KEY;

const start = (dataDir: string) => serve({ port: 0, host: '127.0.0.1', dataDir, designerDir: null, handleSignals: false, log: pino({ level: 'silent' }), env });

async function login(s: Serving): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>> {
  const r = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  const { token } = (await r.json()) as { token: string };
  return async (method, path, body) => {
    const x = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: x.status, body: await x.json() };
  };
}

async function cli(command: 'backup' | 'restore', args: string[]) {
  let out = '';
  let err = '';
  const code = await backupCommand(command, args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n'), env });
  return { code, out, err };
}

describe('ledgerline backup / restore', () => {
  it('backs up a running server and restores it into an empty data dir with users and credentials intact', async () => {
    const live = join(tmp.dir, 'live');
    const s = await start(live);
    const call = await login(s);
    const created = await call('POST', '/api/connections', {
      id: 'erp-main',
      kind: 'erp',
      provider: 'netsuite',
      name: 'NetSuite',
      config: { accountId: '1234567' },
      secrets: { consumerSecret: 'cs-secret-value-1' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Writes keep going while the backup runs: the copy is one consistent snapshot, not a torn file.
    let writing = true;
    const writes = (async () => {
      for (let i = 0; writing; i++)
        await call('POST', '/api/users', { email: `u${i}@example.com`, name: `User ${i}`, role: 'viewer', password: 'viewer-pw-123' });
    })();
    const to = join(tmp.dir, 'backup-1');
    const b = await cli('backup', ['--data-dir', live, '--to', to]);
    writing = false;
    await writes;
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/vault\.keys holds the master key/);
    const manifest = JSON.parse(readFileSync(join(to, 'ledgerline-backup.json'), 'utf8'));
    expect(manifest.files.map((f: any) => f.name)).toEqual(['ledgerline.db', 'vault.keys']);
    expect(manifest.storeId).toBe(JSON.parse(readFileSync(join(live, 'ledgerline.store-id'), 'utf8')).storeId);
    for (const f of readdirSync(to)) expect((statSync(join(to, f)).mode & 0o777).toString(8), f).toBe('600');
    expect((statSync(to).mode & 0o777).toString(8)).toBe('700');
    await s.close();

    // The disk is lost: a new machine, an empty data dir.
    const fresh = join(tmp.dir, 'fresh');
    const r = await cli('restore', ['--from', to, '--data-dir', fresh]);
    expect(r.code, r.err).toBe(0);
    const t = await start(fresh);
    const call2 = await login(t);
    const conn = await call2('GET', '/api/connections/erp-main');
    expect(conn.status).toBe(200);
    expect(JSON.stringify(conn.body)).not.toContain('cs-secret-value-1');
    expect(await t.server.deps.connections.secretsOf('erp-main')).toMatchObject({ consumerSecret: 'cs-secret-value-1' });
    await t.close();
  }, 60_000);

  it('puts the store back where it was deleted (the marker then accepts it), and never deletes what it replaces', async () => {
    const dir = join(tmp.dir, 'deleted');
    const s = await start(dir);
    await s.close();
    const to = join(tmp.dir, 'backup-2');
    expect((await cli('backup', ['--data-dir', dir, '--to', to])).code).toBe(0);
    rmSync(join(dir, 'ledgerline.db'));
    // Without the store the server refuses to start empty (the marker remembers it); the restore is the way back.
    await expect(start(dir)).rejects.toThrow(/missing/);
    expect((await cli('restore', ['--from', to, '--data-dir', dir])).code).toBe(0);
    const t = await start(dir);
    await t.close();

    // Over an existing store: refused without --force; with it, the old files are moved aside.
    const refused = await cli('restore', ['--from', to, '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/already holds a store: stop the server, then restore with --force/);
    const forced = await cli('restore', ['--from', to, '--data-dir', dir, '--force']);
    expect(forced.code, forced.err).toBe(0);
    // Two restores, two folders moved aside: the first held the old marker and key file, the second the store.
    const aside = readdirSync(dir)
      .filter((n) => n.startsWith('replaced-'))
      .sort();
    expect(aside).toHaveLength(2);
    expect(readdirSync(join(dir, aside[0]!))).toEqual(['ledgerline.store-id', 'vault.keys']);
    expect(readdirSync(join(dir, aside[1]!))).toEqual(expect.arrayContaining(['ledgerline.db', 'ledgerline.store-id', 'vault.keys']));
  }, 60_000);

  it("carries the sandbox shop's file with the store (the sandbox ERP's file goes too)", async () => {
    const dir = join(tmp.dir, 'sandbox-shop');
    const s = await start(dir);
    await s.close();
    const shop = '{"version":1,"orders":["#6001"]}';
    writeFileSync(join(dir, 'sandbox-shop.json'), shop);
    const to = join(tmp.dir, 'backup-shop');
    expect((await cli('backup', ['--data-dir', dir, '--to', to])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(to, 'ledgerline-backup.json'), 'utf8'));
    expect(manifest.files.map((f: any) => f.name)).toEqual(['ledgerline.db', 'sandbox-shop.json', 'vault.keys']);
    writeFileSync(join(dir, 'sandbox-shop.json'), '{"version":1,"orders":[]}');
    expect((await cli('restore', ['--from', to, '--data-dir', dir, '--force'])).code).toBe(0);
    expect(readFileSync(join(dir, 'sandbox-shop.json'), 'utf8')).toBe(shop);
    const aside = readdirSync(dir).find((n) => n.startsWith('replaced-'))!;
    expect(readFileSync(join(dir, aside, 'sandbox-shop.json'), 'utf8')).toBe('{"version":1,"orders":[]}');
  }, 60_000);

  it('refuses a damaged backup, a non-empty target and a missing store, changing nothing', async () => {
    const dir = join(tmp.dir, 'damaged');
    const s = await start(dir);
    await s.close();
    const to = join(tmp.dir, 'backup-3');
    expect((await cli('backup', ['--data-dir', dir, '--to', to])).code).toBe(0);
    const again = await cli('backup', ['--data-dir', dir, '--to', to]);
    expect([again.code, again.err]).toEqual([1, expect.stringMatching(/is not empty/)]);
    const none = await cli('backup', ['--data-dir', join(tmp.dir, 'nothing'), '--to', join(tmp.dir, 'b4')]);
    expect([none.code, none.err]).toEqual([1, expect.stringMatching(/has no store/)]);

    const db = join(to, 'ledgerline.db');
    const bytes = readFileSync(db);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(db, bytes);
    const target = join(tmp.dir, 'target');
    const r = await cli('restore', ['--from', to, '--data-dir', target]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ledgerline\.db in the backup does not match its checksum/);
    expect(existsSync(target)).toBe(false);
    expect((await cli('restore', ['--from', tmp.dir, '--data-dir', target])).err).toMatch(/not a Ledgerline backup/);
    expect((await cli('restore', [])).code).toBe(2);
  }, 60_000);
});
