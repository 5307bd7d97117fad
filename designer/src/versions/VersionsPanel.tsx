import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { FlowDiff, VersionInfo } from '../api/types.ts';
import { useFlowStoreApi } from '../store/context.tsx';
import { diffMarks } from './diff-marks.ts';
import { DiffView } from './DiffView.tsx';
import { ApprovalToggle } from '../approvals/ApprovalToggle.tsx';
import { downloadFlowFile } from '../app/FlowImport.tsx';

export function VersionsPanel({ onClose, reloadDraft }: { onClose(): void; reloadDraft(): Promise<void> }) {
  const store = useFlowStoreApi();
  const flowId = store.getState().flow.id;
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [pair, setPair] = useState<{ from?: number; to?: number }>({});
  const [diff, setDiff] = useState<FlowDiff | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api.versions(flowId).then(
        (r) => setVersions([...r.versions].sort((a, b) => b.version - a.version)),
        (e: Error) => setError(e.message),
      ),
    [flowId],
  );
  useEffect(() => void load(), [load]);

  // The canvas outlines what the open diff touches; closing the panel or picking another pair clears it.
  useEffect(() => {
    const s = store.getState();
    s.setDiffMarks(
      diff
        ? diffMarks(
            diff,
            s.flow.nodes.map((n) => n.id),
          ).nodes
        : null,
    );
  }, [diff, store]);
  useEffect(() => () => store.getState().setDiffMarks(null), [store]);

  useEffect(() => {
    setDiff(null);
    if (pair.from === undefined || pair.to === undefined || pair.from === pair.to) return;
    api.diff(flowId, pair.from, pair.to).then(setDiff, (e: Error) => setError(e.message));
  }, [flowId, pair.from, pair.to]);

  async function rollback(v: number) {
    if (!confirm(`Roll back to version ${v}? This publishes a new version with v${v}'s definition.`)) return;
    try {
      const nv = await api.rollback(flowId, v);
      store.getState().notify(`Rolled back: version ${nv.version} now has v${v}'s definition.`);
      await load();
      await reloadDraft();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  /** A published version as the file "Import JSON…" takes (the draft's is on the flow list). */
  async function exportVersion(v: number) {
    try {
      await downloadFlowFile(flowId, v);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <aside className="versions" data-testid="versions">
      <div className="row">
        <h4>Versions</h4>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onClose} aria-label="Close versions">
          ×
        </button>
      </div>
      <ApprovalToggle flowId={flowId} />
      {error && <p className="error">{error}</p>}
      {versions === null ? (
        <p className="muted">Loading…</p>
      ) : versions.length === 0 ? (
        <p className="muted">Nothing published yet.</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>v</th>
              <th>Published</th>
              <th>From</th>
              <th>To</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>{v.version}</td>
                <td title={v.hash}>
                  <div className="version-message">{v.message || <span className="muted">(no message)</span>}</div>
                  <div className="help" data-testid="version-meta">
                    <time dateTime={new Date(v.createdAt).toISOString()}>{new Date(v.createdAt).toLocaleString()}</time> · {v.createdBy ?? 'unknown'}
                    {v.approvedBy && <> · approved by {v.approvedBy}</>}
                  </div>
                  <div className="version-actions">
                    <button type="button" className="ghost small" onClick={() => rollback(v.version)}>
                      Roll back to v{v.version}
                    </button>{' '}
                    <button type="button" className="ghost small" onClick={() => void exportVersion(v.version)}>
                      Export JSON
                    </button>
                  </div>
                </td>
                <td>
                  <input
                    type="radio"
                    name="diff-from"
                    aria-label={`diff from v${v.version}`}
                    checked={pair.from === v.version}
                    onChange={() => setPair((p) => ({ ...p, from: v.version }))}
                  />
                </td>
                <td>
                  <input
                    type="radio"
                    name="diff-to"
                    aria-label={`diff to v${v.version}`}
                    checked={pair.to === v.version}
                    onChange={() => setPair((p) => ({ ...p, to: v.version }))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff && pair.from !== undefined && pair.to !== undefined && <DiffView diff={diff} from={pair.from} to={pair.to} />}
    </aside>
  );
}
