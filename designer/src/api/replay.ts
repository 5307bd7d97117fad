// Replays and bulk retries: the step-by-step plan of a replay, fixing the lookup row an exception misses, and how
// the retried runs ended (server/routes/runs.ts, server/routes/retries.ts).
import { request } from './client.ts';

export type ReplayFrom = 'failed' | 'start' | { step: string };

export interface ReplayStepPlan {
  nodeId: string;
  type: string;
  title: string;
  action: 'rerun' | 'reuse';
  reason: string;
  written?: { documents: string[] };
  needsConfirmation?: boolean;
}

export interface ReplayPlan {
  runId: string;
  flowId: string;
  flowVersion: number;
  from: 'failed' | 'start' | 'step';
  fromStep?: string;
  steps: ReplayStepPlan[];
  rerun: string[];
  reused: string[];
  confirm: string[];
}

export interface ReplayRequest {
  from?: ReplayFrom;
  resend?: string[];
  version?: number;
}

export interface RetryBatch {
  exceptions: string[];
  runs: Array<{ runId: string; newRunId: string }>;
  skipped: Array<{ runId: string; reason: string }>;
}

export interface RetryOutcome {
  total: number;
  succeeded: number;
  pending: number;
  skipped: number;
  failed: Array<{ runId: string; replayOf: string | null; nodeId: string | null; message: string }>;
}

const enc = encodeURIComponent;

export const replayApi = {
  preview: (runId: string, body: ReplayRequest) => request<ReplayPlan>('POST', `/api/runs/${enc(runId)}/replay/preview`, body),
  replay: (runId: string, body: ReplayRequest) => request<{ runId: string; flowVersion: number; reused: string[]; plan: ReplayPlan }>('POST', `/api/runs/${enc(runId)}/replay`, body),
  outcomes: (runIds: string[]) => request<RetryOutcome>('POST', '/api/runs/outcomes', { runIds }),
  fixLookup: (exceptionId: string, values: Record<string, string>, message?: string) =>
    request<{ table: string; scope: string; version: number; rows: Array<Record<string, string>>; retried: RetryBatch }>(
      'POST', `/api/exceptions/${enc(exceptionId)}/fix-lookup`, { values, ...(message ? { message } : {}) },
    ),
};
