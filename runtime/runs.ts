// Reading runs back (with each step's input, output, error and timing), cancelling them and replaying failures, on
// either store (issue 13): every statement is a SqlStore builder or SQL both dialects share.
import { and, desc, eq, exists, gte, inArray, lt, sql } from 'drizzle-orm';
import { runSearchSql } from './run-search.ts';
import { eventPayloadValue } from './event-payload.ts';
import { businessClaims, businessClaimUses, events, runKeys, runs, steps as stepsTable } from './store/schema.ts';
import type { AnyStore } from './store/any-store.ts';
import type { SqlStore } from './store/sql-store.ts';
import type { IngestTarget } from './queue.ts';
import type { FlowNode, Flow } from '../flows/schema.ts';
import { NotFoundError } from './flow-store.ts';
import { buildPlan } from './plan.ts';
import type { NodeType } from './node-api.ts';
import type { StepReads } from './executor.ts';
import { isStoredReference, OUTPUT_REBUILT, resolveStored } from './stored-output.ts';
import { rebuildOutput } from './rebuild-output.ts';
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
  /** The Shopify order the run is about, by name (#1001), when one of that order's runs was given its name. */
  orderName?: string;
  /** What started it: the event's source (`shopify:<connection>`, `schedule`, `manual`, …) and topic (`orders/paid`). */
  trigger?: { source: string; topic: string | null };
  /** The runs that replay this one, newest first; absent when it was never replayed. */
  replayedBy?: RunReplay[];
  /**
   * The newest replay of this run that succeeded, following replays of its replays (a replay that failed and was
   * replayed in turn); absent when none did. A failed run with one needs nothing more.
   */
  replaySucceededBy?: string;
}

/** A run that replays another: what the replayed run shows of it. */
export interface RunReplay {
  runId: string;
  status: string;
  createdAt: number;
}

/** How many generations of replays of replays are followed to find one that succeeded. */
const REPLAY_GENERATIONS = 10;

export interface StepRecord {
  nodeId: string;
  type?: string;
  /** The node's display name in the run's flow version. */
  name?: string;
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
  /** The flow's name in the run's version. */
  flowName?: string;
  keys: Record<string, string>;
  steps: StepRecord[];
}

const parse = (s: string | null) => (s == null ? undefined : JSON.parse(s));

type Awaitable<T> = T | Promise<T>;

/** What Runs reads of the flows: a flow's active version, and the definition of one of its versions. */
export interface RunFlows {
  get(flowId: string): Awaitable<{ activeVersion: number | null }>;
  version(flowId: string, version: number): Awaitable<{ definition: Flow }>;
}

/**
 * What a replay needs of the queue. `enqueueRun` is called inside the replay's transaction and must join it (a
 * savepoint of it), so the new run and the steps it reuses are committed together; the replay wakes the workers
 * (`notify`) once that transaction has committed.
 */
export interface ReplayQueue {
  enqueueRun(eventId: string, target: IngestTarget, replayOf: string | null): Awaitable<string>;
  notify(): void;
}

const tables = { runs, steps: stepsTable, events, runKeys, businessClaims, businessClaimUses };
type RunTables = typeof tables;

export class Runs {
  private readonly sql: SqlStore<RunTables>;

  constructor(
    store: AnyStore,
    private queue: ReplayQueue,
    private flows: RunFlows,
    private lookup: (t: string) => NodeType | undefined,
    /** The current version of a lookup table, from the host's lookup service (none: replays see no table changes). */
    private lookupVersion: (tableId: number) => Promise<number | undefined> = async () => undefined,
    private now = Date.now,
  ) {
    this.sql = store.sql(tables);
  }

  /** Newest first (by run id, which orders by creation); `before` pages on from the last run of a page. */
  async list(f: RunFilter = {}): Promise<RunSummary[]> {
    const { db } = this.sql;
    const { runs: r, runKeys: k } = this.sql.tables;
    const keyed = f.key
      ? exists(
          db
            .select({ one: sql`1` })
            .from(k)
            .where(and(eq(k.runId, r.id), eq(k.key, f.key.key), eq(k.value, f.key.value))),
        )
      : undefined;
    const where = and(
      f.flowId ? eq(r.flowId, f.flowId) : undefined,
      f.status ? eq(r.status, f.status) : undefined,
      f.from != null ? gte(r.createdAt, f.from) : undefined,
      f.to != null ? lt(r.createdAt, f.to) : undefined,
      f.before ? lt(r.id, f.before) : undefined,
      keyed,
      f.search ? (runSearchSql(this.sql, f.search) ?? undefined) : undefined,
    );
    const rows = await db
      .select()
      .from(r)
      .where(where)
      .orderBy(desc(r.id))
      .limit(Math.min(f.limit ?? 50, 1000));
    const [names, replays, triggers] = await Promise.all([this.orderNames(rows.map((x) => x.id)), this.replays(rows), this.triggers(rows)]);
    return rows.map((x) => {
      const name = names.get(x.id);
      const trigger = triggers.get(x.eventId);
      return { ...summary(x), ...(name ? { orderName: name } : {}), ...(trigger ? { trigger } : {}), ...replays.get(x.id) };
    });
  }

  /**
   * The source and topic of each run's event: one order's orders/create and orders/paid runs look alike otherwise
   * (same flow, same order, often the same error).
   */
  private async triggers(of: Array<{ eventId: string }>): Promise<Map<string, { source: string; topic: string | null }>> {
    const out = new Map<string, { source: string; topic: string | null }>();
    const ids = [...new Set(of.map((x) => x.eventId))];
    if (!ids.length) return out;
    const { events: e } = this.sql.tables;
    const rows = await this.sql.db.select({ id: e.id, source: e.source, topic: e.topic }).from(e).where(inArray(e.id, ids));
    for (const x of rows) out.set(x.id, { source: x.source, topic: x.topic });
    return out;
  }

  /**
   * The replays of each of these runs that has any (newest first), and the newest that succeeded, also through
   * replays of replays. Found by `replay_of` (the partial runs_replay_of index: a look-up however old the run), one
   * query per generation of replays, never one per run.
   */
  private async replays(of: Array<{ id: string }>): Promise<Map<string, Pick<RunSummary, 'replayedBy' | 'replaySucceededBy'>>> {
    const out = new Map<string, Pick<RunSummary, 'replayedBy' | 'replaySucceededBy'>>();
    if (!of.length) return out;
    const { db } = this.sql;
    const { runs: r } = this.sql.tables;
    const children = new Map<string, Array<{ id: string; status: string; createdAt: number }>>();
    const seen = new Set(of.map((x) => x.id));
    let parents = of;
    for (let generation = 0; parents.length && generation < REPLAY_GENERATIONS; generation++) {
      const rows = await db
        .select({ id: r.id, status: r.status, createdAt: r.createdAt, replayOf: r.replayOf })
        .from(r)
        .where(
          inArray(
            r.replayOf,
            parents.map((x) => x.id),
          ),
        )
        .orderBy(desc(r.id));
      for (const x of rows) {
        const list = children.get(x.replayOf!) ?? children.set(x.replayOf!, []).get(x.replayOf!)!;
        list.push({ id: x.id, status: x.status, createdAt: x.createdAt });
      }
      parents = rows.filter((x) => !seen.has(x.id));
      for (const x of parents) seen.add(x.id);
    }
    // The newest succeeded run among a run's replays, their replays, and so on.
    const succeeded = (id: string, visited = new Set<string>()): string | undefined => {
      let best: string | undefined;
      for (const c of children.get(id) ?? []) {
        if (visited.has(c.id)) continue;
        visited.add(c.id);
        const found = c.status === 'succeeded' ? c.id : undefined;
        const below = succeeded(c.id, visited);
        for (const candidate of [found, below]) if (candidate && (!best || candidate > best)) best = candidate;
      }
      return best;
    };
    for (const { id } of of) {
      const direct = children.get(id);
      if (!direct?.length) continue;
      const ok = succeeded(id);
      out.set(id, {
        replayedBy: direct.map((c) => ({ runId: c.id, status: c.status, createdAt: c.createdAt })),
        ...(ok ? { replaySucceededBy: ok } : {}),
      });
    }
    return out;
  }

  /**
   * The order name of each run that has one. Only an order's own webhooks carry its name: a refund's run carries the
   * order's id, and is named through the id a named run of the same order carries.
   */
  private async orderNames(runIds: string[]): Promise<Map<string, string>> {
    if (!runIds.length) return new Map();
    const { db } = this.sql;
    const { runKeys: k } = this.sql.tables;
    const rows = await db
      .select({ runId: k.runId, key: k.key, value: k.value })
      .from(k)
      .where(and(inArray(k.runId, runIds), inArray(k.key, ['shopifyOrderName', 'shopifyOrderId'])));
    const names = new Map<string, string>();
    const unnamed = new Map<string, string[]>();
    for (const x of rows) if (x.key === 'shopifyOrderName') names.set(x.runId, x.value);
    for (const x of rows) if (x.key === 'shopifyOrderId' && !names.has(x.runId)) (unnamed.get(x.value) ?? unnamed.set(x.value, []).get(x.value)!).push(x.runId);
    if (!unnamed.size) return names;
    const ids = sql.join(
      [...unnamed.keys()].map((v) => sql`${v}`),
      sql`, `,
    );
    const named = await this.sql.rows<{ order_id: string; name: string }>(
      sql`SELECT DISTINCT i.value AS order_id, n.value AS name FROM ${k} i JOIN ${k} n ON n.run_id = i.run_id AND n.key = 'shopifyOrderName' WHERE i.key = 'shopifyOrderId' AND i.value IN (${ids})`,
    );
    for (const x of named) for (const runId of unnamed.get(x.order_id) ?? []) names.set(runId, x.name);
    return names;
  }

  async get(runId: string): Promise<RunRecord> {
    const { db } = this.sql;
    const { runs: r, steps: s, runKeys: k, events: e } = this.sql.tables;
    const [run] = await db.select().from(r).where(eq(r.id, runId));
    if (!run) throw new NotFoundError(`run "${runId}"`);
    const [rows, keyRows, replays] = await Promise.all([
      // By node id: the order shown when the flow version is gone and there is no plan to order them by.
      db.select().from(s).where(eq(s.runId, runId)).orderBy(s.nodeId),
      db.select({ key: k.key, value: k.value }).from(k).where(eq(k.runId, runId)).orderBy(k.key),
      this.replays([run]),
    ]);
    const keys = Object.fromEntries(keyRows.map((x) => [x.key, x.value]));
    const byNode = new Map(rows.map((x) => [x.nodeId, x]));
    const outputs = new Map(rows.filter((x) => x.status === 'succeeded').map((x) => [x.nodeId, { port: x.port, output: parse(x.output) }]));
    let plan;
    let flowName: string | undefined;
    try {
      const { definition } = await this.flows.version(run.flowId, run.flowVersion);
      flowName = definition.name;
      plan = buildPlan(definition, this.lookup);
    } catch {
      plan = null;
    }
    // The event is the trigger step's input: read only when that step is shown.
    const stored =
      plan && byNode.has(plan.trigger.node.id) ? (await db.select({ payload: e.payload, body: e.body }).from(e).where(eq(e.id, run.eventId)))[0] : undefined;
    const event = stored ? eventPayloadValue(stored) : undefined;
    const ordered = plan ? plan.order.map((p) => p.node.id).filter((id) => byNode.has(id)) : [...byNode.keys()];
    // Runs in plan order, so a step stored by reference (stored-output.ts) finds its upstream outputs already rebuilt.
    const steps: StepRecord[] = [];
    for (const nodeId of ordered) {
      const st = byNode.get(nodeId)!;
      const p = plan?.byId.get(nodeId);
      // Inputs are not stored: they are the upstream outputs (or the event), rebuilt here exactly as the executor did.
      let input: unknown;
      if (p && plan) {
        if (p === plan.trigger) input = event;
        else {
          const active = p.incoming.filter((edge) => {
            const o = outputs.get(edge.source);
            return o && (o.port === null || edge.sourceHandle === undefined || edge.sourceHandle === o.port);
          });
          const sources = [...new Set(active.map((edge) => edge.source))];
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
      let output: unknown = st.output != null ? parse(st.output) : undefined;
      let rebuildError: string | undefined;
      if (st.output === OUTPUT_REBUILT && p && plan) {
        // Made again by its node from the same input (its trigger's: the stored event), as JSON would give it back.
        const trigger = p === plan.trigger ? input : outputs.get(plan.trigger.node.id)?.output;
        const ids = { runId, flowId: run.flowId, flowVersion: run.flowVersion, nodeId };
        try {
          const config = p.type.config.parse(p.node.config);
          output = JSON.parse(JSON.stringify((await rebuildOutput(p.type, ids, config, input, trigger, () => JSON.stringify(input ?? null))) ?? null));
        } catch (e) {
          // The event it is made from was changed since (a compliance redaction) or is gone: shown as not available.
          output = undefined;
          rebuildError = `the output of this step is made again from its input when shown, and that failed: ${(e as Error).message}`;
        }
        if (st.status === 'succeeded') outputs.set(nodeId, { port: st.port, output });
      } else if (isStoredReference(st.output) && p && plan) {
        output = resolveStored(st.output, input, () => (input === undefined ? undefined : JSON.parse(JSON.stringify(input))));
        if (st.status === 'succeeded') outputs.set(nodeId, { port: st.port, output });
      }
      steps.push({
        nodeId,
        type: p?.type.type,
        ...(p?.node.name ? { name: p.node.name } : {}),
        status: st.status,
        attempts: st.attempts,
        ...(st.port ? { port: st.port } : {}),
        ...(input !== undefined && st.status !== 'skipped' ? { input } : {}),
        ...(output !== undefined ? { output } : {}),
        ...(st.error ? { error: parse(st.error) } : rebuildError ? { error: { message: rebuildError, class: 'permanent' } } : {}),
        ...(st.reusedFrom ? { reusedFrom: st.reusedFrom } : {}),
        ...(st.reads ? { reads: parse(st.reads) } : {}),
        startedAt: st.startedAt,
        finishedAt: st.finishedAt,
        durationMs: st.startedAt != null && st.finishedAt != null ? st.finishedAt - st.startedAt : null,
      });
    }
    return { ...summary(run), ...replays.get(runId), ...(flowName ? { flowName } : {}), keys, steps };
  }

  /** Cancels a queued or running run; a running step finishes, but nothing after it starts. */
  async cancel(runId: string): Promise<RunSummary> {
    const { runs: r } = this.sql.tables;
    const changed = await this.sql.db
      .update(r)
      .set({ status: 'cancelled', finishedAt: this.now(), leaseOwner: null, leaseUntil: null })
      .where(and(eq(r.id, runId), inArray(r.status, ['queued', 'running'])))
      .returning({ id: r.id });
    const run = await this.get(runId);
    if (!changed.length) throw new RunStateError(`run "${runId}" is ${run.status}; only queued or running runs can be cancelled`);
    return run;
  }

  /**
   * What a replay would do, step by step, without doing it: see replay-plan.ts. `from`: the failed step (default),
   * the start, or a chosen step; the flow's active version unless one is given; `resend` names written steps the
   * caller confirms re-sending.
   */
  async planReplay(runId: string, opts: ReplayOptions = {}): Promise<ReplayPlan> {
    return (await this.prepareReplay(runId, opts)).plan;
  }

  private async prepareReplay(runId: string, opts: ReplayOptions): Promise<{ old: RunRecord; plan: ReplayPlan }> {
    const old = await this.get(runId);
    const from = opts.from ?? 'failed';
    const ok = from === 'failed' ? ['failed', 'cancelled'] : ['failed', 'cancelled', 'succeeded', 'skipped'];
    if (!ok.includes(old.status)) {
      throw new RunStateError(
        `run "${runId}" is ${old.status}; ${from === 'failed' ? 'only failed or cancelled runs can be replayed from the failed step (replay from the start or a chosen step instead)' : 'a queued or running run cannot be replayed'}`,
      );
    }
    const flow = await this.flows.get(old.flowId);
    const version = opts.version ?? flow.activeVersion ?? old.flowVersion;
    const target = buildPlan((await this.flows.version(old.flowId, version)).definition, this.lookup);
    // The planner is synchronous: what it may ask for is read first — the versions the steps ran under (to compare a
    // node's settings) and the documents posted under claims in this run and the runs its steps were reused from.
    const defs = new Map<number, Map<string, FlowNode> | null>();
    for (const v of new Set(old.steps.map((s) => s.reads?.flowVersion ?? old.flowVersion))) {
      if (v === version) continue;
      try {
        defs.set(v, new Map((await this.flows.version(old.flowId, v)).definition.nodes.map((n) => [n.id, n])));
      } catch {
        defs.set(v, null);
      }
    }
    const claimed = await this.claimedDocuments([old.runId, ...old.steps.flatMap((s) => (s.reusedFrom ? [s.reusedFrom] : []))]);
    // The planner is synchronous: the current versions of the tables the run's steps read are read first.
    const tableIds = [...new Set(old.steps.flatMap((s) => (s.reads?.lookups ?? []).map((r) => r.tableId)))];
    const versions = new Map(await Promise.all(tableIds.map(async (id) => [id, await this.lookupVersion(id)] as const)));
    const plan = planReplay({
      old,
      target,
      targetVersion: version,
      from,
      resend: new Set(opts.resend ?? []),
      nodeIn: (v, nodeId) => defs.get(v)?.get(nodeId),
      lookupVersion: (id) => versions.get(id),
      documents: (runIds, nodeId) => {
        const seen = new Set<string>();
        return claimed.filter((c) => c.nodeId === nodeId && runIds.includes(c.usedBy) && !seen.has(c.key) && !!seen.add(c.key)).map((c) => c.document ?? c.key);
      },
    });
    return { old, plan };
  }

  /** The completed business-key claims the steps of these runs used, oldest first (claims.ts). */
  private async claimedDocuments(runIds: string[]) {
    const { businessClaims: c, businessClaimUses: u } = this.sql.tables;
    return this.sql.db
      .select({ key: c.key, document: c.document, usedBy: u.runId, nodeId: u.nodeId })
      .from(u)
      .innerJoin(c, eq(c.key, u.key))
      .where(and(eq(c.state, 'done'), inArray(u.runId, [...new Set(runIds)])))
      .orderBy(c.completedAt, c.key, u.runId, u.nodeId);
  }

  /**
   * Starts a new run of the same event as planned by planReplay: reused steps keep their outputs (and what they read);
   * the others run again. Refused while a step that may post a second time waits for confirmation.
   */
  async replay(runId: string, opts: ReplayOptions = {}): Promise<{ runId: string; flowVersion: number; reused: string[]; plan: ReplayPlan }> {
    const { old, plan } = await this.prepareReplay(runId, opts);
    const resend = new Set(opts.resend ?? []);
    const waiting = plan.steps.filter((s) => s.action === 'rerun' && s.needsConfirmation && !resend.has(s.nodeId));
    if (waiting.length) {
      throw new RunStateError(
        `step ${waiting.map((s) => `"${s.nodeId}"`).join(', ')} may already have taken effect; check the target system, then confirm re-sending it (resend)`,
      );
    }
    const { db } = this.sql;
    const { steps: s } = this.sql.tables;
    // A reused step stored by reference is copied with its text: in the replay its upstream may run again and differ.
    const stored = await db.select({ nodeId: s.nodeId, output: s.output }).from(s).where(eq(s.runId, runId));
    const byReference = stored.filter((r) => isStoredReference(r.output) && plan.reused.includes(r.nodeId)).map((r) => r.nodeId);
    const newRunId = await this.sql.tx(async () => {
      const id = await this.queue.enqueueRun(old.eventId, { flowId: old.flowId, version: plan.flowVersion }, runId);
      if (!plan.reused.length) return id;
      // The reused steps' rows, as they are, under the new run (reused_from: the run that executed them first).
      await db.insert(s).select(
        db
          .select({
            runId: sql<string>`${id}`.as('run_id'),
            nodeId: s.nodeId,
            status: s.status,
            attempts: s.attempts,
            port: s.port,
            output: s.output,
            error: sql<null>`NULL`.as('error'),
            reusedFrom: sql<string>`COALESCE(${s.reusedFrom}, ${runId})`.as('reused_from'),
            startedAt: s.startedAt,
            finishedAt: s.finishedAt,
            reads: s.reads,
          })
          .from(s)
          .where(and(eq(s.runId, runId), inArray(s.nodeId, plan.reused), eq(s.status, 'succeeded'))),
      );
      for (const nodeId of byReference) {
        await db
          .update(s)
          .set({ output: JSON.stringify(old.steps.find((st) => st.nodeId === nodeId)?.output ?? null) })
          .where(and(eq(s.runId, id), eq(s.nodeId, nodeId)));
      }
      return id;
    });
    this.queue.notify();
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
