// Left-to-right layered layout: a node's column is its longest path from a source; rows are ordered by the mean row
// of the node's parents so edges cross less. Good enough for integration flows (mostly chains with a few branches).
import type { FlowEdge, FlowNode } from '../api/types.ts';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 72;
const COLUMN_GAP = 80;
const ROW_GAP = 40;

export function autoLayout(nodes: readonly FlowNode[], edges: readonly FlowEdge[]): Record<string, { x: number; y: number }> {
  const ids = nodes.map((n) => n.id);
  const known = new Set(ids);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target) || e.source === e.target) continue;
    parents.get(e.target)!.push(e.source);
    children.get(e.source)!.push(e.target);
  }

  // Kahn's order; nodes left over sit on a cycle and are placed after everything else.
  const indegree = new Map(ids.map((id) => [id, parents.get(id)!.length]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const c of children.get(id)!) {
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) queue.push(c);
    }
  }
  for (const id of ids) if (!order.includes(id)) order.push(id);

  const column = new Map<string, number>();
  for (const id of order) {
    const ps = parents.get(id)!.filter((p) => column.has(p));
    column.set(id, ps.length ? Math.max(...ps.map((p) => column.get(p)!)) + 1 : 0);
  }

  const columns: string[][] = [];
  for (const id of order) (columns[column.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  columns.forEach((col) => {
    const keyed = col.map((id, i) => {
      const ps = parents.get(id)!.filter((p) => row.has(p));
      return { id, key: ps.length ? ps.reduce((s, p) => s + row.get(p)!, 0) / ps.length : i };
    });
    keyed.sort((a, b) => a.key - b.key);
    keyed.forEach(({ id }, i) => {
      row.set(id, i);
    });
  });

  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const out: Record<string, { x: number; y: number }> = {};
  columns.forEach((col, c) => {
    // Center shorter columns against the tallest so a chain after a branch sits in the middle.
    const shift = ((tallest - col.length) * (NODE_HEIGHT + ROW_GAP)) / 2;
    for (const id of col) out[id] = { x: c * (NODE_WIDTH + COLUMN_GAP), y: shift + row.get(id)! * (NODE_HEIGHT + ROW_GAP) };
  });
  return out;
}
