// POST /api/flows/:id/dry-run (server/flows/dry-run.ts): the draft and the live version tried on the last real events.
import { request } from './client.ts';

export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface DocumentChange {
  nodeId: string;
  action: string;
  key?: string;
  before?: unknown;
  after?: unknown;
  fields: FieldChange[];
}

export interface DryOutcome {
  status: 'succeeded' | 'failed' | 'skipped' | 'stopped';
  message?: string;
  nodeId?: string;
  exceptions: string[];
}

export type Verdict = 'changed' | 'unchanged' | 'breaks' | 'fixes' | 'fails';

export interface DryRunEvent {
  eventId: string;
  runId: string;
  label: string;
  receivedAt: number;
  runStatus: string;
  verdict: Verdict;
  before: DryOutcome | null;
  after: DryOutcome;
  documents: DocumentChange[];
}

export interface DryRunReport {
  flowId: string;
  baseVersion: number | null;
  limit: number;
  events: DryRunEvent[];
  summary: Record<Verdict, number> & { events: number };
}

export const dryRun = (flowId: string, limit?: number) =>
  request<DryRunReport>('POST', `/api/flows/${encodeURIComponent(flowId)}/dry-run`, limit ? { limit } : {});
