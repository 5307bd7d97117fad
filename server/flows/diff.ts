// What changed between two flow documents: nodes added/removed/changed (with the changed field paths) and edges.
type Doc = { nodes?: unknown; edges?: unknown };
type El = Record<string, unknown> & { id: string };

const els = (v: unknown): El[] => (Array.isArray(v) ? v.filter((x): x is El => !!x && typeof x === 'object' && typeof (x as El).id === 'string') : []);

/** Leaf paths (`config.fields[0].source`) whose values differ between a and b. */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) return [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object';
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return [prefix || '$'];
  const out: string[] = [];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    const p = Array.isArray(a) ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k;
    out.push(...changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], p));
  }
  return out;
}

export interface FlowDiff {
  nodes: { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] };
  edges: { added: string[]; removed: string[] };
}

export function diffFlows(from: Doc, to: Doc): FlowDiff {
  const an = new Map(els(from.nodes).map((n) => [n.id, n]));
  const bn = new Map(els(to.nodes).map((n) => [n.id, n]));
  const ae = new Map(els(from.edges).map((e) => [e.id, e]));
  const be = new Map(els(to.edges).map((e) => [e.id, e]));
  const changed: FlowDiff['nodes']['changed'] = [];
  for (const [id, n] of bn) {
    const old = an.get(id);
    if (!old) continue;
    const fields = changedPaths(old, n);
    if (fields.length) changed.push({ id, fields });
  }
  // An edge rewired under the same id counts as removed and added: what matters to a reader is the connection.
  const edgeKey = (e: El) => `${e.id}:${String(e.source)}:${String(e.sourceHandle ?? '')}->${String(e.target)}:${String(e.targetHandle ?? '')}`;
  const aKeys = new Set([...ae.values()].map(edgeKey));
  const bKeys = new Set([...be.values()].map(edgeKey));
  return {
    nodes: { added: [...bn.keys()].filter((id) => !an.has(id)), removed: [...an.keys()].filter((id) => !bn.has(id)), changed },
    edges: {
      added: [...be.values()].filter((e) => !aKeys.has(edgeKey(e))).map((e) => e.id),
      removed: [...ae.values()].filter((e) => !bKeys.has(edgeKey(e))).map((e) => e.id),
    },
  };
}
