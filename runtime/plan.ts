// A validated flow turned into what the executor needs: graph order and, per node, its incoming edges.
import type { Flow, FlowEdge, FlowNode } from '../flows/schema.ts';
import type { NodeType } from './node-api.ts';

export interface PlannedNode {
  node: FlowNode;
  type: NodeType;
  incoming: FlowEdge[];
}

export interface Plan {
  flow: Flow;
  trigger: PlannedNode;
  /** Topological order, trigger first. */
  order: PlannedNode[];
  byId: Map<string, PlannedNode>;
}

export function buildPlan(flow: Flow, lookup: (type: string) => NodeType | undefined): Plan {
  const byId = new Map<string, PlannedNode>();
  for (const node of flow.nodes) {
    const type = lookup(node.type);
    if (!type) throw new Error(`node "${node.id}": unknown node type "${node.type}"`);
    byId.set(node.id, { node, type, incoming: [] });
  }
  const indegree = new Map<string, number>([...byId.keys()].map((id) => [id, 0]));
  const outgoing = new Map<string, string[]>();
  for (const e of flow.edges) {
    byId.get(e.target)!.incoming.push(e);
    indegree.set(e.target, indegree.get(e.target)! + 1);
    if (!outgoing.has(e.source)) outgoing.set(e.source, []);
    outgoing.get(e.source)!.push(e.target);
  }
  const trigger = [...byId.values()].find((p) => p.type.trigger);
  if (!trigger) throw new Error('flow has no trigger');
  // Kahn's algorithm keeps the document's node order among ready nodes, so runs are deterministic.
  const ready = flow.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: PlannedNode[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(byId.get(id)!);
    for (const t of outgoing.get(id) ?? []) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }
  if (order.length !== byId.size) throw new Error('flow has a cycle');
  const reachable = new Set<string>([trigger.node.id]);
  for (const p of order) if (p.incoming.some((e) => reachable.has(e.source))) reachable.add(p.node.id);
  return { flow, trigger, order: order.filter((p) => reachable.has(p.node.id)), byId };
}
