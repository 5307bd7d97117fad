// POST /api/flows/:id/dry-run (server/flows/dry-run.ts): the draft and the live version tried on the last real events.
import { request } from './client.ts';
import type { Res, Schema } from './contract.ts';

export type DryRunReport = Res<'/api/flows/{id}/dry-run', 'post'>;
export type DryRunEvent = Schema<'DryRunEvent'>;
export type DryOutcome = DryRunEvent['after'];
export type DocumentChange = DryRunEvent['documents'][number];
export type FieldChange = DocumentChange['fields'][number];
export type Verdict = DryRunEvent['verdict'];

export const dryRun = (flowId: string, limit?: number) =>
  request<DryRunReport>('POST', `/api/flows/${encodeURIComponent(flowId)}/dry-run`, limit ? { limit } : {});
