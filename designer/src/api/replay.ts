// Replays and bulk retries: the step-by-step plan of a replay, fixing the lookup row an exception misses, and how
// the retried runs ended (server/routes/runs.ts, server/routes/retries.ts).
import { request } from './client.ts';
import type { Body, Res, Schema } from './contract.ts';

export type ReplayRequest = Body<'/api/runs/{id}/replay', 'post'>;
export type ReplayFrom = NonNullable<ReplayRequest['from']>;
export type ReplayStepPlan = Schema<'ReplayStepPlan'>;
export type ReplayPlan = Schema<'ReplayPlan'>;
export type RetryBatch = Schema<'RetryBatch'>;
export type RetryOutcome = Schema<'RetryOutcome'>;

const enc = encodeURIComponent;

export const replayApi = {
  preview: (runId: string, body: Body<'/api/runs/{id}/replay/preview', 'post'>) =>
    request<Res<'/api/runs/{id}/replay/preview', 'post'>>('POST', `/api/runs/${enc(runId)}/replay/preview`, body),
  replay: (runId: string, body: ReplayRequest) => request<Res<'/api/runs/{id}/replay', 'post'>>('POST', `/api/runs/${enc(runId)}/replay`, body),
  outcomes: (runIds: string[]) => request<Res<'/api/runs/outcomes', 'post'>>('POST', '/api/runs/outcomes', { runIds }),
  fixLookup: (exceptionId: string, values: Record<string, string>, message?: string) =>
    request<Res<'/api/exceptions/{id}/fix-lookup', 'post'>>('POST', `/api/exceptions/${enc(exceptionId)}/fix-lookup`, {
      values,
      ...(message ? { message } : {}),
    }),
};
