// The sandbox panel, schedules ("run now"), connections, users, workspace members, API tokens and the audit log, over the HTTP API.
import { request } from './client.ts';
import type { Body, Res, Schema } from './contract.ts';

const enc = encodeURIComponent;

export type SandboxInfo = Schema<'SandboxInfo'>;
export type SandboxScenario = SandboxInfo['scenarios'][number];
export type SandboxActivity = SandboxInfo['activity'][number];
export type SandboxRunRef = SandboxActivity['runs'][number];
export type SandboxSent = Schema<'SandboxSendResult'>;
export type Schedule = Schema<'Schedule'>;

export type UserView = Schema<'UserListed'>;
export type MemberView = Schema<'WorkspaceMember'>;
export type TokenView = Schema<'ApiToken'>;
export type AuditEntry = Schema<'AuditEntry'>;

export const adminApi = {
  sandbox: () => request<Res<'/api/sandbox', 'get'>>('GET', '/api/sandbox'),
  sendScenario: (scenario: string) => request<Res<'/api/sandbox/events', 'post'>>('POST', '/api/sandbox/events', { scenario }),
  schedules: () => request<Res<'/api/schedules', 'get'>>('GET', '/api/schedules'),
  runNow: (flowId: string) => request<Res<'/api/flows/{id}/run-now', 'post'>>('POST', `/api/flows/${enc(flowId)}/run-now`),

  connections: () => request<Res<'/api/connections', 'get'>>('GET', '/api/connections'),
  createConnection: (c: Body<'/api/connections', 'post'>) => request<Res<'/api/connections', 'post'>>('POST', '/api/connections', c),
  updateConnection: (id: string, c: Body<'/api/connections/{id}', 'put'>) =>
    request<Res<'/api/connections/{id}', 'put'>>('PUT', `/api/connections/${enc(id)}`, c),
  deleteConnection: (id: string) => request<Res<'/api/connections/{id}', 'delete'>>('DELETE', `/api/connections/${enc(id)}`),
  testConnection: (id: string) => request<Res<'/api/connections/{id}/test', 'post'>>('POST', `/api/connections/${enc(id)}/test`),

  users: () => request<Res<'/api/users', 'get'>>('GET', '/api/users'),
  createUser: (u: Body<'/api/users', 'post'>) => request<Res<'/api/users', 'post'>>('POST', '/api/users', u),
  updateUser: (id: string, patch: Body<'/api/users/{id}', 'put'>) => request<Res<'/api/users/{id}', 'put'>>('PUT', `/api/users/${enc(id)}`, patch),
  members: (workspace: string) => request<Res<'/api/workspaces/{workspace}/members', 'get'>>('GET', `/api/workspaces/${enc(workspace)}/members`),
  addMember: (workspace: string, m: Body<'/api/workspaces/{workspace}/members', 'post'>) =>
    request<Res<'/api/workspaces/{workspace}/members', 'post'>>('POST', `/api/workspaces/${enc(workspace)}/members`, m),
  tokens: () => request<Res<'/api/tokens', 'get'>>('GET', '/api/tokens'),
  createToken: (name: string, userId?: string) => request<Res<'/api/tokens', 'post'>>('POST', '/api/tokens', { name, ...(userId ? { userId } : {}) }),
  revokeToken: (id: string) => request<Res<'/api/tokens/{id}', 'delete'>>('DELETE', `/api/tokens/${enc(id)}`),
  audit: (limit = 200) => request<Res<'/api/audit', 'get'>>('GET', `/api/audit?limit=${limit}`),
};

/** Epoch milliseconds or an ISO string (the API uses both) as a Date; null when absent or unreadable. */
export function toDate(v: number | string | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = typeof v === 'number' ? new Date(v) : /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
