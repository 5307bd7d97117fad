// Which map node, which sample, and saving: the draft is saved explicitly, then published with a message.
import { useEffect, useState } from 'react';
import type { RunSummary } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { useMapper, useMapperEnv } from './context.ts';
import { recentRuns, runSample } from './samples.ts';
import type { SampleChoice } from '../store/mapper-store.ts';

interface Props {
  catalogSample: SampleChoice | null;
  canSeeCanvas: boolean;
  saving: boolean;
  onSave(): void;
  onPublish(): void;
}

export function MapperToolbar({ catalogSample, canSeeCanvas, saving, onSave, onPublish }: Props) {
  const { store } = useMapperEnv();
  const flow = useMapper((s) => s.flow);
  const nodeId = useMapper((s) => s.nodeId);
  const sample = useMapper((s) => s.sample);
  const dirty = useMapper((s) => s.revision !== s.savedRevision);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const maps = flow.nodes.filter((n) => n.type === 'core.map');

  useEffect(() => {
    recentRuns(flow.id).then(setRuns, () => setRuns([]));
  }, [flow.id]);

  async function pickSample(id: string) {
    setError(null);
    try {
      if (id === 'catalog' && catalogSample) store.getState().setSample(catalogSample);
      else if (id) store.getState().setSample(await runSample(id));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="toolbar mapper-toolbar">
      <strong className="flow-name">{flow.name}</strong>
      {maps.length > 1 && (
        <select aria-label="Mapping node" value={nodeId ?? ''} onChange={(e) => store.getState().chooseNode(e.target.value)} style={{ width: 'auto' }}>
          {maps.map((n) => <option key={n.id} value={n.id}>{n.name ?? n.id}</option>)}
        </select>
      )}
      <label className="inline">Sample
        <select aria-label="Sample event" value={sample?.id ?? ''} onChange={(e) => void pickSample(e.target.value)} style={{ width: 'auto', maxWidth: 360 }}>
          {catalogSample && <option value="catalog">{catalogSample.label}</option>}
          {runs.map((r) => <option key={r.runId} value={r.runId}>Run …{r.runId.slice(-8)} · {r.status} · {new Date(r.createdAt).toLocaleString()}</option>)}
        </select>
      </label>
      {error && <span className="error small">{error}</span>}
      <span className="spacer" />
      <Link to={`/lookups?flow=${encodeURIComponent(flow.id)}`}>Lookup tables</Link>
      {canSeeCanvas && <Link to={`/flows/${encodeURIComponent(flow.id)}`}>Canvas</Link>}
      <span className={`save-state ${dirty ? 'dirty' : ''}`} data-testid="mapper-save-state">{saving ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved'}</span>
      <button onClick={onSave} disabled={saving || !dirty}>Save draft</button>
      <button className="primary" onClick={onPublish} disabled={saving}>Publish…</button>
    </div>
  );
}
