import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/store/db.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { Vault, keyIdOf, loadVault, parseMasterKey, VaultError } from './vault.ts';
import { rotateVault } from './rotate.ts';
import { openServerDb } from '../db/db.ts';
import { Connections } from './connections.ts';
import { SecretStore } from './secrets.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

describe('vault', () => {
  it('encrypts with AES-256-GCM under a key id and detects tampering', () => {
    const key = Buffer.alloc(32, 1);
    const v = new Vault([{ id: keyIdOf(key), key }], keyIdOf(key));
    const blob = v.encrypt('shpat_secret');
    expect(blob.startsWith(`v1.${keyIdOf(key)}.`)).toBe(true);
    expect(blob).not.toContain('shpat_secret');
    expect(v.decrypt(blob)).toBe('shpat_secret');
    expect(v.encrypt('same')).not.toBe(v.encrypt('same'));
    const parts = blob.split('.');
    parts[4] = Buffer.from('tampered!!!!').toString('base64url');
    expect(() => v.decrypt(parts.join('.'))).toThrow(VaultError);
  });

  it('generates a key file (mode 0600) on first start and reuses it afterwards', () => {
    const first = loadVault(tmp.dir, undefined);
    expect(first.generated).toBe(true);
    const file = join(tmp.dir, 'vault.keys');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const blob = first.vault.encrypt('x');
    const second = loadVault(tmp.dir, undefined);
    expect(second.generated).toBe(false);
    expect(second.vault.decrypt(blob)).toBe('x');
  });

  it('takes LEDGERLINE_MASTER_KEY as hex or base64 and refuses a wrong length', () => {
    const hex = 'ab'.repeat(32);
    expect(parseMasterKey(hex)).toEqual(Buffer.alloc(32, 0xab));
    expect(parseMasterKey(Buffer.alloc(32, 0xab).toString('base64'))).toEqual(Buffer.alloc(32, 0xab));
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(/32 bytes/);
    const { vault, source } = loadVault(tmp.dir, hex);
    expect(source).toBe('env');
    expect(vault.keyId).toBe(keyIdOf(Buffer.alloc(32, 0xab)));
  });

  it('rotates: every stored secret is re-encrypted under the new key id and still decrypts', () => {
    const store = openStore(join(tmp.dir, 'store'));
    const sqlite = store.sqlite;
    const db = openServerDb(sqlite);
    const { vault } = loadVault(tmp.dir, undefined);
    const cx = new Connections(db, vault, {});
    cx.create({ id: 's', kind: 'shopify', provider: 'shopify', name: 'S', config: { shopDomain: 'a' }, secrets: { accessToken: 'shpat_rotate_me' } });
    new SecretStore(db, vault).set('flow-webhook:f', 'whs_abc');
    const r = rotateVault({ db, vault, dataDir: tmp.dir, envKeyInUse: false });
    expect(r.reencrypted).toBe(2);
    expect(r.keyId).not.toBe(vault.keyId);
    const reloaded = loadVault(tmp.dir, undefined).vault;
    expect(reloaded.keyId).toBe(r.keyId);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'vault.keys'), 'utf8')).current).toBe(r.keyId);
    const cx2 = new Connections(db, reloaded, {});
    expect(cx2.secretsOf('s')).toEqual({ accessToken: 'shpat_rotate_me' });
    expect(new SecretStore(db, reloaded).get('flow-webhook:f')).toBe('whs_abc');
    const row = sqlite.prepare('SELECT secrets FROM connections').get() as { secrets: string };
    expect(row.secrets.split('.')[1]).toBe(r.keyId);
    expect(() => rotateVault({ db, vault: reloaded, dataDir: tmp.dir, envKeyInUse: true })).toThrow(/new key/);
    store.close();
  });
});

describe('connections shared by processes', () => {
  it('a client built before another process changed the connection is built again with the new settings', async () => {
    // Two processes on one data dir: two connections to the file, each with its own client cache.
    const storeA = openStore(tmp.dir);
    const storeB = openStore(tmp.dir);
    const a = openServerDb(storeA.sqlite);
    const b = openServerDb(storeB.sqlite);
    const { vault } = loadVault(tmp.dir, undefined);
    let clock = 1000;
    const factory = {
      create: async (c: { config: Record<string, unknown>; secrets: Record<string, unknown> }) => ({ url: c.config.url, token: c.secrets.token }),
    };
    const worker = new Connections(a, vault, { erp: factory }, () => clock);
    const web = new Connections(b, vault, { erp: factory }, () => ++clock);
    web.create({ id: 'erp1', kind: 'erp', provider: 'x', name: 'ERP', config: { url: 'http://one' }, secrets: { token: 't1' } });
    expect(await worker.resolve('erp', 'erp1')).toEqual({ url: 'http://one', token: 't1' });
    expect(await worker.resolve('erp', 'erp1')).toBe(await worker.resolve('erp', 'erp1')); // cached while unchanged
    web.update('erp1', { config: { url: 'http://two' }, secrets: { token: 't2' } });
    expect(await worker.resolve('erp', 'erp1')).toEqual({ url: 'http://two', token: 't2' });
    web.delete('erp1');
    await expect(worker.resolve('erp', 'erp1')).rejects.toThrow(/no erp connection "erp1"/);
    storeA.close();
    storeB.close();
  });
});
