// Which canvas nodes a version diff touches, so the canvas can outline them while the diff is open.
import type { FlowDiff } from '../api/types.ts';

export type DiffMark = 'added' | 'changed';

export interface DiffMarks {
  /** Nodes present on the canvas that the diff added or changed, by node id. */
  nodes: Record<string, DiffMark>;
  /** Removed nodes are no longer in the draft: they can only be listed, not outlined. */
  removed: string[];
}

// The contract leaves the element shape of added/removed open: accept ids or objects with an id.
export const diffId = (x: unknown): string => (typeof x === 'string' ? x : String((x as { id?: unknown })?.id ?? JSON.stringify(x)));

/**
 * Marks for the nodes on the canvas. A node both added and changed (cannot happen in one diff, but a malformed
 * answer could say so) is shown as added; a marked node missing from the canvas is left out of `nodes`.
 */
export function diffMarks(diff: FlowDiff, onCanvas: Iterable<string>): DiffMarks {
  const present = new Set(onCanvas);
  const nodes: Record<string, DiffMark> = {};
  for (const c of diff.nodes.changed) if (present.has(c.id)) nodes[c.id] = 'changed';
  for (const id of diff.nodes.added.map(diffId)) if (present.has(id)) nodes[id] = 'added';
  return { nodes, removed: diff.nodes.removed.map(diffId) };
}
