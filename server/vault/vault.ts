// Secrets at rest: AES-256-GCM under a master key named by a key id, so a rotation can tell old blobs from new.
// Blob format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VaultKey {
  id: string;
  key: Buffer;
}

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export const keyIdOf = (key: Buffer) => 'k' + createHash('sha256').update(key).digest('hex').slice(0, 8);

export class Vault {
  private ring = new Map<string, Buffer>();

  constructor(
    keys: VaultKey[],
    private currentId: string,
  ) {
    for (const k of keys) this.ring.set(k.id, k.key);
    if (!this.ring.has(currentId)) throw new VaultError(`current key ${currentId} is not in the key ring`);
  }

  get keyId() {
    return this.currentId;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.ring.get(this.currentId)!, iv);
    // The key id is authenticated too, so a blob cannot be relabelled to another key.
    c.setAAD(Buffer.from(this.currentId));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', this.currentId, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
  }

  decrypt(blob: string): string {
    const [v, kid, iv, tag, ct] = blob.split('.');
    if (v !== 'v1' || !kid || iv === undefined || tag === undefined || ct === undefined) throw new VaultError('not a vault blob');
    const key = this.ring.get(kid);
    if (!key) throw new VaultError(`secret was encrypted under key ${kid}, which this server does not have (set LEDGERLINE_MASTER_KEY to that key)`);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(kid));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new VaultError(`secret under key ${kid} failed authentication (wrong key or tampered data)`);
    }
  }

  encryptJson(v: unknown): string {
    return this.encrypt(JSON.stringify(v));
  }

  decryptJson<T = unknown>(blob: string): T {
    return JSON.parse(this.decrypt(blob)) as T;
  }

  keyIdOfBlob(blob: string): string | undefined {
    return blob.split('.')[1];
  }
}

/** Accepts 32 bytes as 64 hex characters or base64/base64url. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new VaultError(`LEDGERLINE_MASTER_KEY must be 32 bytes as hex (64 chars) or base64; got ${key.length} bytes`);
  return key;
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

export const keyFilePath = (dataDir: string) => join(dataDir, 'vault.keys');

function readKeyFile(path: string): KeyFile | null {
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
}

/** The key file's text in a file of its own beside it (mode 0600), whole before anyone can see it under the real name. */
function stageKeyFile(dataDir: string, keys: VaultKey[], current: string): string {
  const staged = `${keyFilePath(dataDir)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const body: KeyFile = { current, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) };
  writeFileSync(staged, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  chmodSync(staged, 0o600);
  return staged;
}

/** Replaces the key file (rotation); a reader sees the old file or the new one, never half of one. */
export function writeKeyFile(dataDir: string, keys: VaultKey[], current: string): void {
  renameSync(stageKeyFile(dataDir, keys, current), keyFilePath(dataDir));
}

/**
 * Creates the key file unless one exists: false when another process made it first. Two processes starting at once
 * on a new data dir must not each write a key of their own — the loser's secrets would be encrypted under a key the
 * file no longer holds. A hard link puts the staged file in place only where no file is (atomic on one file system).
 */
export function createKeyFile(dataDir: string, keys: VaultKey[], current: string): boolean {
  const staged = stageKeyFile(dataDir, keys, current);
  try {
    linkSync(staged, keyFilePath(dataDir));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(staged);
  }
}

/**
 * The master key comes from LEDGERLINE_MASTER_KEY, or from the data dir's key file, created with a fresh key on
 * first start (`generated` tells the caller to warn the operator to back it up). Keys in the file stay usable for
 * decryption, so setting the env key later does not strand existing secrets.
 */
export function loadVault(dataDir: string, envKey: string | undefined): { vault: Vault; generated: boolean; source: 'env' | 'file' } {
  const file = readKeyFile(keyFilePath(dataDir));
  const keys: VaultKey[] = file ? Object.entries(file.keys).map(([id, k]) => ({ id, key: Buffer.from(k, 'base64') })) : [];
  if (envKey) {
    const key = parseMasterKey(envKey);
    const id = keyIdOf(key);
    if (!keys.some((k) => k.id === id)) keys.push({ id, key });
    return { vault: new Vault(keys, id), generated: false, source: 'env' };
  }
  if (file) return { vault: new Vault(keys, file.current), generated: false, source: 'file' };
  const key = randomBytes(32);
  const id = keyIdOf(key);
  if (!createKeyFile(dataDir, [{ id, key }], id)) return loadVault(dataDir, envKey); // another process's key won
  return { vault: new Vault([{ id, key }], id), generated: true, source: 'file' };
}
