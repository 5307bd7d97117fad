// The exception inbox: raise/clear for nodes and monitors (ExceptionSink), triage actions for people, and the
// run hook that turns failed runs into exceptions and auto-resolves them when a replay succeeds.
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { newId } from '../../../runtime/ids.ts';
import { defaultsFor } from './defaults.ts';
import { StoreMonitorHost } from './monitoring.ts';
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

type Row = Record<string, any>;

function toRecord(r: Row): ExceptionRecord {
  return {
    id: r.id,
    type: r.type,
    key: r.key,
    title: r.title,
    detail: r.detail ?? null,
    severity: r.severity,
    owner: r.owner,
    assignee: r.assignee ?? null,
    state: r.state,
    autoResolved: r.auto_resolved === 1,
    resolutionNote: r.resolution_note ?? null,
    resolvedBy: r.resolved_by ?? null,
    count: r.count,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at ?? null,
    links: JSON.parse(r.links),
    data: r.data ? JSON.parse(r.data) : null,
    alertedAt: r.alerted_at ?? null,
  };
}

export class ExceptionService implements ExceptionSink {
  /** `opened` (ExceptionRecord), `changed` ({ id, action }) — the alert dispatcher listens to `opened`. */
  readonly events = new EventEmitter();
  readonly sqlite: Database.Database;
  private now: () => number;
  /** Named statements; the key list makes a misspelt `this.q.x` a compile error. */
  private q: Record<
    | 'unresolved'
    | 'byId'
    | 'insert'
    | 'repeat'
    | 'linkRun'
    | 'hasLink'
    | 'runsOf'
    | 'linksOfRun'
    | 'setLink'
    | 'setRunLinks'
    | 'pendingLinks'
    | 'event'
    | 'events'
    | 'setState'
    | 'resolve'
    | 'assign'
    | 'openKeys'
    | 'alerted',
    Database.Statement
  >;
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
    this.replayer = replayer;
    this.now = opts.now ?? Date.now;
    this.monitoring = new StoreMonitorHost(store.sqlite, this.now);
    const s = this.sqlite;
    this.q = {
      unresolved: s.prepare(`SELECT * FROM exceptions WHERE type = ? AND key = ? AND state <> 'resolved'`),
      byId: s.prepare(`SELECT * FROM exceptions WHERE id = ?`),
      insert: s.prepare(
        `INSERT INTO exceptions (id, type, key, title, detail, severity, owner, state, count, first_seen, last_seen, links, data)
         VALUES (@id, @type, @key, @title, @detail, @severity, @owner, 'open', 1, @now, @now, @links, @data)`,
      ),
      repeat: s.prepare(
        `UPDATE exceptions SET count = count + @inc, last_seen = @now, title = @title, detail = @detail, severity = @severity, links = @links, data = @data WHERE id = @id`,
      ),
      linkRun: s.prepare(`INSERT OR IGNORE INTO exception_runs (exception_id, run_id, flow_id, status, at) VALUES (?, ?, ?, 'failed', ?)`),
      hasLink: s.prepare(`SELECT 1 FROM exception_runs WHERE exception_id = ? AND run_id = ?`),
      runsOf: s.prepare(`SELECT run_id, flow_id, status, at FROM exception_runs WHERE exception_id = ? ORDER BY at, run_id`),
      linksOfRun: s.prepare(`SELECT l.exception_id, l.status, e.state FROM exception_runs l JOIN exceptions e ON e.id = l.exception_id WHERE l.run_id = ?`),
      setLink: s.prepare(`UPDATE exception_runs SET status = ? WHERE exception_id = ? AND run_id = ?`),
      setRunLinks: s.prepare(`UPDATE exception_runs SET status = ? WHERE run_id = ? AND status IN ('failed','replaying')`),
      pendingLinks: s.prepare(`SELECT COUNT(*) AS n, SUM(status IN ('failed','replaying')) AS pending FROM exception_runs WHERE exception_id = ?`),
      event: s.prepare(`INSERT INTO exception_events (exception_id, at, actor, action, note, data) VALUES (?, ?, ?, ?, ?, ?)`),
      events: s.prepare(`SELECT id, at, actor, action, note, data FROM exception_events WHERE exception_id = ? ORDER BY id`),
      setState: s.prepare(`UPDATE exceptions SET state = ? WHERE id = ?`),
      resolve: s.prepare(`UPDATE exceptions SET state = 'resolved', auto_resolved = ?, resolution_note = ?, resolved_by = ?, resolved_at = ? WHERE id = ?`),
      assign: s.prepare(`UPDATE exceptions SET assignee = ?, owner = ? WHERE id = ?`),
      openKeys: s.prepare(`SELECT key FROM exceptions WHERE type = ? AND state <> 'resolved' AND substr(key, 1, length(?)) = ?`),
      alerted: s.prepare(`UPDATE exceptions SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL`),
    };
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
        const cur = this.q.unresolved.get(e.type, e.key) as Row | undefined;
        if (cur) {
          // The same run reported twice (a node raised, then the run failed on it) is one occurrence, not two.
          const sameRun = runId ? !!this.q.hasLink.get(cur.id, runId) : false;
          const sev = RANK[severity] > RANK[cur.severity as Severity] ? severity : cur.severity;
          this.q.repeat.run({
            id: cur.id,
            inc: sameRun ? 0 : 1,
            now,
            title: e.title,
            detail: e.detail ?? null,
            severity: sev,
            links: JSON.stringify(e.links ?? {}),
            data: e.data ? JSON.stringify(e.data) : null,
          });
          if (runId) this.q.linkRun.run(cur.id, runId, e.links?.flowId ?? null, now);
          return { id: cur.id as string, count: (cur.count as number) + (sameRun ? 0 : 1), isNew: false };
        }
        const id = newId('exc');
        this.q.insert.run({
          id,
          type: e.type,
          key: e.key,
          title: e.title,
          detail: e.detail ?? null,
          severity,
          owner,
          now,
          links: JSON.stringify(e.links ?? {}),
          data: e.data ? JSON.stringify(e.data) : null,
        });
        if (runId) this.q.linkRun.run(id, runId, e.links?.flowId ?? null, now);
        this.record(id, 'system', 'opened', null, { type: e.type, key: e.key, severity, owner });
        opened = toRecord(this.q.byId.get(id) as Row);
        return { id, count: 1, isNew: true };
      })
      .immediate();
    if (opened) this.emit('opened', opened);
    return result;
  }

  clear(type: ExceptionType, key: string, note?: string): boolean {
    const cur = this.q.unresolved.get(type, key) as Row | undefined;
    if (!cur) return false;
    this.autoResolve(cur.id, note ?? 'the condition cleared');
    return true;
  }

  openKeys(type: ExceptionType, prefix = ''): string[] {
    return (this.q.openKeys.all(type, prefix, prefix) as Array<{ key: string }>).map((r) => r.key);
  }

  // ---- reading ------------------------------------------------------------------------------------------

  list(f: ExceptionFilter = {}): { items: ExceptionRecord[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.owner) where.push('owner = ?'), args.push(f.owner);
    if (f.type) where.push('type = ?'), args.push(f.type);
    if (f.severity) where.push('severity = ?'), args.push(f.severity);
    if (f.assignee) where.push('assignee = ?'), args.push(f.assignee);
    if (f.state === 'unresolved') where.push(`state <> 'resolved'`);
    else if (f.state) where.push('state = ?'), args.push(f.state);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.sqlite.prepare(`SELECT COUNT(*) AS n FROM exceptions ${w}`).get(...args) as { n: number }).n;
    const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
    const rows = this.sqlite
      .prepare(`SELECT * FROM exceptions ${w} ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, last_seen DESC, id LIMIT ? OFFSET ?`)
      .all(...args, limit, Math.max(f.offset ?? 0, 0)) as Row[];
    return { items: rows.map(toRecord), total };
  }

  get(id: string): ExceptionDetail {
    const r = this.q.byId.get(id) as Row | undefined;
    if (!r) throw new ExceptionNotFoundError(id);
    const runs = (this.q.runsOf.all(id) as Row[]).map((l) => ({ runId: l.run_id, flowId: l.flow_id ?? null, status: l.status, at: l.at }));
    const events = (this.q.events.all(id) as Row[]).map((ev) => ({
      id: ev.id,
      at: ev.at,
      actor: ev.actor,
      action: ev.action,
      note: ev.note ?? null,
      data: ev.data ? JSON.parse(ev.data) : null,
    }));
    return { ...toRecord(r), runs, events };
  }

  // ---- triage actions -----------------------------------------------------------------------------------

  acknowledge(id: string, actor: string, note?: string): ExceptionRecord {
    const cur = this.mustGet(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is resolved; only open exceptions can be acknowledged`);
    if (cur.state === 'open') {
      this.sqlite.transaction(() => {
        this.q.setState.run('acknowledged', id);
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
      this.q.assign.run(assignee, owner, id);
      this.record(id, actor, 'assigned', note ?? null, { before: { assignee: cur.assignee, owner: cur.owner }, after: { assignee, owner } });
    })();
    return this.mustGet(id);
  }

  resolve(id: string, actor: string, note: string): ExceptionRecord {
    if (typeof note !== 'string' || !note.trim()) throw new TypeError('resolve: a note saying what was done is required');
    const cur = this.mustGet(id);
    if (cur.state === 'resolved') throw new ExceptionStateError(`exception "${id}" is already resolved`);
    this.sqlite.transaction(() => {
      this.q.resolve.run(0, note.trim(), actor, this.now(), id);
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
        this.q.setLink.run('replaying', id, l.runId);
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
    return (this.sqlite.prepare(`SELECT * FROM exceptions WHERE state <> 'resolved' AND alerted_at IS NULL ORDER BY first_seen, rowid`).all() as Row[]).map(
      toRecord,
    );
  }

  /** Marks an exception alerted; false when it already was (so concurrent dispatchers never send twice). */
  markAlerted(id: string, channels: string[]): boolean {
    const changed = this.q.alerted.run(this.now(), id).changes > 0;
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
        for (const l of this.q.linksOfRun.all(runId) as Row[]) {
          if (l.state === 'resolved') continue;
          touched.add(l.exception_id);
          this.q.setLink.run(status === 'succeeded' ? 'cleared' : 'superseded', l.exception_id, runId);
        }
      }
    })();
    for (const id of touched) {
      const p = this.q.pendingLinks.get(id) as { n: number; pending: number | null };
      const cur = this.q.byId.get(id) as Row;
      if (cur.state === 'resolved' || (p.pending ?? 0) > 0) continue;
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
      this.q.resolve.run(1, note, 'system', this.now(), id);
      this.record(id, 'system', 'auto-resolved', note);
    })();
    this.emit('changed', { id, action: 'auto-resolved' });
  }

  private mustGet(id: string): ExceptionRecord {
    const r = this.q.byId.get(id) as Row | undefined;
    if (!r) throw new ExceptionNotFoundError(id);
    return toRecord(r);
  }

  private record(id: string, actor: string, action: string, note: string | null, data?: Record<string, unknown>) {
    this.q.event.run(id, this.now(), actor, action, note, data ? JSON.stringify(data) : null);
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
