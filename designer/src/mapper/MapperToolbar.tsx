// Which map node, and saving: the draft is saved explicitly, then published with a message. (Which input the
// mapping is previewed on is chosen in the source pane, next to the fields it shows.)
import { Link } from '../app/Link.tsx';
import { useMapper, useMapperEnv } from './context.ts';

interface Props {
  canSeeCanvas: boolean;
  saving: boolean;
  onSave(): void;
  onPublish(): void;
}

export function MapperToolbar({ canSeeCanvas, saving, onSave, onPublish }: Props) {
  const { store } = useMapperEnv();
  const flow = useMapper((s) => s.flow);
  const nodeId = useMapper((s) => s.nodeId);
  const dirty = useMapper((s) => s.revision !== s.savedRevision);
  const maps = flow.nodes.filter((n) => n.type === 'core.map');

  return (
    <div className="toolbar mapper-toolbar">
      <strong className="flow-name">{flow.name}</strong>
      {maps.length > 1 && (
        <select aria-label="Mapping node" value={nodeId ?? ''} onChange={(e) => store.getState().chooseNode(e.target.value)} style={{ width: 'auto' }}>
          {maps.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name ?? n.id}
            </option>
          ))}
        </select>
      )}
      <span className="spacer" />
      <Link to={`/lookups?flow=${encodeURIComponent(flow.id)}`}>Lookup tables</Link>
      {canSeeCanvas && <Link to={`/flows/${encodeURIComponent(flow.id)}`}>Canvas</Link>}
      <span className={`save-state ${dirty ? 'dirty' : ''}`} data-testid="mapper-save-state">
        {saving ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved'}
      </span>
      <button type="button" onClick={onSave} disabled={saving || !dirty}>
        Save draft
      </button>
      <button type="button" className="primary" onClick={onPublish} disabled={saving}>
        Publish…
      </button>
    </div>
  );
}
