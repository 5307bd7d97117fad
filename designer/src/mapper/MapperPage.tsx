// The no-code mapper: the map node's real input on the left (a past run's, a test run's or an example, as chosen),
// the map node's target fields on the right, the selected target's source and transforms below, and the live preview
// on that same input. Client users land here instead of the canvas.
import { publishedText } from '../publish/published-text.ts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { api, ApiError } from '../api/client.ts';
import { lookupsApi, type LookupTable } from '../api/lookups.ts';
import { canEditStructure, canSeeCanvas, useSession } from '../app/session.ts';
import type { NodeTypeInfo } from '../api/types.ts';
import { createMapperStore, type MapperStore } from '../store/mapper-store.ts';
import { MapperContext } from './context.ts';
import { FieldEditor } from './FieldEditor.tsx';
import { MapperPublishDialog } from './MapperPublishDialog.tsx';
import { MapperToolbar } from './MapperToolbar.tsx';
import { PreviewPanel } from './PreviewPanel.tsx';
import { upstreamOf } from './samples.ts';
import { InputPicker } from './InputPicker.tsx';
import { useNodeInputs } from './use-node-inputs.ts';
import { SourceTree } from './SourceTree.tsx';
import { TargetPane } from './TargetPane.tsx';
import { SuggestPanel } from './SuggestPanel.tsx';
import { usePreview } from './use-preview.ts';
import { useMapper } from './context.ts';
import { isPending } from '../api/change-requests.ts';
import { ChangeRequestBanner } from '../approvals/ChangeRequestBanner.tsx';
import { saveDraft, saveOnLeave, saveOnPageHide, savesSettled, type Autosaver } from '../canvas/autosave.ts';
import { createMapperAutosaver, createSaveStatus } from './autosave.ts';

interface Loaded {
  store: MapperStore;
  tables: LookupTable[];
  types: NodeTypeInfo[];
}

export function MapperPage({ flowId, nodeId }: { flowId: string; nodeId?: string }) {
  const role = useSession((s) => s.user?.role);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    // Coming from the canvas, its last edits may still be on their way: the draft is read after them.
    savesSettled()
      .then(() => Promise.all([api.flow(flowId), api.catalog(), lookupsApi.list().catch(() => ({ tables: [] as LookupTable[] }))]))
      .then(
        ([{ draft }, catalog, { tables }]) => {
          if (cancelled) return;
          const store = createMapperStore(draft, nodeId);
          setLoaded({ store, types: catalog.nodeTypes, tables: tables.filter((t) => t.scope === 'shared' || t.scope === flowId) });
        },
        (e: Error) => !cancelled && setError(e.message),
      );
    return () => {
      cancelled = true;
    };
  }, [flowId, nodeId]);

  if (error) return <p className="error page">{error}</p>;
  if (!loaded) return <p className="muted page">Loading the mapping…</p>;
  return (
    <MapperContext.Provider value={{ store: loaded.store, tables: loaded.tables, canEditCode: canEditStructure(role) }}>
      <Mapper store={loaded.store} types={loaded.types} showCanvas={canSeeCanvas(role)} />
    </MapperContext.Provider>
  );
}

function Mapper({ store, types, showCanvas }: { store: MapperStore; types: NodeTypeInfo[]; showCanvas: boolean }) {
  usePreview(store);
  const inputs = useNodeInputs(store, types);
  const nodeId = useMapper((s) => s.nodeId);
  const sample = useMapper((s) => s.sample);
  const loadingInputs = useMapper((s) => s.inputs === null);
  const upstream = useMapper((s) => (s.nodeId ? (upstreamOf(s.flow, s.nodeId, types)?.name ?? null) : null));
  const [publishing, setPublishing] = useState(false);
  const [message, setMessage] = useState<{ text: string; bad?: boolean } | null>(null);
  const [requests, setRequests] = useState(0);
  const [status] = useState(createSaveStatus);
  const saveState = useStore(status);
  const saver = useRef<Autosaver | null>(null);

  useEffect(() => {
    const s = createMapperAutosaver(store, status, {
      save: saveDraft,
      onError: (e) => {
        const problems = e instanceof ApiError ? e.problems.map((p) => `${p.where} ${p.path}: ${p.message}`) : [];
        setMessage({ text: `Not saved: ${e.message}${problems.length ? ` — ${problems.join('; ')}` : ''}`, bad: true });
      },
      onSaved: () => setMessage((m) => (m?.bad ? null : m)),
    });
    saver.current = s;
    const unhook = saveOnPageHide(s);
    return () => {
      unhook();
      saveOnLeave(s);
      s.dispose();
    };
  }, [store, status]);

  /** Whatever is unsaved goes to the server now (the autosave would send it a moment later). */
  const save = useCallback(() => saver.current?.flush() ?? Promise.resolve(), []);

  async function publish(text: string) {
    await save();
    try {
      const v = await api.publish(store.getState().flow.id, text);
      setPublishing(false);
      if (isPending(v)) setMessage({ text: 'Sent for approval: the change goes live once a consultant approves it.' });
      else
        setMessage({
          text: publishedText(
            v,
            await api.flow(store.getState().flow.id).then(
              (r) => r.flow,
              () => null,
            ),
          ),
        });
      setRequests((n) => n + 1);
    } catch (e) {
      const problems = e instanceof ApiError ? e.problems.map((p) => `${p.where} ${p.path}: ${p.message}`) : [];
      throw new Error(`${(e as Error).message}${problems.length ? ` — ${problems.join('; ')}` : ''}`);
    }
  }

  return (
    <section className="mapper" data-testid="mapper-page">
      <MapperToolbar
        canSeeCanvas={showCanvas}
        status={saveState}
        onSave={() =>
          void save().then(
            () => setMessage({ text: 'Draft saved.' }),
            () => {},
          )
        }
        onPublish={() => setPublishing(true)}
      />
      <ChangeRequestBanner flowId={store.getState().flow.id} refresh={requests} />
      {message && (
        <p className={`mapper-message ${message.bad ? 'error' : ''}`} data-testid="mapper-message" role="status">
          {message.text}
        </p>
      )}
      {!nodeId ? (
        <p className="muted page">This flow has no mapping step (a "Map fields" node) yet; a consultant adds one on the canvas.</p>
      ) : (
        <div className="mapper-body">
          <SourceTree sample={sample?.value}>
            <InputPicker upstreamName={upstream} error={inputs.error} onReload={inputs.reload} />
            {!sample && !loadingInputs && <p className="muted">No input to map from: no run has reached this step and the step before it has no example.</p>}
          </SourceTree>
          <div className="mapper-right">
            <SuggestPanel />
            <TargetPane />
            <FieldEditor />
          </div>
          <PreviewPanel />
        </div>
      )}
      {publishing && <MapperPublishDialog flowId={store.getState().flow.id} prepare={save} onPublish={publish} onClose={() => setPublishing(false)} />}
    </section>
  );
}
