// A table's versions, newest first; restoring one makes it current again as a new version.
import { useEffect, useState } from 'react';
import { lookupsApi, type LookupVersion } from '../api/lookups.ts';

interface Props {
  scope: string;
  name: string;
  current: number;
  readOnly: boolean;
  onRestore(version: number): Promise<void>;
  onClose(): void;
}

export function LookupVersions({ scope, name, current, readOnly, onRestore, onClose }: Props) {
  const [versions, setVersions] = useState<LookupVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: current is a trigger: a new current version (a save or restore) means a longer list
  useEffect(() => {
    lookupsApi.versions(scope, name).then(
      (r) => setVersions(r.versions),
      (e: Error) => setError(e.message),
    );
  }, [scope, name, current]);
  return (
    <aside className="card lookup-versions" data-testid="lookup-versions">
      <div className="row">
        <h3>Versions</h3>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onClose}>
          Close
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      <table className="table compact">
        <tbody>
          {(versions ?? []).map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <strong>v{v.version}</strong>
                {v.version === current && <span className="pill ok">current</span>}
              </td>
              <td>
                {v.message || <span className="muted">no note</span>}
                <div className="help">
                  {v.rowCount} rows · {v.createdBy ?? 'unknown'} · {new Date(v.createdAt).toLocaleString()}
                </div>
              </td>
              <td>
                {!readOnly && v.version !== current && (
                  <button type="button" onClick={() => void onRestore(v.version).catch((e: Error) => setError(e.message))}>
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
