// Reading runs back (with each step's input, output, error and timing), cancelling them and replaying failures.
import { and, desc, eq, exists, gte, inArray, lt, sql } from 'drizzle-orm';
import { runSearchSql } from './run-search.ts';
import { events, flowVersions, flows as flowsTable, runKeys, runs, steps as stepsTable } from './store/schema.ts';
import type { Store } from './store/db.ts';
import type { RunQueue } from './queue.ts';
import type { FlowStore } from './flow-store.ts';
import { NotFoundError } from './flow-store.ts';
import { buildPlan } from './plan.ts';
import type { NodeType } from './node-api.ts';
import type { StepReads } from './executor.ts';
import { isStoredReference, resolveStored } from './stored-output.ts';
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
    // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read again once this class is asynchronous (see definitionOf)
    private flows: FlowStore,
    private lookup: (t: string) => NodeType | undefined,
    /** The current version of a lookup table, from the host's lookup service (none: replays see no table changes). */
    private lookupVersion: (tableId: number) => number | undefined = () => undefined,
    private now = Date.now,
  ) {}

  list(f: RunFilter = {}): RunSummary[] {
    const keyed = f.key
      ? exists(
          this.store.db
            .select({ one: sql`1` })
            .from(runKeys)
            .where(and(eq(runKeys.runId, runs.id), eq(runKeys.key, f.key.key), eq(runKeys.value, f.key.value))),
        )
      : undefined;
    const where = and(
      f.flowId ? eq(runs.flowId, f.flowId) : undefined,
      f.status ? eq(runs.status, f.status) : undefined,
      f.from != null ? gte(runs.createdAt, f.from) : undefined,
      f.to != null ? lt(runs.createdAt, f.to) : undefined,
      f.before ? lt(runs.id, f.before) : undefined,
      keyed,
      f.search ? (runSearchSql(this.store.db, f.search) ?? undefined) : undefined,
    );
    return this.store.db
      .select()
      .from(runs)
      .where(where)
      .orderBy(desc(runs.id))
      .limit(Math.min(f.limit ?? 50, 1000))
      .all()
      .map(summary);
  }
  // FlowStore is asynchronous now; this class is still synchronous SQLite until its own room converts it (then these
  // two become `await this.flows.version(…)` / `await this.flows.get(…)`). Meanwhile they read the store directly.
  private definitionOf(flowId: string, version: number): import('../flows/schema.ts').Flow {
    const row = this.store.db
      .select({ definition: flowVersions.definition })
      .from(flowVersions)
      .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, version)))
      .get();
    if (!row) throw new NotFoundError(`version ${version} of flow "${flowId}"`);
    return JSON.parse(row.definition);
  }

  private activeVersionOf(flowId: string): { activeVersion: number | null } {
    const row = this.store.db.select({ activeVersion: flowsTable.activeVersion }).from(flowsTable).where(eq(flowsTable.id, flowId)).get();
    if (!row) throw new NotFoundError(`flow "${flowId}"`);
    return row;
  }

  get(runId: string): RunRecord {
    const { db } = this.store;
    const r = db.select().from(runs).where(eq(runs.id, runId)).get();
    if (!r) throw new NotFoundError(`run "${runId}"`);
    const rows = db.select().from(stepsTable).where(eq(stepsTable.runId, runId)).all();
    const keys = Object.fromEntries(
      db
        .select({ key: runKeys.key, value: runKeys.value })
        .from(runKeys)
        .where(eq(runKeys.runId, runId))
        .all()
        .map((k) => [k.key, k.value]),
    );
    const byNode = new Map(rows.map((s) => [s.nodeId, s]));
    const outputs = new Map(rows.filter((s) => s.status === 'succeeded').map((s) => [s.nodeId, { port: s.port, output: parse(s.output) }]));
    let plan;
    try {
      plan = buildPlan(this.definitionOf(r.flowId, r.flowVersion), this.lookup);
    } catch {
      plan = null;
    }
    const event = () => parse(db.select({ payload: events.payload }).from(events).where(eq(events.id, r.eventId)).get()?.payload ?? null);
    const ordered = plan ? plan.order.map((p) => p.node.id).filter((id) => byNode.has(id)) : [...byNode.keys()];
    // Runs in plan order, so a step stored by reference (stored-output.ts) finds its upstream outputs already rebuilt.
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
          const [first] = sources;
          input =
            first === undefined
              ? undefined
              : sources.length === 1
                ? outputs.get(first)!.output
                : Object.fromEntries(sources.map((src) => [src, outputs.get(src)!.output]));
        }
      }
      // A step stored by reference is shown with the output it had: rebuilt from its input, as the executor does.
      let output: unknown = s.output != null ? parse(s.output) : undefined;
      if (isStoredReference(s.output) && p && plan) {
        output = resolveStored(s.output, input, () => (input === undefined ? undefined : JSON.parse(JSON.stringify(input))));
        if (s.status === 'succeeded') outputs.set(nodeId, { port: s.port, output });
      }
      return {
        nodeId,
        type: p?.type.type,
        status: s.status,
        attempts: s.attempts,
        ...(s.port ? { port: s.port } : {}),
        ...(input !== undefined && s.status !== 'skipped' ? { input } : {}),
        ...(output !== undefined ? { output } : {}),
        ...(s.error ? { error: parse(s.error) } : {}),
        ...(s.reusedFrom ? { reusedFrom: s.reusedFrom } : {}),
        ...(s.reads ? { reads: parse(s.reads) } : {}),
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        durationMs: s.startedAt != null && s.finishedAt != null ? s.finishedAt - s.startedAt : null,
      };
    });
    return { ...summary(r), keys, steps };
  }

  /** Cancels a queued or running run; a running step finishes, but nothing after it starts. */
  cancel(runId: string): RunSummary {
    const changed = this.store.db
      .update(runs)
      .set({ status: 'cancelled', finishedAt: this.now(), leaseOwner: null, leaseUntil: null })
      .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running'])))
      .run().changes;
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
    const flow = this.activeVersionOf(old.flowId);
    const version = opts.version ?? flow.activeVersion ?? old.flowVersion;
    const target = buildPlan(this.definitionOf(old.flowId, version), this.lookup);
    const defs = new Map<number, Map<string, import('../flows/schema.ts').FlowNode> | null>();
    const nodeIn = (v: number, nodeId: string) => {
      if (!defs.has(v)) {
        try {
          defs.set(v, new Map(this.definitionOf(old.flowId, v).nodes.map((n) => [n.id, n])));
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
    const { db } = this.store;
    // The reused steps' rows, as they are, under the new run (reused_from: the run that executed them first).
    const copy = (newRunId: string, nodeId: string) =>
      db
        .insert(stepsTable)
        .select(
          db
            .select({
              runId: sql<string>`${newRunId}`.as('run_id'),
              nodeId: stepsTable.nodeId,
              status: stepsTable.status,
              attempts: stepsTable.attempts,
              port: stepsTable.port,
              output: stepsTable.output,
              error: sql<null>`NULL`.as('error'),
              reusedFrom: sql<string>`COALESCE(${stepsTable.reusedFrom}, ${runId})`.as('reused_from'),
              startedAt: stepsTable.startedAt,
              finishedAt: stepsTable.finishedAt,
              reads: stepsTable.reads,
            })
            .from(stepsTable)
            .where(and(eq(stepsTable.runId, runId), eq(stepsTable.nodeId, nodeId), eq(stepsTable.status, 'succeeded'))),
        )
        .run();
    // A reused step stored by reference is copied with its text: in the replay its upstream may run again and differ.
    const byReference = new Set(
      db
        .select({ nodeId: stepsTable.nodeId, output: stepsTable.output })
        .from(stepsTable)
        .where(eq(stepsTable.runId, runId))
        .all()
        .filter((r) => isStoredReference(r.output))
        .map((r) => r.nodeId),
    );
    const materialise = (newRunId: string, nodeId: string) =>
      db
        .update(stepsTable)
        .set({ output: JSON.stringify(old.steps.find((st) => st.nodeId === nodeId)?.output ?? null) })
        .where(and(eq(stepsTable.runId, newRunId), eq(stepsTable.nodeId, nodeId)))
        .run();
    const newRunId = this.queue.enqueueRun(old.eventId, { flowId: old.flowId, version: plan.flowVersion }, runId, (id) => {
      for (const nodeId of plan.reused) {
        copy(id, nodeId);
        if (byReference.has(nodeId)) materialise(id, nodeId);
      }
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

function summary(r: typeof runs.$inferSelect): RunSummary {
  // A skipped run keeps its reason where a failed run keeps its error; it is shown as `skipped`, never as an error.
  const skipped = r.status === 'skipped';
  return {
    runId: r.id,
    flowId: r.flowId,
    flowVersion: r.flowVersion,
    eventId: r.eventId,
    status: r.status,
    replayOf: r.replayOf,
    error: skipped ? null : parse(r.error),
    ...(skipped ? { skipped: parse(r.error) } : {}),
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}
