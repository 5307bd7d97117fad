// Everything a router needs, built once by createServer (app.ts) and handed to each router factory.
import type { Logger as Pino } from 'pino';
import type { Runtime } from '../runtime/index.ts';
import type { Users } from './auth/users.ts';
import type { UserScope } from './auth/user-scope.ts';
import type { Audit } from './audit.ts';
import type { Connections } from './vault/connections.ts';
import type { Vault } from './vault/vault.ts';
import type { Metrics } from './metrics.ts';
import type { SecretStore } from './vault/secrets.ts';
import type { LookupService } from './lookups/store/index.ts';
import type { ExceptionService } from './exceptions/store/index.ts';
import type { ChangeRequests } from './flows/change-requests.ts';

export interface Deps {
  /** On the workspace's store: SQLite under the data dir, or its PostgreSQL schema (LEDGERLINE_DATABASE_URL). */
  runtime: Runtime;
  users: Users;
  /** The users /api/users shows and changes, and the role it shows: this workspace's (users.role on a server of its own). */
  userScope: UserScope;
  audit: Audit;
  connections: Connections;
  vault: Vault;
  secrets: SecretStore;
  metrics: Metrics;
  lookups: LookupService;
  exceptions: ExceptionService;
  /** Client changes held for a consultant's approval, and each flow's policy. */
  changeRequests: ChangeRequests;
  log: Pino;
  /** Called after a change to which flows are active, so schedules follow at once (resolves once they have; never rejects). */
  onTriggersChanged(): Promise<void>;
  /** Replaces every known secret value in a JSON-able value (run traces, errors) before it leaves the server. */
  scrub<T>(v: T): T;
  now(): number;
  options: {
    /** Deliveries whose X-Shopify-Triggered-At is older than this are flagged stale. */
    staleAfterMs: number;
    bodyLimitBytes: number;
    loginAttempts: {
      /** Failed logins per (address, email) in the window (10). */
      max: number;
      windowMs: number;
      /** Failed logins per address across emails (default 5 x max). */
      perAddressMax?: number;
      /** Password hashes running at once (default 1, LEDGERLINE_LOGIN_CONCURRENCY): each is ~32 MiB and ~100 ms of a core. */
      hashConcurrency?: number;
      /** Logins one address may have waiting for a hash (default 4); more are refused with 429. */
      queuedPerAddress?: number;
    };
    /** LEDGERLINE_TRUST_PROXY: believe X-Forwarded-For / X-Forwarded-Proto. */
    trustProxy: boolean;
  };
}
