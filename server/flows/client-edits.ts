// The `client` role may change mappings and lookup tables of existing flows, nothing else: no nodes or edges added
// or removed, no other node's configuration, no code (not even a JavaScript expression inside a mapping).
import type { NodeType } from '../../runtime/node-api.ts';
import { changedPaths, diffFlows } from './diff.ts';

export interface EditProblem {
  where: string;
  path: string;
  message: string;
}

/** Node types whose configuration is mapping or lookup data. */
export function isMappingNode(type: string, lookup: (t: string) => NodeType | undefined): boolean {
  const t = lookup(type);
  return t?.category === 'lookup' || type === 'core.map' || type.startsWith('lookup.') || /(^|\.)map(per|ping)?$/.test(type);
}

const CODE_KEY = /^(code|expression|expr|js|javascript|script)$/i;

/** True when a value holds JavaScript anywhere: an `expr` source or a code-named key (iterative: any depth). */
export function containsCode(v: unknown): boolean {
  const stack = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    if ((x as Record<string, unknown>).kind === 'expr') return true;
    for (const [k, y] of Object.entries(x)) {
      if (CODE_KEY.test(k)) return true;
      stack.push(y);
    }
  }
  return false;
}

/** True when the value at `path` in a node, or anything on the way there or under it, is a JavaScript expression. */
function touchesExpression(node: unknown, path: string): boolean {
  const isExpr = (v: unknown) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).kind === 'expr';
  const containsExpr = (v: unknown): boolean =>
    typeof v === 'object' && v !== null && (isExpr(v) || Object.entries(v).some(([k, x]) => CODE_KEY.test(k) || containsExpr(x)));
  let cur: unknown = node;
  for (const seg of path.split(/[.[\]]/).filter(Boolean)) {
    if (isExpr(cur)) return true;
    if (typeof cur !== 'object' || cur === null) return false;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return containsExpr(cur);
}
/** Harmless edits anywhere: canvas positions and display names. */
const COSMETIC = /^(position(\.|$)|name$)/;

export function clientEditProblems(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  lookup: (t: string) => NodeType | undefined,
): EditProblem[] {
  const problems: EditProblem[] = [];
  const d = diffFlows(before, after);
  for (const id of d.nodes.added) problems.push({ where: id, path: '$.nodes', message: `the client role cannot add nodes (added "${id}")` });
  for (const id of d.nodes.removed) problems.push({ where: id, path: '$.nodes', message: `the client role cannot remove nodes (removed "${id}")` });
  for (const id of [...d.edges.added, ...d.edges.removed])
    problems.push({ where: id, path: '$.edges', message: `the client role cannot change connections (edge "${id}")` });
  const nodesBefore = new Map(((before.nodes as Record<string, unknown>[]) ?? []).map((n) => [n.id as string, n]));
  const nodesAfter = (after.nodes as Record<string, unknown>[]) ?? [];
  for (const ch of d.nodes.changed) {
    const i = nodesAfter.findIndex((n) => n.id === ch.id);
    const type = String(nodesBefore.get(ch.id)?.type ?? '');
    for (const f of ch.fields) {
      if (COSMETIC.test(f)) continue;
      const at = `$.nodes[${i}].${f}`;
      if (!f.startsWith('config.') && f !== 'config')
        problems.push({ where: ch.id, path: at, message: `the client role can only change mapping and lookup configuration, not "${f}"` });
      else if (!isMappingNode(type, lookup))
        problems.push({ where: ch.id, path: at, message: `node "${ch.id}" (${type}) is not a mapping or lookup node; the client role cannot change it` });
      else if (f.split(/[.[\]]/).some((seg) => CODE_KEY.test(seg)) || touchesExpression(nodesBefore.get(ch.id), f) || touchesExpression(nodesAfter[i], f))
        problems.push({ where: ch.id, path: at, message: 'code and JavaScript expressions are for consultants; the client role cannot change them' });
    }
  }
  const top = changedPaths(
    { ...before, nodes: null, edges: null, name: null, description: null },
    { ...after, nodes: null, edges: null, name: null, description: null },
  );
  for (const f of top) problems.push({ where: 'flow', path: `$.${f}`, message: `the client role cannot change flow settings ("${f}")` });
  return problems;
}
