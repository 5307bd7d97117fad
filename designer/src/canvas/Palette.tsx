import { useMemo, useState } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { NodeTypeInfo } from '../api/types.ts';
import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { NODE_DRAG_MIME } from './FlowCanvas.tsx';

const CATEGORY_ORDER = ['trigger', 'shopify', 'erp', 'finance', 'lookup', 'monitor', 'core'];
const CATEGORY_TITLE: Record<string, string> = {
  trigger: 'Triggers',
  shopify: 'Shopify',
  erp: 'ERP',
  finance: 'Finance',
  lookup: 'Lookups',
  monitor: 'Monitors',
  core: 'Logic & code',
};

export function groupCatalog(types: NodeTypeInfo[], query: string): [string, NodeTypeInfo[]][] {
  const q = query.trim().toLowerCase();
  const hit = (t: NodeTypeInfo) => !q || [t.title, t.type, t.description, t.category].some((s) => s.toLowerCase().includes(q));
  const groups = new Map<string, NodeTypeInfo[]>();
  for (const t of types.filter(hit)) (groups.get(t.category) ?? groups.set(t.category, []).get(t.category)!).push(t);
  const rank = (c: string) => CATEGORY_ORDER.indexOf(c) + 1 || 99;
  return [...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([c, ts]) => [c, ts.sort((x, y) => x.title.localeCompare(y.title))]);
}

/** Moves a new node down until it does not sit on top of another one. */
export function freeSpot(nodes: { position: { x: number; y: number } }[], at: { x: number; y: number }) {
  const p = { ...at };
  while (nodes.some((n) => Math.abs(n.position.x - p.x) < 200 && Math.abs(n.position.y - p.y) < 80)) p.y += 100;
  return p;
}

export function Palette() {
  const store = useFlowStoreApi();
  const types = useFlowStore((s) => s.types);
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupCatalog(Object.values(types), query), [types, query]);
  const { screenToFlowPosition } = useReactFlow();

  // Click adds at the middle of the visible canvas: keyboard users and touch screens cannot drag.
  function addAtCenter(type: string) {
    const el = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const p = el ? screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
    store.getState().addNode(type, freeSpot(store.getState().flow.nodes, { x: p.x - 100, y: p.y - 30 }));
  }

  return (
    <aside className="palette" data-testid="palette">
      <input type="search" placeholder="Search nodes…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
      {groups.length === 0 && <p className="muted">No node matches “{query}”.</p>}
      {groups.map(([category, list]) => (
        <section key={category} className="palette-group">
          <h4>{CATEGORY_TITLE[category] ?? category}</h4>
          {list.map((t) => (
            // biome-ignore lint/a11y/useSemanticElements: a draggable card, and Firefox starts no drag from a <button>
            <div
              key={t.type}
              className={`palette-item cat-${t.category}`}
              role="button"
              tabIndex={0}
              draggable
              data-node-type={t.type}
              title={t.description}
              onDragStart={(e) => {
                e.dataTransfer.setData(NODE_DRAG_MIME, t.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => addAtCenter(t.type)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), addAtCenter(t.type))}
            >
              <strong>{t.title}</strong>
              <small>{t.type}</small>
            </div>
          ))}
        </section>
      ))}
      <p className="muted hint">Drag onto the canvas, or double-click (Enter) to add.</p>
    </aside>
  );
}
