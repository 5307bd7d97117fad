// The integration audit (/api/integration-audit: catalogue, mappings, flows) and a flow's runbook (/api/runbooks), as
// JSON for the app's pages (server/integration-audit, server/runbooks).
import { request } from './client.ts';
import type { Res } from './contract.ts';

export type IntegrationAudit = Res<'/api/integration-audit', 'get'>;
export type Runbook = Res<'/api/runbooks/{flowId}', 'get'>;

export const reportsApi = {
  integrationAudit: () => request<IntegrationAudit>('GET', '/api/integration-audit'),
  runbook: (flowId: string) => request<Runbook>('GET', `/api/runbooks/${encodeURIComponent(flowId)}?format=json`),
};
