// The sandbox panel, schedules ("run now"), connections, users, API tokens and the audit log, over the HTTP API.
import { request } from './client.ts';
import type { ConnectionInfo, Role, User } from './types.ts';

const enc = encodeURIComponent;

export interface SandboxRunRef { flowId: string; runId: string }
export interface SandboxScenario { id: string; title: string; expect: string; starts: string }
export interface SandboxActivity { kind: string; scenario: string; label: string; at: string; orderGid?: string; runs: SandboxRunRef[] }
export interface SandboxInfo {
  sandboxMode: boolean;
  ready: boolean;
  shop: { connection: string; domain: string | null; webhookUrl: string; webhookSecret?: string };
  erp: { connection: string };
  scenarios: SandboxScenario[];
  activity: SandboxActivity[];
}
export interface SandboxSent { scenario: string; message: string; orderName?: string; orderId?: string; refundId?: string; payoutId?: string; runs: SandboxRunRef[] }
export interface Schedule { flowId: string; name: string; version: number; cron: string; timezone: string; every: string; next: string | null }

export interface UserView extends User { disabled: boolean; createdAt: number }
export interface TokenView { id: string; name: string; userId: string; createdAt: number; lastUsedAt: number | null }
export interface AuditEntry { at: number; actor: string; action: string; target: string; details: unknown }

export interface ConnectionInput {
  id?: string;
  kind?: 'shopify' | 'erp';
  provider?: string;
  name?: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export const adminApi = {
  sandbox: () => request<SandboxInfo>('GET', '/api/sandbox'),
  sendScenario: (scenario: string) => request<SandboxSent>('POST', '/api/sandbox/events', { scenario }),
  schedules: () => request<{ schedules: Schedule[] }>('GET', '/api/schedules'),
  runNow: (flowId: string) => request<SandboxRunRef & { flowVersion: number }>('POST', `/api/flows/${enc(flowId)}/run-now`),

  connections: () => request<{ connections: ConnectionInfo[] }>('GET', '/api/connections'),
  createConnection: (c: ConnectionInput) => request<ConnectionInfo>('POST', '/api/connections', c),
  updateConnection: (id: string, c: ConnectionInput) => request<ConnectionInfo>('PUT', `/api/connections/${enc(id)}`, c),
  deleteConnection: (id: string) => request<ConnectionInfo>('DELETE', `/api/connections/${enc(id)}`),
  testConnection: (id: string) => request<{ ok: boolean; message: string }>('POST', `/api/connections/${enc(id)}/test`),

  users: () => request<{ users: UserView[] }>('GET', '/api/users'),
  createUser: (u: { email: string; name?: string; role: Role; password: string }) => request<UserView>('POST', '/api/users', u),
  updateUser: (id: string, patch: { name?: string; role?: Role; password?: string; disabled?: boolean }) => request<UserView>('PUT', `/api/users/${enc(id)}`, patch),
  tokens: () => request<{ tokens: TokenView[] }>('GET', '/api/tokens'),
  createToken: (name: string, userId?: string) => request<TokenView & { token: string }>('POST', '/api/tokens', { name, ...(userId ? { userId } : {}) }),
  revokeToken: (id: string) => request<{ ok: boolean }>('DELETE', `/api/tokens/${enc(id)}`),
  audit: (limit = 200) => request<{ entries: AuditEntry[] }>('GET', `/api/audit?limit=${limit}`),
};

/** Epoch milliseconds or an ISO string (the API uses both) as a Date; null when absent or unreadable. */
export function toDate(v: number | string | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = typeof v === 'number' ? new Date(v) : /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
