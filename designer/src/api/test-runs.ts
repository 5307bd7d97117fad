// Test runs of a draft (POST /api/flows/:id/test and friends): kept apart from production runs by the server.
import { request } from './client.ts';
import type { Body, Res, Schema } from './contract.ts';

export type TestInput = Schema<'TestInput'>;
export type TestRunRecord = Res<'/api/flows/{id}/test', 'post'>;
export type StoreOrder = Res<'/api/flows/{id}/store-orders', 'get'>['orders'][number];

const enc = encodeURIComponent;

export const testRunsApi = {
  run: (flowId: string, body: Body<'/api/flows/{id}/test', 'post'>) => request<TestRunRecord>('POST', `/api/flows/${enc(flowId)}/test`, body),
  list: (flowId: string) => request<Res<'/api/flows/{id}/test-runs', 'get'>>('GET', `/api/flows/${enc(flowId)}/test-runs`),
  clear: (flowId: string) => request<Res<'/api/flows/{id}/test-runs', 'delete'>>('DELETE', `/api/flows/${enc(flowId)}/test-runs`),
  storeOrders: (flowId: string) => request<Res<'/api/flows/{id}/store-orders', 'get'>>('GET', `/api/flows/${enc(flowId)}/store-orders`),
};
