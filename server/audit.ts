// The audit log: who changed what, when, before -> after. Secrets are redacted before anything is written.
import { desc } from 'drizzle-orm';
import type { ServerDb } from './db/db.ts';
import { audit } from './db/schema.ts';

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
  constructor(
    private db: ServerDb,
    private now: () => number = Date.now,
  ) {}

  record(actor: string, action: string, target: string, details?: { before?: unknown; after?: unknown; [k: string]: unknown }) {
    this.db
      .insert(audit)
      .values({ at: this.now(), actor, action, target, details: details === undefined ? null : JSON.stringify(redact(details)) })
      .run();
  }

  list(limit = 100): AuditEntry[] {
    return this.db
      .select()
      .from(audit)
      .orderBy(desc(audit.id))
      .limit(Math.min(Math.max(limit, 1), 1000))
      .all()
      .map((r) => ({ at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details ? JSON.parse(r.details) : null }));
  }
}
