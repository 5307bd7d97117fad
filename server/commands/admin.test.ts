import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { openStore } from '../../runtime/store/db.ts';
import { Users } from '../auth/users.ts';
import { Connections } from '../vault/connections.ts';
import { loadVault } from '../vault/vault.ts';

const bin = new URL('../../bin/ledgerline.js', import.meta.url).pathname;
const tmp = tempDir('ledgerline-admin-');
afterAll(() => tmp.cleanup());

function cli(args: string[], stdin = '', env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

describe('ledgerline user add / token create / vault rotate', () => {
  const dir = join(tmp.dir, 'data');

  it('adds a user with the password from stdin and creates an API token for them', async () => {
    const add = await cli(['user', 'add', '--email', 'Owner@Shop.test', '--role', 'owner', '--data-dir', dir], 'correct horse battery\n');
    expect(add).toMatchObject({ code: 0, stdout: 'added owner@shop.test as owner\n' });
    expect(add.stdout + add.stderr).not.toContain('correct horse');
    const again = await cli(['user', 'add', '--email', 'owner@shop.test', '--role', 'owner', '--data-dir', dir], 'another password\n');
    expect(again.code).toBe(1);
    expect((await cli(['user', 'add', '--email', 'x@shop.test', '--role', 'admin', '--data-dir', dir], 'long enough pw\n')).code).toBe(2);

    const tok = await cli(['token', 'create', '--email', 'owner@shop.test', '--name', 'ci', '--data-dir', dir]);
    expect(tok.code).toBe(0);
    const token = tok.stdout.trim();
    const store = openStore(dir);
    const users = new Users(store);
    expect((await users.login('owner@shop.test', 'correct horse battery'))?.user.email).toBe('owner@shop.test');
    expect(await users.login('owner@shop.test', 'wrong password!')).toBeNull();
    expect((await users.authenticate(token))?.email).toBe('owner@shop.test');
    // Stored hashed: the token text is nowhere in the database file.
    store.close();
    expect(readFileSync(join(dir, 'ledgerline.db')).includes(Buffer.from(token))).toBe(false);
  }, 60_000);

  it('re-encrypts stored secrets under a new key that still decrypts them', async () => {
    const store = openStore(dir);
    const before = loadVault(dir, undefined);
    await new Connections(store, before.vault, {}).create({
      id: 'erp',
      kind: 'erp',
      provider: 'sandbox',
      name: 'ERP',
      config: {},
      secrets: { password: 'p4ssw0rd-for-erp' },
    });
    store.close();
    const r = await cli(['vault', 'rotate', '--data-dir', dir], '', { LEDGERLINE_MASTER_KEY: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/re-encrypted 1 secret\(s\) under key /);
    const after = loadVault(dir, undefined);
    expect(after.vault.keyId).not.toBe(before.vault.keyId);
    const s2 = openStore(dir);
    expect(await new Connections(s2, after.vault, {}).secretsOf('erp')).toEqual({ password: 'p4ssw0rd-for-erp' });
    s2.close();
  }, 60_000);
});
