// Runs one claimed run through its flow version, persisting every step, so a crash resumes after the last
// completed step and never runs a succeeded step again.
import type { EventEmitter } from 'node:events';
import type { AnyStore } from './store/any-store.ts';
import type { FlowStore } from './flow-store.ts';
import type { ClaimedRun, RunQueue } from './queue.ts';
import { buildPlan, type Plan, type PlannedNode } from './plan.ts';
import { backoffMs, defaultRetry } from './retry.ts';
import { StepState } from './step-state.ts';
import { inputWithText, isStoredReference, OUTPUT_IS_INPUT, OUTPUT_REBUILT, resolveStored } from './stored-output.ts';
import { rebuildContext, rebuildOutput } from './rebuild-output.ts';
import { StepReconciliation } from './reconciliation/records.ts';
import { StepPayoutRows } from './reconciliation/payout-rows.ts';
import { describeError, type StepError } from './errors.ts';
import { ClaimStore } from './claims.ts';
import { type RunSteps, runStepsOf, type StepCommit, type StepWrite } from './run-steps.ts';
import { eventPayloadText, eventPayloadValue, type StoredEvent } from './event-payload.ts';
import {
  InputWith,
  isRouted,
  isSkipped,
  JsonText,
  WithJson,
  type ConfigRead,
  type Logger,
  type NodeContext,
  type NodeServices,
  type NodeType,
  type SkipReason,
} from './node-api.ts';
import type { Sandbox } from './sandbox/types.ts';
import type { LookupSource, LookupUse } from './node-api/lookups.ts';
import type { RetryPolicy } from '../flows/schema.ts';

export interface ExecutorDeps {
  store: AnyStore;
  flows: FlowStore;
  queue: RunQueue;
  lookup: (type: string) => NodeType | undefined;
  sandbox: Sandbox;
  connection: (kind: string, id: string) => Promise<unknown>;
  services: NodeServices;
  /** Per-flow services replacing `services` (e.g. test runs of drafts get sinks that reach no production view). */
  servicesFor?: (flowId: string) => NodeServices | undefined;
  log: Logger;
  events: EventEmitter;
  now: () => number;
  maxOutputBytes: number;
  /**
   * How long succeeded steps of idempotent nodes may wait in memory to share one commit with the steps after them
   * (default 250 ms; 0 commits every step on its own). A crash loses only such steps, which the resumed run re-runs.
   */
  stepBatchMs?: number;
  /** Applied to every step output and error before it is stored (the host removes credentials it knows). */
  redact?: (jsonText: string) => string;
}

/** What a succeeded step read: the flow version it ran under (its node's settings) and the lookup table versions. */
export interface StepReads {
  flowVersion: number;
  lookups: ConfigRead[];
}

export type RunOutcome = 'succeeded' | 'failed' | 'skipped' | 'deferred' | 'lost';
type FinalStatus = 'succeeded' | 'failed' | 'skipped';

interface Produced {
  port: string | null;
  /** The output's JSON text, made when first needed (jsonOf): an output stored by reference may never need it. */
  json?: string;
  /** What is stored for it when that is not `json`: a reference (stored-output.ts). */
  stored?: string;
  /** Where `json` and `raw` come from when they are another output's (a passed-on input). */
  from?: StepInput;
  value?: unknown;
  /** One JsonText per output, shared by every consumer, so the sandbox can keep it resident and reuse it. */
  raw?: JsonText;
}

const jsonOf = (p: Produced): string => (p.json ??= p.from ? p.from.text() : JSON.stringify(p.value === undefined ? null : p.value));
const rawOf = (p: Produced): JsonText => (p.raw ??= p.from ? p.from.raw() : new JsonText(jsonOf(p)));
const storedOf = (p: Produced): string => p.stored ?? jsonOf(p);

/** A step's input: its value (parsed once, shared) and its text, made when a node asks for it. */
interface StepInput {
  value: unknown;
  text(): string;
  raw(): JsonText;
}

export { OUTPUT_IS_INPUT };

/** Above this much buffered output a batch is committed whatever its age (bounds the memory a run holds). */
const MAX_PENDING_BYTES = 1 << 20;

export class Executor {
  private plans = new Map<string, Plan>();
  private configs = new WeakMap<PlannedNode, unknown>();
  private claims: ClaimStore;
  /** The run's steps in the store: the per-step commit and run finish hot path, each dialect its own way (run-steps.ts). */
  private steps: RunSteps;

  constructor(private d: ExecutorDeps) {
    this.claims = new ClaimStore(d.store, d.now);
    this.steps = runStepsOf(d.store);
  }

  async plan(flowId: string, version: number): Promise<Plan> {
    const key = `${flowId}@${version}`;
    let p = this.plans.get(key);
    if (!p) {
      p = buildPlan((await this.d.flows.version(flowId, version)).definition, this.d.lookup);
      this.plans.set(key, p);
    }
    return p;
  }

  async execute(run: ClaimedRun, owner: string, signal: AbortSignal): Promise<RunOutcome> {
    const { d } = this;
    let plan: Plan;
    try {
      plan = await this.plan(run.flowId, run.flowVersion);
    } catch (e) {
      return this.finishRun(run, owner, 'failed', { message: `cannot load flow version: ${(e as Error).message}`, class: 'permanent' });
    }
    const loaded = await this.steps.load(run.id, run.eventId);
    const rows = new Map(loaded.steps.map((r) => [r.nodeId, r]));
    const produced = new Map<string, Produced | null>(); // null = skipped
    const event = loaded.event;
    if (event === undefined) return this.finishRun(run, owner, 'failed', { message: `event ${run.eventId} is missing`, class: 'permanent' });

    // Succeeded steps of idempotent nodes are committed together with what follows them (the next step that must be
    // durable at once, the run's end, or when the batch grows old or large), not one transaction each: re-running
    // them after a crash is safe by definition, and a commit per step was the largest cost of a short run.
    const batchMs = d.stepBatchMs ?? 250;
    const pending: StepWrite[] = [];
    let pendingBytes = 0;
    let pendingSince = 0;
    /** The held steps, to land first in the next commit (which writes them only while the run is still ours). */
    const takePending = (): StepWrite[] => {
      pendingBytes = 0;
      return pending.splice(0);
    };
    // Held steps written while the run is still ours (a drained or lease-lost run keeps what it finished).
    // Lookup uses the steps recorded (`recordUse`), kept with them and written in the transaction that lands them, where
    // the host's lookup source can do so (`recordUsesInCommit`): a commit per use was a cost of every lookup step.
    const usesRec = (d.servicesFor?.(run.flowId) ?? d.services).lookups?.recordUsesInCommit;
    // A connection is resolved once per run (each resolution checks the store for a change: three reads an order), so
    // the steps of one run also use one version of it; a deferred run resolves afresh when it resumes.
    const connections = new Map<string, Promise<unknown>>();
    const pendingUses: LookupUse[] = [];
    /** Every commit of the run lands the held steps (takePending), and with them the uses they recorded. */
    const commit = (c: StepCommit): Promise<boolean> => this.steps.commit(run.id, owner, withUses(c, pendingUses.splice(0), usesRec));
    const flush = async (): Promise<boolean> => (pending.length ? commit({ steps: takePending() }) : true);
    const hold = (x: StepWrite) => {
      if (!pending.length) pendingSince = d.now();
      pending.push(x);
      pendingBytes += x.output?.length ?? 0;
    };

    for (const p of plan.order) {
      if (signal.aborted) {
        // Told to stop (a draining worker, or the lease lost): keep what is done while the run is still ours.
        await flush();
        return 'lost';
      }
      const id = p.node.id;
      const row = rows.get(id);
      if (row?.status === 'succeeded') {
        if (row.output === OUTPUT_REBUILT) {
          // Its node makes it again from its input (rebuildsOutput): the trigger's, from the stored event.
          const from = p === plan.trigger ? triggerInput(event) : this.gatherInput(p, produced);
          try {
            const trigger = p === plan.trigger ? from?.value : producedValue(produced.get(plan.trigger.node.id) ?? null);
            const value = from ? await rebuildOutput(p.type, idsOf(run, p), this.configOf(p), from.value, trigger, from.text) : null;
            produced.set(id, { port: row.port, value, stored: OUTPUT_REBUILT });
          } catch (e) {
            return this.failStep(run, owner, p, row.attempts, d.now(), describeError(e, id), takePending(), withUses({}, pendingUses.splice(0), usesRec).also);
          }
          continue;
        }
        if (isStoredReference(row.output)) {
          // Stored by reference: rebuilt from its input, itself rebuilt from the steps before it.
          const from = this.gatherInput(p, produced);
          const value = from ? resolveStored(row.output, from.value, () => JSON.parse(from.text())) : null;
          produced.set(
            id,
            row.output === OUTPUT_IS_INPUT && from ? { port: row.port, value, from, stored: row.output } : { port: row.port, value, stored: row.output },
          );
        } else produced.set(id, { port: row.port, json: row.output ?? 'null' });
        continue;
      }
      if (row?.status === 'skipped') {
        produced.set(id, null);
        continue;
      }
      const input: StepInput | null = p === plan.trigger ? triggerInput(event) : this.gatherInput(p, produced);
      if (!input) {
        hold(this.stepWrite(id, 'skipped', row?.attempts ?? 0, null, null, null, d.now(), d.now()));
        produced.set(id, null);
        continue;
      }
      const retry: RetryPolicy = { ...defaultRetry, ...plan.flow.settings?.retry, ...p.node.retry };
      const guarded = !p.type.idempotent && !p.node.idempotencyKey;
      if (row?.status === 'running' && guarded) {
        // We crashed while this step ran: it may or may not have taken effect, and nothing makes a re-run safe.
        return this.failStep(
          run,
          owner,
          p,
          row.attempts,
          d.now(),
          {
            message: `interrupted while running non-idempotent node "${id}" (${p.type.type}); it may have taken effect. Check the target system, then replay or give the node an idempotency key.`,
            class: 'ambiguous',
            nodeId: id,
          },
          takePending(),
          withUses({}, pendingUses.splice(0), usesRec).also,
        );
      }
      const attempts = (row?.attempts ?? 0) + 1;
      const startedAt = d.now();
      // Only non-idempotent steps need a durable "started" mark: it is what tells a resumed run not to repeat them.
      // The steps before it land first, in the same transaction.
      if (!p.type.idempotent) {
        const marked = await commit({ steps: takePending(), running: { nodeId: id, attempts, startedAt } });
        if (!marked) return 'lost';
      }

      const state = new StepState(d.store, run.flowId, d.now);
      const recon = new StepReconciliation(d.store, run.flowId, d.now);
      const payoutRows = new StepPayoutRows(d.store, run.flowId);
      const reads: ConfigRead[] = [];
      const stepUses: LookupUse[] | null = usesRec ? [] : null;
      let out: Produced;
      let skip: SkipReason | null = null;
      try {
        const value = input.value;
        const trigger = p === plan.trigger ? value : producedValue(produced.get(plan.trigger.node.id) ?? null);
        // A node that rebuilds its output runs with only its settings, first time as on a rebuild (rebuild-output.ts).
        const ctx = p.type.rebuildsOutput
          ? rebuildContext(p.type, idsOf(run, p), this.configOf(p), trigger, input.raw, this.stepLog(run, p))
          : await this.context(run, p, attempts, value, input.raw, trigger, state, recon, payoutRows, signal, stepUses, connections);
        ctx.readConfig = (r) => {
          if (!reads.some((x) => x.tableId === r.tableId)) reads.push({ kind: r.kind, table: r.table, scope: r.scope, tableId: r.tableId, version: r.version });
        };
        const result = await p.type.execute(ctx, value);
        if (isSkipped(result)) {
          skip = { code: result.code, message: result.message, ...(result.details ? { details: result.details } : {}) };
          out = { port: null, json: JSON.stringify({ skipped: true, ...skip }) };
        } else out = this.toProduced(result, p === plan.trigger ? null : input, p.type.rebuildsOutput === true);
        // An output stored by reference is its input (already held to the limit) and what it stores.
        const size = (out.json ?? storedOf(out)).length;
        if (size > d.maxOutputBytes)
          throw Object.assign(new Error(`output of node "${id}" is ${size} bytes, over the ${d.maxOutputBytes}-byte limit`), {
            errorClass: 'permanent',
          });
      } catch (e) {
        await recon.discard();
        const err = describeError(e, id);
        const retryable = err.class === 'transient' || (err.class === 'ambiguous' && !guarded);
        if (retryable && attempts < retry.maxAttempts && !signal.aborted) {
          const delay = Math.max(backoffMs(retry, attempts), err.retryAfterMs ?? 0);
          const deferred = await commit({
            steps: [...takePending(), this.stepWrite(id, 'retrying', attempts, null, null, err, startedAt, d.now())],
            defer: { availableAt: d.now() + delay },
          });
          if (!deferred) return 'lost';
          d.log.warn({ runId: run.id, nodeId: id, attempt: attempts, delayMs: delay, error: err.message }, 'step failed, will retry');
          this.emitStep(run, p, 'retrying', startedAt);
          return 'deferred';
        }
        return this.failStep(run, owner, p, attempts, startedAt, err, takePending(), withUses({}, pendingUses.splice(0), usesRec).also);
      }
      if (stepUses) pendingUses.push(...stepUses);
      const reason = skip ? { ...skip, nodeId: id } : null;
      const done = this.stepWrite(id, 'succeeded', attempts, out.port, storedOf(out), null, startedAt, d.now(), {
        flowVersion: run.flowVersion,
        lookups: reads,
      });
      // A step that wrote flow state, reconciliation records or payout row drops commits at once (the next step may read them), as
      // does one that ends the run by skipping it: a resumed run never carries on past the skip.
      if (
        !reason &&
        batchMs > 0 &&
        p.type.idempotent &&
        !state.staged &&
        !recon?.staged &&
        !payoutRows?.staged &&
        pendingBytes + (done.output?.length ?? 0) < MAX_PENDING_BYTES &&
        (!pending.length || d.now() - pendingSince < batchMs)
      ) {
        hold(done);
      } else {
        const landing: StepCommit = {
          steps: [...takePending(), done],
          also: {
            sqlite: () => {
              state.commitSqlite();
              recon.commitSync();
              payoutRows.commitSync();
            },
            pg: async () => {
              await state.commit();
              await recon.commit();
              await payoutRows.commit();
            },
          },
          ...(reason ? { finish: this.finishOf('skipped', reason) } : {}),
        };
        let committed: boolean;
        try {
          committed = await commit(landing);
        } finally {
          await recon.discard();
        }
        if (!committed) return 'lost';
      }
      if (reason) {
        this.emitStep(run, p, 'succeeded', startedAt);
        return this.announce(run, 'skipped', reason);
      }
      produced.set(id, out);
      this.emitStep(run, p, 'succeeded', startedAt);
    }
    const finished = await commit({ steps: takePending(), finish: this.finishOf('succeeded', null) });
    return finished ? this.announce(run, 'succeeded', null) : 'lost';
  }

  /** The step's input: the output of its single active upstream, or `{ [sourceId]: output }` when several join. */
  private gatherInput(p: PlannedNode, produced: Map<string, Produced | null>): StepInput | null {
    const active: Array<[string, Produced]> = [];
    for (const e of p.incoming) {
      const src = produced.get(e.source);
      if (!src) continue;
      if (src.port !== null && e.sourceHandle !== undefined && e.sourceHandle !== src.port) continue;
      if (!active.some(([s]) => s === e.source)) active.push([e.source, src]);
    }
    if (active.length === 0) return null;
    const [only] = active;
    if (only && active.length === 1) {
      const o = only[1];
      return { value: producedValue(o), text: () => jsonOf(o), raw: () => rawOf(o) };
    }
    // The upstream values are already parsed (or parse once, shared with their other consumers): the join's value is
    // made of them rather than of a second parse of the same text; its text is made only if a node asks for it.
    const value = Object.fromEntries(active.map(([s, o]) => [s, producedValue(o)]));
    let json: string | undefined;
    let raw: JsonText | undefined;
    const text = () => (json ??= `{${active.map(([s, o]) => `${JSON.stringify(s)}:${jsonOf(o)}`).join(',')}}`);
    return { value, text, raw: () => (raw ??= new JsonText(text())) };
  }

  private async context(
    run: ClaimedRun,
    p: PlannedNode,
    attempt: number,
    value: unknown,
    raw: () => JsonText,
    trigger: unknown,
    state: StepState,
    recon: StepReconciliation | undefined,
    payoutRows: StepPayoutRows | undefined,
    signal: AbortSignal,
    uses: LookupUse[] | null,
    connections: Map<string, Promise<unknown>>,
  ): Promise<NodeContext> {
    const d = this.d;
    const services = d.servicesFor?.(run.flowId) ?? d.services;
    const ctx: NodeContext = {
      runId: run.id,
      flowId: run.flowId,
      flowVersion: run.flowVersion,
      nodeId: p.node.id,
      attempt,
      config: this.configOf(p),
      trigger,
      // Made when a node reads it (code, branch and mapping expressions, the table lookup): most nodes never do.
      get rawInput() {
        return raw();
      },
      log: this.stepLog(run, p),
      sandbox: d.sandbox,
      state,
      claims: this.claims.forRun(run.id, run.flowId, p.node.id),
      connection: <T>(kind: string, id: string) => {
        const key = `${kind}\u0000${id}`;
        let c = connections.get(key);
        if (!c) connections.set(key, (c = d.connection(kind, id)));
        return c as Promise<T>;
      },
      lookups: uses && services.lookups ? stagingUses(services.lookups, uses) : services.lookups,
      exceptions: services.exceptions,
      monitoring: services.monitoring,
      ...(recon ? { reconciliation: (scope: string) => recon.scope(scope) } : {}),
      ...(payoutRows ? { payoutRows: (scope: string) => payoutRows.scope(scope) } : {}),
      signal,
      now: () => new Date(d.now()),
    };
    if (p.node.idempotencyKey) {
      const source = p.node.idempotencyKey;
      // A plain property path (`trigger.order.id`) runs no code, so it is read here instead of costing a sandbox call.
      const key = PROPERTY_PATH.test(source)
        ? readPath({ input: value, trigger }, source)
        : (await d.sandbox.run({ nodeId: p.node.id, kind: 'expression', source, vars: { input: value, trigger } })).value;
      const r = { value: key };
      if (r.value === null || r.value === undefined || r.value === '') {
        throw Object.assign(new Error(`idempotency key expression of node "${p.node.id}" gave an empty value`), { errorClass: 'permanent' });
      }
      ctx.idempotencyKey = `${run.flowId}:${p.node.id}:${typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}`;
    }
    return ctx;
  }

  private stepLog(run: ClaimedRun, p: PlannedNode): Logger {
    const log = this.d.log;
    return {
      debug: (o, m) => log.debug(withIds(o, run, p), m),
      info: (o, m) => log.info(withIds(o, run, p), m),
      warn: (o, m) => log.warn(withIds(o, run, p), m),
      error: (o, m) => log.error(withIds(o, run, p), m),
    };
  }

  /**
   * A node's parsed settings, once per flow version (the plan is per version): parsing them with zod for every step
   * was a cost of its own on the hot path. Nodes read their config and never change it.
   */
  private configOf(p: PlannedNode): unknown {
    if (this.configs.has(p)) return this.configs.get(p);
    const c = p.type.config.parse(p.node.config);
    this.configs.set(p, c);
    return c;
  }

  /**
   * `input`: the step's input when its output may be stored by reference to it (not the trigger's: that is the event).
   * `rebuilt`: the node makes the output again from its input when it is read back, so only a reference is stored.
   */
  private toProduced(result: unknown, input: StepInput | null, rebuilt: boolean): Produced {
    let port: string | null = null;
    let v = result;
    if (isRouted(v)) {
      port = v.port;
      v = v.data;
    }
    if (v instanceof WithJson) return { port, value: v.value, json: v.json, ...(rebuilt ? { stored: OUTPUT_REBUILT } : {}) };
    if (rebuilt) return { port, value: v instanceof InputWith ? v.value : v === undefined ? null : v, stored: OUTPUT_REBUILT };
    // Derived from the input: stored by reference (stored-output.ts), and its JSON text made only if a later node or
    // the size check needs it (bench/README.md "Order to ERP": JSON.stringify of every output, the order copied).
    if (v instanceof InputWith) return input ? { port, value: v.value, stored: inputWithText(v.value, v.changed) } : { port, value: v.value };
    // A node that passes its input on (a gate) gives back the very object it was handed. Nodes never change their
    // input in place (it is shared by every consumer of the upstream output).
    if (input && v !== null && typeof v === 'object' && v === input.value) return { port, value: v, from: input, stored: OUTPUT_IS_INPUT };
    const json = JSON.stringify(v === undefined ? null : v);
    return { port, value: v === undefined ? null : v, json };
  }

  /** A step row as it is stored: output and error redacted, what it read as JSON text. */
  private stepWrite(
    nodeId: string,
    status: string,
    attempts: number,
    port: string | null,
    output: string | null,
    error: StepError | null,
    startedAt: number,
    finishedAt: number,
    reads: StepReads | null = null,
  ): StepWrite {
    const redact = this.d.redact;
    let errorText = error ? JSON.stringify(error) : null;
    if (redact) {
      if (output !== null) output = redact(output);
      if (errorText !== null) errorText = redact(errorText);
    }
    return { nodeId, status, attempts, port, output, error: errorText, reads: reads ? JSON.stringify(reads) : null, startedAt, finishedAt };
  }

  private async failStep(
    run: ClaimedRun,
    owner: string,
    p: PlannedNode,
    attempts: number,
    startedAt: number,
    err: StepError,
    before: readonly StepWrite[] = [],
    also?: StepCommit['also'],
  ): Promise<RunOutcome> {
    // The failed step and the failed run land together: a crash between them would otherwise leave a run that a
    // later claim resumes at a failed (perhaps ambiguous, non-idempotent) step. The steps that succeeded before it
    // land with them (a replay from the failed step reuses their outputs).
    const finished = await this.steps.commit(run.id, owner, {
      steps: [...before, this.stepWrite(p.node.id, 'failed', attempts, null, null, err, startedAt, this.d.now())],
      finish: this.finishOf('failed', err),
      ...(also ? { also } : {}),
    });
    if (!finished) return 'lost';
    this.emitStep(run, p, 'failed', startedAt);
    return this.announce(run, 'failed', err);
  }

  private async finishRun(run: ClaimedRun, owner: string, status: FinalStatus, error: StepError | null): Promise<RunOutcome> {
    return (await this.steps.finish(run.id, owner, this.finishOf(status, error))) ? this.announce(run, status, error) : 'lost';
  }

  /** `error` holds the failure of a failed run, and the reason (code, message, node) of a skipped one. */
  private finishOf(status: FinalStatus, error: StepError | (SkipReason & { nodeId: string }) | null): NonNullable<StepCommit['finish']> {
    const errorText = error ? JSON.stringify(error) : null;
    return { status, error: errorText && this.d.redact ? this.d.redact(errorText) : errorText, at: this.d.now() };
  }

  /**
   * Logs the outcome and tells the `run` listeners, awaiting those that return a promise (the exception inbox writes
   * through the asynchronous store): until they settle the run stays in flight, so `drain()` and a stopping worker
   * wait for what they write. A listener that throws or rejects is logged; the run's outcome stands.
   */
  private async announce(run: ClaimedRun, status: FinalStatus, error: { message: string; nodeId?: string } | null): Promise<RunOutcome> {
    // The one line a run gets. One that succeeded is logged at debug: at hundreds a second an info line each was ≈ 3 %
    // of a run's CPU (a write to stdout per line, and whatever reads it); the run list and the metrics count them. A
    // failure is a warning, a skip is information.
    const log = this.d.log;
    (status === 'succeeded' ? log.debug : status === 'failed' ? log.warn : log.info).call(
      log,
      {
        runId: run.id,
        flowId: run.flowId,
        version: run.flowVersion,
        status,
        ms: run.startedAt === null ? undefined : this.d.now() - run.startedAt,
        ...(error ? { [status === 'skipped' ? 'reason' : 'error']: error.message, nodeId: error.nodeId } : {}),
      },
      `run ${status}`,
    );
    // replayOf rides along so listeners (the exceptions hook) need not read the run back for it.
    const e = { runId: run.id, flowId: run.flowId, status, startedAt: run.startedAt, replayOf: run.replayOf };
    const settling: Promise<unknown>[] = [];
    // rawListeners, so that a `once` listener is removed as emit() would remove it.
    for (const listener of this.d.events.rawListeners('run')) {
      try {
        const r: unknown = listener.call(this.d.events, e);
        if (r instanceof Promise) settling.push(r);
      } catch (err) {
        this.d.log.error({ runId: run.id, err: (err as Error).message }, 'a run listener failed');
      }
    }
    for (const r of await Promise.allSettled(settling))
      if (r.status === 'rejected') this.d.log.error({ runId: run.id, err: (r.reason as Error)?.message }, 'a run listener failed');
    return status;
  }

  private emitStep(run: ClaimedRun, p: PlannedNode, status: string, startedAt: number) {
    this.d.events.emit('step', { runId: run.id, flowId: run.flowId, nodeId: p.node.id, type: p.type.type, status, durationMs: this.d.now() - startedAt });
  }
}

const PROPERTY_PATH = /^(input|trigger)(\.[A-Za-z_$][\w$]*|\[\d+\])*$/;

function readPath(root: Record<string, unknown>, path: string): unknown {
  let cur: unknown = root;
  for (const seg of path.split(/\.|\[|\]/).filter(Boolean)) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** `c` with the lookup uses of the steps it lands, written in its transaction (before the step's other writes). */
function withUses(c: StepCommit, uses: readonly LookupUse[], rec: LookupSource['recordUsesInCommit']): StepCommit {
  if (!rec || !uses.length) return c;
  const also = c.also;
  return {
    ...c,
    also: {
      sqlite: () => {
        rec.sqlite(uses);
        also?.sqlite();
      },
      pg: async () => {
        await rec.pg(uses);
        await also?.pg();
      },
    },
  };
}

/** The lookup source as a step sees it: the uses it records are kept for the step's commit. */
function stagingUses(src: LookupSource, uses: LookupUse[]): LookupSource {
  return Object.assign(Object.create(src) as LookupSource, {
    recordUse: async (u: LookupUse) => {
      uses.push(u);
    },
  });
}

function producedValue(p: Produced | null): unknown {
  if (!p) return undefined;
  if (p.value === undefined) p.value = JSON.parse(jsonOf(p));
  return p.value;
}

/** The trigger's input: the stored event, parsed for the trigger node; its JSON text made only if a node asks. */
function triggerInput(event: StoredEvent): StepInput {
  let text: string | undefined;
  let raw: JsonText | undefined;
  const textOf = () => (text ??= eventPayloadText(event));
  return { value: eventPayloadValue(event), text: textOf, raw: () => (raw ??= new JsonText(textOf())) };
}

const idsOf = (run: ClaimedRun, p: PlannedNode) => ({ runId: run.id, flowId: run.flowId, flowVersion: run.flowVersion, nodeId: p.node.id });

function withIds(o: object | string, run: ClaimedRun, p: PlannedNode) {
  const base = { runId: run.id, flowId: run.flowId, nodeId: p.node.id };
  return typeof o === 'string' ? { ...base, msg: o } : { ...base, ...o };
}
