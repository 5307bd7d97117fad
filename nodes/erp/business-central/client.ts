// Business Central API v2.0 plumbing: Entra ID client-credentials token, company-scoped OData with paging,
// ETags, $batch, and the per-user limits (5 concurrent, 6,000 requests per 5-minute window).
import { erpError } from '../shared/errors.ts';
import { HttpJson, requestToken, tokenCache } from '../shared/http.ts';
import { createLimiter, type Limiter } from '../shared/limiter.ts';
import { OnceCache } from '../shared/once.ts';

export interface BusinessCentralConfig {
  tenantId: string;
  environment: string;
  companyId: string;
  clientId: string;
  clientSecret: string;
  /** Overrides https://api.businesscentral.dynamics.com/v2.0/<tenant>/<environment>/api/v2.0 (tests, proxies). */
  baseUrl?: string;
  /** Overrides https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token. */
  tokenUrl?: string;
  /** Per-user concurrency (BC allows 5; more are queued server-side). */
  concurrency?: number;
  /** Per-user OData rate (6,000 per 5 minutes). */
  requestsPer5Min?: number;
  /** Item number used for shipping lines (a non-inventory/service item). Default SHIPPING. */
  shippingItem?: string;
  /** G/L account for refunds that do not restock (BC's "Refund Account non-restock"). */
  refundAccount?: string;
  /** General journal batch code for payout entries. Default GENERAL. */
  journalCode?: string;
  /** The company's local currency: BC sends '' for it. Default USD. */
  localCurrency?: string;
  timeoutMs?: number;
}

export const odataString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export class BcClient {
  readonly http: HttpJson;
  readonly limiter: Limiter;
  private cache = new OnceCache();
  readonly company: string;

  constructor(readonly cfg: BusinessCentralConfig) {
    const base =
      cfg.baseUrl ?? `https://api.businesscentral.dynamics.com/v2.0/${encodeURIComponent(cfg.tenantId)}/${encodeURIComponent(cfg.environment)}/api/v2.0`;
    this.company = `companies(${cfg.companyId})`;
    const tokenUrl = cfg.tokenUrl ?? `https://login.microsoftonline.com/${encodeURIComponent(cfg.tenantId)}/oauth2/v2.0/token`;
    const tokens = tokenCache(() =>
      requestToken('business-central', tokenUrl, {
        grant_type: 'client_credentials',
        client_id: cfg.clientId,
        client_secret: cfg.clientSecret,
        scope: 'https://api.businesscentral.dynamics.com/.default',
      }),
    );
    this.limiter = createLimiter({ concurrency: cfg.concurrency ?? 5, rate: { requests: cfg.requestsPer5Min ?? 6000, windowMs: 300_000 } });
    this.http = new HttpJson({
      kind: 'business-central',
      baseUrl: base,
      limiter: this.limiter,
      timeoutMs: cfg.timeoutMs,
      auth: async () => ({ authorization: `Bearer ${await tokens.get()}` }),
      onUnauthorized: () => tokens.invalidate(),
      secrets: () => [cfg.clientSecret],
      parseError: (status, body) => {
        const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
        return { message: e?.message ?? (typeof body === 'string' ? body : `HTTP ${status}`), erpCode: e?.code ?? null };
      },
    });
  }

  path(p: string): string {
    return `${this.company}/${p}`;
  }

  /** GET every page of an entity set (follows @odata.nextLink). */
  /** Every page of a collection, following @odata.nextLink; stops once `max` rows are in (a search's $top). */
  async list<T = Record<string, any>>(p: string, max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = this.path(p);
    while (next && out.length < max) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.http.get(next);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out.length > max ? out.slice(0, max) : out;
  }

  async send<T = Record<string, any>>(method: string, p: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return (await this.http.request<T>(method, this.path(p), { body, headers }))!.body;
  }

  /** `$batch` (JSON format), all-or-nothing with `Isolation: snapshot`; throws on the first failed operation. */
  async batch(requests: Array<{ method: string; url: string; body?: unknown }>): Promise<void> {
    if (requests.length > 100)
      throw erpError('business-central', `$batch takes at most 100 operations, got ${requests.length}`, { errorClass: 'permanent', code: 'INVALID_INPUT' });
    const r = await this.http.request<{ responses: Array<{ id: string; status: number; body?: { error?: { code?: string; message?: string } } }> }>(
      'POST',
      '$batch',
      {
        headers: { isolation: 'snapshot' },
        body: {
          requests: requests.map((x, i) => ({
            id: String(i + 1),
            method: x.method,
            url: this.path(x.url),
            headers: { 'content-type': 'application/json' },
            body: x.body,
          })),
        },
      },
    );
    const failed = r!.body.responses.find((x) => x.status >= 300);
    if (failed) {
      throw erpError('business-central', `$batch operation ${failed.id} failed (HTTP ${failed.status}): ${failed.body?.error?.message ?? ''}`, {
        errorClass: failed.status === 429 ? 'transient' : 'permanent',
        code: 'ERP_VALIDATION',
        erpCode: failed.body?.error?.code ?? null,
        httpStatus: failed.status,
      });
    }
  }

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  locations(): Promise<Array<{ id: string; code: string; displayName: string }>> {
    return this.once('locations', () => this.list('locations'));
  }

  async locationId(code: string): Promise<string> {
    const all = await this.locations();
    const l = all.find((x) => x.code === code);
    if (!l)
      throw erpError('business-central', `Location ${JSON.stringify(code)} does not exist (known: ${all.map((x) => x.code).join(', ')})`, {
        errorClass: 'permanent',
        code: 'WAREHOUSE_NOT_FOUND',
        details: { value: code },
      });
    return l.id;
  }

  async locationCode(id: string | null | undefined): Promise<string> {
    if (!id || /^0{8}-/.test(id)) return '';
    return (await this.locations()).find((l) => l.id === id)?.code ?? '';
  }

  /**
   * Every payment term; `fresh` reads the list again. Terms are few and made rarely, so a term the cached list lacks
   * is worth a second look before it is called unknown (one made in BC since the list was read).
   */
  paymentTerms(fresh = false): Promise<Array<{ id: string; code: string; displayName: string }>> {
    if (fresh) this.cache.forget('paymentTerms');
    return this.once('paymentTerms', () => this.list('paymentTerms'));
  }

  /** The code of the payment term with this id; null for none (BC writes an unset term as the empty GUID). */
  async paymentTermsCode(id: string | null | undefined): Promise<string | null> {
    if (!id || /^0{8}-/.test(id)) return null;
    const byId = (all: Array<{ id: string; code: string }>) => all.find((t) => t.id === id)?.code;
    return byId(await this.paymentTerms()) ?? byId(await this.paymentTerms(true)) ?? null;
  }

  taxGroups(): Promise<Array<{ id: string; code: string; displayName: string }>> {
    return this.once('taxGroups', () => this.list('taxGroups'));
  }
}
