// The flow's approval policy in the versions panel: consultants and owners turn it on; others read it.
import { useEffect, useState } from 'react';
import { changeRequestsApi, type ApprovalPolicy } from '../api/change-requests.ts';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import './approvals.css';

export function ApprovalToggle({ flowId }: { flowId: string }) {
  const role = useSession((s) => s.user?.role);
  const [policy, setPolicy] = useState<ApprovalPolicy | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    changeRequestsApi.policy(flowId).then(setPolicy, (e: Error) => setError(e.message));
  }, [flowId]);
  if (!policy) return error ? <p className="error">{error}</p> : null;
  const editable = can(role, 'flows.approve');
  async function set(on: boolean) {
    setError(null);
    try {
      setPolicy(await changeRequestsApi.setPolicy(flowId, on));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <>
      <label className="policy-toggle" title={policy.updatedBy ? `Set by ${policy.updatedBy}, ${new Date(policy.updatedAt ?? 0).toLocaleString()}` : ''}>
        <input
          type="checkbox"
          checked={policy.clientChangesNeedApproval}
          disabled={!editable}
          onChange={(e) => void set(e.target.checked)}
          data-testid="approval-policy"
        />
        <span>
          Client changes need a consultant's approval before they go live
          <span className="muted"> (their mapping and flow changes; lookup-table rows apply at once, versioned, so a missing row never waits)</span>
        </span>
      </label>
      {error && <p className="error">{error}</p>}
    </>
  );
}
