// Minimal Tryton 6.0 JSON-RPC client over HTTP (core/http-transport.ts): session login, the user's context on every call,
// Tryton's typed JSON (Decimal/date/datetime), and error classification.
import { createLimiter, type Limiter } from '../shared/limiter.ts';
import { createTransport, type Transport } from '../../core/http-transport.ts';
import { erpError, networkError, redact } from '../shared/errors.ts';

export interface TrytonConfig {
  /** Base URL of trytond, e.g. http://127.0.0.1:8000/ */
  url: string;
  database: string;
  user: string;
  password: string;
  timeoutMs?: number;
}

/** Tryton's wire form of a Decimal. */
export const D = (v: string) => ({ __class__: 'Decimal', decimal: v });
/** Tryton's wire form of a date from YYYY-MM-DD. */
export const tDate = (iso: string) => {
  const [year, month, day] = iso.split('-').map(Number);
  return { __class__: 'date', year, month, day };
};
/** Tryton's wire form of a datetime (UTC, as trytond stores it). */
export const tDateTime = (iso: string) => {
  const d = new Date(iso);
  return {
    __class__: 'datetime',
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: Number(iso.match(/\.(\d{1,6})/)?.[1]?.padEnd(6, '0') ?? d.getUTCMilliseconds() * 1000),
  };
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Turns Tryton's typed JSON into plain values: Decimal -> string, date -> YYYY-MM-DD, datetime -> ISO (µs). */
export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    switch (o.__class__) {
      case 'Decimal':
        return String(o.decimal);
      case 'date':
        return `${o.year}-${pad(o.month as number)}-${pad(o.day as number)}`;
      case 'datetime':
        return `${o.year}-${pad(o.month as number)}-${pad(o.day as number)}T${pad(o.hour as number)}:${pad(o.minute as number)}:${pad(o.second as number)}.${pad((o.microsecond as number) ?? 0, 6)}Z`;
      case 'bytes':
        return o.base64;
      default: {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o)) out[k] = decode(x);
        return out;
      }
    }
  }
  return v;
}

export type Context = Record<string, unknown>;

export class TrytonRpc {
  readonly limiter: Limiter;
  private session: { header: string; context: Context; uid: number } | null = null;
  private loggingIn: Promise<void> | null = null;
  private id = 0;
  private readonly dbUrl: URL;
  private readonly transport: Transport;

  constructor(private readonly cfg: TrytonConfig) {
    // One trytond process, the GIL and SQLite: concurrency does not help and only adds latency (tryton.md §5).
    this.limiter = createLimiter({ concurrency: 1 });
    this.dbUrl = new URL(`${cfg.url.replace(/\/?$/, '/')}${encodeURIComponent(cfg.database)}/`);
    this.transport = createTransport({ connections: 1 });
  }

  /** Closes the socket to trytond (the connector's close). */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** The logged-in user's id (for records owned by the user, e.g. an acknowledged warning). */
  async userId(): Promise<number> {
    await this.ensureSession();
    return this.session!.uid;
  }

  async context(): Promise<Context> {
    await this.ensureSession();
    return this.session!.context;
  }

  /** `model.<model>.<method>` with the user's context (plus `extra`) appended as the last parameter. */
  async model<T = unknown>(model: string, method: string, params: unknown[], extra: Context = {}): Promise<T> {
    return this.call<T>(`model.${model}.${method}`, params, extra);
  }

  /** `read` of one record by id. Tryton answers a row per id, so none means the record is gone: an ERP_PROTOCOL error naming it. */
  async readOne<T>(model: string, id: number, fields: string[]): Promise<T> {
    const [row] = await this.model<T[]>(model, 'read', [[id], fields]);
    if (row === undefined)
      throw erpError('tryton', `read of ${model} ${id} returned no record`, { errorClass: 'ambiguous', code: 'ERP_PROTOCOL', details: { model, id } });
    return row;
  }

  /** `create` of one record: its new id (Tryton answers one id per record created). */
  async createOne(model: string, values: Record<string, unknown>): Promise<number> {
    const [id] = await this.model<number[]>(model, 'create', [[values]]);
    if (id === undefined) throw erpError('tryton', `${model}.create returned no id`, { errorClass: 'ambiguous', code: 'ERP_PROTOCOL', details: { model } });
    return id;
  }

  async call<T = unknown>(method: string, params: unknown[], extra: Context = {}, retried = false): Promise<T> {
    await this.ensureSession();
    const ctx = { ...this.session!.context, ...extra };
    const res = await this.post(method, [...params, ctx], this.session!.header);
    if (res.status === 401 && !retried) {
      // Expired session (or a `fresh_session` call after idling): log in again once.
      this.session = null;
      return this.call<T>(method, params, extra, true);
    }
    return this.handle<T>(method, res);
  }

  private async ensureSession(): Promise<void> {
    if (this.session) return;
    this.loggingIn ??= this.login().finally(() => (this.loggingIn = null));
    await this.loggingIn;
  }

  private async login(): Promise<void> {
    const res = await this.post('common.db.login', [this.cfg.user, { password: this.cfg.password }, 'en'], null);
    if (res.status === 401 || res.status === 403) {
      throw erpError('tryton', `login refused for user "${this.cfg.user}" on database "${this.cfg.database}" (HTTP ${res.status})`, {
        errorClass: 'permanent',
        code: 'ERP_AUTH',
        httpStatus: res.status,
      });
    }
    const [uid, token] = await this.handle<[number, string]>('common.db.login', res);
    const header = `Session ${Buffer.from(`${this.cfg.user}:${uid}:${token}`).toString('base64')}`;
    const prefsRes = await this.post('model.res.user.get_preferences', [true, {}], header);
    const context = await this.handle<Context>('model.res.user.get_preferences', prefsRes);
    this.session = { header, context, uid };
  }

  private async post(method: string, params: unknown[], auth: string | null): Promise<{ status: number; text: string }> {
    return this.limiter.run(async () => {
      try {
        return await this.transport.request(this.dbUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify({ id: ++this.id, method, params }),
          timeoutMs: this.cfg.timeoutMs ?? 60_000,
        });
      } catch (e) {
        throw networkError('tryton', e, method);
      }
    });
  }

  private handle<T>(method: string, res: { status: number; text: string }): T {
    const secrets = [this.cfg.password];
    if (res.status !== 200) {
      const errorClass = res.status === 503 || res.status === 502 ? 'transient' : res.status >= 500 ? 'ambiguous' : 'permanent';
      const code = res.status === 401 ? 'ERP_AUTH' : res.status === 403 ? 'ERP_FORBIDDEN' : 'ERP_HTTP';
      // Tryton answers auth failures with HTML pages: keep only the status, not the page.
      throw erpError('tryton', `${method} failed with HTTP ${res.status}`, { errorClass, code, httpStatus: res.status });
    }
    let body: { result?: unknown; error?: unknown };
    try {
      body = JSON.parse(res.text);
    } catch {
      throw erpError('tryton', `${method} returned a non-JSON body`, { errorClass: 'ambiguous', code: 'ERP_PROTOCOL' });
    }
    if (body.error !== undefined && body.error !== null) throw classifyTrytonError(method, body.error, secrets);
    return decode(body.result) as T;
  }
}

/** Tryton JSON-RPC error payloads: ["UserError", [msg, desc, domain]], ["UserWarning", [name, msg, desc]], [str(exc), tb]. */
export function classifyTrytonError(method: string, error: unknown, secrets: string[] = []) {
  const arr = Array.isArray(error) ? error : [String(error)];
  const type = String(arr[0]);
  const payload = arr[1];
  if (type === 'UserError' && Array.isArray(payload)) {
    const [msg, desc] = payload as [string, string];
    return erpError('tryton', redact(`${msg}${desc ? ` ${desc}` : ''}`, secrets), {
      errorClass: 'permanent',
      code: 'ERP_VALIDATION',
      erpCode: 'UserError',
      details: { method },
    });
  }
  if (type === 'UserWarning' && Array.isArray(payload)) {
    const [name, msg] = payload as [string, string];
    return erpError('tryton', redact(msg, secrets), {
      errorClass: 'permanent',
      code: 'ERP_WARNING',
      erpCode: 'UserWarning',
      details: { method, warning: name },
    });
  }
  if (/ConcurrencyException|database is locked|Records were modified/i.test(type)) {
    return erpError('tryton', redact(type, secrets), { errorClass: 'transient', code: 'ERP_BUSY', erpCode: type, details: { method } });
  }
  if (type === 'LoginException' || type === 'NotLogged') {
    return erpError('tryton', type, { errorClass: 'permanent', code: 'ERP_AUTH', erpCode: type, details: { method } });
  }
  // Generic Python exception: str(exc) only; the traceback stays in the server log.
  return erpError('tryton', `${method}: ${redact(type, secrets)}`, { errorClass: 'permanent', code: 'ERP_ERROR', erpCode: type, details: { method } });
}
