import { useCallback, useEffect, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { api } from '../api/client.ts';
import type { FlowSummary, FlowWarning } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { canEditStructure, useSession } from '../app/session.ts';
import { Inspector } from '../inspector/Inspector.tsx';
import { createFlowStore, type FlowStore } from '../store/create-flow-store.ts';
import { FlowStoreContext } from '../store/context.tsx';
import { publishedText } from '../publish/published-text.ts';
import { VersionsPanel } from '../versions/VersionsPanel.tsx';
import { createAutosaver, saveDraft, saveOnLeave, saveOnPageHide, savesSettled, type Autosaver } from './autosave.ts';
import { FlowCanvas } from './FlowCanvas.tsx';
import { Notice } from './Notice.tsx';
import { Palette } from './Palette.tsx';
import { ProblemsPanel } from './ProblemsPanel.tsx';
import { PublishDialog } from './PublishDialog.tsx';
import { TestRunPanel } from './TestRunPanel.tsx';
import { Toolbar } from './Toolbar.tsx';
import { useKeyboard } from './use-keyboard.ts';
import { FlushContext } from './use-test-run.ts';
import { ChangeRequestBanner } from '../approvals/ChangeRequestBanner.tsx';

export function EditorPage({ flowId }: { flowId: string }) {
  const role = useSession((s) => s.user?.role);
  const [store, setStore] = useState<FlowStore | null>(null);
  const [summary, setSummary] = useState<FlowSummary | null>(null);
  const [warnings, setWarnings] = useState<FlowWarning[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    // Coming from the mapper, its last edits may still be on their way: the draft is read after them.
    savesSettled()
      .then(() => Promise.all([api.catalog(), api.flow(flowId)]))
      .then(
        ([catalog, { draft, flow, warnings }]) => {
          if (cancelled) return;
          setSummary(flow);
          setWarnings(warnings ?? []);
          setStore(createFlowStore(draft, catalog.nodeTypes, { readOnly: !canEditStructure(role) }));
        },
        (e: Error) => !cancelled && setError(e.message),
      );
    return () => {
      cancelled = true;
    };
  }, [flowId, role]);

  if (error) return <p className="error page">{error}</p>;
  if (!store) return <p className="muted page">Loading flow…</p>;
  return (
    <FlowStoreContext.Provider value={store}>
      <ReactFlowProvider>
        <Editor store={store} summary={summary} setSummary={setSummary} warnings={warnings} setWarnings={setWarnings} />
      </ReactFlowProvider>
    </FlowStoreContext.Provider>
  );
}

interface EditorProps {
  store: FlowStore;
  summary: FlowSummary | null;
  setSummary(s: FlowSummary): void;
  /** Other active flows posting the same events to the same ERP: shown until the next activation or publish says otherwise. */
  warnings: FlowWarning[];
  setWarnings(w: FlowWarning[]): void;
}

function Editor({ store, summary, setSummary, warnings, setWarnings }: EditorProps) {
  const saver = useRef<Autosaver | null>(null);
  const [dialog, setDialog] = useState<'publish' | 'versions' | null>(null);
  const [requests, setRequests] = useState(0);
  useKeyboard(store);

  useEffect(() => {
    const s = createAutosaver(store, { save: saveDraft, validate: api.validate });
    saver.current = s;
    const unhook = saveOnPageHide(s);
    const flowId = store.getState().flow.id;
    api.validate(flowId).then(
      (r) => store.getState().setProblems(r.problems, store.getState().revision),
      () => {},
    );
    return () => {
      unhook();
      saveOnLeave(s);
      s.dispose();
    };
  }, [store]);

  const flush = useCallback(() => saver.current?.flush() ?? Promise.resolve(), []);
  const reloadDraft = useCallback(async () => {
    const { draft } = await api.flow(store.getState().flow.id);
    store.getState().loadFlow(draft);
  }, [store]);

  return (
    <FlushContext.Provider value={flush}>
      <div className="editor">
        <Toolbar
          flush={flush}
          summary={summary}
          onSummary={(s) => {
            setSummary(s);
            setWarnings(s.active ? ((s as { warnings?: FlowWarning[] }).warnings ?? warnings) : []);
          }}
          onPublish={() => setDialog('publish')}
          onVersions={() => setDialog(dialog === 'versions' ? null : 'versions')}
        />
        <ChangeRequestBanner flowId={summary?.id ?? store.getState().flow.id} refresh={requests} />
        {warnings.length > 0 && (
          <div className="overlap-warning" role="alert" data-testid="overlap-warning">
            {warnings.map((w) => (
              <p key={w.flowId}>
                ⚠ {w.message} <Link to={`/flows/${encodeURIComponent(w.flowId)}`}>Open “{w.flowName}”</Link>
              </p>
            ))}
          </div>
        )}
        <div className="editor-body">
          {!store.getState().readOnly && <Palette />}
          <div className="editor-center">
            <FlowCanvas />
            <div className="editor-bottom">
              <ProblemsPanel />
              <TestRunPanel />
            </div>
          </div>
          {dialog === 'versions' ? <VersionsPanel onClose={() => setDialog(null)} reloadDraft={reloadDraft} /> : <Inspector />}
        </div>
        <Notice />
        {dialog === 'publish' && (
          <PublishDialog
            flush={flush}
            onClose={() => setDialog(null)}
            onRequested={() => {
              setDialog(null);
              store.getState().notify('Sent for approval: the change goes live once a consultant approves it.');
              setRequests((n) => n + 1);
            }}
            onPublished={(v) => {
              setRequests((n) => n + 1);
              setDialog(null);
              if (v.warnings) setWarnings(v.warnings);
              void api.flow(store.getState().flow.id).then(
                (r) => {
                  setSummary(r.flow);
                  store.getState().notify(publishedText(v, r.flow));
                },
                () => store.getState().notify(publishedText(v, null)),
              );
            }}
          />
        )}
      </div>
    </FlushContext.Provider>
  );
}
