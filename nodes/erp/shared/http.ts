// JSON-over-HTTP for the REST ERPs (NetSuite, Business Central): auth headers, the connection's limiter,
// 429/503 back-off (the request was not processed, so retrying it is safe), and classified errors.
import type { ErpKind } from '../contract.ts';
import { classifyStatus, erpError, networkError, redact, retryAfterMs } from './errors.ts';
import type { Limiter } from './limiter.ts';
import { createTransport, type Transport } from '../../core/http-transport.ts';

export interface HttpOptions {
  kind: ErpKind;
  baseUrl: string;
  limiter: Limiter;
  /** Auth headers for a request (e.g. a bearer token). */
  auth: (req: { method: string; url: string }) => Promise<Record<string, string>>;
  /** Called on a 401 before the single retry (drop a cached token). */
  onUnauthorized?: () => void;
  /** The ERP's error body -> message and code. */
  parseError: (status: number, body: unknown) => { message: string; erpCode: string | null };
  /** Some ERPs signal throttling without a 429 (NetSuite's SSS_REQUEST_LIMIT_EXCEEDED). */
  isThrottle?: (status: number, erpCode: string | null) => boolean;
  secrets?: () => Array<string | undefined>;
  timeoutMs?: number;
  /** Automatic retries of throttled requests before giving up with a transient error (default 3). */
  maxThrottleRetries?: number;
  /** Longest single wait for Retry-After (default 30 s). */
  maxWaitMs?: number;
}

export interface HttpResponse<T> {
  status: number;
  headers: { get(name: string): string | null };
  body: T;
}

export class HttpJson {
  private readonly transport: Transport;

  constructor(private readonly o: HttpOptions) {
    // The connection's limiter bounds the requests in flight, so the sockets are not bounded again here.
    this.transport = createTransport();
  }

  /** Closes the connection's sockets (the connector's close). */
  close(): Promise<void> {
    return this.transport.close();
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.o.baseUrl.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  }

  /** 404 gives null when `allow404`; every other error status throws a classified NodeError. */
  async request<T = unknown>(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; allow404?: boolean } = {},
  ): Promise<HttpResponse<T> | null> {
    const url = this.url(path);
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      const res = await this.o.limiter.run(async () => {
        const headers: Record<string, string> = { accept: 'application/json', ...(await this.o.auth({ method, url })), ...(opts.headers ?? {}) };
        if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
        try {
          const r = await this.transport.request(url, {
            method,
            headers,
            ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
            timeoutMs: this.o.timeoutMs ?? 60_000,
          });
          return { status: r.status, headers: { get: (name: string) => r.header(name) }, text: r.text };
        } catch (e) {
          const err = networkError(this.o.kind, e, `${method} ${new URL(url).pathname}`);
          // A GET that timed out had no side effect: it is safe to retry.
          throw method === 'GET' && err.errorClass === 'ambiguous'
            ? erpError(this.o.kind, err.message.replace(/^[^:]+: /, ''), { errorClass: 'transient', code: String(err.code) })
            : err;
        }
      });
      let body: unknown = null;
      if (res.text) {
        try {
          body = JSON.parse(res.text);
        } catch {
          body = res.text.slice(0, 500);
        }
      }
      if (res.status < 300) return { status: res.status, headers: res.headers, body: body as T };
      if (res.status === 404 && opts.allow404) return null;
      const { message, erpCode } = this.o.parseError(res.status, body);
      const safe = redact(message, this.o.secrets?.() ?? []);
      if (res.status === 401 && !authRetried) {
        authRetried = true;
        this.o.onUnauthorized?.();
        continue;
      }
      const throttled = res.status === 429 || res.status === 503 || (this.o.isThrottle?.(res.status, erpCode) ?? false);
      if (throttled) {
        const wait = Math.min(retryAfterMs(res.headers.get('retry-after'), 1000 * 2 ** attempt), this.o.maxWaitMs ?? 30_000);
        this.o.limiter.pause(wait);
        if (attempt < (this.o.maxThrottleRetries ?? 3)) continue;
        throw erpError(this.o.kind, `${method} ${new URL(url).pathname}: throttled (HTTP ${res.status}) ${safe}`, {
          errorClass: 'transient',
          code: 'RATE_LIMITED',
          erpCode,
          httpStatus: res.status,
          retryAfterMs: wait,
        });
      }
      const errorClass = method === 'GET' && res.status >= 500 ? 'transient' : classifyStatus(res.status);
      const code =
        res.status === 401
          ? 'ERP_AUTH'
          : res.status === 403
            ? 'ERP_FORBIDDEN'
            : res.status === 404
              ? 'ERP_NOT_FOUND'
              : res.status === 409 || res.status === 412
                ? 'ERP_CONFLICT'
                : res.status >= 500
                  ? 'ERP_ERROR'
                  : 'ERP_VALIDATION';
      throw erpError(this.o.kind, `${method} ${new URL(url).pathname} failed (HTTP ${res.status}${erpCode ? ` ${erpCode}` : ''}): ${safe}`, {
        errorClass: res.status === 412 ? 'transient' : errorClass,
        code,
        erpCode,
        httpStatus: res.status,
      });
    }
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path))!.body;
  }
}

/** OAuth 2.0 client-credentials token cache: one token shared by the connection, refreshed a minute early. */
export function tokenCache(fetchToken: () => Promise<{ token: string; expiresInS: number }>) {
  let current: { token: string; until: number } | null = null;
  let pending: Promise<string> | null = null;
  return {
    async get(): Promise<string> {
      if (current && Date.now() < current.until) return current.token;
      pending ??= fetchToken()
        .then((t) => {
          current = { token: t.token, until: Date.now() + Math.max(0, t.expiresInS - 60) * 1000 };
          return t.token;
        })
        .finally(() => (pending = null));
      return pending;
    },
    invalidate() {
      current = null;
    },
  };
}

/** POSTs an application/x-www-form-urlencoded token request and classifies the failure. */
export async function requestToken(
  kind: ErpKind,
  url: string,
  form: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ token: string; expiresInS: number }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw networkError(kind, e, 'token request');
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number | string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    const secrets = Object.entries(form)
      .filter(([k]) => /secret|assertion|password/i.test(k))
      .map(([, v]) => v);
    throw erpError(
      kind,
      `token request refused (HTTP ${res.status}${body.error ? ` ${body.error}` : ''})${body.error_description ? `: ${redact(body.error_description, secrets)}` : ''}`,
      {
        errorClass: res.status === 429 || res.status >= 500 ? 'transient' : 'permanent',
        code: 'ERP_AUTH',
        erpCode: body.error ?? null,
        httpStatus: res.status,
      },
    );
  }
  return { token: body.access_token, expiresInS: Number(body.expires_in ?? 3600) };
}
