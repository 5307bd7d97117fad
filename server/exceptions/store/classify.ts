// Turns a failed run into the exception people see: typed from the failed step's error code and class, keyed so
// that the same cause in many runs (the same unmapped tax rate, the same ERP outage) is one inbox row.
import type { StepError } from '../../../runtime/errors.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import type { ExceptionLinks, Owner, RaiseException } from '../../../runtime/node-api/exceptions.ts';

const ERP_DOWN_CODES = new Set(['ERP_UNAVAILABLE', 'ERP_TIMEOUT', 'RATE_LIMITED']);

/** Error codes of amounts checked against Shopify before booking, and the finance exception each raises. */
const FINANCE_CODES: Record<string, string> = {
  TOTALS_MISMATCH: 'erp-totals-mismatch',
  CREDIT_MEMO_MISMATCH: 'credit-memo-mismatch',
  REFUND_CASH_MISMATCH: 'refund-cash-mismatch',
  CREDIT_EXCEEDS_INVOICE: 'credit-exceeds-invoice',
  CURRENCY_MISMATCH: 'currency-mismatch',
  MANUAL_PAYMENT_MISMATCH: 'manual-payment-mismatch',
  MANUAL_PAYMENT_UNRECONCILED: 'manual-payment-unreconciled',
};
/** The exception types amounts checked against Shopify raise (each needs its defaults and a triage rule). */
export const FINANCE_EXCEPTION_TYPES = Object.values(FINANCE_CODES);
const FINANCE_TITLES: Record<string, string> = {
  'erp-totals-mismatch': 'ERP document does not match Shopify; nothing booked',
  'credit-memo-mismatch': "Credit memo does not match Shopify's refund; nothing booked",
  'refund-cash-mismatch': 'Refund lines and the cash returned differ; nothing booked',
  'credit-exceeds-invoice': 'Refund exceeds what remains credit-able on the invoice; nothing booked',
  'currency-mismatch': "Amounts in another currency than the ERP company's books; nothing booked",
  'manual-payment-mismatch': 'A payment taken outside Shopify does not match the ERP invoice; nothing booked',
  'manual-payment-unreconciled': 'A payment taken outside Shopify is booked, but its invoice or a credit memo still reads open',
};

function keyText(key: unknown): string {
  if (key && typeof key === 'object') {
    const vals = Object.values(key as Record<string, unknown>)
      .filter((v) => v !== null && v !== undefined && v !== '')
      .map(String);
    return vals.join(' ') || JSON.stringify(key);
  }
  return String(key);
}

function shopifyLink(keys: Record<string, string>): string | undefined {
  return keys.shopifyOrderId ?? keys.shopifyRefundId ?? keys.shopifyPayoutId ?? Object.values(keys).find((v) => v.startsWith('gid://shopify/'));
}

function erpLink(details: Record<string, unknown> | undefined): string | undefined {
  for (const k of ['number', 'documentNumber', 'externalId']) {
    const v = details?.[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
}

/** A title names at most three SKUs of a kind. */
const few = (skus: string[]) => `${skus.slice(0, 3).join(', ')}${skus.length > 3 ? ', …' : ''}`;

/**
 * The problems a stock push names (nodes/shopify/inventory-push.ts, error INVENTORY_PROBLEMS), by kind: how a title
 * names them and who fixes them. The Shopify catalogue's (a SKU two variants sell, a SKU not stocked at a location,
 * a quantity Shopify refused) are ecommerce's; the ERP's data and the push step's locations mapping, operations'.
 */
export const PUSH_PROBLEM_KINDS: Record<
  string,
  { one: (sku: string, warehouse: string) => string; many: (n: number, skus: string[]) => string; owner: Owner }
> = {
  DUPLICATE_SKU: { one: (sku) => `duplicate SKU ${sku}`, many: (n, skus) => `${n} duplicate SKUs (${few(skus)})`, owner: 'ecommerce' },
  NOT_STOCKED: {
    one: (sku) => `SKU ${sku} not stocked at its location`,
    many: (n, skus) => (skus.length === 1 ? `SKU ${skus[0]} not stocked at ${n} locations` : `${n} SKU-locations not stocked (${few(skus)})`),
    owner: 'ecommerce',
  },
  SHOPIFY_REJECTED: { one: (sku) => `SKU ${sku} rejected by Shopify`, many: (n, skus) => `${n} levels rejected by Shopify (${few(skus)})`, owner: 'ecommerce' },
  UNMAPPED_LOCATION: { one: (_, w) => `ERP warehouse "${w}" not mapped`, many: (n) => `${n} levels of unmapped ERP warehouses`, owner: 'operations' },
  DUPLICATE_INPUT: {
    one: (sku) => `SKU ${sku} sent twice by the ERP`,
    many: (n, skus) => `${n} levels sent twice by the ERP (${few(skus)})`,
    owner: 'operations',
  },
  EMPTY_SKU: { one: () => 'an ERP level without a SKU', many: (n) => `${n} ERP levels without a SKU`, owner: 'operations' },
  BAD_QUANTITY: { one: (sku) => `SKU ${sku} with a bad quantity`, many: (n, skus) => `${n} bad quantities (${few(skus)})`, owner: 'operations' },
};

export interface PushProblemRecord {
  code?: unknown;
  sku?: unknown;
  warehouse?: unknown;
  locationId?: unknown;
  message?: unknown;
  details?: unknown;
}

/** The problems of a failed stock push's error, grouped by code in PUSH_PROBLEM_KINDS order (unknown codes last). */
export function pushProblemGroups(details: Record<string, unknown> | undefined): Array<{ code: string; problems: PushProblemRecord[] }> {
  const list = Array.isArray(details?.problems) ? (details.problems as unknown[]).filter((p): p is PushProblemRecord => !!p && typeof p === 'object') : [];
  const groups = new Map<string, PushProblemRecord[]>();
  for (const p of list) {
    const code = typeof p.code === 'string' && p.code ? p.code : 'UNKNOWN';
    groups.set(code, [...(groups.get(code) ?? []), p]);
  }
  const order = Object.keys(PUSH_PROBLEM_KINDS);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return [...groups].sort(([a], [b]) => rank(a) - rank(b)).map(([code, problems]) => ({ code, problems }));
}

/** The exception a failed run raises; null when the run has no error to classify. */
export function classifyFailedRun(run: RunRecord): RaiseException | null {
  const err = run.error as StepError | null | undefined;
  if (!err || typeof err !== 'object') return null;
  const nodeId = err.nodeId ?? run.steps.find((s) => s.status === 'failed')?.nodeId;
  const stepType = run.steps.find((s) => s.nodeId === nodeId)?.type ?? '';
  const details = err.details ?? {};
  const links: ExceptionLinks = { runId: run.runId, flowId: run.flowId, ...(nodeId ? { nodeId } : {}) };
  const shopify = shopifyLink(run.keys);
  if (shopify) links.shopify = shopify;
  if (shopify && run.keys.shopifyOrderName) links.shopifyName = run.keys.shopifyOrderName;
  const erp = erpLink(details);
  if (erp) links.erp = erp;
  const data = { error: { message: err.message, class: err.class, code: err.code ?? null, details }, stepType };
  const where = `${run.flowId}${nodeId ? ` / ${nodeId}` : ''}`;

  if (err.code === 'LOOKUP_MISSING') {
    const table = String(details.table ?? 'lookup');
    const missing = Array.isArray(details.missing) ? (details.missing as Array<{ key: unknown }>) : [];
    const first = missing[0] ? keyText(missing[0].key) : 'unknown key';
    const isTax = stepType === 'lookup.tax-code' || (!stepType.startsWith('lookup.location') && /tax/i.test(table));
    const isLocation = stepType === 'lookup.location' || /location|warehouse/i.test(table);
    if (isTax)
      return {
        type: 'unmapped-tax-code',
        key: `${table}:${first}`,
        title: `Tax rate "${first}" has no ERP tax code (table ${table})`,
        detail: err.message,
        links,
        data,
      };
    if (isLocation)
      return {
        type: 'unmapped-location',
        key: `${table}:${first}`,
        title: `Location "${first}" has no ERP warehouse (table ${table})`,
        detail: err.message,
        links,
        data,
      };
    return { type: 'failed-run', key: `lookup:${table}:${first}`, title: `Lookup table ${table} has no row for "${first}"`, detail: err.message, links, data };
  }
  if (err.code === 'SKU_NOT_FOUND') {
    const skus = Array.isArray(details.skus) ? (details.skus as unknown[]).map(String).sort() : [];
    const k = skus.join(',') || where;
    return { type: 'sku-missing-in-erp', key: k, title: `SKU ${skus.join(', ') || '(unknown)'} is not in the ERP`, detail: err.message, links, data };
  }
  if (err.code === 'DUPLICATE_SKU') {
    const skus = Array.isArray(details.skus) ? (details.skus as unknown[]).map(String).sort() : [];
    return { type: 'duplicate-sku', key: skus.join(',') || where, title: `Duplicate SKU ${skus.join(', ')}`, detail: err.message, links, data };
  }
  // Money that does not match Shopify is finance's: nothing was booked, the draft waits for a decision.
  const financeType = FINANCE_CODES[err.code ?? ''];
  if (financeType) {
    const doc = erpLink(details) ?? shopify ?? where;
    return { type: financeType, key: `${run.flowId}:${doc}`, title: `${FINANCE_TITLES[financeType]} (${doc})`, detail: err.message, links, data };
  }
  const erpKind = typeof details.erp === 'string' ? details.erp : null;
  if (erpKind || (err.code && ERP_DOWN_CODES.has(err.code))) {
    const system = erpKind ?? 'erp';
    if (err.class === 'permanent') {
      return {
        type: 'erp-rejected',
        key: `${where}:${err.code ?? 'ERP_ERROR'}`,
        title: `ERP rejected a document in ${where} (${err.code ?? 'error'})`,
        detail: err.message,
        links,
        data,
      };
    }
    // Transient errors only end a run once the retries are used up; ambiguous ones when a re-send is unsafe.
    return {
      type: 'erp-unreachable',
      key: system,
      severity: 'high',
      title: `${system} ERP did not answer (${err.code ?? err.class})`,
      detail: err.message,
      links,
      data,
    };
  }
  // A stock push sets every level it can, then fails naming the rest: the title names them (a new duplicate SKU
  // first) and the team that fixes the Shopify catalogue owns it when any is the catalogue's.
  const pushGroups = err.code === 'INVENTORY_PROBLEMS' ? pushProblemGroups(details) : [];
  if (pushGroups.length) {
    const named = pushGroups.map(({ code, problems }) => {
      const kind = PUSH_PROBLEM_KINDS[code];
      const p = problems[0]!;
      if (!kind) return `${problems.length} ${code}`;
      if (problems.length === 1) return kind.one(String(p.sku ?? ''), String(p.warehouse ?? ''));
      const skus = [...new Set(problems.map((x) => (typeof x.sku === 'string' ? x.sku : '')).filter(Boolean))];
      return kind.many(problems.length, skus);
    });
    const catalogue = pushGroups.some((g) => PUSH_PROBLEM_KINDS[g.code]?.owner === 'ecommerce');
    const total = pushGroups.reduce((n, g) => n + g.problems.length, 0);
    const pushed = Array.isArray(details.pushed) ? details.pushed.length : null;
    const unchanged = typeof details.unchanged === 'number' ? details.unchanged : 0;
    // Not the error's one long line of messages: those are listed one a line by the triage and kept in the run.
    const rest =
      pushed === null ? '' : `; the rest of the stock was pushed (${pushed} level(s) set in Shopify${unchanged ? `, ${unchanged} already right` : ''})`;
    return {
      type: 'failed-run',
      key: `${where}:${err.code}`,
      title: `Stock push problems in ${where}: ${named.join('; ')}`,
      detail: `The stock push named ${total} problem(s) it could not push${rest}. Each is listed, one a line, in the triage and in the failed run.`,
      ...(catalogue ? { owner: 'ecommerce' as const } : {}),
      links,
      data,
    };
  }
  return {
    type: 'failed-run',
    key: `${where}:${err.code ?? 'error'}`,
    title: `Run of ${where} failed${err.code ? ` (${err.code})` : ''}`,
    detail: err.message,
    links,
    data,
  };
}
