// The values behind a flow diff's changed paths (`config.fields[3].source`): what a reviewer needs to judge a
// client's change is "was X, becomes Y", not only that a path changed.
import type { Flow, FlowDiff } from '../api/types.ts';
import { describeTransform } from '../mapper/model/transforms.ts';
import type { TransformInput } from '../mapper/model/fields.ts';

export interface ValueChange {
  nodeId: string;
  nodeName: string;
  path: string;
  /** The path as the mapper names it (`lines[].description · transforms[1]`), or the path itself. */
  label: string;
  before: unknown;
  after: unknown;
}

/**
 * A mapping path named by its targets, as the mapper shows them: `config.fields[9].source.fields[6].transforms[1]`
 * of a map node is `lines[].description · transforms[1]` (a list's item fields sit under `source.fields`).
 */
export function mappingLabel(node: unknown, path: string): string {
  const segs = parsePath(path);
  let cur: unknown = node;
  let label = '';
  let restFrom = 0;
  let throughList = false;
  for (const [i, seg] of segs.entries()) {
    if (cur === null || typeof cur !== 'object') break;
    cur = (cur as Record<string | number, unknown>)[seg];
    if (seg === 'source') throughList = true;
    const target = cur && typeof cur === 'object' ? (cur as { target?: unknown }).target : undefined;
    if (typeof seg === 'number' && segs[i - 1] === 'fields' && typeof target === 'string') {
      label = label ? `${label}${throughList ? '[].' : '.'}${target}` : target;
      restFrom = i + 1;
      throughList = false;
    }
  }
  if (!label) return path;
  const rest = segs
    .slice(restFrom)
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
    .join('')
    .replace(/^\./, '');
  return rest ? `${label} · ${rest}` : label;
}

const isTransform = (v: unknown): v is TransformInput => !!v && typeof v === 'object' && typeof (v as { op?: unknown }).op === 'string';

/** A value as a reviewer reads it: transforms in the mapper's words, other values as JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (isTransform(v)) return describeTransform(v);
  if (Array.isArray(v) && v.length && v.every(isTransform)) return v.map(describeTransform).join(', ');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!); // one of the two alternatives matched
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
      out.push({ nodeId: c.id, nodeName: b?.name ?? c.id, path, label: mappingLabel(b ?? a, path), before: valueAt(a, path), after: valueAt(b, path) });
    }
  }
  return out;
}
