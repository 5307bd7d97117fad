import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type NodeMouseHandler,
  type OnNodeDrag,
} from '@xyflow/react';
import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { FlowNodeView, type CanvasNode } from './FlowNodeView.tsx';
import { useCanvasElements } from './use-canvas-elements.ts';
import { useOpenMapper } from './open-mapper.ts';
import { openingViewport } from './opening-view.ts';

export const NODE_DRAG_MIME = 'application/x-ledgerline-node-type';
const nodeTypes = { flowNode: FlowNodeView };
const CATEGORY_COLOR: Record<string, string> = {
  trigger: '#7c3aed',
  shopify: '#5e8e3e',
  erp: '#0e7490',
  finance: '#b45309',
  lookup: '#be185d',
  core: '#475569',
};

export function FlowCanvas() {
  const store = useFlowStoreApi();
  const readOnly = useFlowStore((s) => s.readOnly);
  const focus = useFlowStore((s) => s.focus);
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [measureTick, setMeasureTick] = useState(0);
  const { rfNodes, rfEdges } = useCanvasElements(measured.current, measureTick);
  const { screenToFlowPosition, setCenter, getInternalNode, setViewport } = useReactFlow();
  const box = useRef<HTMLDivElement>(null);
  // The minimap covers a corner of the canvas: it can be folded away, and the choice is remembered.
  // Default: shown on wide screens only, where it has room beside the nodes.
  const [minimap, setMinimap] = useState(() => (localStorage.getItem('ll.minimap') ?? (window.innerWidth >= 1280 ? 'on' : 'off')) === 'on');
  const toggleMinimap = () =>
    setMinimap((on) => {
      localStorage.setItem('ll.minimap', on ? 'off' : 'on');
      return !on;
    });

  // Once, on open: readable at first sight (see opening-view.ts). Later edits never move the view.
  useEffect(() => {
    const el = box.current;
    const v =
      el &&
      openingViewport(
        store.getState().flow.nodes.map((n) => n.position),
        { width: el.clientWidth, height: el.clientHeight },
      );
    if (v) void setViewport(v);
  }, [store, setViewport]);
  const types = useFlowStore((s) => s.types);
  const minimapColor = useCallback((n: CanvasNode) => CATEGORY_COLOR[types[n.data.node.type]?.category ?? ''] ?? '#94a3b8', [types]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const s = store.getState();
      const positions: Record<string, { x: number; y: number }> = {};
      let selection: Set<string> | null = null;
      let dims = false;
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) {
          measured.current.set(c.id, c.dimensions);
          dims = true;
        } else if (c.type === 'position' && c.position && !s.readOnly) {
          positions[c.id] = c.position;
        } else if (c.type === 'select') {
          selection ??= new Set(s.selectedNodeIds);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (Object.keys(positions).length) s.moveNodes(positions);
      if (selection) s.select([...selection], s.selectedEdgeIds);
      if (dims) setMeasureTick((t) => t + 1);
    },
    [store],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const s = store.getState();
      let selection: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === 'select') {
          selection ??= new Set(s.selectedEdgeIds);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (selection) s.select(s.selectedNodeIds, [...selection]);
    },
    [store],
  );

  // One undo step per drag: snapshot the positions as the drag starts.
  const onNodeDragStart: OnNodeDrag<CanvasNode> = useCallback(
    (_e, _node, nodes) => store.getState().moveNodes(Object.fromEntries(nodes.map((n) => [n.id, n.position])), true),
    [store],
  );

  const onConnect = useCallback((c: Connection) => void store.getState().connect(c), [store]);

  const onNodeClick: NodeMouseHandler<CanvasNode> = useCallback(
    (_e, node) => {
      if (store.getState().testRun) store.getState().inspectStep(node.id);
    },
    [store],
  );

  const openMapper = useOpenMapper();
  const onNodeDoubleClick: NodeMouseHandler<CanvasNode> = useCallback((_e, node) => void openMapper(node.id), [openMapper]);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(NODE_DRAG_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(NODE_DRAG_MIME);
      if (!type || store.getState().readOnly) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(type, { x: p.x - 100, y: p.y - 30 });
    },
    [store, screenToFlowPosition],
  );

  useEffect(() => {
    if (!focus) return;
    const n = getInternalNode(focus.nodeId);
    if (!n) return;
    const w = n.measured.width ?? 200;
    const h = n.measured.height ?? 60;
    void setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, { zoom: 1.2, duration: 300 });
  }, [focus, getInternalNode, setCenter]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the drop target of palette drags; the keyboard adds nodes with Enter on a palette item
    <div className="canvas" data-testid="canvas" ref={box} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow
        nodes={rfNodes}
        edges={rfEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStart={onNodeDragStart}
        onConnect={onConnect}
        onNodeClick={onNodeClick}
        onNodeDoubleClick={onNodeDoubleClick}
        zoomOnDoubleClick={false}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        defaultViewport={{ x: 80, y: 60, zoom: 1 }}
        minZoom={0.2}
        maxZoom={2}
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <Controls showInteractive={false}>
          <ControlButton
            onClick={toggleMinimap}
            title={minimap ? 'Hide the minimap' : 'Show the minimap'}
            aria-label="Toggle minimap"
            data-testid="toggle-minimap"
          >
            {minimap ? '▣' : '□'}
          </ControlButton>
        </Controls>
        {minimap && <MiniMap pannable zoomable position="top-right" nodeColor={minimapColor} nodeBorderRadius={6} style={{ width: 150, height: 90 }} />}
      </ReactFlow>
    </div>
  );
}
