// Lookup tables: the shared ones and, with ?flow=ID, that flow's own.
import { useEffect, useState } from 'react';
import { lookupsApi, type LookupTable } from '../api/lookups.ts';
import { Link } from '../app/Link.tsx';

export function LookupListPage({ flowId }: { flowId?: string }) {
  const [tables, setTables] = useState<LookupTable[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    lookupsApi.list().then(
      (r) => setTables(r.tables),
      (e: Error) => setError(e.message),
    );
  }, []);
  const shown = (tables ?? []).filter((t) => !flowId || t.scope === 'shared' || t.scope === flowId);
  return (
    <section className="page" data-testid="lookups-page">
      <h2>Lookup tables{flowId ? <span className="muted small"> · flow {flowId}</span> : null}</h2>
      <p className="help">Tables translate Shopify values (tax lines, locations, payment methods…) into ERP codes. Open one to edit it like a spreadsheet.</p>
      {flowId && (
        <p>
          <Link to={`/flows/${encodeURIComponent(flowId)}/mapper`}>← Back to the mapping</Link>
        </p>
      )}
      {error && <p className="error">{error}</p>}
      {tables === null ? (
        <p className="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="muted">No lookup tables yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Table</th>
              <th>Scope</th>
              <th>Key → value</th>
              <th>Rows</th>
              <th>Version</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={`${t.scope}/${t.name}`} data-table={`${t.scope}/${t.name}`}>
                <td>
                  <Link to={`/lookups/${encodeURIComponent(t.scope)}/${encodeURIComponent(t.name)}`}>{t.title || t.name}</Link>
                  <div className="help">{t.description}</div>
                </td>
                <td>{t.scope === 'shared' ? <span className="pill">shared</span> : <span className="pill">flow {t.scope}</span>}</td>
                <td>
                  <code>
                    {t.keyColumns.map((k) => k.name).join(' + ')} → {t.valueColumns.join(', ')}
                  </code>
                </td>
                <td>{t.rowCount}</td>
                <td>v{t.version}</td>
                <td>{new Date(t.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
