// What a node really receives, for its mapper and for the publish check: the node's input in recent runs (test runs
// of the draft first, then production runs, and the latest production run that succeeded even when newer ones
// failed), and — for a node right after the trigger — the trigger's sample output. Each sample comes with the run's
// trigger output, which `$trigger.` paths of a mapping read.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { runs, steps } from '../../runtime/store/schema.ts';
import type { Runtime } from '../../runtime/index.ts';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import type { Flow } from '../../flows/schema.ts';
import { testFlowId } from './test-run.ts';

export interface NodeSample {
  /** `sample` or a run id. */
  id: string;
  label: string;
  value: unknown;
  trigger: unknown;
  kind: 'sample' | 'test' | 'run';
  /** The run's status (runs only). */
  status?: string;
  /** When the run was created, epoch ms (runs only). */
  at?: number;
  /** A test run whose steps upstream of this node kept pinned outputs (n8n's "pin data"). */
  pinned?: boolean;
}

export interface SampleRun {
  id: string;
  flowId: string;
  status: string;
  createdAt: number;
}

/**
 * The runs whose step of this node finished, newest first: the draft's latest test runs (2), then the flow's latest
 * runs (`limit`), and the latest run that succeeded there when none of those did. Asked apart, so a burst of test runs
 * never hides the production runs (nor the other way round).
 */
export async function sampleRuns(from: Pick<AnyStore, 'sql'>, flowId: string, nodeId: string, limit: number): Promise<SampleRun[]> {
  const store = from.sql({ runs, steps });
  const { runs: rn, steps: st } = store.tables;
  const reached = (inFlow: string, runStatus: string | null, max: number): Promise<SampleRun[]> =>
    store.db
      .select({ id: rn.id, flowId: rn.flowId, status: rn.status, createdAt: rn.createdAt })
      .from(st)
      .innerJoin(rn, eq(rn.id, st.runId))
      .where(and(eq(rn.flowId, inFlow), eq(st.nodeId, nodeId), inArray(st.status, ['succeeded', 'failed']), runStatus ? eq(rn.status, runStatus) : undefined))
      .orderBy(desc(rn.createdAt), desc(rn.id))
      .limit(max);
  const [tests, prod] = await Promise.all([reached(testFlowId(flowId), null, 2), reached(flowId, null, limit)]);
  if (!prod.some((r) => r.status === 'succeeded')) prod.push(...(await reached(flowId, 'succeeded', 1)));
  return [...tests, ...prod];
}

export async function nodeSamples(rt: Runtime, flowId: string, draft: Flow, nodeId: string, limit = 5): Promise<NodeSample[]> {
  const out: NodeSample[] = [];
  for (const r of await sampleRuns(rt.store, flowId, nodeId, limit)) {
    let run;
    try {
      run = await rt.runs.get(r.id);
    } catch {
      continue;
    }
    const step = run.steps.find((s) => s.nodeId === nodeId);
    if (step?.input === undefined) continue;
    const test = r.flowId !== flowId;
    const pinned = test && run.steps.some((s) => s.nodeId !== nodeId && s.reusedFrom === 'pinned');
    out.push({
      id: r.id,
      kind: test ? 'test' : 'run',
      label: `${test ? 'Test run' : 'Run'} ${r.id} (${r.status}, ${new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      value: step.input,
      trigger: run.steps[0]?.output,
      status: r.status,
      at: r.createdAt,
      ...(test ? { pinned } : {}),
    });
  }
  // Right after the trigger, the trigger's sample output is this node's input.
  const trigger = draft.nodes.find((n) => rt.lookup(n.type)?.trigger);
  if (trigger && draft.edges.some((e) => e.source === trigger.id && e.target === nodeId)) {
    const sample = (trigger.config as { sampleEvent?: unknown } | undefined)?.sampleEvent ?? rt.lookup(trigger.type)?.sampleOutput;
    if (sample !== undefined)
      out.push({ id: 'sample', kind: 'sample', label: `Example: ${rt.lookup(trigger.type)?.title ?? trigger.type}`, value: sample, trigger: sample });
  }
  return out;
}
