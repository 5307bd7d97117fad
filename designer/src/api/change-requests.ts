// Client changes awaiting a consultant's approval (server/routes/change-requests.ts): each flow's policy, the
// requests, approve and reject.
import { request } from './client.ts';
import type { DryRunReport } from './dry-run.ts';
import type { Schema, Res, Query } from './contract.ts';
import type { Flow } from './types.ts';

export type ApprovalPolicy = Schema<'ApprovalPolicy'>;
export type ChangeRequestSummary = Schema<'ChangeRequestSummary'>;
export type ChangeRequestStatus = ChangeRequestSummary['status'];
/** A request in full; the API types its flow document and dry run loosely, the designer reads them as `Flow` and `DryRunReport`. */
export type ChangeRequest = Omit<Schema<'ChangeRequest'>, 'definition' | 'dryRun'> & { definition: Flow; dryRun: DryRunReport | null };
/** What POST /api/flows/{id}/publish answers when the change waits for approval (202) instead of a version. */
export type PendingPublish = Schema<'PendingPublish'>;

export const isPending = (r: unknown): r is PendingPublish => !!r && typeof r === 'object' && (r as PendingPublish).pending === true;

const enc = encodeURIComponent;

/** Said after a request is decided in this tab, so counts elsewhere on the page (the nav tab) follow at once. */
export const CHANGE_REQUESTS_CHANGED = 'll:change-requests-changed';
export const announceChangeRequests = () => window.dispatchEvent(new Event(CHANGE_REQUESTS_CHANGED));

export const changeRequestsApi = {
  policy: (flowId: string) => request<Res<'/api/flows/{id}/approval-policy', 'get'>>('GET', `/api/flows/${enc(flowId)}/approval-policy`),
  setPolicy: (flowId: string, clientChangesNeedApproval: boolean) =>
    request<Res<'/api/flows/{id}/approval-policy', 'put'>>('PUT', `/api/flows/${enc(flowId)}/approval-policy`, { clientChangesNeedApproval }),
  list: (q: Query<'/api/change-requests', 'get'> = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    const qs = p.toString();
    return request<Res<'/api/change-requests', 'get'>>('GET', `/api/change-requests${qs ? `?${qs}` : ''}`);
  },
  get: (id: string) => request<ChangeRequest>('GET', `/api/change-requests/${enc(id)}`),
  approve: (id: string) => request<Res<'/api/change-requests/{id}/approve', 'post'>>('POST', `/api/change-requests/${enc(id)}/approve`),
  withdraw: (id: string) => request<Res<'/api/change-requests/{id}/withdraw', 'post'>>('POST', `/api/change-requests/${enc(id)}/withdraw`),
  reject: (id: string, reason: string) =>
    request<Res<'/api/change-requests/{id}/reject', 'post'>>('POST', `/api/change-requests/${enc(id)}/reject`, { reason }),
};
