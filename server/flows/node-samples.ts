// What a node really receives, for its mapper and for the publish check: the node's input in recent runs (test runs
// of the draft first, then production runs, and the latest production run that succeeded even when newer ones
// failed), and — for a node right after the trigger — the trigger's sample output. Each sample comes with the run's
// trigger output, which `$trigger.` paths of a mapping read.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { runs, steps } from '../../runtime/store/schema.ts';
import type { SqliteRuntime as Runtime } from '../../runtime/index.ts';
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

interface Row {
  id: string;
  flowId: string;
  status: string;
  createdAt: number;
}

export async function nodeSamples(rt: Runtime, flowId: string, draft: Flow, nodeId: string, limit = 5): Promise<NodeSample[]> {
  const out: NodeSample[] = [];
  const reached = (inFlow: string, runStatus: string | null, max: number): Row[] =>
    rt.store.db
      .select({ id: runs.id, flowId: runs.flowId, status: runs.status, createdAt: runs.createdAt })
      .from(steps)
      .innerJoin(runs, eq(runs.id, steps.runId))
      .where(
        and(
          eq(runs.flowId, inFlow),
          eq(steps.nodeId, nodeId),
          inArray(steps.status, ['succeeded', 'failed']),
          runStatus ? eq(runs.status, runStatus) : undefined,
        ),
      )
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(max)
      .all();
  // Asked apart, so a burst of test runs never hides the production runs (nor the other way round).
  const tests = reached(testFlowId(flowId), null, 2);
  const prod = reached(flowId, null, limit);
  if (!prod.some((r) => r.status === 'succeeded')) prod.push(...reached(flowId, 'succeeded', 1));
  for (const r of [...tests, ...prod]) {
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
