import type { StateCreator } from 'zustand/vanilla';
import type { FlowNode } from '../api/types.ts';
import { autoLayout } from '../layout/auto-layout.ts';
import { checkConnection, edgeId, freshNodeId } from './graph-rules.ts';
import type { FlowSlice, FlowStoreState, Graph } from './types.ts';

const HISTORY_LIMIT = 100;
const COALESCE_MS = 1500;

const snapshot = (s: FlowStoreState): Graph => ({ nodes: s.flow.nodes, edges: s.flow.edges });

/** The state after a document change: new graph, undo snapshot of the old one, redo cleared. */
function commit(s: FlowStoreState, graph: Graph): Partial<FlowStoreState> {
  return {
    flow: { ...s.flow, nodes: graph.nodes, edges: graph.edges },
    past: [...s.past, snapshot(s)].slice(-HISTORY_LIMIT),
    future: [],
    revision: s.revision + 1,
  };
}

/** The selection, minus whatever the restored graph no longer has. */
function keepSelection(s: FlowStoreState, g: Graph) {
  const nodes = new Set(g.nodes.map((n) => n.id));
  const edges = new Set(g.edges.map((e) => e.id));
  return { selectedNodeIds: s.selectedNodeIds.filter((id) => nodes.has(id)), selectedEdgeIds: s.selectedEdgeIds.filter((id) => edges.has(id)) };
}

function defaultsOf(schema: { properties?: Record<string, { default?: unknown }> } | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {})) if (v.default !== undefined) out[k] = v.default;
  return out;
}

export const createFlowSlice =
  (initial: FlowSlice['flow']): StateCreator<FlowStoreState, [], [], FlowSlice> =>
  (set, get) => {
    let lastEdit: { key: string; at: number } | null = null;

    // Typing into one field makes one undo step, not one per keystroke.
    function editNode(nodeId: string, patch: Partial<FlowNode>, coalesceKey?: string) {
      const s = get();
      const nodes = s.flow.nodes.map((n) => (n.id === nodeId ? { ...n, ...patch } : n));
      const now = Date.now();
      const key = coalesceKey ? `${nodeId}/${coalesceKey}` : null;
      if (key && lastEdit && lastEdit.key === key && now - lastEdit.at < COALESCE_MS && s.future.length === 0) {
        lastEdit.at = now;
        set({ flow: { ...s.flow, nodes }, revision: s.revision + 1 });
        return;
      }
      lastEdit = key ? { key, at: now } : null;
      set(commit(s, { nodes, edges: s.flow.edges }));
    }

    return {
      flow: initial,
      types: {},
      revision: 0,
      past: [],
      future: [],
      readOnly: false,

      setTypes: (types) => set({ types: Object.fromEntries(types.map((t) => [t.type, t])) }),

      loadFlow: (flow) => set({ flow, past: [], future: [], revision: 0, selectedNodeIds: [], selectedEdgeIds: [] }),

      addNode: (type, position) => {
        const s = get();
        const info = s.types[type];
        if (!info) throw new Error(`unknown node type "${type}"`);
        const id = freshNodeId(type, new Set(s.flow.nodes.map((n) => n.id)));
        const node: FlowNode = { id, type, typeVersion: info.version, name: info.title, position, config: defaultsOf(info.configSchema) };
        set({ ...commit(s, { nodes: [...s.flow.nodes, node], edges: s.flow.edges }), selectedNodeIds: [id], selectedEdgeIds: [] });
        return id;
      },

      connect: (req) => {
        const s = get();
        const verdict = checkConnection(s.flow.nodes, s.flow.edges, req, (t) => s.types[t]);
        if (!verdict.ok) {
          s.notify(`Connection refused: ${verdict.reason}`);
          return verdict;
        }
        set(commit(s, { nodes: s.flow.nodes, edges: [...s.flow.edges, { id: edgeId(verdict.edge), ...verdict.edge }] }));
        return verdict;
      },

      updateConfig: (nodeId, config, coalesceKey) => editNode(nodeId, { config }, coalesceKey),

      renameNode: (nodeId, name) => editNode(nodeId, { name }, 'name'),

      setDetails: (details) => {
        const s = get();
        const flow = { ...s.flow, ...details };
        if (details.description !== undefined && !details.description.trim()) delete flow.description;
        set({ flow, revision: s.revision + 1 });
      },

      moveNodes: (positions, record = false) => {
        const s = get();
        const nodes = s.flow.nodes.map((n) => {
          const position = positions[n.id];
          return position ? { ...n, position } : n;
        });
        if (record) set(commit(s, { nodes, edges: s.flow.edges }));
        else set({ flow: { ...s.flow, nodes }, revision: s.revision + 1 });
      },

      deleteNodes: (ids) => {
        const s = get();
        const gone = new Set(ids);
        if (!s.flow.nodes.some((n) => gone.has(n.id))) return;
        set({
          ...commit(s, {
            nodes: s.flow.nodes.filter((n) => !gone.has(n.id)),
            edges: s.flow.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
          }),
          selectedNodeIds: s.selectedNodeIds.filter((id) => !gone.has(id)),
        });
      },

      deleteEdges: (ids) => {
        const s = get();
        const gone = new Set(ids);
        if (!s.flow.edges.some((e) => gone.has(e.id))) return;
        set({
          ...commit(s, { nodes: s.flow.nodes, edges: s.flow.edges.filter((e) => !gone.has(e.id)) }),
          selectedEdgeIds: s.selectedEdgeIds.filter((id) => !gone.has(id)),
        });
      },

      deleteSelection: () => {
        const s = get();
        const nodeIds = new Set(s.selectedNodeIds);
        const edgeIds = new Set(s.selectedEdgeIds);
        if (!nodeIds.size && !edgeIds.size) return;
        set({
          ...commit(s, {
            nodes: s.flow.nodes.filter((n) => !nodeIds.has(n.id)),
            edges: s.flow.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
          }),
          selectedNodeIds: [],
          selectedEdgeIds: [],
        });
      },

      undo: () => {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        set({
          flow: { ...s.flow, ...prev },
          past: s.past.slice(0, -1),
          future: [snapshot(s), ...s.future],
          revision: s.revision + 1,
          ...keepSelection(s, prev),
        });
      },

      redo: () => {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({ flow: { ...s.flow, ...next }, past: [...s.past, snapshot(s)], future: s.future.slice(1), revision: s.revision + 1, ...keepSelection(s, next) });
      },

      copySelection: () => {
        const s = get();
        const ids = new Set(s.selectedNodeIds);
        const nodes = s.flow.nodes.filter((n) => ids.has(n.id));
        const edges = s.flow.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
        set({ clipboard: nodes.length ? { nodes, edges } : null });
        return nodes.length;
      },

      paste: (offset = { x: 40, y: 40 }) => {
        const s = get();
        const clip = s.clipboard;
        if (!clip) return [];
        const taken = new Set(s.flow.nodes.map((n) => n.id));
        const rename = new Map<string, string>();
        const nodes = clip.nodes.map((n) => {
          const id = freshNodeId(n.id, taken);
          taken.add(id);
          rename.set(n.id, id);
          return { ...structuredClone(n), id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } };
        });
        const edges = clip.edges.map((e) => {
          const edge = { ...e, source: rename.get(e.source)!, target: rename.get(e.target)! };
          return { ...edge, id: edgeId(edge) };
        });
        const ids = nodes.map((n) => n.id);
        set({
          ...commit(s, { nodes: [...s.flow.nodes, ...nodes], edges: [...s.flow.edges, ...edges] }),
          // The next paste lands a step further so copies do not stack exactly.
          clipboard: { nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } })), edges: clip.edges },
          selectedNodeIds: ids,
          selectedEdgeIds: [],
        });
        return ids;
      },

      autoLayout: () => {
        const s = get();
        const pos = autoLayout(s.flow.nodes, s.flow.edges);
        set(commit(s, { nodes: s.flow.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })), edges: s.flow.edges }));
      },
    };
  };
