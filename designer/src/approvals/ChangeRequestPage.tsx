// /approvals/:id: one client change as the consultant reviews it: what changes (each field, live value and the
// requested one), the dry run on the last real orders made when it was asked for, and approve or reject with a reason.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { announceChangeRequests, changeRequestsApi, type ChangeRequest } from '../api/change-requests.ts';
import type { Flow } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { PublishReview } from '../publish/PublishReview.tsx';
import { showValue, valueChanges } from './config-changes.ts';
import { DryRunPills } from './ApprovalsPage.tsx';
import './approvals.css';

const STATUS_PILL: Record<string, string> = { pending: 'status-running', approved: 'ok', rejected: 'bad', superseded: '', withdrawn: '' };

export function ChangeRequestPage({ id }: { id: string }) {
  const role = useSession((s) => s.user?.role);
  const [req, setReq] = useState<ChangeRequest | null>(null);
  const [base, setBase] = useState<Flow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const r = await changeRequestsApi.get(id);
    setReq(r);
    if (r.baseVersion != null) setBase((await api.version(r.flowId, r.baseVersion)).definition);
  }, [id]);
  useEffect(() => void load().catch((e: Error) => setError(e.message)), [load]);

  async function decide(action: 'approve' | 'reject') {
    setBusy(true);
    setError(null);
    try {
      if (action === 'approve') {
        const r = await changeRequestsApi.approve(id);
        setOutcome(`Approved: version ${r.version.version} is live, authored by ${r.version.createdBy}, approved by ${r.version.approvedBy}.`);
      } else {
        await changeRequestsApi.reject(id, reason.trim());
        setOutcome(`Rejected: ${req?.requestedBy} sees your reason on the flow.`);
      }
      announceChangeRequests();
      await load();
    } catch (e) {
      setError((e as Error).message);
      await load().catch(() => {});
    } finally {
      setBusy(false);
    }
  }

  if (!req) return <section className="page">{error ? <p className="error">{error}</p> : <p className="muted">Loading the change…</p>}</section>;
  const changes = valueChanges(req.diff, base, req.definition);
  const structural = req.diff.nodes.added.length + req.diff.nodes.removed.length + req.diff.edges.added.length + req.diff.edges.removed.length;
  const reviewer = can(role, 'flows.approve');
  return (
    <section className="page change-request-page" data-testid="change-request-page" data-status={req.status}>
      <div className="row">
        <h2>Change to “{req.flowName}”</h2>
        <span className={`pill ${STATUS_PILL[req.status]}`} data-testid="change-request-status">
          {req.status}
        </span>
        <span className="spacer" />
        <Link to="/approvals">All approvals</Link>
        <Link to={`/flows/${encodeURIComponent(req.flowId)}`}>Open the flow</Link>
      </div>
      <dl className="meta">
        <dt>Note</dt>
        <dd data-testid="change-request-message">{req.message || <span className="muted">(no note)</span>}</dd>
        <dt>Asked by</dt>
        <dd>
          {req.requestedBy}, {new Date(req.requestedAt).toLocaleString()}
        </dd>
        <dt>Against</dt>
        <dd>version {req.baseVersion ?? '—'}</dd>
        {req.decidedBy && (
          <>
            <dt>Decided</dt>
            <dd>
              {req.status} by {req.decidedBy}, {new Date(req.decidedAt ?? 0).toLocaleString()}
              {req.publishedVersion ? ` as version ${req.publishedVersion}` : ''}
              {req.reason ? `: ${req.reason}` : ''}
            </dd>
          </>
        )}
      </dl>
      {req.stale && (
        <p className="stale-warning" role="alert" data-testid="stale-warning">
          <strong>Out of date, cannot be approved:</strong> {req.stale}. Reject it with a note, or ask {req.requestedBy} to publish again.
        </p>
      )}
      {outcome && (
        <p className="approval-note" role="status" data-testid="decision-outcome">
          {outcome}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="card">
        <h3>What changes</h3>
        {changes.length === 0 && !structural ? (
          <p className="muted">No difference from version {req.baseVersion} (only where nodes sit on the canvas).</p>
        ) : (
          <table className="table compact config-changes" data-testid="config-changes">
            <thead>
              <tr>
                <th>Step</th>
                <th>Setting</th>
                <th>Version {req.baseVersion}</th>
                <th>Requested</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={`${c.nodeId}:${c.path}`} data-node={c.nodeId} data-path={c.path}>
                  <td>{c.nodeName}</td>
                  <td>
                    <code title={c.path}>{c.label}</code>
                  </td>
                  <td className="before">
                    <code>{showValue(c.before)}</code>
                  </td>
                  <td className="after">
                    <code>{showValue(c.after)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {structural > 0 && (
          <p className="muted">
            Also: {req.diff.nodes.added.length} node(s) added, {req.diff.nodes.removed.length} removed,{' '}
            {req.diff.edges.added.length + req.diff.edges.removed.length} connection(s) changed.
          </p>
        )}
      </div>

      <div className="card">
        <div className="row">
          <h3>Tried on the last orders when it was asked for</h3>
          <DryRunPills s={req.dryRunSummary} />
        </div>
        {req.dryRun ? (
          <PublishReview review={{ state: 'ready', problems: [], report: req.dryRun }} />
        ) : (
          <p className="error">The dry run could not run: {req.dryRunError ?? 'no reason recorded'}</p>
        )}
      </div>

      {reviewer && req.status === 'pending' && (
        <div className="card decision" data-testid="decision">
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={busy || !!req.stale}
              title={req.stale ?? ''}
              onClick={() => void decide('approve')}
              data-testid="approve"
            >
              Approve and publish
            </button>
            <span className="muted">
              Publishes this change as the next version of “{req.flowName}”, authored by {req.requestedBy}.
            </span>
          </div>
          <label>
            Or reject it, saying why ({req.requestedBy} sees this on the flow)
            <textarea
              name="reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. Keep the ERP tax code on shipping lines; let's talk first."
            />
          </label>
          <div className="row">
            <button type="button" disabled={busy || !reason.trim()} onClick={() => void decide('reject')} data-testid="reject">
              Reject
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
