// The exceptions inbox API (server/exceptions/routes.ts, mounted at /api/exceptions).
import { request } from './client.ts';
import type { Body, Query, Res, Schema } from './contract.ts';

export type ExceptionItem = Schema<'Exception'>;
export type ExceptionDetail = Schema<'ExceptionDetail'>;
export type ExceptionOwner = ExceptionItem['owner'];
export type ExceptionState = ExceptionItem['state'];
export type ExceptionQuery = Query<'/api/exceptions', 'get'>;
export type ExceptionAction = Body<'/api/exceptions/bulk', 'post'>['action'];

/** What an action may carry (each action's body takes only some of it: bodyFor). */
export type ActionInput = Omit<Body<'/api/exceptions/bulk', 'post'>, 'ids' | 'action'>;

const qs = (q: object) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const exceptionsApi = {
  list: (q: ExceptionQuery = {}) => request<Res<'/api/exceptions', 'get'>>('GET', `/api/exceptions${qs(q)}`),
  get: (id: string) => request<Res<'/api/exceptions/{id}', 'get'>>('GET', `/api/exceptions/${encodeURIComponent(id)}`),
  assignees: () => request<Res<'/api/exceptions/assignees', 'get'>>('GET', '/api/exceptions/assignees'),
  act: (id: string, action: ExceptionAction, input: ActionInput = {}) =>
    action === 'retry'
      ? request<Res<'/api/exceptions/{id}/retry', 'post'>>('POST', `/api/exceptions/${encodeURIComponent(id)}/retry`)
      : // acknowledge, assign and resolve answer with the exception as it now is
        request<ExceptionItem>('POST', `/api/exceptions/${encodeURIComponent(id)}/${action}`, bodyFor(action, input)),
  fetchOrder: (id: string) => request<Res<'/api/exceptions/{id}/fetch-order', 'post'>>('POST', `/api/exceptions/${encodeURIComponent(id)}/fetch-order`),
  bulk: (ids: string[], action: ExceptionAction, input: ActionInput = {}) =>
    request<Res<'/api/exceptions/bulk', 'post'>>('POST', '/api/exceptions/bulk', { ids, action, ...bodyFor(action, input) }),
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
