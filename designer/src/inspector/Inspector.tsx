import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { SchemaForm } from './SchemaForm.tsx';
import { NodeRunData } from './NodeRunData.tsx';
import { MAP_TYPE, useOpenMapper } from '../canvas/open-mapper.ts';
import { Link } from '../app/Link.tsx';
import { mayOpen } from '../app/access.ts';
import { useSession } from '../app/session.ts';

/** With nothing selected: the flow's name and description (the description is shown on the flow list), and its pages. */
function FlowDetails() {
  const store = useFlowStoreApi();
  const id = useFlowStore((s) => s.flow.id);
  const role = useSession((s) => s.user?.role);
  const q = encodeURIComponent(id);
  const name = useFlowStore((s) => s.flow.name);
  const description = useFlowStore((s) => s.flow.description ?? '');
  const readOnly = useFlowStore((s) => s.readOnly);
  return (
    <div className="flow-details" data-testid="flow-details">
      <h4>Flow</h4>
      <div className="field">
        <label htmlFor="flow-name">Name</label>
        <input
          id="flow-name"
          value={name}
          readOnly={readOnly}
          maxLength={200}
          onChange={(e) => e.target.value.trim() && store.getState().setDetails({ name: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          rows={6}
          value={description}
          readOnly={readOnly}
          maxLength={5000}
          placeholder="What this flow does, when it runs and what it writes: shown on the flow list."
          onChange={(e) => store.getState().setDetails({ description: e.target.value })}
        />
      </div>
      <p className="small" data-testid="flow-pages">
        <Link to={`/runbooks/${q}`}>Runbook</Link>
        {mayOpen('/monitors', role) && (
          <>
            {' '}
            · <Link to={`/monitors?flow=${q}`}>Monitors</Link>
          </>
        )}
        {mayOpen('/runs', role) && (
          <>
            {' '}
            · <Link to={`/runs?flow=${q}`}>Runs</Link>
          </>
        )}
      </p>
    </div>
  );
}

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
        {selected.length === 0 && <FlowDetails />}
      </aside>
    );
  }
  const mine = problems.filter((p) => p.where === node.id);
  return (
    <aside className="inspector" data-testid="inspector">
      <div className="inspector-head">
        <span className={`pill cat-${info?.category}`}>{info?.category ?? 'unknown'}</span>
        <h3>{info?.title ?? node.type}</h3>
        <code>
          {node.type}
          {node.typeVersion ? ` v${node.typeVersion}` : ''}
        </code>
      </div>
      {info?.description && <p className="help node-help">{info.description}</p>}
      {node.type === MAP_TYPE && (
        <p>
          <button type="button" className="primary" onClick={() => void openMapper(node.id)} data-testid="open-mapper">
            Open mapper
          </button>
          <span className="help"> or double-click the node</span>
        </p>
      )}
      <div className="field">
        <label htmlFor="node-name">Name</label>
        <input id="node-name" value={node.name ?? ''} disabled={readOnly} onChange={(e) => store.getState().renameNode(node.id, e.target.value)} />
        <div className="help">
          ID <code>{node.id}</code>
        </div>
      </div>
      {info ? (
        // Each connection field says which kind it takes (`x-connection-kind` in its schema) and its picker offers only
        // those: never the node's category, which is `trigger` for the Shopify trigger and `erp` for an ERP node's
        // Shopify connection.
        <SchemaForm
          key={node.id}
          nodeId={node.id}
          schema={info.configSchema}
          config={node.config ?? {}}
          problems={mine}
          disabled={readOnly}
          onChange={(config, key) => store.getState().updateConfig(node.id, config, key)}
        />
      ) : (
        <p className="error">Unknown node type “{node.type}”: it is not in this server's catalog.</p>
      )}
      {mine
        .filter((p) => !/\.config\./.test(p.path))
        .map((p, i) => (
          <p /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
            key={i}
            className="error"
          >
            {p.message}
          </p>
        ))}
      <NodeRunData nodeId={node.id} />
    </aside>
  );
}
