// Which map node, and saving: the draft saves itself as on the canvas ("Save draft" saves now), then is published
// with a message. (Which input the mapping is previewed on is chosen in the source pane, next to the fields it shows.)
import { Link } from '../app/Link.tsx';
import type { SaveStatus } from './autosave.ts';
import { useMapper, useMapperEnv } from './context.ts';

/** The canvas toolbar's words, so both editors say the same about the draft. */
const SAVE_LABEL = { saved: 'All changes saved', dirty: 'Unsaved changes', saving: 'Saving…', error: 'Save failed' } as const;

interface Props {
  canSeeCanvas: boolean;
  status: SaveStatus;
  onSave(): void;
  onPublish(): void;
}

export function MapperToolbar({ canSeeCanvas, status, onSave, onPublish }: Props) {
  const { store } = useMapperEnv();
  const flow = useMapper((s) => s.flow);
  const nodeId = useMapper((s) => s.nodeId);
  const saving = status.state === 'saving';
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
      <span className={`save-state ${status.state}`} data-testid="mapper-save-state" title={status.error ?? ''}>
        {SAVE_LABEL[status.state]}
      </span>
      <button type="button" onClick={onSave} disabled={saving}>
        Save draft
      </button>
      <button type="button" className="primary" onClick={onPublish} disabled={saving}>
        Publish…
      </button>
    </div>
  );
}
