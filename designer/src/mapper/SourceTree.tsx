// The map node's input as a tree (which input: the picker passed as children). Each field can be dragged onto a
// target, or clicked to fill the selected target.
import { useMemo, useState, type ReactNode } from 'react';
import { buildSourceTree, filterTree, type SourceNode } from './model/source-tree.ts';
import { useMapper, useMapperEnv } from './context.ts';

export const DRAG_TYPE = 'application/x-ledgerline-path';

export function SourceTree({ sample, children }: { sample: unknown; children?: ReactNode }) {
  const [q, setQ] = useState('');
  const tree = useMemo(() => (sample === undefined ? [] : buildSourceTree(sample)), [sample]);
  const shown = useMemo(() => filterTree(tree, q), [tree, q]);
  return (
    <div className="source-pane card" data-testid="source-pane">
      <h3>Source fields</h3>
      {children}
      {sample !== undefined && (
        <>
          <input aria-label="Search source fields" placeholder="Search, e.g. email or sku" value={q} onChange={(e) => setQ(e.target.value)} />
          <p className="help">Drag a field onto a target on the right, or select a target and click a field.</p>
          {tree.length === 0 ? (
            <p className="muted">This sample has no fields.</p>
          ) : (
            <ul className="tree">
              {shown.map((n) => (
                <TreeItem key={n.path} node={n} depth={0} open={!!q} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function TreeItem({ node, depth, open }: { node: SourceNode; depth: number; open: boolean }) {
  const { store } = useMapperEnv();
  const selected = useMapper((s) => s.selected);
  const [expanded, setExpanded] = useState(depth < 1);
  const isOpen = open || expanded;
  const pick = () => {
    if (selected) store.getState().assignPath(selected, node.path);
    else store.getState().addField(null, node.path);
  };
  return (
    <li>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drag source; the key's button inside is the click and keyboard way to pick the path */}
      <div
        className={`tree-row kind-${node.kind}`}
        draggable
        data-path={node.path}
        onDragStart={(e) => {
          e.dataTransfer.setData(DRAG_TYPE, node.path);
          e.dataTransfer.setData('text/plain', node.path);
          e.dataTransfer.effectAllowed = 'copy';
        }}
        title={node.path}
      >
        {node.children ? (
          <button type="button" className="ghost twisty" aria-label={isOpen ? 'Collapse' : 'Expand'} onClick={() => setExpanded(!isOpen)}>
            {isOpen ? '▾' : '▸'}
          </button>
        ) : (
          <span className="twisty" />
        )}
        <button type="button" className="link tree-key" onClick={pick}>
          {node.key}
        </button>
        {node.kind === 'array' && <span className="pill">list of {node.length}</span>}
        {node.preview !== undefined && <code className="tree-preview">{node.preview}</code>}
      </div>
      {node.children && isOpen && (
        <ul className="tree">
          {node.children.map((c) => (
            <TreeItem key={c.path} node={c} depth={depth + 1} open={open} />
          ))}
        </ul>
      )}
    </li>
  );
}
