// Turns the store's flow document into React Flow nodes and edges, reusing the objects of unchanged nodes so a
// drag re-renders one node, not three hundred.
import { useMemo, useRef } from 'react';
import type { Edge } from '@xyflow/react';
import type { FlowEdge, FlowNode } from '../api/types.ts';
import { useFlowStore } from '../store/context.tsx';
import type { CanvasNode } from './FlowNodeView.tsx';

type Dims = { width: number; height: number };
interface CacheEntry {
  src: FlowNode;
  selected: boolean;
  dims: Dims | undefined;
  rf: CanvasNode;
}

export function useCanvasElements(measured: Map<string, Dims>, measureTick: number) {
  const nodes = useFlowStore((s) => s.flow.nodes);
  const edges = useFlowStore((s) => s.flow.edges);
  const types = useFlowStore((s) => s.types);
  const selectedNodeIds = useFlowStore((s) => s.selectedNodeIds);
  const selectedEdgeIds = useFlowStore((s) => s.selectedEdgeIds);
  const cache = useRef(new Map<string, CacheEntry>());

  // biome-ignore lint/correctness/useExhaustiveDependencies: `measured` is a mutable map; measureTick is what tells us it changed
  const rfNodes = useMemo(() => {
    const selected = new Set(selectedNodeIds);
    const next = new Map<string, CacheEntry>();
    const out = nodes.map((n) => {
      const sel = selected.has(n.id);
      const dims = measured.get(n.id);
      const hit = cache.current.get(n.id);
      if (hit && hit.src === n && hit.selected === sel && hit.dims === dims) {
        next.set(n.id, hit);
        return hit.rf;
      }
      const rf: CanvasNode = { id: n.id, type: 'flowNode', position: n.position, data: { node: n }, selected: sel, ...(dims ? { measured: dims } : {}) };
      next.set(n.id, { src: n, selected: sel, dims, rf });
      return rf;
    });
    cache.current = next;
    return out;
  }, [nodes, selectedNodeIds, measureTick]);

  const rfEdges = useMemo(() => {
    const selected = new Set(selectedEdgeIds);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    return edges.map((e: FlowEdge): Edge => {
      const src = byId.get(e.source);
      const manyOut = (src && (types[src.type]?.outputs.length ?? 0) > 1) || false;
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceHandle ?? null,
        targetHandle: e.targetHandle ?? null,
        selected: selected.has(e.id),
        ...(manyOut && e.sourceHandle ? { label: e.sourceHandle } : {}),
      };
    });
  }, [edges, nodes, types, selectedEdgeIds]);

  return { rfNodes, rfEdges };
}
