// /approvals: client changes waiting for a consultant's approval, and the latest decisions.
import { useEffect, useState } from 'react';
import { changeRequestsApi, type ChangeRequestSummary } from '../api/change-requests.ts';
import { Link } from '../app/Link.tsx';
import './approvals.css';

export function DryRunPills({ s }: { s: Record<string, number> | null }) {
  if (!s) return <span className="pill">no dry run</span>;
  if (!s.events) return <span className="pill">no orders yet</span>;
  return (
    <span className="row" style={{ gap: 4 }}>
      <span className={`pill ${s.changed ? 'status-running' : ''}`}>
        {s.changed ?? 0} of {s.events} events change
      </span>
      {(s.breaks ?? 0) > 0 && <span className="pill bad">{s.breaks} would fail</span>}
      {(s.fixes ?? 0) > 0 && <span className="pill ok">{s.fixes} fixed</span>}
    </span>
  );
}

export function ApprovalsPage() {
  const [pending, setPending] = useState<ChangeRequestSummary[] | null>(null);
  const [decided, setDecided] = useState<ChangeRequestSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    changeRequestsApi.list({ status: 'pending' }).then(
      (r) => setPending(r.changeRequests),
      (e: Error) => setError(e.message),
    );
    changeRequestsApi.list({ limit: 40 }).then(
      (r) => setDecided(r.changeRequests.filter((x) => x.status === 'approved' || x.status === 'rejected').slice(0, 20)),
      () => {},
    );
  }, []);
  return (
    <section className="page" data-testid="approvals-page">
      <h2>Approvals</h2>
      <p className="muted">Changes client staff made to flows whose client changes need a consultant's approval. Nothing here is live until it is approved.</p>
      {error && <p className="error">{error}</p>}
      {pending === null ? (
        !error && <p className="muted">Loading…</p>
      ) : pending.length === 0 ? (
        <p data-testid="no-pending">No changes are waiting for approval.</p>
      ) : (
        <table className="table" data-testid="pending-requests">
          <thead>
            <tr>
              <th>Flow</th>
              <th>Change</th>
              <th>Asked by</th>
              <th>When</th>
              <th>Dry run</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {pending.map((r) => (
              <tr key={r.id} data-request={r.id}>
                <td>
                  <strong>{r.flowName}</strong>
                  <div className="muted small">against v{r.baseVersion}</div>
                </td>
                <td>
                  {r.message || <span className="muted">(no note)</span>}
                  {r.stale && (
                    <div>
                      <span className="pill status-running" title={r.stale}>
                        out of date
                      </span>
                    </div>
                  )}
                </td>
                <td>{r.requestedBy}</td>
                <td className="nowrap">{new Date(r.requestedAt).toLocaleString()}</td>
                <td>
                  <DryRunPills s={r.dryRunSummary} />
                </td>
                <td>
                  <Link to={`/approvals/${encodeURIComponent(r.id)}`}>Review</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {decided.length > 0 && (
        <>
          <h3>Recent decisions</h3>
          <table className="table compact" data-testid="decided-requests">
            <thead>
              <tr>
                <th>Flow</th>
                <th>Change</th>
                <th>Asked by</th>
                <th>Decision</th>
              </tr>
            </thead>
            <tbody>
              {decided.map((r) => (
                <tr key={r.id}>
                  <td>{r.flowName}</td>
                  <td>
                    <Link to={`/approvals/${encodeURIComponent(r.id)}`}>{r.message || '(no note)'}</Link>
                  </td>
                  <td>{r.requestedBy}</td>
                  <td>
                    <span className={`pill ${r.status === 'approved' ? 'ok' : 'bad'}`}>{r.status}</span> by {r.decidedBy}
                    {r.status === 'approved' ? ` as v${r.publishedVersion}` : r.reason ? `: ${r.reason}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
