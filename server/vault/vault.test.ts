import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { freshStores, testStores, type TestStore } from '../../runtime/testing/stores.ts';
import { connections, secrets } from '../db/schema.ts';
import { Vault, createKeyFile, keyIdOf, loadVault, parseMasterKey, VaultError } from './vault.ts';
import { rotateVault } from './rotate.ts';
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

  it('a key file made by another process first is adopted, never overwritten (two first starts at once)', () => {
    const theirs = Buffer.alloc(32, 7);
    const mine = Buffer.alloc(32, 9);
    expect(createKeyFile(tmp.dir, [{ id: keyIdOf(theirs), key: theirs }], keyIdOf(theirs))).toBe(true);
    expect(createKeyFile(tmp.dir, [{ id: keyIdOf(mine), key: mine }], keyIdOf(mine))).toBe(false);
    const loaded = loadVault(tmp.dir, undefined);
    expect(loaded.generated).toBe(false);
    expect(loaded.vault.keyId).toBe(keyIdOf(theirs));
    expect(statSync(join(tmp.dir, 'vault.keys')).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp.dir)).toEqual(['vault.keys']); // no staged file left behind
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
});

describe.each(testStores())('the vault on $name', (kind) => {
  const fresh = freshStores(kind);
  const blobs = async (store: TestStore) => {
    const v = store.sql({ connections, secrets });
    const { connections: c, secrets: s } = v.tables;
    return [...(await v.db.select({ b: c.secrets }).from(c)).map((r) => r.b), ...(await v.db.select({ b: s.value }).from(s)).map((r) => r.b)];
  };

  it('rotates: every stored secret is re-encrypted under the new key id and still decrypts', async () => {
    const store = await fresh();
    const { vault } = loadVault(tmp.dir, undefined);
    const cx = new Connections(store, vault, {});
    await cx.create({ id: 's', kind: 'shopify', provider: 'shopify', name: 'S', config: { shopDomain: 'a' }, secrets: { accessToken: 'shpat_rotate_me' } });
    await cx.create({ id: 'plain', kind: 'erp', provider: 'sandbox', name: 'P', config: {} });
    await new SecretStore(store, vault).set('flow-webhook:f', 'whs_abc');
    const r = await rotateVault({ store, vault, dataDir: tmp.dir, envKeyInUse: false });
    expect(r.reencrypted).toBe(2);
    expect(r.keyId).not.toBe(vault.keyId);
    const reloaded = loadVault(tmp.dir, undefined).vault;
    expect(reloaded.keyId).toBe(r.keyId);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'vault.keys'), 'utf8')).current).toBe(r.keyId);
    const cx2 = new Connections(store, reloaded, {});
    expect(await cx2.secretsOf('s')).toEqual({ accessToken: 'shpat_rotate_me' });
    expect(await cx2.secretsOf('plain')).toEqual({});
    expect(await new SecretStore(store, reloaded).get('flow-webhook:f')).toBe('whs_abc');
    const stored = (await blobs(store)).filter((b) => b != null);
    expect(stored).toHaveLength(2);
    for (const b of stored) expect(b!.split('.')[1]).toBe(r.keyId);
    await expect(rotateVault({ store, vault: reloaded, dataDir: tmp.dir, envKeyInUse: true })).rejects.toThrow(/new key/);
  });

  it('rotates all or nothing: a secret it cannot decrypt leaves every secret and the key file as they were', async () => {
    const store = await fresh();
    const { vault } = loadVault(tmp.dir, undefined);
    const keyFile = readFileSync(join(tmp.dir, 'vault.keys'), 'utf8');
    const cx = new Connections(store, vault, {});
    await cx.create({ id: 'a', kind: 'erp', provider: 'x', name: 'A', config: {}, secrets: { password: 'first-password' } });
    // A secret under a key this server does not have (the connections are re-encrypted first, then this fails).
    const stranger = new Vault([{ id: keyIdOf(Buffer.alloc(32, 9)), key: Buffer.alloc(32, 9) }], keyIdOf(Buffer.alloc(32, 9)));
    await new SecretStore(store, stranger).set('foreign', 'not-ours');
    const before = await blobs(store);
    await expect(rotateVault({ store, vault, dataDir: tmp.dir, envKeyInUse: false })).rejects.toThrow(VaultError);
    expect(await blobs(store)).toEqual(before);
    expect(readFileSync(join(tmp.dir, 'vault.keys'), 'utf8')).toBe(keyFile);
    expect(await new Connections(store, vault, {}).secretsOf('a')).toEqual({ password: 'first-password' });
  });

  it('stores connection secrets only encrypted, merges updates into them, and never shows them in a view', async () => {
    const store = await fresh();
    const { vault } = loadVault(tmp.dir, undefined);
    const cx = new Connections(store, vault, {}, () => 1000);
    const view = await cx.create({
      id: 'e',
      kind: 'erp',
      provider: 'x',
      name: 'E',
      config: { url: 'http://e' },
      secrets: { user: 'u1', password: 'pw-one-secret' },
    });
    expect(view).toEqual({ id: 'e', kind: 'erp', provider: 'x', name: 'E', config: { url: 'http://e' }, hasSecret: true });
    expect(JSON.stringify(await blobs(store))).not.toContain('pw-one-secret');
    await expect(cx.create({ id: 'e', kind: 'erp', provider: 'x', name: 'again', config: {} })).rejects.toMatchObject({ status: 409 });
    await cx.update('e', { secrets: { password: 'pw-two-secret', user: null } });
    expect(await cx.secretsOf('e')).toEqual({ password: 'pw-two-secret' });
    expect(JSON.stringify(await cx.list())).not.toContain('pw-two-secret');
    expect(await cx.allSecretValues()).toEqual(['pw-two-secret']);
    await cx.update('e', { secrets: { password: null } });
    expect((await cx.get('e')).hasSecret).toBe(false);
    expect(await cx.delete('e')).toMatchObject({ id: 'e' });
    await expect(cx.get('e')).rejects.toMatchObject({ status: 404 });
    await expect(cx.update('e', { name: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(cx.delete('e')).rejects.toMatchObject({ status: 404 });
  });

  it("two updates of one connection's secrets at once both land", async () => {
    const store = await fresh();
    const { vault } = loadVault(tmp.dir, undefined);
    const cx = new Connections(store, vault, {});
    await cx.create({ id: 'e', kind: 'erp', provider: 'x', name: 'E', config: {}, secrets: {} });
    await Promise.all([cx.update('e', { secrets: { a: 'one' } }), cx.update('e', { secrets: { b: 'two' } })]);
    expect(await cx.secretsOf('e')).toEqual({ a: 'one', b: 'two' });
  });

  it('keeps named secrets encrypted; a value set is read back, and deleted is gone', async () => {
    const store = await fresh();
    const { vault } = loadVault(tmp.dir, undefined);
    const s = new SecretStore(store, vault);
    expect(await s.get('missing')).toBeUndefined();
    await s.set('flow-webhook:f', 'whs_first');
    await s.set('flow-webhook:f', 'whs_second');
    expect(await s.get('flow-webhook:f')).toBe('whs_second');
    expect(await new SecretStore(store, vault).get('flow-webhook:f')).toBe('whs_second');
    expect(JSON.stringify(await blobs(store))).not.toContain('whs_second');
    expect(await s.values()).toEqual(['whs_second']);
    await s.delete('flow-webhook:f');
    expect(await s.get('flow-webhook:f')).toBeUndefined();
    expect(await s.values()).toEqual([]);
  });

  it('a client built before another process changed the connection is built again with the new settings', async () => {
    // Two processes on one store: two connections to it, each with its own client cache.
    const a = await fresh();
    const b = await a.twin();
    const { vault } = loadVault(tmp.dir, undefined);
    let clock = 1000;
    const built: unknown[] = [];
    const factory = {
      create: async (c: { config: Record<string, unknown>; secrets: Record<string, unknown> }) => {
        const client = { url: c.config.url, token: c.secrets.token };
        built.push(client);
        return client;
      },
    };
    // The stores themselves (not the test wrappers): on SQLite the freshness check is then its own prepared statement.
    const worker = new Connections(a.store, vault, { erp: factory }, () => clock);
    const web = new Connections(b.store, vault, { erp: factory }, () => ++clock);
    await web.create({ id: 'erp1', kind: 'erp', provider: 'x', name: 'ERP', config: { url: 'http://one' }, secrets: { token: 't1' } });
    expect(await worker.resolve('erp', 'erp1')).toEqual({ url: 'http://one', token: 't1' });
    expect(await worker.resolve('erp', 'erp1')).toBe(await worker.resolve('erp', 'erp1')); // cached while unchanged
    await web.update('erp1', { config: { url: 'http://two' }, secrets: { token: 't2' } });
    expect(await worker.resolve('erp', 'erp1')).toEqual({ url: 'http://two', token: 't2' });
    expect(built).toHaveLength(2);
    // Calls at once share one client.
    await web.update('erp1', { config: { url: 'http://three' } });
    const [x, y] = await Promise.all([worker.resolve('erp', 'erp1'), worker.resolve('erp', 'erp1')]);
    expect(x).toBe(y);
    expect(built).toHaveLength(3);
    await expect(worker.resolve('shopify', 'erp1')).rejects.toThrow(/is a erp connection, not shopify/);
    await web.delete('erp1');
    await expect(worker.resolve('erp', 'erp1')).rejects.toThrow(/no erp connection "erp1"/);
  });
});
