// "Test" in the designer: runs the current DRAFT once (optionally only up to one node) without publishing it.
// The draft is frozen as a version of a hidden companion flow `__test.<flowId>`, so the real flow's history and
// active version are untouched and the run is recorded like any other.
import type { Runtime } from '../../runtime/index.ts';
import type { RunRecord } from '../../runtime/runs.ts';
import { FlowInvalidError, NotFoundError } from '../../runtime/flow-store.ts';
import { validateFlow } from '../../flows/validate.ts';
import { contentHash } from '../../runtime/ids.ts';
import type { Flow } from '../../flows/schema.ts';

export const TEST_PREFIX = '__test.';
export const isTestFlow = (id: string) => id.startsWith(TEST_PREFIX);

/** The node and everything upstream of it. */
function upTo(flow: Flow, nodeId: string): Flow {
  if (!flow.nodes.some((n) => n.id === nodeId)) {
    throw new FlowInvalidError(flow.id, [{ where: nodeId, path: '$.nodeId', message: `node "${nodeId}" is not in the draft` }]);
  }
  const keep = new Set([nodeId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of flow.edges) if (keep.has(e.target) && !keep.has(e.source)) (keep.add(e.source), (grew = true));
  }
  return { ...flow, nodes: flow.nodes.filter((n) => keep.has(n.id)), edges: flow.edges.filter((e) => keep.has(e.source) && keep.has(e.target)) };
}

export async function testRunDraft(rt: Runtime, flowId: string, opts: { event?: unknown; nodeId?: string; timeoutMs?: number }): Promise<RunRecord> {
  const summary = rt.flows.get(flowId);
  const v = validateFlow(rt.flows.draft(flowId), rt.lookup);
  if (!v.ok) throw new FlowInvalidError(flowId, v.problems);
  const testId = TEST_PREFIX + flowId;
  const flow = opts.nodeId ? upTo(v.flow, opts.nodeId) : v.flow;
  const doc = { ...flow, id: testId, name: `test of ${summary.name}` };
  try {
    rt.flows.updateDraft(testId, doc);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    rt.flows.create(doc);
  }
  const latest = rt.flows.latestVersion(testId);
  const version = latest != null && rt.flows.version(testId, latest).hash === contentHash(doc) ? latest : rt.flows.publish(testId, { message: 'test run' }).version;
  const trigger = flow.nodes.find((n) => rt.lookup(n.type)?.trigger);
  const event = opts.event !== undefined ? opts.event : ((trigger?.config as { sampleEvent?: unknown })?.sampleEvent ?? (trigger ? rt.lookup(trigger.type)?.sampleOutput : null) ?? {});
  const { runIds } = rt.queue.ingest({ source: 'test', payload: event, targets: [{ flowId: testId, version }] });
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const run = rt.runs.get(runIds[0]);
    if (run.status !== 'queued' && run.status !== 'running') return { ...run, flowId };
    if (Date.now() > until) return { ...run, flowId };
    await new Promise((r) => setTimeout(r, 5));
  }
}
