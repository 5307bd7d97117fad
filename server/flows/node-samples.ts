// What a node really receives, for its mapper and for the publish check: the node's input in recent runs (test runs
// of the draft first, then production runs), and — for a node right after the trigger — the trigger's sample output.
// Each sample comes with the run's trigger output, which `$trigger.` paths of a mapping read.
import type { Runtime } from '../../runtime/index.ts';
import type { Flow } from '../../flows/schema.ts';
import { testFlowId } from './test-run.ts';

export interface NodeSample {
  /** `sample` or a run id. */
  id: string;
  label: string;
  value: unknown;
  trigger: unknown;
  kind: 'sample' | 'test' | 'run';
}

export function nodeSamples(rt: Runtime, flowId: string, draft: Flow, nodeId: string, limit = 5): NodeSample[] {
  const out: NodeSample[] = [];
  const rows = rt.store.sqlite
    .prepare(
      `SELECT r.id, r.flow_id AS flowId, r.status, r.created_at AS createdAt FROM steps s JOIN runs r ON r.id = s.run_id
       WHERE r.flow_id IN (?, ?) AND s.node_id = ? AND s.status IN ('succeeded','failed') ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
    )
    .all(testFlowId(flowId), flowId, nodeId, limit * 2) as Array<{ id: string; flowId: string; status: string; createdAt: number }>;
  const tests = rows.filter((r) => r.flowId !== flowId).slice(0, 2);
  const prod = rows.filter((r) => r.flowId === flowId).slice(0, limit);
  for (const r of [...tests, ...prod]) {
    let run;
    try {
      run = rt.runs.get(r.id);
    } catch {
      continue;
    }
    const step = run.steps.find((s) => s.nodeId === nodeId);
    if (step?.input === undefined) continue;
    const test = r.flowId !== flowId;
    out.push({
      id: r.id,
      kind: test ? 'test' : 'run',
      label: `${test ? 'Test run' : 'Run'} ${r.id} (${r.status}, ${new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      value: step.input,
      trigger: run.steps[0]?.output,
    });
  }
  // Right after the trigger, the trigger's sample output is this node's input.
  const trigger = draft.nodes.find((n) => rt.lookup(n.type)?.trigger);
  if (trigger && draft.edges.some((e) => e.source === trigger.id && e.target === nodeId)) {
    const sample = (trigger.config as { sampleEvent?: unknown } | undefined)?.sampleEvent ?? rt.lookup(trigger.type)?.sampleOutput;
    if (sample !== undefined) out.push({ id: 'sample', kind: 'sample', label: `Example: ${rt.lookup(trigger.type)?.title ?? trigger.type}`, value: sample, trigger: sample });
  }
  return out;
}
