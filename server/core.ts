// What the server builds on its data dir before the runtime, in dependency order: the store, the server's tables in
// it, the credentials vault, secrets and connections, users and the audit trail, the scrubber that knows every
// stored secret, and the lookup tables. createServer hands these to the runtime when it creates it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../runtime/store/db.ts';
import type { AnyStore } from '../runtime/store/any-store.ts';
import { openPgStore } from '../runtime/store/pg-store.ts';
import { Users } from './auth/users.ts';
import { Audit } from './audit.ts';
import { loadVault } from './vault/vault.ts';
import { Connections, type ConnectionFactory } from './vault/connections.ts';
import { SecretStore } from './vault/secrets.ts';
import { erpFactory, shopifyFactory } from './vault/factories.ts';
import { bucketStore } from './shopify-buckets.ts';
import { makeScrubber } from './scrub.ts';
import { LookupService } from './lookups/store/index.ts';

export interface CoreOptions {
  dataDir: string;
  /** LEDGERLINE_MASTER_KEY, when set. */
  masterKey?: string;
  /** Added to (or replacing) the Shopify and ERP connection factories. */
  connectionFactories?: Record<string, ConnectionFactory>;
  /** LEDGERLINE_DATABASE_URL: the workspace's store is this PostgreSQL database's schema for it, not SQLite under the data dir. */
  databaseUrl?: string;
  /** The workspace whose store it is (its PostgreSQL schema). */
  workspaceId: string;
  log: { warn(obj: object, msg?: string): void };
  now: () => number;
}

export async function openServerCore(o: CoreOptions) {
  // The data dir holds the vault's key file and the sandbox ERP whichever store holds the rest; on PostgreSQL no
  // SQLite file creates it first.
  mkdirSync(o.dataDir, { recursive: true });
  const store: AnyStore = o.databaseUrl
    ? await openPgStore({
        url: o.databaseUrl,
        workspace: o.workspaceId,
        max: 8,
        onIdleError: (e) => o.log.warn({ err: e.message }, 'an idle PostgreSQL connection failed; the pool opens another'),
      })
    : openStore(o.dataDir);
  const { vault, generated } = loadVault(o.dataDir, o.masterKey);
  if (generated) {
    o.log.warn(
      { keyFile: join(o.dataDir, 'vault.keys'), keyId: vault.keyId },
      'GENERATED A NEW MASTER KEY for the credentials vault: back up this file (or set LEDGERLINE_MASTER_KEY); without it stored credentials cannot be decrypted',
    );
  }
  const secrets = new SecretStore(store, vault, o.now);
  const connections = new Connections(
    store,
    vault,
    { shopify: shopifyFactory({ buckets: bucketStore(store) }), erp: erpFactory(o.dataDir), ...o.connectionFactories },
    o.now,
  );
  const users = new Users(store, o.now);
  const audit = new Audit(store, o.now);
  const scrub = makeScrubber(connections, secrets);
  await scrub.refresh();
  const lookups = new LookupService(store);
  return { store, vault, secrets, connections, users, audit, scrub, lookups };
}
