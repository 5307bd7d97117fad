// Test runs of a draft (POST /api/flows/:id/test and friends): kept apart from production runs by the server.
import { request } from './client.ts';
import type { RunRecord, RunSummary } from './types.ts';

export type TestInput =
  | { kind: 'sample' }
  | { kind: 'payload'; body: unknown }
  | { kind: 'run'; runId: string }
  | { kind: 'store'; orderId: string };

export type TestRunRecord = RunRecord & { input?: { kind: TestInput['kind']; label: string }; pinned?: string[] };

export interface StoreOrder {
  id: string;
  name: string;
  createdAt: string;
  financialStatus: string | null;
}

const enc = encodeURIComponent;

export const testRunsApi = {
  run: (flowId: string, body: { input?: TestInput; nodeId?: string; pinFrom?: string }) => request<TestRunRecord>('POST', `/api/flows/${enc(flowId)}/test`, body),
  list: (flowId: string) => request<{ runs: RunSummary[] }>('GET', `/api/flows/${enc(flowId)}/test-runs`),
  clear: (flowId: string) => request<{ deleted: number }>('DELETE', `/api/flows/${enc(flowId)}/test-runs`),
  storeOrders: (flowId: string) => request<{ connection: string; orders: StoreOrder[] }>('GET', `/api/flows/${enc(flowId)}/store-orders`),
};
