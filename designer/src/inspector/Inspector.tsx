import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { SchemaForm } from './SchemaForm.tsx';
import { NodeRunData } from './NodeRunData.tsx';
import { MAP_TYPE, useOpenMapper } from '../canvas/open-mapper.ts';

export function Inspector() {
  const store = useFlowStoreApi();
  const selected = useFlowStore((s) => s.selectedNodeIds);
  const node = useFlowStore((s) => (s.selectedNodeIds.length === 1 ? s.flow.nodes.find((n) => n.id === s.selectedNodeIds[0]) : undefined));
  const info = useFlowStore((s) => (node ? s.types[node.type] : undefined));
  const problems = useFlowStore((s) => s.problems);
  const readOnly = useFlowStore((s) => s.readOnly);
  const openMapper = useOpenMapper();

  if (!node) {
    return (
      <aside className="inspector" data-testid="inspector">
        <p className="muted">{selected.length > 1 ? `${selected.length} nodes selected.` : 'Select a node to configure it.'}</p>
      </aside>
    );
  }
  const mine = problems.filter((p) => p.where === node.id);
  const connectionKind = info && ['shopify', 'erp'].includes(info.category) ? info.category : undefined;
  return (
    <aside className="inspector" data-testid="inspector">
      <div className="inspector-head">
        <span className={`pill cat-${info?.category}`}>{info?.category ?? 'unknown'}</span>
        <h3>{info?.title ?? node.type}</h3>
        <code>{node.type}{node.typeVersion ? ` v${node.typeVersion}` : ''}</code>
      </div>
      {info?.description && <p className="help node-help">{info.description}</p>}
      {node.type === MAP_TYPE && (
        <p>
          <button className="primary" onClick={() => void openMapper(node.id)} data-testid="open-mapper">Open mapper</button>
          <span className="help"> or double-click the node</span>
        </p>
      )}
      <div className="field">
        <label htmlFor="node-name">Name</label>
        <input id="node-name" value={node.name ?? ''} disabled={readOnly} onChange={(e) => store.getState().renameNode(node.id, e.target.value)} />
        <div className="help">ID <code>{node.id}</code></div>
      </div>
      {info ? (
        <SchemaForm
          key={node.id}
          nodeId={node.id}
          schema={info.configSchema}
          config={node.config ?? {}}
          problems={mine}
          disabled={readOnly}
          connectionKind={connectionKind}
          onChange={(config, key) => store.getState().updateConfig(node.id, config, key)}
        />
      ) : (
        <p className="error">Unknown node type “{node.type}”: it is not in this server's catalog.</p>
      )}
      {mine.filter((p) => !/\.config\./.test(p.path)).map((p, i) => (
        <p key={i} className="error">{p.message}</p>
      ))}
      <NodeRunData nodeId={node.id} />
    </aside>
  );
}
