// Stored connections (Shopify stores, ERPs): non-secret config in clear, secrets only as vault blobs. The runtime's
// `ctx.connection(kind, id)` is answered here, with one client per connection kept until the connection changes.
import { eq, sql } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
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

type ConnectionTables = { connections: typeof connections };
type Row = typeof connections.$inferSelect;

export class Connections {
  /** Bumped on every change, so caches of secrets (webhook verification) know to refresh. */
  generation = 0;
  private cache = new Map<string, { client: Promise<unknown>; factory: ConnectionFactory; kind: string; updatedAt: number }>();
  private readonly store: SqlStore<ConnectionTables>;
  /** On SQLite, `resolve`'s freshness check as a statement of its own (see there). */
  private readonly updatedAtOf?: (id: string) => number | undefined;
  private listeners: Array<() => Promise<void>> = [];

  constructor(
    store: Pick<Store, 'sql'>,
    private vault: Vault,
    private factories: Partial<Record<string, ConnectionFactory>>,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ connections });
    const sqlite = (store as Partial<Store>).dialect === 'sqlite' ? (store as Partial<Store>).sqlite : undefined;
    if (sqlite) {
      const st = sqlite.prepare('SELECT updated_at FROM connections WHERE id = ?').pluck();
      this.updatedAtOf = (id) => st.get(id) as number | undefined;
    }
  }

  /** Registers (or replaces) the client factory for a kind or `kind:provider`, e.g. once a connector is loaded. */
  setFactory(key: string, f: ConnectionFactory) {
    this.factories[key] = f;
  }

  /**
   * `fn` runs after every change to the secrets this process knows (a connection written here, or a client built
   * from a row another process wrote), and the change is not done until it has: the output scrubber reloads there.
   */
  onChange(fn: () => Promise<void>): void {
    this.listeners.push(fn);
  }

  private async changed(): Promise<void> {
    this.generation++;
    for (const fn of this.listeners) await fn();
  }

  private row(id: string): Promise<Row | undefined> {
    const { connections: c } = this.store.tables;
    return this.store.db
      .select()
      .from(c)
      .where(eq(c.id, id))
      .then((r) => r[0]);
  }

  private secretsOfRow(r: Pick<Row, 'secrets'>): Record<string, unknown> {
    return r.secrets ? this.vault.decryptJson<Record<string, unknown>>(r.secrets) : {};
  }

  async list(): Promise<ConnectionView[]> {
    const { connections: c } = this.store.tables;
    // In the order they were created (SQLite's table order before, which PostgreSQL does not promise).
    return (await this.store.db.select().from(c).orderBy(c.createdAt, c.id)).map(view);
  }

  async get(id: string): Promise<ConnectionView> {
    const r = await this.row(id);
    if (!r) throw new ConnectionError(`connection "${id}" not found`, 404);
    return view(r);
  }

  async find(id: string): Promise<ConnectionView | undefined> {
    const r = await this.row(id);
    return r ? view(r) : undefined;
  }

  /** Decrypted secrets, for in-process use only (webhook verification, client factories). */
  async secretsOf(id: string): Promise<Record<string, unknown>> {
    const { connections: c } = this.store.tables;
    const [r] = await this.store.db.select({ secrets: c.secrets }).from(c).where(eq(c.id, id));
    if (!r) throw new ConnectionError(`connection "${id}" not found`, 404);
    return this.secretsOfRow(r);
  }

  async create(input: ConnectionInput): Promise<ConnectionView> {
    const { connections: c } = this.store.tables;
    const t = this.now();
    const hasSecrets = input.secrets && Object.keys(input.secrets).length > 0;
    // One statement decides whether the id is free, so two creating it at once get one row and one 409.
    const [r] = await this.store.db
      .insert(c)
      .values({
        id: input.id,
        kind: input.kind,
        provider: input.provider,
        name: input.name,
        config: JSON.stringify(input.config ?? {}),
        secrets: hasSecrets ? this.vault.encryptJson(input.secrets) : null,
        createdAt: t,
        updatedAt: t,
      })
      .onConflictDoNothing()
      .returning();
    if (!r) throw new ConnectionError(`connection "${input.id}" already exists`, 409);
    await this.changed();
    return view(r);
  }

  /** Secrets given are merged over the stored ones (write-only: a client never needs to send them back). */
  async update(id: string, patch: Partial<Omit<ConnectionInput, 'id' | 'kind'>>): Promise<ConnectionView> {
    const { connections: c } = this.store.tables;
    // The merge reads the stored secrets: locked, so two updates at once both land.
    const r = await this.store.tx(async (tx) => {
      const [before] = await this.store.forUpdate(tx.select().from(c).where(eq(c.id, id)));
      if (!before) throw new ConnectionError(`connection "${id}" not found`, 404);
      const set: Partial<typeof connections.$inferInsert> = { updatedAt: this.now() };
      if (patch.provider !== undefined) set.provider = patch.provider;
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.config !== undefined) set.config = JSON.stringify(patch.config);
      if (patch.secrets !== undefined) {
        const merged = { ...this.secretsOfRow(before), ...patch.secrets };
        for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
        set.secrets = Object.keys(merged).length ? this.vault.encryptJson(merged) : null;
      }
      const [after] = await tx.update(c).set(set).where(eq(c.id, id)).returning();
      return after ?? before;
    });
    void this.evict(id);
    await this.changed();
    return view(r);
  }

  async delete(id: string): Promise<ConnectionView> {
    const { connections: c } = this.store.tables;
    const [before] = await this.store.db.delete(c).where(eq(c.id, id)).returning();
    if (!before) throw new ConnectionError(`connection "${id}" not found`, 404);
    void this.evict(id);
    await this.changed();
    return view(before);
  }

  private factoryFor(c: ConnectionView): ConnectionFactory {
    const f = this.factories[`${c.kind}:${c.provider}`] ?? this.factories[c.kind];
    if (!f) throw new ConnectionError(`no client is available for ${c.kind} connections of provider "${c.provider}" (connection "${c.id}")`, 422);
    return f;
  }

  /** The runtime's connection resolver. */
  resolve = async (kind: string, id: string): Promise<unknown> => {
    const hit = this.cache.get(id);
    if (hit && hit.kind === kind) {
      // Another process on this store (a web process's API) may have changed or deleted it: one indexed read, three
      // times an order (bench/README.md "Order to ERP"). On SQLite a statement of its own, ≈ 2 µs: drizzle's builder
      // made it ≈ 25, raw SQL through the store ≈ 8 (rendering the template each call). PostgreSQL may answer a bigint
      // as text.
      const u = this.updatedAtOf
        ? this.updatedAtOf(id)
        : (await this.store.rows<{ u: number | string }>(sql`SELECT updated_at AS u FROM connections WHERE id = ${id}`))[0]?.u;
      if (u !== undefined && Number(u) === hit.updatedAt && this.cache.get(id) === hit) return hit.client;
    }
    const r = await this.row(id);
    // Another call may have built the client while this one read: one client per connection and version.
    const current = this.cache.get(id);
    if (current && r && current.updatedAt === r.updatedAt) {
      if (current.kind === kind) return current.client;
    } else if (current) void this.evict(id);
    if (!r) throw new ConnectionError(`no ${kind} connection "${id}" is configured`, 404);
    const c = view(r);
    if (c.kind !== kind) throw new ConnectionError(`connection "${id}" is a ${c.kind} connection, not ${kind}`, 422);
    const factory = this.factoryFor(c);
    const secrets = this.secretsOfRow(r);
    const p = (async () => factory.create({ ...c, secrets }))();
    const entry = { client: p, factory, kind: c.kind, updatedAt: r.updatedAt };
    this.cache.set(id, entry);
    p.catch(() => {
      if (this.cache.get(id) === entry) this.cache.delete(id);
    });
    await this.changed();
    return p;
  };

  /** Every secret string of every connection (for scrubbing outputs). */
  async allSecretValues(): Promise<string[]> {
    const { connections: c } = this.store.tables;
    const out: string[] = [];
    for (const r of await this.store.db.select({ s: c.secrets }).from(c)) {
      if (!r.s) continue;
      for (const v of Object.values(this.vault.decryptJson<Record<string, unknown>>(r.s))) if (typeof v === 'string') out.push(v);
    }
    return out;
  }

  async test(id: string): Promise<{ ok: boolean; message: string }> {
    const c = await this.get(id);
    let secrets = await this.secretsOf(id);
    try {
      const f = this.factoryFor(c);
      const client = await this.resolve(c.kind, id);
      secrets = await this.secretsOf(id);
      const message = f.test ? await f.test(client, { ...c, secrets }) : 'client created (this connector has no live check)';
      return { ok: true, message };
    } catch (e) {
      await this.evict(id);
      const now = await this.secretsOf(id).catch(() => ({}));
      return { ok: false, message: redactSecrets(redactSecrets((e as Error).message, now), secrets) };
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
