// The exception inbox: raise/clear for nodes and monitors (ExceptionSink), triage actions for people, and the
// run hook that turns failed runs into exceptions and auto-resolves them when a replay succeeds.
import { EventEmitter } from 'node:events';
import { and, count, desc, eq, inArray, isNull, ne, type SQL, sql } from 'drizzle-orm';
import { newId } from '../../../runtime/ids.ts';
import type { Store } from '../../../runtime/store/db.ts';
import type { SqlDb, SqlStore } from '../../../runtime/store/sql-store.ts';
import { defaultsFor } from './defaults.ts';
import { StoreMonitorHost } from './monitoring.ts';
import { exceptionEvents, exceptionRuns, exceptions } from './schema.ts';
import { runs } from '../../../runtime/store/schema.ts';
import type { ExceptionLinks, ExceptionSink, ExceptionState, ExceptionType, Owner, RaiseException, Severity } from '../../../runtime/node-api/exceptions.ts';

export const OWNERS: readonly Owner[] = ['finance', 'operations', 'ecommerce'];
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];
export const STATES: readonly ExceptionState[] = ['open', 'acknowledged', 'resolved'];
const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

export interface ExceptionRecord {
  id: string;
  type: ExceptionType;
  key: string;
  title: string;
  detail: string | null;
  severity: Severity;
  owner: Owner;
  assignee: string | null;
  state: ExceptionState;
  autoResolved: boolean;
  resolutionNote: string | null;
  resolvedBy: string | null;
  count: number;
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
  links: ExceptionLinks;
  data: Record<string, unknown> | null;
  alertedAt: number | null;
  /**
   * It holds a failed run that retry can replay. A monitor's exception links the run that found it, which succeeded:
   * nothing to retry there (read by `list` and `get`; absent where a record is built otherwise).
   */
  retryable?: boolean;
}

export interface ExceptionRunLink {
  runId: string;
  flowId: string | null;
  /** failed | replaying | cleared | superseded */
  status: string;
  at: number;
}

export interface ExceptionEvent {
  id: number;
  at: number;
  actor: string;
  action: string;
  note: string | null;
  data: unknown;
}

export interface ExceptionDetail extends ExceptionRecord {
  runs: ExceptionRunLink[];
  events: ExceptionEvent[];
}

export interface ExceptionFilter {
  owner?: Owner;
  type?: string;
  /** A state, or `unresolved` (open + acknowledged). */
  state?: ExceptionState | 'unresolved';
  severity?: Severity;
  assignee?: string;
  /** Raised for this Shopify payout (the reconciliation records `payoutId` in an exception's data). */
  payout?: string;
  limit?: number;
  offset?: number;
}

export interface ExceptionAction {
  exceptionId: string;
  action: string;
  actor: string;
  note?: string | null;
  data?: Record<string, unknown>;
}

export interface ExceptionServiceOptions {
  /** Owning team per type, overriding EXCEPTION_DEFAULTS. */
  owners?: Partial<Record<string, Owner>>;
  severities?: Partial<Record<string, Severity>>;
  now?: () => number;
  /**
   * Every recorded action, e.g. for the server's audit log: called once the action is committed, and awaited (a
   * failure is logged, the action stands).
   */
  onAction?: (a: ExceptionAction) => void | Promise<void>;
  log?: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
  /** Runs of these flows raise nothing (the server's test runs of drafts). */
  ignoreFlow?: (flowId: string) => boolean;
}

/** Replays a failed run from its failed step (runtime.runs.replay). */
export interface Replayer {
  replay(runId: string): Promise<{ runId: string }>;
}

export class ExceptionNotFoundError extends Error {
  constructor(id: string) {
    super(`exception "${id}" does not exist`);
    this.name = 'ExceptionNotFoundError';
  }
}

export class ExceptionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExceptionStateError';
  }
}

type Row = typeof exceptions.$inferSelect;
type Raised = { id: string; count: number; isNew: boolean };

function toRecord(r: Row): ExceptionRecord {
  return {
    id: r.id,
    type: r.type,
    key: r.key,
    title: r.title,
    detail: r.detail,
    severity: r.severity as Severity,
    owner: r.owner as Owner,
    assignee: r.assignee,
    state: r.state as ExceptionState,
    autoResolved: r.autoResolved,
    resolutionNote: r.resolutionNote,
    resolvedBy: r.resolvedBy,
    count: r.count,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    resolvedAt: r.resolvedAt,
    links: JSON.parse(r.links),
    data: r.data ? JSON.parse(r.data) : null,
    alertedAt: r.alertedAt,
  };
}

type ExceptionTables = { exceptions: typeof exceptions; exceptionRuns: typeof exceptionRuns; exceptionEvents: typeof exceptionEvents; runs: typeof runs };

/** What the inbox needs of the store: its tables, in either dialect. */
export type ExceptionStore = Pick<Store, 'sql'>;

export class ExceptionService implements ExceptionSink {
  /** `opened` (ExceptionRecord), `changed` ({ id, action }) — the alert dispatcher listens to `opened`. */
  readonly events = new EventEmitter();
  private readonly store: SqlStore<ExceptionTables>;
  private now: () => number;
  private replayer: Replayer | null;
  /** The `monitoring` service over the same store (MonitorHost). */
  readonly monitoring: StoreMonitorHost;
  /** Stops listening to run events (set when created with a runtime). */
  detach: () => void = () => {};

  constructor(
    store: ExceptionStore,
    replayer: Replayer | null,
    private opts: ExceptionServiceOptions = {},
  ) {
    this.store = store.sql({ exceptions, exceptionRuns, exceptionEvents, runs });
    this.replayer = replayer;
    this.now = opts.now ?? Date.now;
    this.monitoring = new StoreMonitorHost(store, this.now);
  }

  /** Late binding for hosts that create the service before the runtime. */
  setReplayer(r: Replayer) {
    this.replayer = r;
  }

  private get t() {
    return this.store.tables;
  }

  private get unresolved() {
    return ne(this.t.exceptions.state, 'resolved');
  }

  // ---- ExceptionSink ------------------------------------------------------------------------------------

  async raise(e: RaiseException): Promise<Raised> {
    if (!e || typeof e.type !== 'string' || !e.type) throw new TypeError('raise: type is required');
    if (typeof e.key !== 'string' || !e.key) throw new TypeError(`raise(${e.type}): key is required`);
    if (typeof e.title !== 'string' || !e.title) throw new TypeError(`raise(${e.type}): title is required`);
    const d = defaultsFor(e.type);
    const severity: Severity = e.severity ?? this.opts.severities?.[e.type] ?? d.severity;
    if (!SEVERITIES.includes(severity)) throw new TypeError(`raise(${e.type}): severity must be one of ${SEVERITIES.join(', ')}`);
    const owner: Owner = e.owner ?? this.opts.owners?.[e.type] ?? d.owner;
    if (!OWNERS.includes(owner)) throw new TypeError(`raise(${e.type}): owner must be one of ${OWNERS.join(', ')}`);
    const now = this.now();
    const runId = e.links?.runId;
    const { exceptions: x, exceptionRuns: xr } = this.t;
    const actions: ExceptionAction[] = [];
    const { result, opened } = await this.store.tx(async (tx): Promise<{ result: Raised; opened: ExceptionRecord | null }> => {
      // Two raises of a new cause at once (PostgreSQL): the second insert meets the first's row in the unique index
      // of unresolved causes, does nothing, and the second pass finds that row and counts into it.
      for (let pass = 0; pass < 2; pass++) {
        const cur = await this.unresolvedOf(tx, e.type, e.key, true);
        if (cur) {
          // The same run reported twice (a node raised, then the run failed on it) is one occurrence, not two.
          const sameRun = runId
            ? (
                await tx
                  .select({ one: sql`1` })
                  .from(xr)
                  .where(and(eq(xr.exceptionId, cur.id), eq(xr.runId, runId)))
              ).length > 0
            : false;
          const sev = RANK[severity] > RANK[cur.severity as Severity] ? severity : cur.severity;
          await tx
            .update(x)
            .set({
              count: sql`${x.count} + ${sameRun ? 0 : 1}`,
              lastSeen: now,
              severity: sev,
              title: e.title,
              detail: e.detail ?? cur.detail,
              links: JSON.stringify(e.links ?? {}),
              data: e.data ? JSON.stringify(e.data) : null,
            })
            .where(eq(x.id, cur.id));
          if (runId) await this.linkRun(tx, cur.id, runId, e.links?.flowId ?? null, now);
          return { result: { id: cur.id, count: cur.count + (sameRun ? 0 : 1), isNew: false }, opened: null };
        }
        const id = newId('exc');
        const inserted = await tx
          .insert(x)
          .values({
            id,
            type: e.type,
            key: e.key,
            title: e.title,
            detail: e.detail ?? null,
            severity,
            owner,
            state: 'open',
            count: 1,
            firstSeen: now,
            lastSeen: now,
            links: JSON.stringify(e.links ?? {}),
            data: e.data ? JSON.stringify(e.data) : null,
          })
          .onConflictDoNothing()
          .returning({ id: x.id });
        if (!inserted.length) continue;
        if (runId) await this.linkRun(tx, id, runId, e.links?.flowId ?? null, now);
        await this.record(tx, actions, id, 'system', 'opened', null, { type: e.type, key: e.key, severity, owner });
        const row = await this.byId(tx, id);
        return { result: { id, count: 1, isNew: true }, opened: row ? toRecord(row) : null };
      }
      throw new Error(`raise(${e.type}): the unresolved exception of key "${e.key}" could not be inserted nor found`);
    });
    await this.announce(actions);
    if (opened) this.emit('opened', opened);
    return result;
  }

  async clear(type: ExceptionType, key: string, note?: string): Promise<boolean> {
    const cur = await this.unresolvedOf(this.store.db, type, key, false);
    if (!cur) return false;
    return this.autoResolve(cur.id, note ?? 'the condition cleared');
  }

  async openKeys(type: ExceptionType, prefix = ''): Promise<string[]> {
    const x = this.t.exceptions;
    // substr and a length in characters mean the same in both dialects (no LIKE: its case rules and wildcards differ).
    const rows = await this.store.db
      .select({ key: x.key })
      .from(x)
      .where(and(eq(x.type, type), this.unresolved, prefix ? sql`substr(${x.key}, 1, ${[...prefix].length}) = ${prefix}` : undefined));
    return rows.map((r) => r.key);
  }

  // ---- reading ------------------------------------------------------------------------------------------

  async list(f: ExceptionFilter = {}): Promise<{ items: ExceptionRecord[]; total: number }> {
    const x = this.t.exceptions;
    const where = and(
      f.owner ? eq(x.owner, f.owner) : undefined,
      f.type ? eq(x.type, f.type) : undefined,
      f.severity ? eq(x.severity, f.severity) : undefined,
      f.assignee ? eq(x.assignee, f.assignee) : undefined,
      f.payout ? eq(this.payoutOf(x.data), f.payout) : undefined,
      f.state === 'unresolved' ? this.unresolved : f.state ? eq(x.state, f.state) : undefined,
    );
    const [n] = await this.store.db.select({ n: count() }).from(x).where(where);
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
    const rows = await this.store.db
      .select()
      .from(x)
      .where(where)
      .orderBy(sql`CASE ${x.severity} WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END`, desc(x.lastSeen), x.id)
      .limit(limit)
      .offset(Math.max(f.offset ?? 0, 0));
    const retryable = await this.retryableOf(rows.map((r) => r.id));
    return { items: rows.map((r) => ({ ...toRecord(r), retryable: retryable.has(r.id) })), total: n?.n ?? 0 };
  }

  /** The payout id in an exception's data as text in both dialects (->> gives text; json_extract a number as a number). */
  private payoutOf(data: typeof this.t.exceptions.data): SQL<string> {
    return this.store.dialect === 'postgres' ? sql<string>`(${data}::json ->> 'payoutId')` : sql<string>`CAST(json_extract(${data}, '$.payoutId') AS TEXT)`;
  }

  /** Which of these exceptions hold a run that failed (or was cancelled) and is still linked as failed: what retry replays. */
  private async retryableOf(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const { exceptionRuns: xr, runs: r } = this.t;
    const rows = await this.store.db
      .selectDistinct({ id: xr.exceptionId })
      .from(xr)
      .innerJoin(r, eq(r.id, xr.runId))
      .where(and(inArray(xr.exceptionId, ids), eq(xr.status, 'failed'), inArray(r.status, ['failed', 'cancelled'])));
    return new Set(rows.map((x) => x.id));
  }

  async get(id: string): Promise<ExceptionDetail> {
    const { exceptionRuns: xr, exceptionEvents: xe } = this.t;
    const r = await this.byId(this.store.db, id);
    if (!r) throw new ExceptionNotFoundError(id);
    const runs = await this.store.db
      .select({ runId: xr.runId, flowId: xr.flowId, status: xr.status, at: xr.at })
      .from(xr)
      .where(eq(xr.exceptionId, id))
      .orderBy(xr.at, xr.runId);
    const events = (await this.store.db.select().from(xe).where(eq(xe.exceptionId, id)).orderBy(xe.id)).map((ev) => ({
      id: ev.id,
      at: ev.at,
      actor: ev.actor,
      action: ev.action,
      note: ev.note,
      data: ev.data ? JSON.parse(ev.data) : null,
    }));
    return { ...toRecord(r), retryable: (await this.retryableOf([id])).has(id), runs, events };
  }

  // ---- triage actions -----------------------------------------------------------------------------------

  // A refused action is returned out of its transaction, not thrown through it: it has written nothing, and on SQLite
  // a rollback would also undo what the runtime's (not yet asynchronous) writes put into the open transaction.

  async acknowledge(id: string, actor: string, note?: string): Promise<ExceptionRecord> {
    const x = this.t.exceptions;
    const actions: ExceptionAction[] = [];
    const refused = await this.store.tx(async (tx) => {
      const cur = await this.byId(tx, id, true);
      if (!cur) return new ExceptionNotFoundError(id);
      if (cur.state === 'resolved') return new ExceptionStateError(`exception "${id}" is resolved; only open exceptions can be acknowledged`);
      if (cur.state !== 'open') return null;
      await tx.update(x).set({ state: 'acknowledged' }).where(eq(x.id, id));
      await this.record(tx, actions, id, actor, 'acknowledged', note ?? null);
      return null;
    });
    if (refused) throw refused;
    await this.announce(actions);
    return this.mustGet(this.store.db, id, false);
  }

  async assign(id: string, to: { assignee?: string | null; owner?: Owner }, actor: string, note?: string): Promise<ExceptionRecord> {
    const x = this.t.exceptions;
    const actions: ExceptionAction[] = [];
    const refused = await this.store.tx(async (tx) => {
      const cur = await this.byId(tx, id, true);
      if (!cur) return new ExceptionNotFoundError(id);
      if (cur.state === 'resolved') return new ExceptionStateError(`exception "${id}" is resolved; reopen it by raising again, not by assigning`);
      if (to.owner !== undefined && !OWNERS.includes(to.owner)) return new TypeError(`owner must be one of ${OWNERS.join(', ')}`);
      const assignee = to.assignee === undefined ? cur.assignee : to.assignee;
      const owner = to.owner ?? (cur.owner as Owner);
      await tx.update(x).set({ assignee, owner }).where(eq(x.id, id));
      await this.record(tx, actions, id, actor, 'assigned', note ?? null, {
        before: { assignee: cur.assignee, owner: cur.owner },
        after: { assignee, owner },
      });
      return null;
    });
    if (refused) throw refused;
    await this.announce(actions);
    return this.mustGet(this.store.db, id, false);
  }

  async resolve(id: string, actor: string, note: string): Promise<ExceptionRecord> {
    if (typeof note !== 'string' || !note.trim()) throw new TypeError('resolve: a note saying what was done is required');
    const actions: ExceptionAction[] = [];
    const refused = await this.store.tx(async (tx) => {
      const cur = await this.byId(tx, id, true);
      if (!cur) return new ExceptionNotFoundError(id);
      if (cur.state === 'resolved') return new ExceptionStateError(`exception "${id}" is already resolved`);
      await this.markResolved(tx, id, false, note.trim(), actor);
      await this.record(tx, actions, id, actor, 'resolved', note.trim());
      return null;
    });
    if (refused) throw refused;
    await this.announce(actions);
    this.emit('changed', { id, action: 'resolved' });
    return this.mustGet(this.store.db, id, false);
  }

  /** Replays every failed run linked to the exception from its failed step. Success auto-resolves (run hook). */
  async retry(id: string, actor: string): Promise<{ replayed: Array<{ runId: string; newRunId: string }>; skipped: Array<{ runId: string; reason: string }> }> {
    const cur = await this.get(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is resolved; nothing to retry`);
    const replayer = this.replayer;
    if (!replayer) throw new ExceptionStateError('this host cannot replay runs (no runtime attached)');
    const failed = cur.runs.filter((r) => r.status === 'failed');
    if (!failed.length)
      throw new ExceptionStateError(
        `exception "${id}" has no failed run to retry${cur.runs.length ? ' (its runs are already replaying or cleared)' : ''}; fix the cause and resolve it with a note`,
      );
    const replayed: Array<{ runId: string; newRunId: string }> = [];
    const skipped: Array<{ runId: string; reason: string }> = [];
    for (const l of failed) {
      // Marked replaying before the replay is queued: the replay may end (and its hook clear the link) before this
      // would get to write after it.
      await this.setLink(this.store.db, id, l.runId, 'replaying');
      try {
        const r = await replayer.replay(l.runId);
        replayed.push({ runId: l.runId, newRunId: r.runId });
      } catch (e) {
        await this.setLink(this.store.db, id, l.runId, 'failed');
        skipped.push({ runId: l.runId, reason: (e as Error).message });
      }
    }
    const actions: ExceptionAction[] = [];
    await this.record(this.store.db, actions, id, actor, 'retried', null, { replayed, skipped });
    await this.announce(actions);
    return { replayed, skipped };
  }

  async bulk(
    ids: string[],
    action: 'acknowledge' | 'assign' | 'resolve' | 'retry',
    actor: string,
    args: { note?: string; assignee?: string | null; owner?: Owner } = {},
  ): Promise<Array<{ id: string; ok: boolean; error?: string; result?: unknown }>> {
    const out: Array<{ id: string; ok: boolean; error?: string; result?: unknown }> = [];
    for (const id of new Set(ids)) {
      try {
        const result =
          action === 'acknowledge'
            ? await this.acknowledge(id, actor, args.note)
            : action === 'assign'
              ? await this.assign(id, { assignee: args.assignee, owner: args.owner }, actor, args.note)
              : action === 'resolve'
                ? await this.resolve(id, actor, args.note ?? '')
                : await this.retry(id, actor);
        out.push({ id, ok: true, result });
      } catch (e) {
        out.push({ id, ok: false, error: (e as Error).message });
      }
    }
    return out;
  }

  // ---- alerts -------------------------------------------------------------------------------------------

  /** Unresolved exceptions no alert went out for yet. */
  async unalerted(): Promise<ExceptionRecord[]> {
    const x = this.t.exceptions;
    // Ids are time-ordered: within one millisecond they break the tie (no rowid on PostgreSQL).
    const rows = await this.store.db
      .select()
      .from(x)
      .where(and(this.unresolved, isNull(x.alertedAt)))
      .orderBy(x.firstSeen, x.id);
    return rows.map(toRecord);
  }

  /** Marks an exception alerted; false when it already was (so concurrent dispatchers never send twice). */
  async markAlerted(id: string, channels: string[]): Promise<boolean> {
    const x = this.t.exceptions;
    const actions: ExceptionAction[] = [];
    const changed = await this.store.tx(async (tx) => {
      const marked = await tx
        .update(x)
        .set({ alertedAt: this.now() })
        .where(and(eq(x.id, id), isNull(x.alertedAt)))
        .returning({ id: x.id });
      if (marked.length) await this.record(tx, actions, id, 'system', 'alerted', null, { channels });
      return marked.length > 0;
    });
    await this.announce(actions);
    return changed;
  }

  // ---- run hook -----------------------------------------------------------------------------------------

  /**
   * A replay of `replayOf` ended. Success clears the runs it replays; failure supersedes them (the new failed run
   * is linked by its own raise). An exception with no failing run left is auto-resolved.
   */
  async onReplayFinished(replayOf: string, newRunId: string, status: 'succeeded' | 'failed', chain: string[] = [replayOf]): Promise<void> {
    const { exceptions: x, exceptionRuns: xr } = this.t;
    const touched = new Set<string>();
    await this.store.tx(async (tx) => {
      for (const runId of chain) {
        const links = await this.store.forUpdate(
          tx.select({ exceptionId: xr.exceptionId, state: x.state }).from(xr).innerJoin(x, eq(x.id, xr.exceptionId)).where(eq(xr.runId, runId)),
        );
        for (const l of links) {
          if (l.state === 'resolved') continue;
          touched.add(l.exceptionId);
          await this.setLink(tx, l.exceptionId, runId, status === 'succeeded' ? 'cleared' : 'superseded');
        }
      }
    });
    for (const id of touched) {
      const [p] = await this.store.db
        .select({ pending: count() })
        .from(xr)
        .where(and(eq(xr.exceptionId, id), inArray(xr.status, ['failed', 'replaying'])));
      if ((p?.pending ?? 0) > 0) continue;
      await this.autoResolve(
        id,
        status === 'succeeded'
          ? `replay ${newRunId} of run ${replayOf} succeeded`
          : `replay ${newRunId} of run ${replayOf} got past this failure (it failed later for another reason)`,
      );
    }
  }

  /** Resolves an unresolved exception as the system; false when it was resolved meanwhile. */
  private async autoResolve(id: string, note: string): Promise<boolean> {
    const actions: ExceptionAction[] = [];
    const done = await this.store.tx(async (tx) => {
      const cur = await this.byId(tx, id, true);
      if (!cur || cur.state === 'resolved') return false;
      await this.markResolved(tx, id, true, note, 'system');
      await this.record(tx, actions, id, 'system', 'auto-resolved', note);
      return true;
    });
    await this.announce(actions);
    if (done) this.emit('changed', { id, action: 'auto-resolved' });
    return done;
  }

  private async mustGet(db: SqlDb, id: string, lock: boolean): Promise<ExceptionRecord> {
    const r = await this.byId(db, id, lock);
    if (!r) throw new ExceptionNotFoundError(id);
    return toRecord(r);
  }

  private async byId(db: SqlDb, id: string, lock = false): Promise<Row | undefined> {
    const x = this.t.exceptions;
    const q = db.select().from(x).where(eq(x.id, id));
    const [r] = await (lock ? this.store.forUpdate(q) : q);
    return r;
  }

  private async unresolvedOf(db: SqlDb, type: string, key: string, lock: boolean): Promise<Row | undefined> {
    const x = this.t.exceptions;
    const q = db
      .select()
      .from(x)
      .where(and(eq(x.type, type), eq(x.key, key), this.unresolved));
    const [r] = await (lock ? this.store.forUpdate(q) : q);
    return r;
  }

  private async linkRun(db: SqlDb, exceptionId: string, runId: string, flowId: string | null, at: number) {
    await db.insert(this.t.exceptionRuns).values({ exceptionId, runId, flowId, status: 'failed', at }).onConflictDoNothing();
  }

  private async setLink(db: SqlDb, exceptionId: string, runId: string, status: string) {
    const xr = this.t.exceptionRuns;
    await db
      .update(xr)
      .set({ status })
      .where(and(eq(xr.exceptionId, exceptionId), eq(xr.runId, runId)));
  }

  private async markResolved(db: SqlDb, id: string, auto: boolean, note: string, actor: string) {
    const x = this.t.exceptions;
    await db.update(x).set({ state: 'resolved', autoResolved: auto, resolutionNote: note, resolvedBy: actor, resolvedAt: this.now() }).where(eq(x.id, id));
  }

  /** Writes the action to the history; `actions` collects it for `announce` once the transaction is committed. */
  private async record(db: SqlDb, actions: ExceptionAction[], id: string, actor: string, action: string, note: string | null, data?: Record<string, unknown>) {
    await db.insert(this.t.exceptionEvents).values({ exceptionId: id, at: this.now(), actor, action, note, data: data ? JSON.stringify(data) : null });
    actions.push({ exceptionId: id, action, actor, note, ...(data ? { data } : {}) });
  }

  /** Tells the host's hook (the audit log) of committed actions; outside any transaction, as it may write to the store. */
  private async announce(actions: ExceptionAction[]) {
    const hook = this.opts.onAction;
    if (!hook) return;
    for (const a of actions) {
      try {
        await hook(a);
      } catch (e) {
        this.opts.log?.error({ err: (e as Error).message, exceptionId: a.exceptionId, action: a.action }, 'exception action hook failed');
      }
    }
  }

  private emit(name: string, payload: unknown) {
    try {
      this.events.emit(name, payload);
    } catch (e) {
      this.opts.log?.error({ err: (e as Error).message, event: name }, 'exception listener failed');
    }
  }
}
