// `ledgerline vault rotate`: re-encrypts every stored secret under a new master key in one transaction.
import { randomBytes } from 'node:crypto';
import type { ServerDb } from '../db/db.ts';
import { connections, secrets } from '../db/schema.ts';
import { eq, isNotNull } from 'drizzle-orm';
import { Vault, keyIdOf, parseMasterKey, writeKeyFile, type VaultKey } from './vault.ts';

export interface RotateResult {
  keyId: string;
  reencrypted: number;
  /** Set when the new key was generated into the data dir's key file. */
  keyFile?: string;
}

/**
 * With LEDGERLINE_MASTER_KEY in use, the new key must be given (`newKey`) and then set in the environment;
 * otherwise a new key is generated into the key file (old keys are dropped once nothing uses them).
 */
export function rotateVault(o: { db: ServerDb; vault: Vault; dataDir: string; envKeyInUse: boolean; newKey?: string }): RotateResult {
  if (o.envKeyInUse && !o.newKey)
    throw new Error('LEDGERLINE_MASTER_KEY is set: pass the new key (e.g. LEDGERLINE_NEW_MASTER_KEY) and set it as LEDGERLINE_MASTER_KEY afterwards');
  const key = o.newKey ? parseMasterKey(o.newKey) : randomBytes(32);
  const next: VaultKey = { id: keyIdOf(key), key };
  const old = o.vault;
  const fresh = new Vault([next], next.id);
  let n = 0;
  o.db.$client.transaction(() => {
    for (const r of o.db.select({ id: connections.id, s: connections.secrets }).from(connections).where(isNotNull(connections.secrets)).all()) {
      o.db
        .update(connections)
        .set({ secrets: fresh.encrypt(old.decrypt(r.s!)) })
        .where(eq(connections.id, r.id))
        .run();
      n++;
    }
    for (const r of o.db.select().from(secrets).all()) {
      o.db
        .update(secrets)
        .set({ value: fresh.encrypt(old.decrypt(r.value)) })
        .where(eq(secrets.name, r.name))
        .run();
      n++;
    }
  })();
  if (!o.newKey) writeKeyFile(o.dataDir, [next], next.id);
  return { keyId: next.id, reencrypted: n, ...(o.newKey ? {} : { keyFile: 'vault.keys' }) };
}
