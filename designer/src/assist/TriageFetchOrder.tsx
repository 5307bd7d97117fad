// The triage button for a paid order the ERP lacks and no run of which failed: the server reads the order from Shopify
// and queues it to the flows that take paid orders; this says what was queued and links the runs.
import { useState } from 'react';
import { exceptionsApi } from '../api/exceptions.ts';
import type { TriageAction } from '../api/assist.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';

type Fetched = Awaited<ReturnType<typeof exceptionsApi.fetchOrder>>;

export function TriageFetchOrder({ action, exceptionId }: { action: TriageAction; exceptionId: string }) {
  const role = useSession((s) => s.user?.role);
  const [done, setDone] = useState<Fetched | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!can(role, 'exceptions.retry')) return <p className="help">Proposed: {action.label}. An operator, consultant or owner can do this from here.</p>;
  async function fetchIt() {
    setBusy(true);
    setError(null);
    try {
      setDone(await exceptionsApi.fetchOrder(exceptionId));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="triage-fetch-order" data-testid="triage-fetch-order">
      {!done && (
        <button type="button" className="primary" disabled={busy} onClick={() => void fetchIt()}>
          {busy ? 'Reading the order from Shopify…' : action.label}
        </button>
      )}
      {done && (
        <p className="ok-text" role="status" data-testid="triage-fetch-status">
          {done.message}{' '}
          {done.queued.map((q) => (
            <span key={q.runId}>
              <Link to={`/runs/${encodeURIComponent(q.runId)}`}>{q.flowId} run</Link>{' '}
            </span>
          ))}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
