// `ledgerline vault rotate`: re-encrypts every stored secret under a new master key in one transaction.
import { randomBytes } from 'node:crypto';
import { eq, isNotNull } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import { connections, secrets } from '../db/schema.ts';
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
export async function rotateVault(o: {
  store: Pick<Store, 'sql'>;
  vault: Vault;
  dataDir: string;
  envKeyInUse: boolean;
  newKey?: string;
}): Promise<RotateResult> {
  if (o.envKeyInUse && !o.newKey)
    throw new Error('LEDGERLINE_MASTER_KEY is set: pass the new key (e.g. LEDGERLINE_NEW_MASTER_KEY) and set it as LEDGERLINE_MASTER_KEY afterwards');
  const key = o.newKey ? parseMasterKey(o.newKey) : randomBytes(32);
  const next: VaultKey = { id: keyIdOf(key), key };
  const old = o.vault;
  const fresh = new Vault([next], next.id);
  const store = o.store.sql({ connections, secrets });
  const { connections: c, secrets: s } = store.tables;
  // All or nothing: a secret left under the old key after the key file moved on could not be read again.
  const n = await store.tx(async (tx) => {
    let n = 0;
    for (const r of await store.forUpdate(tx.select({ id: c.id, s: c.secrets }).from(c).where(isNotNull(c.secrets)))) {
      await tx
        .update(c)
        .set({ secrets: fresh.encrypt(old.decrypt(r.s!)) })
        .where(eq(c.id, r.id));
      n++;
    }
    for (const r of await store.forUpdate(tx.select().from(s))) {
      await tx
        .update(s)
        .set({ value: fresh.encrypt(old.decrypt(r.value)) })
        .where(eq(s.name, r.name));
      n++;
    }
    return n;
  });
  if (!o.newKey) writeKeyFile(o.dataDir, [next], next.id);
  return { keyId: next.id, reencrypted: n, ...(o.newKey ? {} : { keyFile: 'vault.keys' }) };
}
