import { useReactFlow } from '@xyflow/react';
import { api } from '../api/client.ts';
import type { FlowSummary } from '../api/types.ts';
import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { useTestRun } from './use-test-run.ts';

const SAVE_LABEL = { saved: 'All changes saved', dirty: 'Unsaved changes', saving: 'Saving…', error: 'Save failed' } as const;

interface Props {
  flush(): Promise<void>;
  onPublish(): void;
  onVersions(): void;
  summary: FlowSummary | null;
  onSummary(s: FlowSummary): void;
}

export function Toolbar({ flush, onPublish, onVersions, summary, onSummary }: Props) {
  const store = useFlowStoreApi();
  const name = useFlowStore((s) => s.flow.name);
  const canUndo = useFlowStore((s) => s.past.length > 0);
  const canRedo = useFlowStore((s) => s.future.length > 0);
  const saveState = useFlowStore((s) => s.saveState);
  const saveError = useFlowStore((s) => s.saveError);
  const readOnly = useFlowStore((s) => s.readOnly);
  const testRunning = useFlowStore((s) => s.testRunning);
  const { fitView } = useReactFlow();

  async function validate() {
    try {
      await flush();
      const { revision, flow } = store.getState();
      const r = await api.validate(flow.id);
      store.getState().setProblems(r.problems, revision);
      if (r.valid) store.getState().notify('The draft is valid.');
    } catch (e) {
      store.getState().notify((e as Error).message);
    }
  }

  const testRun = useTestRun();

  async function toggleActive() {
    const id = store.getState().flow.id;
    try {
      const next = summary?.active ? await api.deactivate(id) : await api.activate(id);
      onSummary(next);
      store.getState().notify(next.active ? `Active: version ${next.activeVersion} now handles events.` : 'Deactivated: events no longer start runs.');
    } catch (e) {
      store.getState().notify((e as Error).message);
    }
  }

  return (
    <div className="toolbar" data-testid="toolbar">
      <strong className="flow-name">{name}</strong>
      <span className={`save-state ${saveState}`} data-testid="save-state" title={saveError ?? ''}>
        {SAVE_LABEL[saveState]}
      </span>
      <span className="spacer" />
      {!readOnly && (
        <>
          <button type="button" onClick={() => store.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button type="button" onClick={() => store.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button
            type="button"
            onClick={() => {
              store.getState().autoLayout();
              requestAnimationFrame(() => void fitView({ duration: 300 }));
            }}
          >
            Auto-layout
          </button>
        </>
      )}
      <button type="button" onClick={() => void fitView({ duration: 300 })}>
        Zoom to fit
      </button>
      <button type="button" onClick={validate}>
        Validate
      </button>
      <button type="button" onClick={() => void testRun()} disabled={testRunning} data-testid="toolbar-test-run">
        {testRunning ? 'Running…' : 'Test run'}
      </button>
      <button type="button" onClick={onVersions}>
        Versions
      </button>
      {!readOnly && summary && (
        <button
          type="button"
          onClick={toggleActive}
          disabled={!summary.latestVersion}
          title={summary.latestVersion ? '' : 'Publish a version first'}
          data-testid="toggle-active"
        >
          {summary.active ? `Active v${summary.activeVersion} · Deactivate` : 'Activate'}
        </button>
      )}
      {!readOnly && (
        <button type="button" className="primary" onClick={onPublish}>
          Publish…
        </button>
      )}
    </div>
  );
}
