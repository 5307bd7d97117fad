// A flow run in memory on a past event, writing nothing anywhere: no step, no run, no flow state, no claim, no ERP
// or Shopify write. 'Pure' nodes execute; nodes that write say what they would write (`NodeType.dryRun`); a node
// that cannot say stops its branch. Used to try a change on the last real events before it goes live.
import { buildPlan, type PlannedNode } from './plan.ts';
import { StepState } from './step-state.ts';
import { describeError, type StepError } from './errors.ts';
import {
  isRouted,
  isSkipped,
  JsonText,
  WithJson,
  InputWith,
  type Logger,
  type NodeContext,
  type NodeServices,
  type NodeType,
  type SkipReason,
  type WouldWrite,
} from './node-api.ts';
import type { Sandbox } from './sandbox/types.ts';
import type { AnyStore } from './store/any-store.ts';
import type { Flow } from '../flows/schema.ts';

export interface DryRunDeps {
  store: AnyStore;
  lookup: (type: string) => NodeType | undefined;
  sandbox: Sandbox;
  connection: (kind: string, id: string) => Promise<unknown>;
  /** What nodes reach as ctx.lookups, ctx.exceptions...: the host gives sinks that reach no production view. */
  services: NodeServices;
  log: Logger;
  now: () => number;
}

export type DryStepStatus = 'ran' | 'simulated' | 'skipped' | 'failed' | 'stopped';

export interface DryRunStep {
  nodeId: string;
  type: string;
  status: DryStepStatus;
  output?: unknown;
  writes?: WouldWrite[];
  error?: StepError;
  /** Why the node did not run (`stopped`). */
  reason?: string;
}

export interface DryRunResult {
  /** `stopped`: a node that writes and cannot tell what was reached; what came before it is still reported. */
  status: 'succeeded' | 'failed' | 'skipped' | 'stopped';
  steps: DryRunStep[];
  writes: Array<WouldWrite & { nodeId: string }>;
  error?: StepError;
  skip?: SkipReason & { nodeId: string };
}

interface Produced {
  port: string | null;
  value: unknown;
}

/** Runs `flow` on one event payload (the stored event's JSON text). `flowId` scopes state reads and lookups. */
export async function dryRunFlow(
  d: DryRunDeps,
  flow: Flow,
  payload: string,
  opts: { flowId: string; flowVersion: number; runId: string; signal?: AbortSignal },
): Promise<DryRunResult> {
  const plan = buildPlan(flow, d.lookup);
  const produced = new Map<string, Produced | null>();
  const steps: DryRunStep[] = [];
  const writes: DryRunResult['writes'] = [];
  let stopped = false;
  const signal = opts.signal ?? new AbortController().signal;
  for (const p of plan.order) {
    const id = p.node.id;
    const input = p === plan.trigger ? { value: JSON.parse(payload) as unknown, raw: new JsonText(payload) } : gather(p, produced);
    if (!input) {
      produced.set(id, null);
      continue;
    }
    const mode = p.type.dryRun;
    if (!mode) {
      steps.push({
        nodeId: id,
        type: p.type.type,
        status: 'stopped',
        reason: `"${p.type.title}" writes to a system and cannot tell what it would write, so a dry run stops before it`,
      });
      produced.set(id, null);
      stopped = true;
      continue;
    }
    const trigger = p === plan.trigger ? input.value : produced.get(plan.trigger.node.id)?.value;
    try {
      const ctx = context(d, p, opts, input.raw ?? new JsonText(JSON.stringify(input.value ?? null)), trigger, signal);
      if (mode === 'pure') {
        const result = await p.type.execute(ctx, input.value);
        if (isSkipped(result)) return skipped(steps, writes, p, result);
        const out = unwrap(result);
        steps.push({ nodeId: id, type: p.type.type, status: 'ran', output: out.value });
        produced.set(id, out);
      } else {
        const r = await mode(ctx, input.value);
        const mine = r.writes.map((w) => ({ ...w, nodeId: id }));
        writes.push(...mine);
        if (r.output !== undefined && isSkipped(r.output)) return skipped(steps, writes, p, r.output, r.writes);
        steps.push({ nodeId: id, type: p.type.type, status: 'simulated', writes: r.writes, ...(r.output !== undefined ? { output: r.output } : {}) });
        produced.set(id, r.output === undefined ? null : unwrap(r.output));
      }
    } catch (e) {
      const error = describeError(e, id);
      steps.push({ nodeId: id, type: p.type.type, status: 'failed', error });
      return { status: 'failed', steps, writes, error };
    }
  }
  return { status: stopped ? 'stopped' : 'succeeded', steps, writes };
}

function skipped(steps: DryRunStep[], writes: DryRunResult['writes'], p: PlannedNode, s: SkipReason, w?: WouldWrite[]): DryRunResult {
  const skip = { code: s.code, message: s.message, ...(s.details ? { details: s.details } : {}), nodeId: p.node.id };
  steps.push({ nodeId: p.node.id, type: p.type.type, status: 'skipped', output: { skipped: true, ...skip }, ...(w ? { writes: w } : {}) });
  return { status: 'skipped', steps, writes, skip };
}

function unwrap(result: unknown): Produced {
  let port: string | null = null;
  let v = result;
  if (isRouted(v)) {
    port = v.port;
    v = v.data;
  }
  if (v instanceof WithJson || v instanceof InputWith) v = v.value;
  // A round trip through JSON, as the executor persists outputs: downstream nodes see what a real run gives them.
  return { port, value: JSON.parse(JSON.stringify(v === undefined ? null : v)) };
}

function gather(p: PlannedNode, produced: Map<string, Produced | null>): { value: unknown; raw?: JsonText } | null {
  const active: Array<[string, Produced]> = [];
  for (const e of p.incoming) {
    const src = produced.get(e.source);
    if (!src) continue;
    if (src.port !== null && e.sourceHandle !== undefined && e.sourceHandle !== src.port) continue;
    if (!active.some(([s]) => s === e.source)) active.push([e.source, src]);
  }
  if (active.length === 0) return null;
  const [only] = active;
  if (only && active.length === 1) return { value: only[1].value };
  return { value: Object.fromEntries(active.map(([s, o]) => [s, o.value])) };
}

function context(
  d: DryRunDeps,
  p: PlannedNode,
  opts: { flowId: string; flowVersion: number; runId: string },
  raw: JsonText,
  trigger: unknown,
  signal: AbortSignal,
): NodeContext {
  const log = d.log;
  const ids = (o: object | string) => ({
    runId: opts.runId,
    flowId: opts.flowId,
    nodeId: p.node.id,
    dryRun: true,
    ...(typeof o === 'string' ? { msg: o } : o),
  });
  return {
    runId: opts.runId,
    flowId: opts.flowId,
    flowVersion: opts.flowVersion,
    nodeId: p.node.id,
    attempt: 1,
    config: p.type.config.parse(p.node.config),
    trigger,
    rawInput: raw,
    dryRun: true,
    log: {
      debug: (o, m) => log.debug(ids(o), m),
      info: (o, m) => log.info(ids(o), m),
      warn: (o, m) => log.warn(ids(o), m),
      error: (o, m) => log.error(ids(o), m),
    },
    sandbox: d.sandbox,
    // Reads see the flow's real state; writes stay in this object, which is never committed.
    state: new StepState(d.store, opts.flowId),
    connection: <T>(kind: string, id: string) => d.connection(kind, id) as Promise<T>,
    lookups: d.services.lookups,
    exceptions: d.services.exceptions,
    monitoring: d.services.monitoring,
    signal,
    now: () => new Date(d.now()),
  };
}
