// The exception inbox: raise/clear for nodes and monitors (ExceptionSink), triage actions for people, and the
// run hook that turns failed runs into exceptions and auto-resolves them when a replay succeeds.
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { and, count, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { newId } from '../../../runtime/ids.ts';
import { defaultsFor } from './defaults.ts';
import { StoreMonitorHost } from './monitoring.ts';
import { exceptionEvents, exceptionRuns, exceptions } from './schema.ts';
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
  /** Every recorded action, e.g. for the server's audit log. */
  onAction?: (a: ExceptionAction) => void;
  log?: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
  /** Runs of these flows raise nothing (the server's test runs of drafts). */
  ignoreFlow?: (flowId: string) => boolean;
}

/** Replays a failed run from its failed step (runtime.runs.replay). */
export interface Replayer {
  replay(runId: string): { runId: string };
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

const unresolved = ne(exceptions.state, 'resolved');
const SEVERITY_ORDER = sql`CASE ${exceptions.severity} WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END`;

export class ExceptionService implements ExceptionSink {
  /** `opened` (ExceptionRecord), `changed` ({ id, action }) — the alert dispatcher listens to `opened`. */
  readonly events = new EventEmitter();
  readonly sqlite: Database.Database;
  private db: BetterSQLite3Database<any>;
  private now: () => number;
  private replayer: Replayer | null;
  /** The `monitoring` service over the same store (MonitorHost). */
  monitoring: StoreMonitorHost;
  /** Stops listening to run events (set when created with a runtime). */
  detach: () => void = () => {};

  constructor(
    store: { sqlite: Database.Database; db: BetterSQLite3Database<any> },
    replayer: Replayer | null,
    private opts: ExceptionServiceOptions = {},
  ) {
    this.sqlite = store.sqlite;
    this.db = store.db;
    this.replayer = replayer;
    this.now = opts.now ?? Date.now;
    this.monitoring = new StoreMonitorHost(store.db, this.now);
  }

  /** Late binding for hosts that create the service before the runtime. */
  setReplayer(r: Replayer) {
    this.replayer = r;
  }

  // ---- ExceptionSink ------------------------------------------------------------------------------------

  raise(e: RaiseException): { id: string; count: number; isNew: boolean } {
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
    let opened: ExceptionRecord | null = null;
    const result = this.sqlite
      .transaction(() => {
        const cur = this.unresolvedOf(e.type, e.key);
        if (cur) {
          // The same run reported twice (a node raised, then the run failed on it) is one occurrence, not two.
          const sameRun = runId
            ? !!this.db
                .select({ one: sql`1` })
                .from(exceptionRuns)
                .where(and(eq(exceptionRuns.exceptionId, cur.id), eq(exceptionRuns.runId, runId)))
                .get()
            : false;
          const sev = RANK[severity] > RANK[cur.severity as Severity] ? severity : cur.severity;
          this.db
            .update(exceptions)
            .set({
              count: sql`${exceptions.count} + ${sameRun ? 0 : 1}`,
              lastSeen: now,
              title: e.title,
              detail: e.detail ?? null,
              severity: sev,
              links: JSON.stringify(e.links ?? {}),
              data: e.data ? JSON.stringify(e.data) : null,
            })
            .where(eq(exceptions.id, cur.id))
            .run();
          if (runId) this.linkRun(cur.id, runId, e.links?.flowId ?? null, now);
          return { id: cur.id, count: cur.count + (sameRun ? 0 : 1), isNew: false };
        }
        const id = newId('exc');
        this.db
          .insert(exceptions)
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
          .run();
        if (runId) this.linkRun(id, runId, e.links?.flowId ?? null, now);
        this.record(id, 'system', 'opened', null, { type: e.type, key: e.key, severity, owner });
        opened = toRecord(this.byId(id)!);
        return { id, count: 1, isNew: true };
      })
      .immediate();
    if (opened) this.emit('opened', opened);
    return result;
  }

  clear(type: ExceptionType, key: string, note?: string): boolean {
    const cur = this.unresolvedOf(type, key);
    if (!cur) return false;
    this.autoResolve(cur.id, note ?? 'the condition cleared');
    return true;
  }

  openKeys(type: ExceptionType, prefix = ''): string[] {
    return this.db
      .select({ key: exceptions.key })
      .from(exceptions)
      .where(and(eq(exceptions.type, type), unresolved, sql`substr(${exceptions.key}, 1, length(${prefix})) = ${prefix}`))
      .all()
      .map((r) => r.key);
  }

  // ---- reading ------------------------------------------------------------------------------------------

  list(f: ExceptionFilter = {}): { items: ExceptionRecord[]; total: number } {
    const where = and(
      f.owner ? eq(exceptions.owner, f.owner) : undefined,
      f.type ? eq(exceptions.type, f.type) : undefined,
      f.severity ? eq(exceptions.severity, f.severity) : undefined,
      f.assignee ? eq(exceptions.assignee, f.assignee) : undefined,
      f.state === 'unresolved' ? unresolved : f.state ? eq(exceptions.state, f.state) : undefined,
    );
    const total = this.db.select({ n: count() }).from(exceptions).where(where).get()?.n ?? 0;
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
    const rows = this.db
      .select()
      .from(exceptions)
      .where(where)
      .orderBy(SEVERITY_ORDER, desc(exceptions.lastSeen), exceptions.id)
      .limit(limit)
      .offset(Math.max(f.offset ?? 0, 0))
      .all();
    return { items: rows.map(toRecord), total };
  }

  get(id: string): ExceptionDetail {
    const r = this.byId(id);
    if (!r) throw new ExceptionNotFoundError(id);
    const runs = this.db
      .select({ runId: exceptionRuns.runId, flowId: exceptionRuns.flowId, status: exceptionRuns.status, at: exceptionRuns.at })
      .from(exceptionRuns)
      .where(eq(exceptionRuns.exceptionId, id))
      .orderBy(exceptionRuns.at, exceptionRuns.runId)
      .all();
    const events = this.db
      .select()
      .from(exceptionEvents)
      .where(eq(exceptionEvents.exceptionId, id))
      .orderBy(exceptionEvents.id)
      .all()
      .map((ev) => ({ id: ev.id, at: ev.at, actor: ev.actor, action: ev.action, note: ev.note, data: ev.data ? JSON.parse(ev.data) : null }));
    return { ...toRecord(r), runs, events };
  }

  // ---- triage actions -----------------------------------------------------------------------------------

  acknowledge(id: string, actor: string, note?: string): ExceptionRecord {
    const cur = this.mustGet(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is resolved; only open exceptions can be acknowledged`);
    if (cur.state === 'open') {
      this.sqlite.transaction(() => {
        this.db.update(exceptions).set({ state: 'acknowledged' }).where(eq(exceptions.id, id)).run();
        this.record(id, actor, 'acknowledged', note ?? null);
      })();
    }
    return this.mustGet(id);
  }

  assign(id: string, to: { assignee?: string | null; owner?: Owner }, actor: string, note?: string): ExceptionRecord {
    const cur = this.mustGet(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is resolved; reopen it by raising again, not by assigning`);
    if (to.owner !== undefined && !OWNERS.includes(to.owner)) throw new TypeError(`owner must be one of ${OWNERS.join(', ')}`);
    const assignee = to.assignee === undefined ? cur.assignee : to.assignee;
    const owner = to.owner ?? cur.owner;
    this.sqlite.transaction(() => {
      this.db.update(exceptions).set({ assignee, owner }).where(eq(exceptions.id, id)).run();
      this.record(id, actor, 'assigned', note ?? null, { before: { assignee: cur.assignee, owner: cur.owner }, after: { assignee, owner } });
    })();
    return this.mustGet(id);
  }

  resolve(id: string, actor: string, note: string): ExceptionRecord {
    if (typeof note !== 'string' || !note.trim()) throw new TypeError('resolve: a note saying what was done is required');
    const cur = this.mustGet(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is already resolved`);
    this.sqlite.transaction(() => {
      this.markResolved(id, false, note.trim(), actor);
      this.record(id, actor, 'resolved', note.trim());
    })();
    this.emit('changed', { id, action: 'resolved' });
    return this.mustGet(id);
  }

  /** Replays every failed run linked to the exception from its failed step. Success auto-resolves (run hook). */
  retry(id: string, actor: string): { replayed: Array<{ runId: string; newRunId: string }>; skipped: Array<{ runId: string; reason: string }> } {
    const cur = this.get(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is resolved; nothing to retry`);
    if (!this.replayer) throw new ExceptionStateError('this host cannot replay runs (no runtime attached)');
    const failed = cur.runs.filter((r) => r.status === 'failed');
    if (!failed.length)
      throw new ExceptionStateError(
        `exception "${id}" has no failed run to retry${cur.runs.length ? ' (its runs are already replaying or cleared)' : ''}; fix the cause and resolve it with a note`,
      );
    const replayed: Array<{ runId: string; newRunId: string }> = [];
    const skipped: Array<{ runId: string; reason: string }> = [];
    for (const l of failed) {
      try {
        const r = this.replayer.replay(l.runId);
        this.setLink(id, l.runId, 'replaying');
        replayed.push({ runId: l.runId, newRunId: r.runId });
      } catch (e) {
        skipped.push({ runId: l.runId, reason: (e as Error).message });
      }
    }
    this.record(id, actor, 'retried', null, { replayed, skipped });
    return { replayed, skipped };
  }

  bulk(
    ids: string[],
    action: 'acknowledge' | 'assign' | 'resolve' | 'retry',
    actor: string,
    args: { note?: string; assignee?: string | null; owner?: Owner } = {},
  ): Array<{ id: string; ok: boolean; error?: string; result?: unknown }> {
    return [...new Set(ids)].map((id) => {
      try {
        const result =
          action === 'acknowledge'
            ? this.acknowledge(id, actor, args.note)
            : action === 'assign'
              ? this.assign(id, { assignee: args.assignee, owner: args.owner }, actor, args.note)
              : action === 'resolve'
                ? this.resolve(id, actor, args.note ?? '')
                : this.retry(id, actor);
        return { id, ok: true, result };
      } catch (e) {
        return { id, ok: false, error: (e as Error).message };
      }
    });
  }

  // ---- alerts -------------------------------------------------------------------------------------------

  /** Unresolved exceptions no alert went out for yet. */
  unalerted(): ExceptionRecord[] {
    return this.db
      .select()
      .from(exceptions)
      .where(and(unresolved, isNull(exceptions.alertedAt)))
      .orderBy(exceptions.firstSeen, sql`rowid`)
      .all()
      .map(toRecord);
  }

  /** Marks an exception alerted; false when it already was (so concurrent dispatchers never send twice). */
  markAlerted(id: string, channels: string[]): boolean {
    const changed =
      this.db
        .update(exceptions)
        .set({ alertedAt: this.now() })
        .where(and(eq(exceptions.id, id), isNull(exceptions.alertedAt)))
        .run().changes > 0;
    if (changed) this.record(id, 'system', 'alerted', null, { channels });
    return changed;
  }

  // ---- run hook -----------------------------------------------------------------------------------------

  /**
   * A replay of `replayOf` ended. Success clears the runs it replays; failure supersedes them (the new failed run
   * is linked by its own raise). An exception with no failing run left is auto-resolved.
   */
  onReplayFinished(replayOf: string, newRunId: string, status: 'succeeded' | 'failed', chain: string[] = [replayOf]) {
    const touched = new Set<string>();
    this.sqlite.transaction(() => {
      for (const runId of chain) {
        const links = this.db
          .select({ exceptionId: exceptionRuns.exceptionId, state: exceptions.state })
          .from(exceptionRuns)
          .innerJoin(exceptions, eq(exceptions.id, exceptionRuns.exceptionId))
          .where(eq(exceptionRuns.runId, runId))
          .all();
        for (const l of links) {
          if (l.state === 'resolved') continue;
          touched.add(l.exceptionId);
          this.setLink(l.exceptionId, runId, status === 'succeeded' ? 'cleared' : 'superseded');
        }
      }
    })();
    for (const id of touched) {
      const p = this.db
        .select({ pending: sql<number | null>`SUM(${inArray(exceptionRuns.status, ['failed', 'replaying'])})` })
        .from(exceptionRuns)
        .where(eq(exceptionRuns.exceptionId, id))
        .get();
      const cur = this.byId(id);
      if (!cur || cur.state === 'resolved' || (p?.pending ?? 0) > 0) continue;
      this.autoResolve(
        id,
        status === 'succeeded'
          ? `replay ${newRunId} of run ${replayOf} succeeded`
          : `replay ${newRunId} of run ${replayOf} got past this failure (it failed later for another reason)`,
      );
    }
  }

  private autoResolve(id: string, note: string) {
    this.sqlite.transaction(() => {
      this.markResolved(id, true, note, 'system');
      this.record(id, 'system', 'auto-resolved', note);
    })();
    this.emit('changed', { id, action: 'auto-resolved' });
  }

  private mustGet(id: string): ExceptionRecord {
    const r = this.byId(id);
    if (!r) throw new ExceptionNotFoundError(id);
    return toRecord(r);
  }

  private byId(id: string): Row | undefined {
    return this.db.select().from(exceptions).where(eq(exceptions.id, id)).get();
  }

  private unresolvedOf(type: string, key: string): Row | undefined {
    return this.db
      .select()
      .from(exceptions)
      .where(and(eq(exceptions.type, type), eq(exceptions.key, key), unresolved))
      .get();
  }

  private linkRun(exceptionId: string, runId: string, flowId: string | null, at: number) {
    this.db.insert(exceptionRuns).values({ exceptionId, runId, flowId, status: 'failed', at }).onConflictDoNothing().run();
  }

  private setLink(exceptionId: string, runId: string, status: string) {
    this.db
      .update(exceptionRuns)
      .set({ status })
      .where(and(eq(exceptionRuns.exceptionId, exceptionId), eq(exceptionRuns.runId, runId)))
      .run();
  }

  private markResolved(id: string, auto: boolean, note: string, actor: string) {
    this.db
      .update(exceptions)
      .set({ state: 'resolved', autoResolved: auto, resolutionNote: note, resolvedBy: actor, resolvedAt: this.now() })
      .where(eq(exceptions.id, id))
      .run();
  }

  private record(id: string, actor: string, action: string, note: string | null, data?: Record<string, unknown>) {
    this.db
      .insert(exceptionEvents)
      .values({ exceptionId: id, at: this.now(), actor, action, note, data: data ? JSON.stringify(data) : null })
      .run();
    try {
      this.opts.onAction?.({ exceptionId: id, action, actor, note, ...(data ? { data } : {}) });
    } catch (e) {
      this.opts.log?.error({ err: (e as Error).message, exceptionId: id, action }, 'exception action hook failed');
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
