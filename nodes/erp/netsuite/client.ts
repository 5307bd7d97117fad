// NetSuite SuiteTalk REST plumbing: record service, SuiteQL with paging, external ids, reference-data caches.
import type { ErpKind } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { HttpJson } from '../shared/http.ts';
import { createLimiter, type Limiter } from '../shared/limiter.ts';
import { netsuiteAuth, type NetSuiteAuth } from './auth.ts';
import { OnceCache } from '../shared/once.ts';

export interface NetSuiteConfig {
  /** e.g. "1234567" or "1234567_SB1" (sandbox). */
  accountId: string;
  auth: NetSuiteAuth;
  /** Account concurrency left for this integration (5 on Standard; 15+ with SuiteCloud Plus). Default 5. */
  concurrency?: number;
  /** Overrides https://<account>.suitetalk.api.netsuite.com/services/rest (tests, proxies). */
  baseUrl?: string;
  /** Internal id of the subsidiary journals post to (OneWorld accounts). */
  subsidiaryId?: string;
  /** Internal id of a discount item: line discounts become discount lines, as NetSuite books them. */
  discountItemId?: string;
  timeoutMs?: number;
}

const KIND: ErpKind = 'netsuite';

export type RefTable = 'location' | 'currency' | 'account' | 'salestaxitem' | 'term';

export const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** External ids allow letters, digits, `_` and `-` only; ours are prefixed by record type for readability. */
export function eid(prefix: string, id: string): string {
  const v = `${prefix}-${id}`;
  if (!/^[A-Za-z0-9_-]+$/.test(v)) {
    throw erpError(KIND, `external id ${JSON.stringify(id)} has characters NetSuite rejects (letters, digits, _ and - only)`, {
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { value: id },
    });
  }
  return v;
}

export const unEid = (prefix: string, v: string | null | undefined) => (v?.startsWith(`${prefix}-`) ? v.slice(prefix.length + 1) : (v ?? null));

export class NetSuiteClient {
  readonly http: HttpJson;
  readonly limiter: Limiter;
  private cache = new OnceCache();

  constructor(readonly cfg: NetSuiteConfig) {
    const host = cfg.accountId.toLowerCase().replace(/_/g, '-');
    const baseUrl = cfg.baseUrl ?? `https://${host}.suitetalk.api.netsuite.com/services/rest`;
    const auth = netsuiteAuth(cfg.auth, cfg.accountId, baseUrl);
    this.limiter = createLimiter({ concurrency: cfg.concurrency ?? 5 });
    this.http = new HttpJson({
      kind: KIND,
      baseUrl,
      limiter: this.limiter,
      timeoutMs: cfg.timeoutMs,
      auth: (req) => auth.headers(req),
      onUnauthorized: () => auth.invalidate(),
      secrets: () => auth.secrets,
      parseError: (status, body) => {
        const b = body as { title?: string; 'o:errorDetails'?: Array<{ detail?: string; 'o:errorCode'?: string }> } | null;
        const d = b?.['o:errorDetails']?.[0];
        return { message: d?.detail ?? b?.title ?? `HTTP ${status}`, erpCode: d?.['o:errorCode'] ?? null };
      },
      isThrottle: (_s, code) => code === 'SSS_REQUEST_LIMIT_EXCEEDED' || code === 'CONCURRENCY_LIMIT_EXCEEDED',
    });
  }

  async suiteql<T = Record<string, unknown>>(query: string, max = 100_000): Promise<T[]> {
    const out: T[] = [];
    // A page is at most 1,000 rows; a query that wants fewer (a picker's search) asks for no more than it keeps.
    const page = Math.max(1, Math.min(1000, max));
    for (let offset = 0; offset < max; offset += page) {
      const r = await this.http.request<{ items: T[]; hasMore: boolean }>('POST', `query/v1/suiteql?limit=${page}&offset=${offset}`, {
        body: { q: query },
        headers: { prefer: 'transient' },
      });
      out.push(
        ...r!.body.items.map((i) => {
          const { links: _l, ...rest } = i as Record<string, unknown>;
          return rest as T;
        }),
      );
      if (!r!.body.hasMore) break;
    }
    return out.length > max ? out.slice(0, max) : out;
  }

  /** GET a record by internal id or `eid:<externalId>`, sublists expanded; null when it does not exist. */
  async record<T = Record<string, any>>(type: string, key: string): Promise<T | null> {
    const r = await this.http.request<T>('GET', `record/v1/${type}/${encodeURIComponent(key).replace('eid%3A', 'eid:')}?expandSubResources=true`, {
      allow404: true,
    });
    return r ? r.body : null;
  }

  /** POST a record; returns the new internal id from the Location header (NetSuite answers 204 No Content). */
  async create(type: string, body: unknown): Promise<string> {
    const r = await this.http.request('POST', `record/v1/${type}`, { body });
    const loc = r!.headers.get('location') ?? '';
    const id = loc.split('/').pop() ?? '';
    if (!id) throw erpError(KIND, `POST ${type} returned no Location header`, { errorClass: 'ambiguous', code: 'ERP_PROTOCOL' });
    return id;
  }

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  ids(table: RefTable): Promise<Map<string, string>> {
    const sql = {
      location: "SELECT id, name AS code FROM location WHERE isinactive = 'F'",
      currency: 'SELECT id, symbol AS code FROM currency',
      account: "SELECT id, acctnumber AS code FROM account WHERE isinactive = 'F'",
      salestaxitem: "SELECT id, itemid AS code FROM salestaxitem WHERE isinactive = 'F'",
      term: "SELECT id, name AS code FROM term WHERE isinactive = 'F'",
    }[table];
    return this.once(table, async () => new Map((await this.suiteql<{ id: string | number; code: string }>(sql)).map((r) => [String(r.code), String(r.id)])));
  }

  forget(table: RefTable): void {
    this.cache.forget(table);
  }

  async idOf(table: RefTable, code: string, errCode: string, what: string): Promise<string> {
    const m = await this.ids(table);
    const id = m.get(code);
    if (!id)
      throw erpError(KIND, `${what} ${JSON.stringify(code)} does not exist in NetSuite`, { errorClass: 'permanent', code: errCode, details: { value: code } });
    return id;
  }

  async codeOf(table: RefTable, id: string | undefined): Promise<string> {
    if (!id) return '';
    for (const [c, i] of await this.ids(table)) if (i === String(id)) return c;
    return String(id);
  }
}
