// Whether the signed-in user's publish of this flow goes live or waits for a consultant's approval.
import { useEffect, useState } from 'react';
import { changeRequestsApi } from '../api/change-requests.ts';
import type { Role } from '../api/types.ts';

/** null while asking; true when a client's publish of this flow becomes a change request. */
export function useNeedsApproval(flowId: string, role: Role | undefined): boolean | null {
  const [needs, setNeeds] = useState<boolean | null>(role === 'client' ? null : false);
  useEffect(() => {
    if (role !== 'client') return setNeeds(false);
    let cancelled = false;
    // Unknown (the call failed): the server decides on publish anyway, and says which it did.
    changeRequestsApi.policy(flowId).then(
      (p) => !cancelled && setNeeds(p.clientChangesNeedApproval),
      () => !cancelled && setNeeds(false),
    );
    return () => {
      cancelled = true;
    };
  }, [flowId, role]);
  return needs;
}
