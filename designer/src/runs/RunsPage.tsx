import { useEffect, useState } from 'react';
import { api, type RunQuery } from '../api/client.ts';
import type { RunSummary } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { RunFilters } from './RunFilters.tsx';
import { errorText } from './StepDetails.tsx';

const PAGE = 50;

export function RunsPage() {
  const [query, setQuery] = useState<RunQuery>({});
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);

  useEffect(() => {
    setRuns(null);
    setError(null);
    api.runs({ ...query, limit: PAGE }).then(
      (r) => {
        setRuns(r.runs);
        setMore(r.runs.length === PAGE);
      },
      (e: Error) => setError(e.message),
    );
  }, [query]);

  async function loadMore() {
    const last = runs?.[runs.length - 1];
    if (!last) return;
    const r = await api.runs({ ...query, limit: PAGE, before: last.createdAt });
    setRuns([...(runs ?? []), ...r.runs]);
    setMore(r.runs.length === PAGE);
  }

  return (
    <section className="page" data-testid="runs-page">
      <h2>Runs</h2>
      <RunFilters value={query} onChange={setQuery} />
      {error && <p className="error">{error}</p>}
      {runs === null ? (
        <p className="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p className="muted">No runs match.</p>
      ) : (
        <table className="table">
          <thead>
            <tr><th>Run</th><th>Flow</th><th>Version</th><th>Status</th><th>Created</th><th>Duration</th><th>Error</th></tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId} data-run={r.runId}>
                <td><Link to={`/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</Link>{r.replayOf && <span className="muted"> (replay)</span>}</td>
                <td>{r.flowId}</td>
                <td>{r.flowVersion}</td>
                <td><span className={`pill status-${r.status}`}>{r.status}</span></td>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td>{r.startedAt && r.finishedAt ? `${Date.parse(r.finishedAt) - Date.parse(r.startedAt)} ms` : '—'}</td>
                <td className="error-cell">{errorText(r.error)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && <button onClick={loadMore}>Older runs</button>}
    </section>
  );
}
