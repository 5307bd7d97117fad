// The events a mapping can be previewed with: the trigger's example from the node catalog, or a real event taken
// from a recent run of the flow (the output of its first step, i.e. what the trigger produced).
import { api } from '../api/client.ts';
import type { Flow, NodeTypeInfo, RunRecord } from '../api/types.ts';
import type { SampleChoice } from '../store/mapper-store.ts';

export function catalogSample(flow: Flow, types: NodeTypeInfo[]): SampleChoice | null {
  const byType = new Map(types.map((t) => [t.type, t]));
  const trigger = flow.nodes.map((n) => byType.get(n.type)).find((t) => t?.trigger);
  if (!trigger || trigger.sampleOutput === undefined) return null;
  return { id: 'catalog', label: `Example: ${trigger.title} (${trigger.type})`, value: trigger.sampleOutput };
}

/** The trigger's output in a run: the first step recorded (the trigger runs first). */
export function eventOfRun(run: RunRecord): unknown {
  return run.steps.find((s) => s.output !== undefined)?.output;
}

export async function recentRuns(flowId: string, limit = 10) {
  const { runs } = await api.runs({ flowId, limit });
  return runs;
}

export async function runSample(runId: string): Promise<SampleChoice> {
  const run = await api.run(runId);
  const value = eventOfRun(run);
  if (value === undefined) throw new Error(`run ${runId} has no recorded event output`);
  return { id: runId, label: `Run ${runId} (${run.status}, ${new Date(run.createdAt).toLocaleString()})`, value };
}
