// The audit log: who changed what, when, before -> after. Secrets are redacted before anything is written.
import { desc } from 'drizzle-orm';
import type { Store } from '../runtime/store/db.ts';
import type { SqlStore } from '../runtime/store/sql-store.ts';
import { audit } from './db/schema.ts';

type AuditTables = { audit: typeof audit };

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

const SECRET_KEYS = /secret|password|token|apikey|api_key|accesstoken|privatekey|credential/i;

/** Deep copy with every secret-looking field replaced, so an audit entry can never carry a credential. */
export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(x)]));
  }
  return v;
}

export class Audit {
  private readonly store: SqlStore<AuditTables>;

  constructor(
    store: Pick<Store, 'sql'>,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ audit });
  }

  async record(actor: string, action: string, target: string, details?: { before?: unknown; after?: unknown; [k: string]: unknown }): Promise<void> {
    const { audit: a } = this.store.tables;
    await this.store.db.insert(a).values({ at: this.now(), actor, action, target, details: details === undefined ? null : JSON.stringify(redact(details)) });
  }

  async list(limit = 100): Promise<AuditEntry[]> {
    const { audit: a } = this.store.tables;
    const rows = await this.store.db
      .select()
      .from(a)
      .orderBy(desc(a.id))
      .limit(Math.min(Math.max(limit, 1), 1000));
    return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details ? JSON.parse(r.details) : null }));
  }
}
