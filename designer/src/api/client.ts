// Thin fetch wrapper over the HTTP API. The token lives in localStorage; the server also sets a cookie at login.
import type { Flow, FlowTemplate, NodeTypeInfo, Problem } from './types.ts';
import type { Body, Query, Res } from './contract.ts';

/** The API types a flow document loosely (drafts may be incomplete): the designer reads it as the flow schema's `Flow`. */
type WithFlow<T, K extends keyof T> = Omit<T, K> & { [P in K]: Flow };

const TOKEN_KEY = 'll_token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (t: string | null) => (t ? localStorage.setItem(TOKEN_KEY, t) : localStorage.removeItem(TOKEN_KEY)),
};

const WORKSPACE_KEY = 'll_workspace';

/** The workspace the designer works in (sent as X-Ledgerline-Workspace); none: the server's default for the user. */
export const workspaceStore = {
  get: (): string | null => localStorage.getItem(WORKSPACE_KEY),
  set: (id: string | null) => (id ? localStorage.setItem(WORKSPACE_KEY, id) : localStorage.removeItem(WORKSPACE_KEY)),
};

export type WorkspaceInfo = Res<'/api/workspaces', 'get'>['workspaces'][number];

let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (fn: () => void) => (onUnauthorized = fn);

/** A JSON call; `raw` sends a text body with its own content type (CSV import). */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  raw?: { contentType: string; text: string },
  /** `keepalive`: the browser finishes the request after the page is gone (a save on reload or tab close). */
  init: { keepalive?: boolean } = {},
): Promise<T> {
  const { res, text } = await send(method, path, body, raw, 'application/json', init);
  let data: unknown;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (!res.ok) throw new ApiError(res.status, 'http_error', `${method} ${path}: HTTP ${res.status}`);
      throw new ApiError(res.status, 'bad_json', `${method} ${path}: the server sent something that is not JSON`);
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; problems?: Problem[] } } | undefined)?.error;
    if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthorized();
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `${method} ${path}: HTTP ${res.status}`, err?.problems ?? []);
  }
  return data as T;
}

async function send(
  method: string,
  path: string,
  body: unknown,
  raw: { contentType: string; text: string } | undefined,
  accept: string,
  init: { keepalive?: boolean } = {},
) {
  const headers: Record<string, string> = { accept };
  const token = tokenStore.get();
  if (token) headers.authorization = `Bearer ${token}`;
  const workspace = workspaceStore.get();
  if (workspace) headers['x-ledgerline-workspace'] = workspace;
  if (raw) headers['content-type'] = raw.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const payload = raw ? raw.text : body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', ...(init.keepalive ? { keepalive: true } : {}) });
  return { res, text: await res.text() };
}

/** A call answered with text (CSV export); errors still come as the API's JSON error body. */
export async function requestText(path: string): Promise<string> {
  const { res, text } = await send('GET', path, undefined, undefined, 'text/csv, application/json');
  if (!res.ok) {
    let message = `GET ${path}: HTTP ${res.status}`;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, 'http_error', message);
  }
  return text;
}

const enc = encodeURIComponent;

export const api = {
  login: (email: string, password: string) => request<Res<'/api/auth/login', 'post'>>('POST', '/api/auth/login', { email, password }),
  logout: () => request<Res<'/api/auth/logout', 'post'>>('POST', '/api/auth/logout'),
  me: () => request<Res<'/api/me', 'get'>>('GET', '/api/me'),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<Res<'/api/auth/password', 'post'>>('POST', '/api/auth/password', { currentPassword, newPassword }),
  workspaces: () => request<Res<'/api/workspaces', 'get'>>('GET', '/api/workspaces'),
  catalog: () => request<Res<'/api/catalog', 'get'> & { nodeTypes: NodeTypeInfo[] }>('GET', '/api/catalog'),
  flows: () => request<Res<'/api/flows', 'get'>>('GET', '/api/flows'),
  createFlow: (flow: Flow) => request<Res<'/api/flows', 'post'>>('POST', '/api/flows', flow),
  /** Creates the flow, or replaces the draft of the flow with its id (its versions stay). */
  importFlow: (flow: Flow) => request<Res<'/api/flows/import', 'post'>>('POST', '/api/flows/import', flow),
  /** The draft, or a published version, as the document an import takes. */
  exportFlow: (id: string, version?: number) =>
    request<Res<'/api/flows/{id}/export', 'get'>>('GET', `/api/flows/${enc(id)}/export${version ? `?version=${version}` : ''}`),
  templates: () => request<Res<'/api/templates', 'get'> & { templates: FlowTemplate[] }>('GET', '/api/templates'),
  flow: (id: string) => request<WithFlow<Res<'/api/flows/{id}', 'get'>, 'draft'>>('GET', `/api/flows/${enc(id)}`),
  saveDraft: (flow: Flow, init: { keepalive?: boolean } = {}) =>
    request<Res<'/api/flows/{id}/draft', 'put'>>('PUT', `/api/flows/${enc(flow.id)}/draft`, flow, undefined, init),
  validate: (id: string) => request<Res<'/api/flows/{id}/validate', 'post'>>('POST', `/api/flows/${enc(id)}/validate`),
  /** A version, or (202) the change request a client's change becomes on a flow that needs approval. */
  publish: (id: string, message: string) => request<Res<'/api/flows/{id}/publish', 'post'>>('POST', `/api/flows/${enc(id)}/publish`, { message }),
  versions: (id: string) => request<Res<'/api/flows/{id}/versions', 'get'>>('GET', `/api/flows/${enc(id)}/versions`),
  version: (id: string, v: number) => request<WithFlow<Res<'/api/flows/{id}/versions/{v}', 'get'>, 'definition'>>('GET', `/api/flows/${enc(id)}/versions/${v}`),
  diff: (id: string, from: number, to: number) => request<Res<'/api/flows/{id}/diff', 'get'>>('GET', `/api/flows/${enc(id)}/diff?from=${from}&to=${to}`),
  rollback: (id: string, version: number) => request<Res<'/api/flows/{id}/rollback', 'post'>>('POST', `/api/flows/${enc(id)}/rollback`, { version }),
  activate: (id: string, version?: number) =>
    request<Res<'/api/flows/{id}/activate', 'post'>>('POST', `/api/flows/${enc(id)}/activate`, version ? { version } : {}),
  deactivate: (id: string) => request<Res<'/api/flows/{id}/deactivate', 'post'>>('POST', `/api/flows/${enc(id)}/deactivate`),
  testRun: (id: string, body: Body<'/api/flows/{id}/test', 'post'> = {}) =>
    request<Res<'/api/flows/{id}/test', 'post'>>('POST', `/api/flows/${enc(id)}/test`, body),
  runs: (q: RunQuery = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return request<Res<'/api/runs', 'get'>>('GET', `/api/runs${qs ? `?${qs}` : ''}`);
  },
  run: (id: string) => request<Res<'/api/runs/{id}', 'get'>>('GET', `/api/runs/${enc(id)}`),
  replay: (id: string, version?: number) => request<Res<'/api/runs/{id}/replay', 'post'>>('POST', `/api/runs/${enc(id)}/replay`, version ? { version } : {}),
  connections: () => request<Res<'/api/connections', 'get'>>('GET', '/api/connections'),
};

/** The runs list's filters (free text `q`: order name or number, Shopify id, ERP document number). */
export type RunQuery = Query<'/api/runs', 'get'>;
