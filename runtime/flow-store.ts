// Flows: an editable draft each, and immutable published versions. Only an active flow's chosen version gets events.
import { and, desc, eq } from 'drizzle-orm';
import type { Store } from './store/db.ts';
import type { Statement } from 'better-sqlite3';
import { flows, flowVersions } from './store/schema.ts';
import { contentHash } from './ids.ts';
import { validateFlow, type NodeTypeLookup, type Problem } from '../flows/validate.ts';
import type { Flow } from '../flows/schema.ts';

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

export class FlowStore {
  private activeCache: ActiveTrigger[] | null = null;
  /** What the cache was built from: which flows were active in which version, and SQLite's data_version then. */
  private activeKey = '';
  private dataVersion = -1;
  private versionCache = new Map<string, FlowVersion>();
  private q: { dataVersion: Statement; activeKey: Statement };

  constructor(
    private store: Store,
    private lookup: NodeTypeLookup,
    private now: () => number = Date.now,
  ) {
    // Raw prepared statements on the webhook routing path (checked per delivery), and a pragma drizzle has no builder
    // for: bench/webhook.ts (bench/README.md "Issue 15").
    this.q = {
      // Changes when another connection (another process on this data dir) commits; our own commits clear the cache.
      dataVersion: store.sqlite.prepare('PRAGMA data_version').pluck(),
      activeKey: store.sqlite
        .prepare(`SELECT COALESCE(group_concat(id || '@' || active_version, ','), '') FROM (SELECT id, active_version FROM flows WHERE active = 1 ORDER BY id)`)
        .pluck(),
    };
  }

  /** Creates a flow with its draft. Drafts may be incomplete; they are validated when published. */
  create(doc: Record<string, unknown> & { id: string; name?: string }): FlowSummary {
    if (typeof doc.id !== 'string' || !doc.id) throw new FlowInvalidError('?', [{ where: 'flow', path: '$.id', message: 'a flow needs an id' }]);
    const t = this.now();
    this.store.db
      .insert(flows)
      .values({ id: doc.id, name: String(doc.name ?? doc.id), draft: JSON.stringify(doc), draftUpdatedAt: t, createdAt: t })
      .run();
    return this.get(doc.id);
  }

  updateDraft(flowId: string, doc: Record<string, unknown>): FlowSummary {
    if (doc.id !== undefined && doc.id !== flowId) {
      throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$.id', message: `draft id "${String(doc.id)}" does not match flow "${flowId}"` }]);
    }
    const r = this.store.db
      .update(flows)
      .set({ draft: JSON.stringify({ ...doc, id: flowId }), name: String(doc.name ?? flowId), draftUpdatedAt: this.now() })
      .where(eq(flows.id, flowId))
      .run();
    if (r.changes === 0) throw new NotFoundError(`flow "${flowId}"`);
    return this.get(flowId);
  }

  list(): FlowSummary[] {
    return this.store.db
      .select()
      .from(flows)
      .all()
      .map((f) => this.summary(f));
  }

  get(flowId: string): FlowSummary {
    const f = this.store.db.select().from(flows).where(eq(flows.id, flowId)).get();
    if (!f) throw new NotFoundError(`flow "${flowId}"`);
    return this.summary(f);
  }

  draft(flowId: string): Record<string, unknown> {
    const f = this.store.db.select({ draft: flows.draft }).from(flows).where(eq(flows.id, flowId)).get();
    if (!f) throw new NotFoundError(`flow "${flowId}"`);
    return JSON.parse(f.draft);
  }

  validateDraft(flowId: string) {
    return validateFlow(this.draft(flowId), this.lookup);
  }

  /** Validates the draft and freezes it as the next version. */
  publish(flowId: string, opts: { message?: string; by?: string; activate?: boolean } = {}): FlowVersion {
    return this.publishDefinition(flowId, this.draft(flowId), opts);
  }

  /** Publishes an older version's content again as a new version (a roll back keeps history linear). */
  rollback(flowId: string, version: number, opts: { by?: string; activate?: boolean } = {}): FlowVersion {
    const old = this.version(flowId, version);
    const v = this.publishDefinition(flowId, old.definition, { message: `roll back to version ${version}`, by: opts.by, activate: opts.activate });
    this.store.db
      .update(flows)
      .set({ draft: JSON.stringify(old.definition), draftUpdatedAt: this.now() })
      .where(eq(flows.id, flowId))
      .run();
    return v;
  }

  /**
   * Publishes a given document (not the draft) as the next version: an operational change such as a new schedule
   * goes live on top of the running version without publishing someone's unfinished draft.
   */
  publishDocument(flowId: string, doc: unknown, opts: { message?: string; by?: string } = {}): FlowVersion {
    return this.publishDefinition(flowId, doc, opts);
  }

  private publishDefinition(flowId: string, doc: unknown, opts: { message?: string; by?: string; activate?: boolean }): FlowVersion {
    const result = validateFlow(doc, this.lookup);
    if (!result.ok) throw new FlowInvalidError(flowId, result.problems);
    if (result.flow.id !== flowId)
      throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$.id', message: `id "${result.flow.id}" does not match flow "${flowId}"` }]);
    const definition = JSON.stringify(result.flow);
    const t = this.now();
    const version = this.store.sqlite.transaction(() => {
      const last = this.latestVersion(flowId);
      const next = (last ?? 0) + 1;
      this.store.db
        .insert(flowVersions)
        .values({ flowId, version: next, hash: contentHash(result.flow), definition, message: opts.message ?? '', createdBy: opts.by ?? null, createdAt: t })
        .run();
      const f = this.get(flowId);
      // A published version takes over from the one receiving events; activation itself is a separate, explicit act.
      if (f.active || opts.activate) this.store.db.update(flows).set({ activeVersion: next, active: true }).where(eq(flows.id, flowId)).run();
      return next;
    })();
    this.activeCache = null;
    return this.version(flowId, version);
  }

  versions(flowId: string): Omit<FlowVersion, 'definition'>[] {
    this.get(flowId);
    return this.store.db
      .select({
        flowId: flowVersions.flowId,
        version: flowVersions.version,
        hash: flowVersions.hash,
        message: flowVersions.message,
        createdBy: flowVersions.createdBy,
        createdAt: flowVersions.createdAt,
      })
      .from(flowVersions)
      .where(eq(flowVersions.flowId, flowId))
      .orderBy(desc(flowVersions.version))
      .all();
  }

  version(flowId: string, version: number): FlowVersion {
    const key = `${flowId}@${version}`;
    const hit = this.versionCache.get(key);
    if (hit) return hit;
    const row = this.store.db
      .select()
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, version)))
      .get();
    if (!row) throw new NotFoundError(`version ${version} of flow "${flowId}"`);
    // Versions are immutable, so caching them forever is safe.
    const v: FlowVersion = { ...row, definition: JSON.parse(row.definition) };
    this.versionCache.set(key, v);
    return v;
  }

  latestVersion(flowId: string): number | null {
    const row = this.store.db
      .select({ v: flowVersions.version })
      .from(flowVersions)
      .where(eq(flowVersions.flowId, flowId))
      .orderBy(desc(flowVersions.version))
      .limit(1)
      .get();
    return row?.v ?? null;
  }

  /** Turns event delivery on (for a given version, default the latest) or off. */
  setActive(flowId: string, active: boolean, version?: number): FlowSummary {
    const f = this.get(flowId);
    if (active) {
      const v = version ?? f.latestVersion;
      if (v == null) throw new FlowInvalidError(flowId, [{ where: 'flow', path: '$', message: 'publish the flow before activating it' }]);
      this.version(flowId, v);
      this.store.db.update(flows).set({ active: true, activeVersion: v }).where(eq(flows.id, flowId)).run();
    } else {
      this.store.db.update(flows).set({ active: false }).where(eq(flows.id, flowId)).run();
    }
    this.activeCache = null;
    return this.get(flowId);
  }

  delete(flowId: string): void {
    this.store.db.delete(flows).where(eq(flows.id, flowId)).run();
    this.activeCache = null;
  }

  /** The trigger node of each active flow's active version: hosts route webhooks and schedules with this. */
  activeTriggers(): ActiveTrigger[] {
    if (this.activeCache) {
      // Another process (a web process's API, the CLI) may have activated or deactivated a flow since: cheap to rule
      // out (a pragma; when anything changed, one small query), so routing a webhook costs no rebuild.
      const dv = this.q.dataVersion.get() as number;
      if (dv === this.dataVersion) return this.activeCache;
      this.dataVersion = dv;
      if (this.q.activeKey.get() === this.activeKey) return this.activeCache;
    }
    this.dataVersion = this.q.dataVersion.get() as number;
    this.activeKey = this.q.activeKey.get() as string;
    const rows = this.store.db.select({ id: flows.id, v: flows.activeVersion }).from(flows).where(eq(flows.active, true)).all();
    const out: ActiveTrigger[] = [];
    for (const r of rows) {
      if (r.v == null) continue;
      const def = this.version(r.id, r.v).definition;
      const trigger = def.nodes.find((n) => this.lookup(n.type)?.trigger);
      if (trigger) out.push({ flowId: r.id, version: r.v, nodeId: trigger.id, type: trigger.type, config: trigger.config });
    }
    this.activeCache = out;
    return out;
  }

  private summary(f: typeof flows.$inferSelect): FlowSummary {
    return {
      id: f.id,
      name: f.name,
      active: f.active,
      activeVersion: f.activeVersion,
      latestVersion: this.latestVersion(f.id),
      draftUpdatedAt: f.draftUpdatedAt,
      createdAt: f.createdAt,
    };
  }
}
