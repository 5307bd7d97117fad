// Stored connections (Shopify stores, ERPs): non-secret config in clear, secrets only as vault blobs. The runtime's
// `ctx.connection(kind, id)` is answered here, with one client per connection kept until the connection changes.
import type { Statement } from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import type { ServerDb } from '../db/db.ts';
import { connections } from '../db/schema.ts';
import type { Vault } from './vault.ts';

export type ConnectionKind = 'shopify' | 'erp';

export interface ConnectionView {
  id: string;
  kind: ConnectionKind;
  provider: string;
  name: string;
  config: Record<string, unknown>;
  hasSecret: boolean;
}

export interface ConnectionInput {
  id: string;
  kind: ConnectionKind;
  provider: string;
  name: string;
  config: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** What a factory gets: the stored connection with its secrets decrypted (never leaves the process). */
export interface ResolvedConnection extends ConnectionView {
  secrets: Record<string, unknown>;
}

export interface ConnectionFactory<T = unknown> {
  create(c: ResolvedConnection): Promise<T> | T;
  /** A cheap live call proving the connection works. */
  test?(client: T, c: ResolvedConnection): Promise<string>;
  close?(client: T): Promise<void> | void;
}

export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 422 = 400,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export class Connections {
  /** Bumped on every change, so caches of secrets (the output scrubber) know to refresh. */
  generation = 0;
  private cache = new Map<string, { client: Promise<unknown>; factory: ConnectionFactory; kind: string; updatedAt: number }>();
  private updatedAtStmt: Statement | undefined;

  constructor(
    private db: ServerDb,
    private vault: Vault,
    private factories: Partial<Record<string, ConnectionFactory>>,
    private now: () => number = Date.now,
  ) {}

  /** Registers (or replaces) the client factory for a kind or `kind:provider`, e.g. once a connector is loaded. */
  setFactory(key: string, f: ConnectionFactory) {
    this.factories[key] = f;
  }

  list(): ConnectionView[] {
    return this.db.select().from(connections).all().map(view);
  }

  get(id: string): ConnectionView {
    const r = this.db.select().from(connections).where(eq(connections.id, id)).get();
    if (!r) throw new ConnectionError(`connection "${id}" not found`, 404);
    return view(r);
  }

  find(id: string): ConnectionView | undefined {
    const r = this.db.select().from(connections).where(eq(connections.id, id)).get();
    return r ? view(r) : undefined;
  }

  /** Decrypted secrets, for in-process use only (webhook verification, client factories). */
  secretsOf(id: string): Record<string, unknown> {
    const r = this.db.select({ s: connections.secrets }).from(connections).where(eq(connections.id, id)).get();
    if (!r) throw new ConnectionError(`connection "${id}" not found`, 404);
    return r.s ? this.vault.decryptJson<Record<string, unknown>>(r.s) : {};
  }

  create(c: ConnectionInput): ConnectionView {
    this.generation++;
    if (this.find(c.id)) throw new ConnectionError(`connection "${c.id}" already exists`, 409);
    const t = this.now();
    const hasSecrets = c.secrets && Object.keys(c.secrets).length > 0;
    this.db
      .insert(connections)
      .values({
        id: c.id,
        kind: c.kind,
        provider: c.provider,
        name: c.name,
        config: JSON.stringify(c.config ?? {}),
        secrets: hasSecrets ? this.vault.encryptJson(c.secrets) : null,
        createdAt: t,
        updatedAt: t,
      })
      .run();
    return this.get(c.id);
  }

  /** Secrets given are merged over the stored ones (write-only: a client never needs to send them back). */
  update(id: string, patch: Partial<Omit<ConnectionInput, 'id' | 'kind'>>): ConnectionView {
    this.get(id);
    const set: Partial<typeof connections.$inferInsert> = { updatedAt: this.now() };
    if (patch.provider !== undefined) set.provider = patch.provider;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.config !== undefined) set.config = JSON.stringify(patch.config);
    if (patch.secrets !== undefined) {
      const merged = { ...this.secretsOf(id), ...patch.secrets };
      for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
      set.secrets = Object.keys(merged).length ? this.vault.encryptJson(merged) : null;
    }
    this.db.update(connections).set(set).where(eq(connections.id, id)).run();
    void this.evict(id);
    return this.get(id);
  }

  delete(id: string): ConnectionView {
    const before = this.get(id);
    this.db.delete(connections).where(eq(connections.id, id)).run();
    void this.evict(id);
    return before;
  }

  private factoryFor(c: ConnectionView): ConnectionFactory {
    const f = this.factories[`${c.kind}:${c.provider}`] ?? this.factories[c.kind];
    if (!f) throw new ConnectionError(`no client is available for ${c.kind} connections of provider "${c.provider}" (connection "${c.id}")`, 422);
    return f;
  }

  /** The runtime's connection resolver. */
  resolve = (kind: string, id: string): Promise<unknown> => {
    const hit = this.cache.get(id);
    if (hit && hit.kind === kind) {
      // Another process on this data dir (a web process's API) may have changed or deleted it: one indexed read, a raw
      // prepared statement as it runs in every ERP and Shopify step (bench/README.md "Order to ERP").
      this.updatedAtStmt ??= this.db.$client.prepare('SELECT updated_at AS u FROM connections WHERE id = ?');
      const r = this.updatedAtStmt.get(id) as { u: number } | undefined;
      if (r?.u === hit.updatedAt) return hit.client;
      void this.evict(id);
    }
    // Read before the row itself: a change landing in between makes the next call build the client again.
    const updatedAt = this.db.select({ u: connections.updatedAt }).from(connections).where(eq(connections.id, id)).get()?.u ?? 0;
    const c = this.find(id);
    if (!c) return Promise.reject(new ConnectionError(`no ${kind} connection "${id}" is configured`, 404));
    if (c.kind !== kind) return Promise.reject(new ConnectionError(`connection "${id}" is a ${c.kind} connection, not ${kind}`, 422));
    let factory: ConnectionFactory;
    try {
      factory = this.factoryFor(c);
    } catch (e) {
      return Promise.reject(e);
    }
    const p = (async () => factory.create({ ...c, secrets: this.secretsOf(id) }))();
    this.cache.set(id, { client: p, factory, kind: c.kind, updatedAt });
    p.catch(() => this.cache.delete(id));
    this.generation++;
    return p;
  };

  /** Every secret string of every connection (for scrubbing outputs). */
  allSecretValues(): string[] {
    const out: string[] = [];
    for (const r of this.db.select({ s: connections.secrets }).from(connections).all()) {
      if (!r.s) continue;
      for (const v of Object.values(this.vault.decryptJson<Record<string, unknown>>(r.s))) if (typeof v === 'string') out.push(v);
    }
    return out;
  }

  async test(id: string): Promise<{ ok: boolean; message: string }> {
    const c = this.get(id);
    try {
      const f = this.factoryFor(c);
      const client = await this.resolve(c.kind, id);
      const message = f.test ? await f.test(client, { ...c, secrets: this.secretsOf(id) }) : 'client created (this connector has no live check)';
      return { ok: true, message };
    } catch (e) {
      await this.evict(id);
      return { ok: false, message: redactSecrets((e as Error).message, this.secretsOf(id)) };
    }
  }

  private async evict(id: string) {
    this.generation++;
    const hit = this.cache.get(id);
    this.cache.delete(id);
    if (!hit) return;
    try {
      await hit.factory.close?.(await hit.client);
    } catch {
      /* a client that never came up has nothing to close */
    }
  }

  async close() {
    await Promise.all([...this.cache.keys()].map((id) => this.evict(id)));
  }
}

function view(r: typeof connections.$inferSelect): ConnectionView {
  return { id: r.id, kind: r.kind as ConnectionKind, provider: r.provider, name: r.name, config: JSON.parse(r.config), hasSecret: r.secrets != null };
}

/** Removes every secret value from a message (errors from clients may echo a token). */
export function redactSecrets(msg: string, secrets: Record<string, unknown>): string {
  let out = msg;
  for (const v of Object.values(secrets)) if (typeof v === 'string' && v.length >= 4) out = out.split(v).join('[redacted]');
  return out;
}
