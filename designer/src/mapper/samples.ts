// What the mapper maps from: the map node's real input. Past runs and test runs (whose upstream may be pinned) come
// from the server with the input the node received; the default is the latest succeeded run that reached the node,
// so a working flow previews without false problems. Before any run reached it there are only examples: for a node
// right after the trigger the trigger's example is its input; further down, the trigger's example (what the flow
// starts with, labelled as such: the steps between may add fields) and the example output of the step feeding it.
import { ApiError } from '../api/client.ts';
import { mappingApi, type NodeSampleDto } from '../api/mapping.ts';
import type { Flow, NodeTypeInfo } from '../api/types.ts';
import type { SampleChoice } from '../store/mapper-store.ts';

/** The step feeding the node (the first incoming edge's source), with its catalog entry. */
export function upstreamOf(flow: Flow, nodeId: string, types: NodeTypeInfo[]): { id: string; name: string; type?: NodeTypeInfo } | null {
  const edge = flow.edges.find((e) => e.target === nodeId);
  const node = edge && flow.nodes.find((n) => n.id === edge.source);
  if (!node) return null;
  const type = types.find((t) => t.type === node.type);
  return { id: node.id, name: node.name || type?.title || node.id, type };
}

const when = (at: number | undefined) => (at === undefined ? '' : ` · ${new Date(at).toLocaleString()}`);
const short = (id: string) => `…${id.slice(-8)}`;

export function choiceOf(s: NodeSampleDto): SampleChoice {
  if (s.kind === 'run')
    return {
      id: s.id,
      kind: 'run',
      label: `Run ${short(s.id)} · ${s.status ?? '?'}${when(s.at)}`,
      value: s.value,
      trigger: s.trigger,
      status: s.status,
      at: s.at,
    };
  if (s.kind === 'test') {
    return {
      id: s.id,
      kind: 'test',
      label: `Test run ${short(s.id)}${s.pinned ? ' · pinned input' : ''} · ${s.status ?? '?'}${when(s.at)}`,
      value: s.value,
      trigger: s.trigger,
      status: s.status,
      at: s.at,
      pinned: !!s.pinned,
    };
  }
  return { id: s.id, kind: 'example', label: s.label, value: s.value, trigger: s.trigger };
}

/** The flow's trigger example (its configured sample event, else the catalog's), with its node. */
export function triggerExample(flow: Flow, types: NodeTypeInfo[]): { id: string; title: string; value: unknown } | null {
  for (const n of flow.nodes) {
    const t = types.find((x) => x.type === n.type);
    if (!t?.trigger) continue;
    const value = (n.config as { sampleEvent?: unknown } | undefined)?.sampleEvent ?? t.sampleOutput;
    return value === undefined ? null : { id: n.id, title: t.title, value };
  }
  return null;
}

/**
 * Every input the node can be previewed with: the server's samples (runs, test runs, and the trigger's example when
 * the node is right after the trigger); otherwise the trigger's example, marked as the flow's start rather than this
 * node's input, and the upstream step's example output from the catalog.
 */
export function inputChoices(
  samples: NodeSampleDto[],
  upstream: ReturnType<typeof upstreamOf>,
  trigger: ReturnType<typeof triggerExample> = null,
): SampleChoice[] {
  const out = samples.map(choiceOf);
  if (out.some((c) => c.kind === 'example')) return out;
  if (trigger && upstream?.id !== trigger.id) {
    out.push({
      id: `start:${trigger.id}`,
      kind: 'example',
      label: `Example: ${trigger.title}, the flow's start (steps before this one may add fields)`,
      value: trigger.value,
    });
  }
  if (upstream?.type && upstream.type.sampleOutput !== undefined && !upstream.type.trigger) {
    out.push({
      id: `example:${upstream.id}`,
      kind: 'example',
      label: `Example output of ${upstream.name} (${upstream.type.type})`,
      value: upstream.type.sampleOutput,
    });
  }
  return out;
}

/** The latest succeeded run (production or test) that reached the node; else the latest run; else an example. */
export function defaultChoice(choices: SampleChoice[]): SampleChoice | null {
  const runs = choices.filter((c) => c.kind === 'run' || c.kind === 'test').sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
  return runs.find((c) => c.status === 'succeeded') ?? runs[0] ?? choices[0] ?? null;
}

export async function loadInputChoices(flow: Flow, nodeId: string, types: NodeTypeInfo[]): Promise<SampleChoice[]> {
  // A node only in the unsaved draft has no runs and is unknown to the server: its upstream example still helps.
  const { samples } = await mappingApi.samples(flow.id, nodeId).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return { samples: [] as NodeSampleDto[] };
    throw e;
  });
  return inputChoices(samples, upstreamOf(flow, nodeId, types), triggerExample(flow, types));
}
