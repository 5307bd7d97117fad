// Reading runs back (with each step's input, output, error and timing), cancelling them and replaying failures.
import { runSearchSql } from './run-search.ts';
import type { Store } from './store/db.ts';
import type { RunQueue } from './queue.ts';
import type { FlowStore } from './flow-store.ts';
import { NotFoundError } from './flow-store.ts';
import { buildPlan } from './plan.ts';
import type { NodeType } from './node-api.ts';
import type { StepReads } from './executor.ts';
import { ClaimStore } from './claims.ts';
import { planReplay, ReplayPlanError, type ReplayFrom, type ReplayPlan } from './replay-plan.ts';

export interface RunFilter {
  flowId?: string;
  status?: string;
  from?: number;
  to?: number;
  /** Business key filter, e.g. { key: 'shopifyOrderId', value: 'gid://shopify/Order/1' }. */
  key?: { key: string; value: string };
  limit?: number;
  /** Return runs created before this run id (paging). */
  before?: string;
  /** Free text: order name or number, Shopify id, business key value, ERP document number (run-search.ts). */
  search?: string;
}

export interface RunSummary {
  runId: string;
  flowId: string;
  flowVersion: number;
  eventId: string;
  status: string;
  replayOf: string | null;
  error: unknown;
  /** Why a run ended `skipped` (code, message, nodeId, details); absent otherwise. */
  skipped?: { code: string; message: string; nodeId: string; details?: Record<string, unknown> };
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface StepRecord {
  nodeId: string;
  type?: string;
  status: string;
  attempts: number;
  port?: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  /** The run that executed this step, when a replay reused its output. */
  reusedFrom?: string;
  /** The configuration the step read when it ran: flow version and lookup table versions. */
  reads?: StepReads;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
}

export interface RunRecord extends RunSummary {
  keys: Record<string, string>;
  steps: StepRecord[];
}

const parse = (s: string | null) => (s == null ? undefined : JSON.parse(s));

export class Runs {
  constructor(
    private store: Store,
    private queue: RunQueue,
    private flows: FlowStore,
    private lookup: (t: string) => NodeType | undefined,
    /** The current version of a lookup table, from the host's lookup service (none: replays see no table changes). */
    private lookupVersion: (tableId: number) => number | undefined = () => undefined,
    private now = Date.now,
  ) {}

  list(f: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.flowId) where.push('r.flow_id = ?'), args.push(f.flowId);
    if (f.status) where.push('r.status = ?'), args.push(f.status);
    if (f.from != null) where.push('r.created_at >= ?'), args.push(f.from);
    if (f.to != null) where.push('r.created_at < ?'), args.push(f.to);
    if (f.before) where.push('r.id < ?'), args.push(f.before);
    if (f.key) where.push('EXISTS (SELECT 1 FROM run_keys k WHERE k.run_id = r.id AND k.key = ? AND k.value = ?)'), args.push(f.key.key, f.key.value);
    const search = f.search ? runSearchSql(f.search) : null;
    if (search) where.push(search.sql), args.push(...search.args);
    const sql = `SELECT * FROM runs r ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.id DESC LIMIT ?`;
    args.push(Math.min(f.limit ?? 50, 1000));
    return (this.store.sqlite.prepare(sql).all(...args) as Record<string, any>[]).map(summary);
  }

  get(runId: string): RunRecord {
    const r = this.store.sqlite.prepare(`SELECT * FROM runs WHERE id = ?`).get(runId) as Record<string, any> | undefined;
    if (!r) throw new NotFoundError(`run "${runId}"`);
    const rows = this.store.sqlite.prepare(`SELECT * FROM steps WHERE run_id = ?`).all(runId) as Record<string, any>[];
    const keys = Object.fromEntries(
      (this.store.sqlite.prepare(`SELECT key, value FROM run_keys WHERE run_id = ?`).all(runId) as { key: string; value: string }[]).map((k) => [
        k.key,
        k.value,
      ]),
    );
    const byNode = new Map(rows.map((s) => [s.node_id as string, s]));
    const outputs = new Map(
      rows.filter((s) => s.status === 'succeeded').map((s) => [s.node_id as string, { port: s.port as string | null, output: parse(s.output) }]),
    );
    let plan;
    try {
      plan = buildPlan(this.flows.version(r.flow_id, r.flow_version).definition, this.lookup);
    } catch {
      plan = null;
    }
    const event = () => parse((this.store.sqlite.prepare(`SELECT payload FROM events WHERE id = ?`).get(r.event_id) as { payload: string }).payload);
    const ordered = plan ? plan.order.map((p) => p.node.id).filter((id) => byNode.has(id)) : [...byNode.keys()];
    const steps: StepRecord[] = ordered.map((nodeId) => {
      const s = byNode.get(nodeId)!;
      const p = plan?.byId.get(nodeId);
      // Inputs are not stored: they are the upstream outputs (or the event), rebuilt here exactly as the executor did.
      let input: unknown;
      if (p && plan) {
        if (p === plan.trigger) input = event();
        else {
          const active = p.incoming.filter((e) => {
            const o = outputs.get(e.source);
            return o && (o.port === null || e.sourceHandle === undefined || e.sourceHandle === o.port);
          });
          const sources = [...new Set(active.map((e) => e.source))];
          input =
            sources.length === 1
              ? outputs.get(sources[0])!.output
              : sources.length
                ? Object.fromEntries(sources.map((src) => [src, outputs.get(src)!.output]))
                : undefined;
        }
      }
      return {
        nodeId,
        type: p?.type.type,
        status: s.status,
        attempts: s.attempts,
        ...(s.port ? { port: s.port } : {}),
        ...(input !== undefined && s.status !== 'skipped' ? { input } : {}),
        ...(s.output != null ? { output: parse(s.output) } : {}),
        ...(s.error ? { error: parse(s.error) } : {}),
        ...(s.reused_from ? { reusedFrom: s.reused_from } : {}),
        ...(s.reads ? { reads: parse(s.reads) } : {}),
        startedAt: s.started_at,
        finishedAt: s.finished_at,
        durationMs: s.started_at != null && s.finished_at != null ? s.finished_at - s.started_at : null,
      };
    });
    return { ...summary(r), keys, steps };
  }

  /** Cancels a queued or running run; a running step finishes, but nothing after it starts. */
  cancel(runId: string): RunSummary {
    const changed = this.store.sqlite
      .prepare(`UPDATE runs SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status IN ('queued','running')`)
      .run(this.now(), runId).changes;
    const run = this.get(runId);
    if (!changed) throw new RunStateError(`run "${runId}" is ${run.status}; only queued or running runs can be cancelled`);
    return run;
  }

  /**
   * What a replay would do, step by step, without doing it: see replay-plan.ts. `from`: the failed step (default),
   * the start, or a chosen step; the flow's active version unless one is given; `resend` names written steps the
   * caller confirms re-sending.
   */
  planReplay(runId: string, opts: ReplayOptions = {}): ReplayPlan {
    const old = this.get(runId);
    const from = opts.from ?? 'failed';
    const ok = from === 'failed' ? ['failed', 'cancelled'] : ['failed', 'cancelled', 'succeeded', 'skipped'];
    if (!ok.includes(old.status)) {
      throw new RunStateError(
        `run "${runId}" is ${old.status}; ${from === 'failed' ? 'only failed or cancelled runs can be replayed from the failed step (replay from the start or a chosen step instead)' : 'a queued or running run cannot be replayed'}`,
      );
    }
    const flow = this.flows.get(old.flowId);
    const version = opts.version ?? flow.activeVersion ?? old.flowVersion;
    const target = buildPlan(this.flows.version(old.flowId, version).definition, this.lookup);
    const defs = new Map<number, Map<string, import('../flows/schema.ts').FlowNode> | null>();
    const nodeIn = (v: number, nodeId: string) => {
      if (!defs.has(v)) {
        try {
          defs.set(v, new Map(this.flows.version(old.flowId, v).definition.nodes.map((n) => [n.id, n])));
        } catch {
          defs.set(v, null);
        }
      }
      return defs.get(v)?.get(nodeId);
    };
    const claims = new ClaimStore(this.store, this.now);
    return planReplay({
      old,
      target,
      targetVersion: version,
      from,
      resend: new Set(opts.resend ?? []),
      nodeIn,
      lookupVersion: (id) => this.lookupVersion(id),
      documents: (runIds, nodeId) => claims.documentsOf(runIds, nodeId).map((d) => d.document ?? d.key),
    });
  }

  /**
   * Starts a new run of the same event as planned by planReplay: reused steps keep their outputs (and what they read);
   * the others run again. Refused while a step that may post a second time waits for confirmation.
   */
  replay(runId: string, opts: ReplayOptions = {}): { runId: string; flowVersion: number; reused: string[]; plan: ReplayPlan } {
    const plan = this.planReplay(runId, opts);
    const resend = new Set(opts.resend ?? []);
    const waiting = plan.steps.filter((s) => s.action === 'rerun' && s.needsConfirmation && !resend.has(s.nodeId));
    if (waiting.length) {
      throw new RunStateError(
        `step ${waiting.map((s) => `"${s.nodeId}"`).join(', ')} may already have taken effect; check the target system, then confirm re-sending it (resend)`,
      );
    }
    const old = this.get(runId);
    const copy = this.store.sqlite.prepare(
      `INSERT INTO steps (run_id, node_id, status, attempts, port, output, reads, reused_from, started_at, finished_at)
       SELECT ?, node_id, status, attempts, port, output, reads, COALESCE(reused_from, ?), started_at, finished_at FROM steps WHERE run_id = ? AND node_id = ? AND status = 'succeeded'`,
    );
    const newRunId = this.queue.enqueueRun(old.eventId, { flowId: old.flowId, version: plan.flowVersion }, runId, (id) => {
      for (const nodeId of plan.reused) copy.run(id, runId, runId, nodeId);
    });
    return { runId: newRunId, flowVersion: plan.flowVersion, reused: plan.reused, plan };
  }
}

export interface ReplayOptions {
  version?: number;
  from?: ReplayFrom;
  resend?: string[];
}

export { ReplayPlanError };
export type { ReplayPlan };

export class RunStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStateError';
  }
}

function summary(r: Record<string, any>): RunSummary {
  // A skipped run keeps its reason where a failed run keeps its error; it is shown as `skipped`, never as an error.
  const skipped = r.status === 'skipped';
  return {
    runId: r.id,
    flowId: r.flow_id,
    flowVersion: r.flow_version,
    eventId: r.event_id,
    status: r.status,
    replayOf: r.replay_of,
    error: skipped ? null : parse(r.error),
    ...(skipped ? { skipped: parse(r.error) } : {}),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
