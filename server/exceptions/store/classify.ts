// Turns a failed run into the exception people see: typed from the failed step's error code and class, keyed so
// that the same cause in many runs (the same unmapped tax rate, the same ERP outage) is one inbox row.
import type { StepError } from '../../../runtime/errors.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import type { ExceptionLinks, RaiseException } from '../../../runtime/node-api/exceptions.ts';

const ERP_DOWN_CODES = new Set(['ERP_UNAVAILABLE', 'ERP_TIMEOUT', 'RATE_LIMITED']);

/** Error codes of amounts checked against Shopify before booking, and the finance exception each raises. */
const FINANCE_CODES: Record<string, string> = {
  TOTALS_MISMATCH: 'erp-totals-mismatch',
  CREDIT_MEMO_MISMATCH: 'credit-memo-mismatch',
  REFUND_CASH_MISMATCH: 'refund-cash-mismatch',
  CREDIT_EXCEEDS_INVOICE: 'credit-exceeds-invoice',
  CURRENCY_MISMATCH: 'currency-mismatch',
};
const FINANCE_TITLES: Record<string, string> = {
  'erp-totals-mismatch': 'ERP document does not match Shopify; nothing booked',
  'credit-memo-mismatch': "Credit memo does not match Shopify's refund; nothing booked",
  'refund-cash-mismatch': 'Refund lines and the cash returned differ; nothing booked',
  'credit-exceeds-invoice': 'Refund exceeds what remains credit-able on the invoice; nothing booked',
  'currency-mismatch': "Amounts in another currency than the ERP company's books; nothing booked",
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
  return {
    type: 'failed-run',
    key: `${where}:${err.code ?? 'error'}`,
    title: `Run of ${where} failed${err.code ? ` (${err.code})` : ''}`,
    detail: err.message,
    links,
    data,
  };
}
