// Client changes awaiting a consultant's approval (server/routes/change-requests.ts): each flow's policy, the
// requests, approve and reject.
import { request } from './client.ts';
import type { DryRunReport } from './dry-run.ts';
import type { Flow, FlowDiff, FlowWarning, VersionInfo } from './types.ts';

export type ChangeRequestStatus = 'pending' | 'approved' | 'rejected' | 'superseded' | 'withdrawn';

export interface ApprovalPolicy {
  flowId: string;
  clientChangesNeedApproval: boolean;
  updatedBy: string | null;
  updatedAt: number | null;
}

export interface ChangeRequestSummary {
  id: string;
  flowId: string;
  flowName: string;
  status: ChangeRequestStatus;
  message: string;
  baseVersion: number | null;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
  publishedVersion: number | null;
  /** Why a pending request can no longer be approved, or null. */
  stale: string | null;
  dryRunSummary: Record<string, number> | null;
}

export interface ChangeRequest extends ChangeRequestSummary {
  definition: Flow;
  dryRun: DryRunReport | null;
  dryRunError: string | null;
  diff: FlowDiff;
}

/** What POST /api/flows/{id}/publish answers when the change waits for approval (202) instead of a version. */
export interface PendingPublish {
  pending: true;
  changeRequest: ChangeRequestSummary;
}

export const isPending = (r: unknown): r is PendingPublish => !!r && typeof r === 'object' && (r as PendingPublish).pending === true;

const enc = encodeURIComponent;

/** Said after a request is decided in this tab, so counts elsewhere on the page (the nav tab) follow at once. */
export const CHANGE_REQUESTS_CHANGED = 'll:change-requests-changed';
export const announceChangeRequests = () => window.dispatchEvent(new Event(CHANGE_REQUESTS_CHANGED));

export const changeRequestsApi = {
  policy: (flowId: string) => request<ApprovalPolicy>('GET', `/api/flows/${enc(flowId)}/approval-policy`),
  setPolicy: (flowId: string, clientChangesNeedApproval: boolean) => request<ApprovalPolicy>('PUT', `/api/flows/${enc(flowId)}/approval-policy`, { clientChangesNeedApproval }),
  list: (q: { flowId?: string; status?: ChangeRequestStatus; limit?: number } = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    const qs = p.toString();
    return request<{ changeRequests: ChangeRequestSummary[] }>('GET', `/api/change-requests${qs ? `?${qs}` : ''}`);
  },
  get: (id: string) => request<ChangeRequest>('GET', `/api/change-requests/${enc(id)}`),
  approve: (id: string) =>
    request<{ changeRequest: ChangeRequestSummary; version: VersionInfo & { approvedBy: string }; warnings: FlowWarning[] }>('POST', `/api/change-requests/${enc(id)}/approve`),
  withdraw: (id: string) => request<{ changeRequest: ChangeRequestSummary }>('POST', `/api/change-requests/${enc(id)}/withdraw`),
  reject: (id: string, reason: string) => request<{ changeRequest: ChangeRequestSummary }>('POST', `/api/change-requests/${enc(id)}/reject`, { reason }),
};
