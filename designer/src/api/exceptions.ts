// The exceptions inbox API (server/exceptions/routes.ts, mounted at /api/exceptions).
import { request } from './client.ts';

export type ExceptionOwner = 'finance' | 'operations' | 'ecommerce';
export type ExceptionState = 'open' | 'acknowledged' | 'resolved';
export type ExceptionAction = 'acknowledge' | 'assign' | 'resolve' | 'retry';

export interface ExceptionItem {
  id: string;
  type: string;
  key: string;
  title: string;
  detail: string | null;
  severity: 'low' | 'medium' | 'high';
  owner: ExceptionOwner;
  assignee: string | null;
  state: ExceptionState;
  autoResolved: boolean;
  resolutionNote: string | null;
  resolvedBy: string | null;
  count: number;
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
  links: { runId?: string; flowId?: string; nodeId?: string; shopify?: string; erp?: string };
  data: Record<string, unknown> | null;
}

export interface ExceptionDetail extends ExceptionItem {
  runs: Array<{ runId: string; flowId: string | null; status: string; at: number }>;
  events: Array<{ id: number; at: number; actor: string; action: string; note: string | null }>;
}

export interface ExceptionQuery {
  owner?: ExceptionOwner;
  type?: string;
  state?: ExceptionState | 'unresolved';
  severity?: string;
  assignee?: string;
  limit?: number;
  offset?: number;
}

export interface ActionInput {
  note?: string;
  assignee?: string | null;
  owner?: ExceptionOwner;
}

const qs = (q: object) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const exceptionsApi = {
  list: (q: ExceptionQuery = {}) => request<{ items: ExceptionItem[]; total: number }>('GET', `/api/exceptions${qs(q)}`),
  get: (id: string) => request<ExceptionDetail>('GET', `/api/exceptions/${encodeURIComponent(id)}`),
  act: (id: string, action: ExceptionAction, input: ActionInput = {}) =>
    action === 'retry'
      ? request<{ replayed: Array<{ runId: string; newRunId: string }>; skipped: Array<{ runId: string; reason: string }> }>(
          'POST',
          `/api/exceptions/${encodeURIComponent(id)}/retry`,
        )
      : request<ExceptionItem>('POST', `/api/exceptions/${encodeURIComponent(id)}/${action}`, bodyFor(action, input)),
  bulk: (ids: string[], action: ExceptionAction, input: ActionInput = {}) =>
    request<{ results: Array<{ id: string; ok: boolean; error?: string }> }>('POST', '/api/exceptions/bulk', { ids, action, ...bodyFor(action, input) }),
};

/** Only the fields each action accepts (the API's bodies are strict). */
export function bodyFor(action: ExceptionAction, i: ActionInput): ActionInput {
  if (action === 'acknowledge') return i.note ? { note: i.note } : {};
  if (action === 'resolve') return { note: i.note };
  if (action === 'assign') {
    const out: ActionInput = {};
    if (i.assignee !== undefined) out.assignee = i.assignee;
    if (i.owner) out.owner = i.owner;
    if (i.note) out.note = i.note;
    return out;
  }
  return {};
}
