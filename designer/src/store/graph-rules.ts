// Which connections the canvas accepts. Each refusal carries a reason a consultant can act on.
import type { FlowEdge, FlowNode, NodeTypeInfo } from '../api/types.ts';

export type TypeLookup = (type: string) => NodeTypeInfo | undefined;

export interface ConnectRequest {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export type ConnectVerdict = { ok: true; edge: Omit<FlowEdge, 'id'> } | { ok: false; reason: string };

/** True when `to` can reach `from` along existing edges, i.e. adding from→to would close a cycle. */
export function reaches(edges: readonly FlowEdge[], from: string, to: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
  }
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of out.get(id) ?? []) stack.push(next);
  }
  return false;
}

const label = (n: FlowNode, t: NodeTypeInfo | undefined) => {
  const name = n.name ?? n.id;
  const kind = t?.title ?? n.type;
  return name === kind ? `"${name}"` : `"${name}" (${kind})`;
};

export function checkConnection(nodes: readonly FlowNode[], edges: readonly FlowEdge[], req: ConnectRequest, lookup: TypeLookup): ConnectVerdict {
  const src = nodes.find((n) => n.id === req.source);
  const dst = nodes.find((n) => n.id === req.target);
  if (!src) return { ok: false, reason: `source node "${req.source}" is not on the canvas` };
  if (!dst) return { ok: false, reason: `target node "${req.target}" is not on the canvas` };
  if (src.id === dst.id) return { ok: false, reason: `a node cannot feed itself (${label(src, lookup(src.type))})` };
  const srcType = lookup(src.type);
  const dstType = lookup(dst.type);
  if (!srcType) return { ok: false, reason: `unknown node type "${src.type}" on ${src.id}` };
  if (!dstType) return { ok: false, reason: `unknown node type "${dst.type}" on ${dst.id}` };

  if (dstType.trigger || dstType.inputs.length === 0) {
    return { ok: false, reason: `${label(dst, dstType)} ${dstType.trigger ? 'is a trigger: it starts the flow and takes no input' : 'takes no input'}` };
  }
  if (srcType.outputs.length === 0) return { ok: false, reason: `${label(src, srcType)} has no output` };

  const outIds = srcType.outputs.map((p) => p.id);
  const sourceHandle = req.sourceHandle ?? (outIds.length === 1 ? outIds[0] : undefined);
  if (sourceHandle === undefined) return { ok: false, reason: `${label(src, srcType)} has several outputs (${outIds.join(', ')}); pick one` };
  if (!outIds.includes(sourceHandle)) {
    return { ok: false, reason: `${label(src, srcType)} has no output port "${sourceHandle}" (ports: ${outIds.join(', ')})` };
  }
  const inIds = dstType.inputs.map((p) => p.id);
  const targetHandle = req.targetHandle ?? (inIds.length === 1 ? inIds[0] : undefined);
  if (targetHandle === undefined) return { ok: false, reason: `${label(dst, dstType)} has several inputs (${inIds.join(', ')}); pick one` };
  if (!inIds.includes(targetHandle)) {
    return { ok: false, reason: `${label(dst, dstType)} has no input port "${targetHandle}" (ports: ${inIds.join(', ')})` };
  }
  const dup = edges.some(
    (e) => e.source === src.id && e.target === dst.id && (e.sourceHandle ?? outIds[0]) === sourceHandle && (e.targetHandle ?? inIds[0]) === targetHandle,
  );
  if (dup) return { ok: false, reason: `${label(src, srcType)} is already connected to ${label(dst, dstType)} that way` };
  if (reaches(edges, dst.id, src.id)) {
    return { ok: false, reason: `connecting ${label(src, srcType)} to ${label(dst, dstType)} would create a cycle` };
  }
  return { ok: true, edge: { source: src.id, target: dst.id, sourceHandle, targetHandle } };
}

/** A readable, unique node id from the type (`code`, `code_2`, ...); ids must match the flow schema's pattern. */
export function freshNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_.:-]/g, '_') || 'node';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function edgeId(e: Omit<FlowEdge, 'id'>): string {
  return `${e.source}.${e.sourceHandle ?? 'out'}__${e.target}.${e.targetHandle ?? 'in'}`;
}
