// Error classification shared by the connectors. The ERP's own message and code are kept; secrets never are.
import { NodeError, type ErrorClass } from '../../../runtime/node-api.ts';
import type { ErpKind } from '../contract.ts';

export interface ErpErrorInit {
  errorClass: ErrorClass;
  /** Our stable code (e.g. SKU_NOT_FOUND, ERP_VALIDATION, ERP_UNAVAILABLE, RATE_LIMITED). */
  code: string;
  /** The ERP's own error code or type, as it sent it. */
  erpCode?: string | null;
  httpStatus?: number;
  /** The offending value(s) and field, for the exception inbox and replay. */
  details?: Record<string, unknown>;
  retryAfterMs?: number;
  cause?: unknown;
}

const SECRET_PATTERNS: RegExp[] = [
  /(authorization|cookie|x-api-key)\s*[:=]\s*[^\s,;]+(\s+[^\s,;]+)?/gi,
  /(bearer|session|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /(password|passwd|secret|client_secret|token|access_token|refresh_token|client_assertion)("?\s*[:=]\s*"?)[^"&\s,}]+/gi,
];

/** Removes anything that looks like a credential from text that will be stored or shown. */
export function redact(text: string, secrets: Array<string | undefined | null> = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('[redacted]');
  for (const re of SECRET_PATTERNS)
    out = out.replace(re, (_m, k: string, sep?: string) =>
      sep !== undefined && /[:=]/.test(sep) && !/^(bearer|session|basic)$/i.test(k) ? `${k}${sep}[redacted]` : `${k} [redacted]`,
    );
  return out;
}

export function erpError(kind: ErpKind, message: string, init: ErpErrorInit): NodeError {
  return new NodeError(`${kindTitle(kind)}: ${message}`, {
    errorClass: init.errorClass,
    code: init.code,
    retryAfterMs: init.retryAfterMs,
    cause: init.cause,
    details: {
      erp: kind,
      ...(init.erpCode ? { erpCode: init.erpCode } : {}),
      ...(init.httpStatus ? { httpStatus: init.httpStatus } : {}),
      ...(init.details ?? {}),
    },
  });
}

export function kindTitle(kind: ErpKind): string {
  return { tryton: 'Tryton', sandbox: 'Sandbox ERP', netsuite: 'NetSuite', 'business-central': 'Business Central' }[kind];
}

/**
 * A fetch that failed without a response. Refused/DNS errors happen before the request is sent (transient);
 * a timeout or reset after sending may have taken effect (ambiguous).
 */
export function networkError(kind: ErpKind, e: unknown, what: string): NodeError {
  const err = e as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  const code = err.cause?.code ?? err.code ?? err.name ?? 'NETWORK';
  const beforeSend = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
  const timedOut = code === 'TimeoutError' || code === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  return erpError(kind, `${what}: ${timedOut ? 'timed out' : 'unreachable'} (${code}${err.cause?.message ? `: ${err.cause.message}` : ''})`, {
    errorClass: beforeSend ? 'transient' : 'ambiguous',
    code: timedOut ? 'ERP_TIMEOUT' : 'ERP_UNAVAILABLE',
    erpCode: code,
  });
}

/** Classifies an HTTP status the way every REST ERP uses them. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429 || status === 503 || status === 502 || status === 504) return status === 504 ? 'ambiguous' : 'transient';
  if (status === 408) return 'ambiguous';
  if (status >= 500) return 'ambiguous';
  return 'permanent';
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, fallbackMs = 1000): number {
  if (!header) return fallbackMs;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(header);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : fallbackMs;
}
