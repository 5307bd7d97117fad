// Flows: an editable draft each, and immutable published versions. Only an active flow's chosen version gets events.
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type pg from 'pg';
import { type AnyStore, isSqlite } from './store/any-store.ts';
import type { Store } from './store/db.ts';
import type { SqlStore } from './store/sql-store.ts';
import { flows, flowVersions } from './store/schema.ts';
import { contentHash } from './ids.ts';
import { validateFlow, type NodeTypeLookup, type Problem, type ValidateOptions } from '../flows/validate.ts';
import type { Flow } from '../flows/schema.ts';
import { parseSandboxCode } from './sandbox/syntax.ts';

export class FlowInvalidError extends Error {
  constructor(
    readonly flowId: string,
    readonly problems: Problem[],
  ) {
    super(`flow "${flowId}" is invalid: ${problems.length} problem(s); first: ${problems[0]?.where} ${problems[0]?.path}: ${problems[0]?.message}`);
    this.name = 'FlowInvalidError';
  }
}

export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

export interface FlowSummary {
  id: string;
  name: string;
  active: boolean;
  activeVersion: number | null;
  latestVersion: number | null;
  draftUpdatedAt: number;
  createdAt: number;
}

export interface FlowVersion {
  flowId: string;
  version: number;
  hash: string;
  message: string;
  createdBy: string | null;
  createdAt: number;
  definition: Flow;
}

export interface ActiveTrigger {
  flowId: string;
  version: number;
  nodeId: string;
  type: string;
  config: Record<string, unknown>;
}

type FlowTables = { flows: typeof flows; flowVersions: typeof flowVersions };
type FlowRow = typeof flows.$inferSelect;
type ActiveRow = { id: string; v: number | null };

/** The active flows at their active versions, as `id@version,…` by id: versions are immutable, so it decides the triggers. */
const keyOf = (rows: ActiveRow[]) => rows.map((r) => `${r.id}@${r.v}`).join(',');

export class FlowStore {
  private readonly sql: SqlStore<FlowTables>;
  /** The triggers and the active flows (keyOf) they were built from. */
  private active: { key: string; triggers: ActiveTrigger[] } | null = null;
  /** SQLite's data_version when `active` was last known current. */
  private dataVersion = -1;
  /** SQLite: the routing check's answer for the rest of this event-loop turn, and the epoch it was made in. */
  private turn: { epoch: number; triggers: ActiveTrigger[] } | null = null;
  /** Bumped by each of our writes: a rebuild begun before one is not kept. */
  private epoch = 0;
  private versionCache = new Map<string, FlowVersion>();
  /** SQLite only: raw statements of the routing check, never run inside another caller's open transaction (see activeTriggers). */
  private q?: { store: Store; dataVersion: Statement; activeKey: Statement; activeRows: Statement };
  private pool?: pg.Pool;

  constructor(
    store: AnyStore,
    private lookup: NodeTypeLookup,
    private now: () => number = Date.now,
  ) {
    this.sql = store.sql({ flows, flowVersions });
    // The webhook routing path (checked per delivery: bench/webhook.ts, bench/README.md "Issue 15") takes each
    // dialect's cheapest road to "did the active flows change?".
    if (isSqlite(store)) {
      this.q = {
        store,
        // Changes when another connection (another process on this data dir) commits; our own commits clear the cache.
        dataVersion: store.sqlite.prepare('PRAGMA data_version').pluck(),
        activeKey: store.sqlite
          .prepare(
            `SELECT COALESCE(group_concat(id || '@' || active_version, ','), '') FROM (SELECT id, active_version FROM flows WHERE active = 1 ORDER BY id)`,
          )
          .pluck(),
        activeRows: store.sqlite.prepare('SELECT id, active_version AS v FROM flows WHERE active = 1 ORDER BY id'),
      };
    } else {
      this.pool = store.pool;
    }
  }

  private get t() {
    return this.sql.tables;
  }

  /** After each of our writes: the cache may hold what they changed. */
  private invalidate(): void {
    this.active = null;
    this.epoch++;
  }

  /** Creates a flow with its draft. Drafts may be incomplete; they are validated when published. */
  async create(doc: Record<string, unknown> & { id: string; name?: string }): Promise<FlowSummary> {
    if (typeof doc.id !== 'string' || !doc.id) throw new FlowInvalidError('?', [{ where: 'flow', path: '$.id', message: 'a flow needs an id' }]);
    const t = this.now();
    await this.sql.db
      .insert(this.t.flows)
      .values({ id: doc.id, name: String(doc.name ?? doc.id), draft: JSON.stringify(doc), draftUpdatedAt: t, createdAt: t });
    return this.get(doc.id);
  }

  async updateDraft(flowId: string, doc: Record<string, unknown>): Promise<FlowSummary> {
    if (doc.id !== undefined && doc.id !== flowId) {
      throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$.id', message: `draft id "${String(doc.id)}" does not match flow "${flowId}"` }]);
    }
    const f = this.t.flows;
    const changed = await this.sql.db
      .update(f)
      .set({ draft: JSON.stringify({ ...doc, id: flowId }), name: String(doc.name ?? flowId), draftUpdatedAt: this.now() })
      .where(eq(f.id, flowId))
      .returning({ id: f.id });
    if (changed.length === 0) throw new NotFoundError(`flow "${flowId}"`);
    return this.get(flowId);
  }

  /** In the order they were created. */
  async list(): Promise<FlowSummary[]> {
    const f = this.t.flows;
    const rows = await this.summaryQuery().orderBy(asc(f.createdAt), asc(f.id));
    return rows.map((r) => this.summary(r));
  }

  async get(flowId: string): Promise<FlowSummary> {
    const [r] = await this.summaryQuery().where(eq(this.t.flows.id, flowId));
    if (!r) throw new NotFoundError(`flow "${flowId}"`);
    return this.summary(r);
  }

  async draft(flowId: string): Promise<Record<string, unknown>> {
    const f = this.t.flows;
    const [r] = await this.sql.db.select({ draft: f.draft }).from(f).where(eq(f.id, flowId));
    if (!r) throw new NotFoundError(`flow "${flowId}"`);
    return JSON.parse(r.draft);
  }

  /** `opts.connections`: the host's connections, so a field naming a connection of the wrong kind is a problem. */
  async validateDraft(flowId: string, opts: ValidateOptions = {}) {
    return validateFlow(await this.draft(flowId), this.lookup, { codeSyntax: parseSandboxCode, ...opts });
  }

  /** Validates the draft and freezes it as the next version. */
  async publish(flowId: string, opts: { message?: string; by?: string; activate?: boolean } = {}): Promise<FlowVersion> {
    return this.publishDefinition(flowId, await this.draft(flowId), opts);
  }

  /** Publishes an older version's content again as a new version (a roll back keeps history linear). */
  async rollback(flowId: string, version: number, opts: { by?: string; activate?: boolean } = {}): Promise<FlowVersion> {
    const old = await this.version(flowId, version);
    const f = this.t.flows;
    // The draft follows in the same transaction: a failed roll back leaves neither a new version nor a changed draft.
    try {
      return await this.sql.tx(async (tx) => {
        const v = await this.publishDefinition(flowId, old.definition, { message: `roll back to version ${version}`, by: opts.by, activate: opts.activate });
        await tx
          .update(f)
          .set({ draft: JSON.stringify(old.definition), draftUpdatedAt: this.now() })
          .where(eq(f.id, flowId));
        return v;
      });
    } finally {
      this.invalidate();
    }
  }

  /**
   * Publishes a given document (not the draft) as the next version: an operational change such as a new schedule
   * goes live on top of the running version without publishing someone's unfinished draft.
   */
  async publishDocument(flowId: string, doc: unknown, opts: { message?: string; by?: string } = {}): Promise<FlowVersion> {
    return this.publishDefinition(flowId, doc, opts);
  }

  private async publishDefinition(flowId: string, doc: unknown, opts: { message?: string; by?: string; activate?: boolean }): Promise<FlowVersion> {
    const result = validateFlow(doc, this.lookup, { codeSyntax: parseSandboxCode });
    if (!result.ok) throw new FlowInvalidError(flowId, result.problems);
    if (result.flow.id !== flowId)
      throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$.id', message: `id "${result.flow.id}" does not match flow "${flowId}"` }]);
    const definition = JSON.stringify(result.flow);
    const row = { flowId, hash: contentHash(result.flow), definition, message: opts.message ?? '', createdBy: opts.by ?? null, createdAt: this.now() };
    const { flows: f, flowVersions: fv } = this.t;
    let version: number;
    try {
      version = await this.sql.tx(async (tx) => {
        // The flow's row, locked: two publishes of one flow at once (two processes on PostgreSQL) take their numbers
        // one after the other, each seeing the version the other committed.
        const [flow] = await this.sql.forUpdate(tx.select({ active: f.active }).from(f).where(eq(f.id, flowId)));
        if (!flow) throw new NotFoundError(`flow "${flowId}"`);
        const next = ((await this.latestVersion(flowId)) ?? 0) + 1;
        await tx.insert(fv).values({ ...row, version: next });
        // A published version takes over from the one receiving events; activation itself is a separate, explicit act.
        if (flow.active || opts.activate) await tx.update(f).set({ activeVersion: next, active: true }).where(eq(f.id, flowId));
        return next;
      });
    } finally {
      this.invalidate();
    }
    // Not put in the version cache: a caller's transaction around this one may still roll it back, and the number
    // would then be another version's.
    return { ...row, version, definition: JSON.parse(definition) };
  }

  async versions(flowId: string): Promise<Omit<FlowVersion, 'definition'>[]> {
    await this.get(flowId);
    const fv = this.t.flowVersions;
    return this.sql.db
      .select({ flowId: fv.flowId, version: fv.version, hash: fv.hash, message: fv.message, createdBy: fv.createdBy, createdAt: fv.createdAt })
      .from(fv)
      .where(eq(fv.flowId, flowId))
      .orderBy(desc(fv.version));
  }

  async version(flowId: string, version: number): Promise<FlowVersion> {
    const key = `${flowId}@${version}`;
    const hit = this.versionCache.get(key);
    if (hit) return hit;
    const fv = this.t.flowVersions;
    const [row] = await this.sql.db
      .select()
      .from(fv)
      .where(and(eq(fv.flowId, flowId), eq(fv.version, version)));
    if (!row) throw new NotFoundError(`version ${version} of flow "${flowId}"`);
    // Versions are immutable, so caching them forever is safe.
    const v: FlowVersion = { ...row, definition: JSON.parse(row.definition) };
    this.versionCache.set(key, v);
    return v;
  }

  async latestVersion(flowId: string): Promise<number | null> {
    const fv = this.t.flowVersions;
    const [row] = await this.sql.db.select({ v: fv.version }).from(fv).where(eq(fv.flowId, flowId)).orderBy(desc(fv.version)).limit(1);
    return row?.v ?? null;
  }

  /** Turns event delivery on (for a given version, default the latest) or off. */
  async setActive(flowId: string, active: boolean, version?: number): Promise<FlowSummary> {
    const f = this.t.flows;
    try {
      await this.sql.tx(async (tx) => {
        // Locked like a publish, so "the latest version" is not one a concurrent publish is about to replace.
        const [flow] = await this.sql.forUpdate(tx.select({ id: f.id }).from(f).where(eq(f.id, flowId)));
        if (!flow) throw new NotFoundError(`flow "${flowId}"`);
        if (active) {
          const v = version ?? (await this.latestVersion(flowId));
          if (v == null) throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$', message: 'publish the flow before activating it' }]);
          await this.version(flowId, v);
          await tx.update(f).set({ active: true, activeVersion: v }).where(eq(f.id, flowId));
        } else {
          await tx.update(f).set({ active: false }).where(eq(f.id, flowId));
        }
      });
    } finally {
      this.invalidate();
    }
    return this.get(flowId);
  }

  async delete(flowId: string): Promise<void> {
    try {
      await this.sql.db.delete(this.t.flows).where(eq(this.t.flows.id, flowId));
    } finally {
      this.invalidate();
    }
  }

  /**
   * The trigger node of each active flow's active version: hosts route webhooks and schedules with this. Checked on
   * every delivery, so it answers from a cache as long as the active flows are what it was built from. Our own writes
   * are seen at once. What another process changed is seen from the next event-loop turn on SQLite: that process's
   * commit moves `PRAGMA data_version` (when it moved, one small query), checked once per turn, so the deliveries read
   * in one turn share the check (~4 % of a delivery's CPU when made for each); on PostgreSQL by the next call (one
   * query of the active flows' ids and versions).
   */
  async activeTriggers(): Promise<ActiveTrigger[]> {
    const epoch = this.epoch;
    const q = this.q;
    if (q && this.turn?.epoch === epoch) return this.turn.triggers;
    const triggers = await this.checkActive(epoch, q);
    if (q && epoch === this.epoch) {
      if (!this.turn) setImmediate(() => (this.turn = null)).unref();
      this.turn = { epoch, triggers };
    }
    return triggers;
  }

  private async checkActive(epoch: number, q: FlowStore['q']): Promise<ActiveTrigger[]> {
    // SQLite: when no transaction is open on the connection, the raw statements cannot run inside another caller's,
    // so they run at once (a few µs); while one is open, after it (store.exclusive: an IMMEDIATE transaction of its
    // own, ten times the cost of the check itself).
    const seen = q ? (q.store.sqlite.inTransaction ? await q.store.exclusive(() => this.sqliteActive(q)) : this.sqliteActive(q)) : await this.pgActive();
    if ('triggers' in seen) return seen.triggers;
    const out: ActiveTrigger[] = [];
    for (const r of seen.rows) {
      if (r.v == null) continue;
      const def = (await this.version(r.id, r.v)).definition;
      const trigger = def.nodes.find((n) => this.lookup(n.type)?.trigger);
      if (trigger) out.push({ flowId: r.id, version: r.v, nodeId: trigger.id, type: trigger.type, config: trigger.config });
    }
    // Not kept if we wrote meanwhile: what was read may be from before that write.
    if (epoch === this.epoch) {
      this.active = { key: seen.key, triggers: out };
      if (seen.dataVersion !== undefined) this.dataVersion = seen.dataVersion;
    }
    return out;
  }

  /** The cache when it is current, else the active flows. Synchronous: run outside any open transaction of the connection. */
  private sqliteActive(q: NonNullable<FlowStore['q']>): { triggers: ActiveTrigger[] } | { key: string; rows: ActiveRow[]; dataVersion: number } {
    const dataVersion = q.dataVersion.get() as number;
    const cached = this.active;
    if (cached && dataVersion === this.dataVersion) return cached;
    const key = q.activeKey.get() as string;
    if (cached && key === cached.key) {
      this.dataVersion = dataVersion;
      return cached;
    }
    return { key, rows: q.activeRows.all() as ActiveRow[], dataVersion };
  }

  private async pgActive(): Promise<{ triggers: ActiveTrigger[] } | { key: string; rows: ActiveRow[]; dataVersion?: undefined }> {
    // Named, so each pool connection parses and plans it once. Committed state (the pool, not a caller's transaction).
    const r = await this.pool!.query<ActiveRow>({ name: 'll_flows_active', text: 'SELECT id, active_version AS v FROM flows WHERE active ORDER BY id' });
    const key = keyOf(r.rows);
    const cached = this.active;
    if (cached && key === cached.key) return cached;
    return { key, rows: r.rows };
  }

  /** Flows with their latest version number, by a subquery (no query per flow). */
  private summaryQuery() {
    const { flows: f, flowVersions: fv } = this.t;
    return this.sql.db
      .select({ flow: f, latestVersion: sql<number | null>`(SELECT MAX(${fv.version}) FROM ${fv} WHERE ${fv.flowId} = ${f.id})` })
      .from(f)
      .$dynamic();
  }

  private summary({ flow: f, latestVersion }: { flow: FlowRow; latestVersion: number | null }): FlowSummary {
    return {
      id: f.id,
      name: f.name,
      active: f.active,
      activeVersion: f.activeVersion,
      latestVersion: latestVersion ?? null,
      draftUpdatedAt: f.draftUpdatedAt,
      createdAt: f.createdAt,
    };
  }
}
