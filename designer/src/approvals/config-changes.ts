// The values behind a flow diff's changed paths (`config.fields[3].source`): what a reviewer needs to judge a
// client's change is "was X, becomes Y", not only that a path changed.
import type { Flow, FlowDiff } from '../api/types.ts';

export interface ValueChange {
  nodeId: string;
  nodeName: string;
  path: string;
  before: unknown;
  after: unknown;
}

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

export function valueAt(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** Per changed node path, the value in the base document and in the requested one. */
export function valueChanges(diff: FlowDiff, before: Flow | null, after: Flow): ValueChange[] {
  const out: ValueChange[] = [];
  for (const c of diff.nodes.changed) {
    const a = before?.nodes.find((n) => n.id === c.id);
    const b = after.nodes.find((n) => n.id === c.id);
    for (const path of c.fields) {
      // Where a node sits on the canvas does not change what it does.
      if (path.startsWith('position')) continue;
      out.push({ nodeId: c.id, nodeName: b?.name ?? c.id, path, before: valueAt(a, path), after: valueAt(b, path) });
    }
  }
  return out;
}
