// On a flow (mapper and canvas): the latest change request, so a client sees that the change waits for approval or
// why it was rejected, and a consultant sees there is one to review.
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { changeRequestsApi, type ChangeRequestSummary } from '../api/change-requests.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import './approvals.css';

const when = (t: number) => new Date(t).toLocaleString();

export function ChangeRequestBanner({ flowId, refresh = 0 }: { flowId: string; refresh?: number }) {
  const user = useSession((s) => s.user);
  const [latest, setLatest] = useState<ChangeRequestSummary | null>(null);
  const [latestVersion, setLatestVersion] = useState<number | null>(null);
  const [reloads, setReloads] = useState(0);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh (the page's saves) and reloads (a withdrawal) are triggers to fetch again
  useEffect(() => {
    let cancelled = false;
    changeRequestsApi.list({ flowId, limit: 5 }).then(
      // A withdrawn request is the client's own undo: the one before it no longer speaks for the flow either.
      (r) => !cancelled && setLatest(r.changeRequests.find((x) => x.status !== 'superseded') ?? null),
      () => !cancelled && setLatest(null),
    );
    api.flow(flowId).then(
      (r) => !cancelled && setLatestVersion(r.flow.latestVersion),
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [flowId, refresh, reloads]);

  if (!latest || !user) return null;
  const mine = latest.requestedBy === user.email;
  const reviewer = can(user.role, 'flows.approve');
  if (latest.status === 'pending') {
    return (
      <div className="change-request-banner pending" role="status" data-testid="change-request-banner" data-status="pending">
        <strong>Waiting for approval:</strong> “{latest.message || 'no note'}”, asked by {mine ? 'you' : latest.requestedBy} on {when(latest.requestedAt)}. It
        goes live once a consultant approves it.
        {latest.stale && <span className="stale"> Out of date: {latest.stale}.</span>}
        {mine && (
          <button
            type="button"
            className="ghost small"
            data-testid="withdraw-request"
            onClick={() => {
              setError(null);
              changeRequestsApi.withdraw(latest.id).then(
                () => setReloads((n) => n + 1),
                (e: Error) => setError(e.message),
              );
            }}
          >
            Withdraw
          </button>
        )}
        {error && <span className="error"> {error}</span>}
        {reviewer && (
          <>
            {' '}
            <Link to={`/approvals/${encodeURIComponent(latest.id)}`} data-testid="review-change-request">
              Review the change
            </Link>
          </>
        )}
      </div>
    );
  }
  // A decision stays on the flow until a newer version says otherwise.
  if (latest.status === 'rejected' && (latestVersion == null || latest.baseVersion === latestVersion)) {
    return (
      <div className="change-request-banner rejected" role="alert" data-testid="change-request-banner" data-status="rejected">
        <strong>Not approved:</strong> {mine ? 'your' : `${latest.requestedBy}'s`} change “{latest.message || 'no note'}” was rejected by {latest.decidedBy} on{' '}
        {when(latest.decidedAt ?? latest.requestedAt)}: <q data-testid="rejection-reason">{latest.reason}</q>
      </div>
    );
  }
  if (latest.status === 'approved' && latest.publishedVersion === latestVersion) {
    return (
      <div className="change-request-banner approved" role="status" data-testid="change-request-banner" data-status="approved">
        <strong>Approved:</strong> {mine ? 'your' : `${latest.requestedBy}'s`} change “{latest.message || 'no note'}” was approved by {latest.decidedBy} and is
        version {latest.publishedVersion}.
      </div>
    );
  }
  return null;
}
