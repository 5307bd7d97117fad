// Triage: for each exception (a cluster of same-cause failures), the cause category, the evidence it rests on, a
// plain-language explanation for the owning team and the proposed next step, with an action when Ledgerline can take
// it (add the lookup row, retry, pause the flow, raise the stock push interval). Offline rules, one per exception type
// the product raises, refined by the error code for run failures. The runbook prints `triageTable()` from the same
// rules, so the documentation and the product say the same thing.
import { PUSH_PROBLEM_KINDS, pushProblemGroups, type PushProblemRecord } from '../exceptions/store/classify.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { cronEvery, everyText, nextInterval, type FlowFact } from '../flows/controls.ts';

export type CauseCategory = 'data-mapping' | 'missing-reference-data' | 'api-limit' | 'erp-unavailable' | 'manual-process' | 'code-error';

export const CATEGORY_LABEL: Record<CauseCategory, string> = {
  'data-mapping': 'Data mapping',
  'missing-reference-data': 'Missing reference data',
  'api-limit': 'API limit or throttling',
  'erp-unavailable': 'ERP (or shop) unavailable',
  'manual-process': 'Manual process',
  'code-error': 'Code error',
};

/**
 * `raise-stock-push-interval` changes how often the stock push flow fires: less often under throttling, more often
 * after drift (params `from`/`to` crons, `direction`). `pause-flow` / `resume-flow` act on a scheduled flow only.
 */
export type TriageActionKind =
  | 'add-lookup-row'
  | 'retry'
  | 'fetch-order'
  | 'pause-flow'
  | 'resume-flow'
  | 'raise-stock-push-interval'
  | 'open-mapper'
  | 'open-run';

export interface TriageAction {
  kind: TriageActionKind;
  label: string;
  /** What the action needs (table, key, flowId, nodeId, runId...). */
  params: Record<string, string>;
}

export interface Triage {
  category: CauseCategory;
  categoryLabel: string;
  evidence: string[];
  explanation: string;
  nextStep: string;
  action: TriageAction | null;
  /** `rule` (offline) or `model` (the explanation was written by the configured language model). */
  source: 'rule' | 'model';
}

/**
 * What triage may know of the flows (the server passes it; the runbook's table does without): whether a flow is
 * running, paused or scheduled, and which flows push stock. With it, the pause and schedule actions are offered only
 * where they can be done, and name the flow and interval they change.
 */
export interface FlowFacts {
  flow(flowId: string): FlowFact | null;
  stockPushFlows(shopifyConnection: string | null): FlowFact[];
  /** Why the last stock push could not set this SKU (a duplicate SKU, a location it is not stocked at), if it said so. */
  pushProblem?(sku: string): PushProblem | null;
}

export interface PushProblem {
  code: string;
  message: string;
  /** The failed stock push run that named it. */
  runId: string | null;
}

type Err = { message?: string; class?: string; code?: string | null; details?: Record<string, unknown> };
type Ctx = { e: ExceptionRecord; err: Err; stepType: string; facts?: FlowFacts };

interface Rule {
  /** Category when the error code does not say otherwise. */
  category: CauseCategory;
  /** Let the failed step's error code decide (run failures of many causes). */
  byCode?: boolean;
  /** The next step is the category's own (a catch-all type). */
  generic?: boolean;
  explain: (c: Ctx) => string;
  next: (c: Ctx) => string;
  action?: (c: Ctx) => TriageAction | null;
  /** The runbook table's action column, when the action depends on what the exception is about. */
  tableAction?: string;
  /** A cause the facts establish for this exception, in place of the rule's usual one. */
  refine?: (c: Ctx) => { category: CauseCategory; evidence: string; explanation: string; next: string; action: TriageAction | null } | null;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const retry = (c: Ctx): TriageAction | null =>
  c.e.links.runId && c.e.retryable !== false ? { kind: 'retry', label: 'Retry the waiting runs', params: { exceptionId: c.e.id } } : null;
const pause = (c: Ctx): TriageAction | null => {
  const id = c.e.links.flowId;
  if (!id) return null;
  if (!c.facts) return { kind: 'pause-flow', label: `Pause flow ${id}`, params: { flowId: id } };
  const f = c.facts.flow(id);
  if (f?.paused) return { kind: 'resume-flow', label: `Resume flow ${f.name} (paused by ${f.paused.by})`, params: { flowId: id, pausedBy: f.paused.by } };
  // A webhook flow paused would start no runs for the events arriving meanwhile: not a button, a consultant's call.
  if (!f?.active || f.trigger?.type !== 'trigger.schedule') return null;
  return { kind: 'pause-flow', label: `Pause flow ${f.name}`, params: { flowId: id, every: everyText(f.trigger.cron ?? '') } };
};
/** The Shopify connection an exception is about: `shopify:<id>` (rate limits) or `<id>:<sku>@<warehouse>` (drift). */
const shopOf = (e: ExceptionRecord): string | null => {
  if (e.type === 'rate-limited') return e.key.startsWith('shopify:') ? e.key.slice('shopify:'.length) : null;
  const i = e.key.indexOf(':');
  return i > 0 ? e.key.slice(0, i) : null;
};
const stockPush =
  (direction: 'more-often' | 'less-often') =>
  (c: Ctx): TriageAction | null => {
    const label = direction === 'more-often' ? 'Push stock more often' : 'Push stock less often';
    if (!c.facts) return { kind: 'raise-stock-push-interval', label, params: { flowId: 'the stock push flow', direction } };
    const shop = shopOf(c.e);
    for (const f of c.facts.stockPushFlows(shop)) {
      if (!f.active || f.trigger?.type !== 'trigger.schedule' || !f.trigger.cron || f.version == null) continue;
      const to = nextInterval(f.trigger.cron, direction);
      if (to === null) continue;
      const cron = cronEvery(to);
      return {
        kind: 'raise-stock-push-interval',
        label: `${label}: ${everyText(cron).toLowerCase()} instead of ${everyText(f.trigger.cron).toLowerCase()} (${f.name})`,
        params: { flowId: f.id, nodeId: f.trigger.nodeId, from: f.trigger.cron, to: cron, direction, version: String(f.version) },
      };
    }
    return null;
  };
const lookupRow = (c: Ctx): TriageAction | null => {
  const table = str(c.err.details?.table);
  return table ? { kind: 'add-lookup-row', label: `Add the row to ${table}`, params: { table, exceptionId: c.e.id } } : null;
};

/** Error codes → the cause they point to (nodes' own codes: nodes/erp/README.md, the mapping engine, the lookups). */
const CODE_CATEGORY: Array<[RegExp, CauseCategory]> = [
  [/^(RATE_LIMITED|THROTTLED|MAX_COST_EXCEEDED|LIMIT_REACHED|ERP_BUSY)$/, 'api-limit'],
  [/^(ERP_UNAVAILABLE|ERP_TIMEOUT|ERP_AUTH|ERP_PROTOCOL|SHOPIFY_UNAVAILABLE|SHOPIFY_AUTH|BAD_CONNECTION|BAD_CONNECTION_CONFIG)$/, 'erp-unavailable'],
  [
    /^(LOOKUP_MISSING|LOOKUP_TABLE_MISSING|LOOKUP_COLUMN_MISSING|SKU_NOT_FOUND|UNKNOWN_SKU|TAX_CODE_NOT_FOUND|WAREHOUSE_NOT_FOUND|PAYMENT_TERM_NOT_FOUND|CURRENCY_NOT_FOUND|ACCOUNT_NOT_FOUND|UNMAPPED_LOCATION|NO_PAYMENTS_ACCOUNT|DUPLICATE_SKU|EMPTY_SKU)$/,
    'missing-reference-data',
  ],
  [
    /^(ORDER_EDITED_AFTER_POSTING|CANNOT_CANCEL|SALES_ORDER_NOT_FOUND|ORDER_GONE|ORDER_NOT_FOUND|PERIOD_CLOSED|REFUND_FAILED|REFUND_PENDING|ERP_STATE|INSUFFICIENT_STOCK|NOT_STOCKED|NOTHING_TO_SHIP|NOTHING_TO_FULFIL|CHANGE_FROM_QUANTITY_STALE)$/,
    'manual-process',
  ],
  [
    /^(INVALID_INPUT|BAD_INPUT|MAPPING_FAILED|TOTALS_MISMATCH|ERP_VALIDATION|UNSUPPORTED|UNBALANCED_JOURNAL|DISCOUNT_EXCEEDS_LINES|BAD_PAYLOAD|TOPIC_MISMATCH|INVALID_CONFIG|CONFIG_MISSING|MIXED_RESTOCK|ORDER_TOO_LARGE|SHOPIFY_REJECTED|GRAPHQL_VALIDATION_FAILED|INVENTORY_PROBLEMS)$/,
    'data-mapping',
  ],
  [
    /^(SANDBOX_.*|CODE_ERROR|EXPR_.*|TIMEOUT|MEMORY_LIMIT|INTERNAL|LOOKUP_SERVICE_MISSING|EXCEPTIONS_SERVICE_MISSING|MONITORING_SERVICE_MISSING)$/,
    'code-error',
  ],
];

function categoryOfError(err: Err, fallback: CauseCategory): { category: CauseCategory; why: string | null } {
  const code = err.code ?? '';
  for (const [re, cat] of CODE_CATEGORY) if (code && re.test(code)) return { category: cat, why: `error code ${code}` };
  const m = err.message ?? '';
  if (/\b(TypeError|ReferenceError|SyntaxError|RangeError)\b|is not a function|is not defined|Cannot read propert/.test(m))
    return { category: 'code-error', why: 'a JavaScript error in the message' };
  if (/\b(429|too many requests|rate limit|throttl)/i.test(m)) return { category: 'api-limit', why: 'the message speaks of a rate limit' };
  if (/\b(ECONNREFUSED|ETIMEDOUT|ENOTFOUND|503|502|504|unavailable|did not answer)\b/i.test(m))
    return { category: 'erp-unavailable', why: 'the message speaks of a connection failure' };
  if (err.class === 'transient') return { category: 'erp-unavailable', why: 'a transient failure that outlived its retries' };
  return { category: fallback, why: null };
}

/** At most this many of a stock push's problems are listed, one a line; the rest are counted. */
const PUSH_LINES = 10;
const skuList = (skus: string[], max = 5) => `${skus.slice(0, max).join(', ')}${skus.length > max ? ` and ${skus.length - max} more` : ''}`;
const distinct = (ps: PushProblemRecord[], f: (p: PushProblemRecord) => unknown) => [...new Set(ps.map((p) => str(f(p))).filter(Boolean))];

/** Each kind of stock push problem: a heading for its lines, its cause category and the fix for the SKUs named. */
const PUSH_PROBLEMS: Record<string, { heading: string; category: CauseCategory; fix: (ps: PushProblemRecord[], c: Ctx) => string }> = {
  DUPLICATE_SKU: {
    heading: 'Duplicate SKU in Shopify (more than one variant sells it)',
    category: 'data-mapping',
    fix: (ps) => {
      const skus = distinct(ps, (p) => p.sku);
      return skus.length === 1
        ? `remove or merge the duplicate Shopify listing (or give each Shopify variant its own SKU) so one variant sells SKU ${skus[0]}`
        : `remove or merge the duplicate Shopify listings (or give each Shopify variant its own SKU) so one variant sells each of SKU ${skuList(skus)}`;
    },
  },
  NOT_STOCKED: {
    heading: 'Not stocked at the location in Shopify',
    category: 'data-mapping',
    fix: (ps) => {
      const skus = distinct(ps, (p) => p.sku);
      return ps.length === 1
        ? `stock SKU ${skus[0]} at that location in Shopify or unmap the warehouse`
        : `stock SKU ${skuList(skus)} at those locations in Shopify or unmap the warehouses`;
    },
  },
  SHOPIFY_REJECTED: {
    heading: 'Rejected by Shopify',
    category: 'data-mapping',
    fix: (ps) => {
      const reasons = distinct(ps, (p) => (p.details as { code?: unknown } | undefined)?.code);
      return `correct SKU ${skuList(distinct(ps, (p) => p.sku))} in Shopify for the reason Shopify gave${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
    },
  },
  UNMAPPED_LOCATION: {
    heading: 'ERP warehouse with no Shopify location',
    category: 'missing-reference-data',
    fix: (ps, c) => {
      const w = distinct(ps, (p) => p.warehouse).map((x) => `"${x}"`);
      return `add ERP warehouse ${skuList(w)} to the locations mapping of the ${c.e.links.nodeId ?? 'stock push'} step (or stop reading ${w.length === 1 ? 'it' : 'them'} from the ERP), then publish`;
    },
  },
  DUPLICATE_INPUT: {
    heading: 'Sent twice by the ERP for one location',
    category: 'data-mapping',
    fix: (ps) => `make the ERP stock read send SKU ${skuList(distinct(ps, (p) => p.sku))} once per warehouse`,
  },
  EMPTY_SKU: {
    heading: 'ERP stock level without a SKU',
    category: 'data-mapping',
    fix: () => 'give those ERP items a SKU (or leave them out of the stock read)',
  },
  BAD_QUANTITY: {
    heading: 'Quantity that is not a whole number',
    category: 'data-mapping',
    fix: (ps) => `correct the quantity of SKU ${skuList(distinct(ps, (p) => p.sku))} in the ERP stock read`,
  },
};

/** A problem's own line: its message, with the SKU in place of the input row it came from. */
function problemLine(p: PushProblemRecord): string {
  const m = str(p.message);
  const sku = str(p.sku);
  const bare = m.replace(/^levels\[\d+\]: /, '');
  if (!bare) return `${str(p.code)}${sku ? ` SKU ${sku}` : ''}`;
  return sku && !bare.includes(sku) ? `SKU ${sku}: ${bare}` : bare;
}

/**
 * A stock push that set every level it could and failed naming the rest (INVENTORY_PROBLEMS, nodes/shopify/
 * inventory-push.ts): the Shopify catalogue's data or the ERP's, not the flow's code. Each problem on its own line,
 * grouped by kind; the fix per kind, for the SKUs named; no retry, which fails the same way until the data changes.
 */
function inventoryProblems(c: Ctx): ReturnType<NonNullable<Rule['refine']>> {
  if (c.err.code !== 'INVENTORY_PROBLEMS') return null;
  const groups = pushProblemGroups(c.err.details);
  if (!groups.length) return null;
  const total = groups.reduce((n, g) => n + g.problems.length, 0);
  const skus = distinct(
    groups.flatMap((g) => g.problems),
    (p) => p.sku,
  );
  // Every kind gets a line before any gets a second, up to PUSH_LINES in all.
  const shown = groups.map(() => 0);
  for (let left = Math.min(PUSH_LINES, total); left > 0; )
    groups.forEach((g, i) => {
      if (left > 0 && shown[i]! < g.problems.length) {
        shown[i]!++;
        left--;
      }
    });
  const lines = groups.flatMap((g, i) => {
    const more = g.problems.length - shown[i]!;
    return [
      `${PUSH_PROBLEMS[g.code]?.heading ?? g.code} (${g.problems.length}):`,
      ...g.problems.slice(0, shown[i]).map((p) => `• ${problemLine(p)}`),
      ...(more ? [`• …and ${more} more`] : []),
    ];
  });
  const owners = [...new Set(groups.map((g) => PUSH_PROBLEM_KINDS[g.code]?.owner ?? 'operations'))];
  const catalogue = owners.includes('ecommerce');
  const team = catalogue ? 'the ecommerce team, who keep the Shopify catalogue' : "operations (the ERP data and the flow's locations mapping)";
  const pushed = Array.isArray(c.err.details?.pushed) ? (c.err.details.pushed as unknown[]).length : null;
  const unchanged = typeof c.err.details?.unchanged === 'number' ? c.err.details.unchanged : 0;
  const rest =
    pushed === null
      ? ''
      : pushed || unchanged
        ? ` The rest of the stock was pushed: ${pushed} stock level(s) set in Shopify${unchanged ? `, ${unchanged} already right` : ''}.`
        : ' No other stock level needed pushing.';
  const fixes = groups.map((g) => PUSH_PROBLEMS[g.code]?.fix(g.problems, c) ?? `resolve ${g.code} for ${skuList(distinct(g.problems, (p) => p.sku))}`);
  const fix = fixes.join('; ');
  const category = groups.every((g) => PUSH_PROBLEMS[g.code]?.category === 'missing-reference-data') ? 'missing-reference-data' : 'data-mapping';
  const counts = groups.map((g) => `${g.problems.length} ${g.code}`).join(', ');
  return {
    category,
    evidence: `the stock push named ${total} problem(s): ${counts}${pushed === null ? '' : `; ${pushed} level(s) pushed, ${unchanged} unchanged`}`,
    explanation: [
      `The stock push could not set the stock of ${skus.length === 1 ? `SKU ${skus[0]}` : skus.length ? `${skus.length} SKUs` : 'some levels'} in Shopify because of ${catalogue ? "the Shopify catalogue's data" : 'the data it was given'}, not a fault in the flow: a case for ${team}.${rest}`,
      ...lines,
    ].join('\n'),
    next: `${fix.charAt(0).toUpperCase()}${fix.slice(1)}. Then retry, or let the next stock push set ${skus.length > 1 ? 'them' : 'it'}; retrying before the data is fixed fails the same way.`,
    action: c.e.links.runId ? { kind: 'open-run', label: 'Open the failed stock push', params: { runId: c.e.links.runId } } : null,
  };
}

const RULES: Record<string, Rule> = {
  'unmapped-tax-code': {
    category: 'missing-reference-data',
    explain: ({ e }) =>
      `Orders carry a tax rate ("${keyOf(e)}") that the tax-codes table does not translate into an ERP tax code, so they wait before reaching the ERP. Nothing is wrong with the orders.`,
    next: () => "Add the row mapping this tax rate to the ERP tax code (proposals below come from the ERP's own tax list), then retry the waiting runs.",
    action: lookupRow,
  },
  'unmapped-location': {
    category: 'missing-reference-data',
    explain: ({ e }) => `A Shopify location ("${keyOf(e)}") has no ERP warehouse in the locations table; its orders or stock cannot sync.`,
    next: () => "Add the row mapping the location to an ERP warehouse (proposals come from the ERP's warehouse list), then retry.",
    action: lookupRow,
  },
  'sku-missing-in-erp': {
    category: 'missing-reference-data',
    explain: ({ e }) => `A product SKU sold in Shopify (${keyOf(e)}) does not exist in the ERP item master, so the order cannot be booked.`,
    next: () => 'Create the item in the ERP (or correct the SKU in Shopify), then retry the waiting runs.',
    action: retry,
  },
  'duplicate-sku': {
    category: 'missing-reference-data',
    explain: ({ e }) => `The SKU ${keyOf(e)} is used by more than one product or item, so stock and orders cannot be matched to one of them.`,
    next: () => 'Give each variant its own SKU in Shopify or the ERP, then re-run the audit.',
  },
  'erp-rejected': {
    category: 'data-mapping',
    byCode: true,
    explain: ({ err }) =>
      `The ERP refused the document: "${(err.message ?? '').slice(0, 200)}". The data sent does not meet the ERP's rules (a field mapped from the wrong Shopify value, a missing required field, or an ERP setting).`,
    next: ({ e }) =>
      `Open the mapping of ${e.links.flowId ?? 'the flow'} / ${e.links.nodeId ?? 'the failed step'} and compare the field the ERP names with its Shopify source; fix it, publish, then retry.`,
    action: (c) =>
      c.e.links.flowId
        ? { kind: 'open-mapper', label: 'Open the mapping', params: { flowId: c.e.links.flowId, ...(c.e.links.nodeId ? { nodeId: c.e.links.nodeId } : {}) } }
        : null,
  },
  'erp-unreachable': {
    category: 'erp-unavailable',
    byCode: true,
    explain: ({ e }) => `The ERP (${keyOf(e)}) did not answer through every retry. The documents are kept and will post once it answers; none were lost.`,
    next: () => 'Check the ERP is up and its connection credentials are valid; then retry the waiting runs (pause the flow if the outage is long).',
    action: retry,
  },
  'inventory-drift': {
    category: 'manual-process',
    explain: () =>
      'Shopify shows a different available quantity than the ERP beyond tolerance, usually because stock was adjusted in one system outside the integration (a stock count, a manual Shopify edit) or the push runs too rarely.',
    next: () => 'Check recent stock movements in the ERP for the SKUs listed, then run the inventory push; if drift keeps returning, push more often.',
    action: stockPush('more-often'),
    tableAction: 'raise-stock-push-interval (push stock more often)',
    // A SKU the push refuses (two variants sell it, or it is not stocked at the location) drifts at every check
    // whatever the schedule: pushing more often would hide nothing and fix nothing.
    refine: (c) => {
      const sku = str((c.e.data as { sku?: unknown } | null)?.sku);
      const p = sku ? c.facts?.pushProblem?.(sku) : null;
      if (!p) return null;
      return {
        category: 'data-mapping',
        evidence: `the last stock push refused ${sku}: ${p.code}`,
        explanation: `The stock push cannot set ${sku} in Shopify (${p.message}), so Shopify keeps its own figure and this drift returns at every check; pushing more often would not change it.`,
        next:
          p.code === 'DUPLICATE_SKU'
            ? `Give each Shopify variant its own SKU (or remove the old listing) so ${sku} names one variant; the next stock push then sets it and the drift clears at the following check.`
            : `Make ${sku} stocked at that location in Shopify (or stop pushing it there); the next stock push then sets it and the drift clears at the following check.`,
        action: p.runId ? { kind: 'open-run', label: 'Open the failed stock push', params: { runId: p.runId } } : null,
      };
    },
  },
  'orphaned-order': {
    category: 'data-mapping',
    byCode: true,
    explain: () => 'A paid Shopify order has no ERP sales order: its run failed or never started, so it will not be picked or invoiced.',
    next: ({ e }) =>
      e.links.runId && e.retryable !== false
        ? "Open the order's failed run, fix the cause it shows and retry."
        : 'No run of it failed: its webhook never came (or was refused). Fetch the order from Shopify, which runs the flows that take paid orders.',
    // With no failed run there is nothing to retry: the order itself is read from Shopify (POST .../fetch-order).
    action: (c) => retry(c) ?? { kind: 'fetch-order', label: 'Fetch the order from Shopify and run it', params: { exceptionId: c.e.id } },
    tableAction: 'retry (its run failed) or fetch-order (no run: the webhook never came)',
  },
  'payment-mismatch': {
    category: 'manual-process',
    explain: () => 'The payment status in Shopify and the ERP order disagree, typically after a refund, void or cancellation handled in only one system.',
    next: () => 'Compare the Shopify order timeline with the ERP order; cancel or credit in the ERP, or correct Shopify.',
  },
  'payout-variance': {
    category: 'data-mapping',
    byCode: false,
    explain: () => 'A Shopify payout does not tie to its transactions and the ERP documents, so its journal was held back (nothing was posted).',
    next: () =>
      'Open the payout report and resolve each unmatched line (the related exceptions say which); the reconciliation posts the journal on its next run.',
  },
  'payout-missing-in-erp': {
    category: 'missing-reference-data',
    explain: () => 'Money Shopify paid out has no matching invoice or credit memo in the ERP: the order or refund behind it was never booked.',
    next: () => 'Find the order or refund run for it and retry it (or post the document); the reconciliation clears this on its next run.',
  },
  'payout-refund-unposted': {
    category: 'missing-reference-data',
    explain: () => 'Shopify refunded a customer in a payout but the ERP has no credit memo for it: revenue and receivables are overstated.',
    next: () => "Retry the refund flow's run for it (or post the credit memo by hand); the reconciliation clears this on its next run.",
  },
  'payout-amount-mismatch': {
    category: 'data-mapping',
    explain: () =>
      'A payout transaction and its ERP document differ in amount, usually a mapping that books a different figure (presentment currency, tax or shipping left out).',
    next: () => 'Compare the two amounts; correct the ERP document and check the mapping of amounts in the order flow.',
  },
  'payout-mismatch': {
    category: 'data-mapping',
    explain: () => 'A payout and the ERP documents it should settle do not agree.',
    next: () => 'Open the payout report, compare line by line and correct the ERP documents or the mapping.',
  },
  'payout-unknown-in-shopify': {
    category: 'manual-process',
    explain: () => 'An ERP entry on the Shopify clearing account matches no Shopify transaction: posted twice, by hand, or from another sales channel.',
    next: () => 'Check who posted it; reverse a duplicate or move it to the right account.',
  },
  'payout-dispute': {
    category: 'manual-process',
    explain: () => 'A customer disputed a payment (chargeback): Shopify held the money back from a payout.',
    next: () => 'Answer the dispute in Shopify; finance books the outcome (the settle step reopens or repays the invoice).',
  },
  'erp-totals-mismatch': {
    category: 'data-mapping',
    explain: () =>
      "The ERP draft of an order does not add up to what Shopify charged (a line's net or tax, or the total). Nothing was booked; the draft is kept. Usually a tax rate mapped to the wrong ERP tax code, or an amount mapped from the wrong Shopify field.",
    next: () => 'Read the per-line differences in the exception; correct the tax code row or the mapping of amounts, then retry.',
    action: retry,
  },
  'credit-memo-mismatch': {
    category: 'data-mapping',
    explain: () => "A credit memo built from a Shopify refund does not equal the refund's own totals (lines, tax, shipping, adjustments). Nothing was booked.",
    next: () => 'Compare the refund in Shopify with the differences shown; fix the refund mapping or the tax codes, then retry.',
    action: retry,
  },
  'refund-cash-mismatch': {
    category: 'manual-process',
    explain: () =>
      'The refunded lines and the cash actually returned differ (goodwill, store credit, an adjustment made by staff in Shopify) and no account is set for the difference. Nothing was booked.',
    next: () => 'Decide where the difference belongs (goodwill expense, store credit liability), set the difference account on the refund flow, then retry.',
    action: retry,
  },
  'credit-exceeds-invoice': {
    category: 'manual-process',
    explain: () =>
      "A refund would credit more than remains credit-able on the order's invoice, usually because a credit memo was already posted by hand or a refund was issued twice. Nothing was booked.",
    next: () => 'Check earlier credit memos of the order and the invoice total; post a real excess as a separate adjustment, then retry or resolve.',
    action: retry,
  },
  'currency-mismatch': {
    category: 'manual-process',
    explain: () =>
      "A journal in the shop's (payout) currency would go to an ERP company that keeps its books in another currency. Shopify gives no amounts in the ERP's currency, so nothing was booked rather than converted at a guessed rate.",
    next: () => "Post this shop to an ERP company in the shop's currency, or book the journal by hand at your rate, then resolve.",
  },
  'manual-payment-mismatch': {
    category: 'manual-process',
    explain: () =>
      "Shopify says an order was paid outside Shopify Payments (cash on delivery, a bank transfer), but the ERP's invoice less its credit memos is another amount: an edit or a refund the ERP does not have, or a memo posted by hand. Nothing was booked.",
    next: () =>
      "Compare the order's total in Shopify with its ERP invoice and credit memos; post what is missing (or book the receipt by hand), then retry or resolve.",
    action: retry,
  },
  'manual-payment-unreconciled': {
    category: 'manual-process',
    explain: () =>
      "The receipt of a payment taken outside Shopify is booked, but the order's invoice or one of its credit memos still reads open: a return Shopify knows of has no memo in the ERP, or the amounts were changed there.",
    next: () => 'Find the document named as open in the ERP and reconcile it with the receipt by hand (or post the missing memo), then resolve with a note.',
  },
  'payout-settlement-incomplete': {
    category: 'manual-process',
    explain: () =>
      'The payout journal is posted, but documents it paid were gone from the ERP when they were to be settled (deleted or renumbered after the reconciliation matched them): their receivable is still open and Shopify clearing still holds their amounts.',
    next: () => 'Find each document named in the ERP and settle it against Shopify clearing by hand (or restore it and settle it), then resolve with a note.',
  },
  'gift-card-redemption-unknown': {
    category: 'missing-reference-data',
    explain: () =>
      'An order was paid partly by gift card but the amount redeemed is not in the order data, so the gift-card liability was not released for it.',
    next: () =>
      'Read the gift-card transaction amount on the order in Shopify and book it in the ERP (debit gift-card liability, credit Shopify clearing); resolve with a note.',
  },
  'inventory-push-rejected': {
    category: 'data-mapping',
    explain: () =>
      'Shopify refused a stock quantity Ledgerline pushed for a SKU at a location (the item is not stocked there, not tracked, or the quantity is invalid).',
    next: () => 'Check the item is stocked and tracked at that Shopify location and the location mapping is right; the next push sends it again.',
  },
  'erp-item-not-in-shopify': {
    category: 'missing-reference-data',
    explain: () =>
      'The ERP stocks SKUs that no Shopify product variant carries, so their stock is never pushed (a new product not yet listed, or a SKU spelled differently).',
    next: () => 'List the product in Shopify with the same SKU, or correct the SKU in one system; resolve when intended (e.g. wholesale-only items).',
  },
  'stuck-run': {
    category: 'erp-unavailable',
    byCode: true,
    explain: () => 'A run has been in progress far longer than the flow usually takes: a system it waits on is slow or not answering.',
    next: () => 'Open the run to see the step it waits on and check that system; cancel and replay it if needed.',
    action: (c) => (c.e.links.runId ? { kind: 'open-run', label: 'Open the run', params: { runId: c.e.links.runId } } : null),
  },
  'failed-run': {
    category: 'code-error',
    byCode: true,
    generic: true,
    explain: ({ err, stepType }) =>
      `A run failed in ${stepType ? `a ${stepType} step` : 'a step'} with "${(err.message ?? '').slice(0, 200)}"; the likely cause is read from its error code and message.`,
    next: () => 'Open the run and read the failed step; fix the cause, then retry.',
    action: retry,
    refine: inventoryProblems,
  },
  'webhook-silence': {
    category: 'erp-unavailable',
    explain: () => "No events arrived from the shop during trading hours: Shopify's webhooks may have been removed or cannot reach Ledgerline.",
    next: () =>
      'Check the webhook subscriptions in Shopify and that the server is reachable; the paid orders missed come up as orphaned orders, each fetched from Shopify from its exception.',
  },
  'webhook-unverified': {
    category: 'manual-process',
    explain: () =>
      "Shopify deliveries to this connection are refused as unverifiable: the webhook secret here is missing or is not the app's (rotated in Shopify and not here), or someone else is sending them.",
    next: () =>
      "Put the Shopify app's webhook secret in the connection (Settings → Connections); the next delivery that verifies resolves this. The paid orders refused meanwhile come up as orphaned orders: fetch each from its exception.",
  },
  'rate-limited': {
    category: 'api-limit',
    explain: () => 'A shop or ERP connection has been at its API rate limit for a long time, so syncs slow down (nothing is lost).',
    next: () => 'Look for a runaway flow or bulk import; spread schedules out (e.g. push stock less often) or pause the busiest flow.',
    // A shop's API budget: the stock push is the scheduled flow that spends it in bulk. An ERP throttling a flow's
    // steps: that flow (when scheduled) can be paused.
    action: (c) => (c.e.key.startsWith('shopify:') ? stockPush('less-often')(c) : pause(c)),
    tableAction: "raise-stock-push-interval (a shop's limit: push stock less often) or pause-flow (ERP throttling a scheduled flow)",
  },
  'unprocessable-event': {
    category: 'data-mapping',
    explain: ({ e }) =>
      unreadableDelivery(e)
        ? 'A delivery whose signature is good could not be read as JSON: it was kept and nothing ran on it.'
        : 'An incoming event could not be processed: its payload does not fit what the flow expects.',
    // A body that is not JSON reads no better on a replay: what it was about is brought over from Shopify instead.
    next: ({ e }) =>
      unreadableDelivery(e)
        ? 'Read the kept body for what it was about (an order id or name), bring that change over from Shopify, then resolve this.'
        : 'Open the event, fix the flow (or the sending side), then replay it.',
  },
};

/** A signed delivery kept unread (server/webhooks/shopify.ts), not an event a flow could not take. */
const unreadableDelivery = (e: { data?: unknown }) => (e.data as { unreadable?: unknown } | null)?.unreadable === true;

const FALLBACK: Rule = {
  category: 'code-error',
  byCode: true,
  generic: true,
  explain: ({ e }) => `${e.title}.`,
  next: () => 'Read the detail and the failed run; fix the cause, then retry.',
  action: retry,
  refine: inventoryProblems,
};

function keyOf(e: ExceptionRecord): string {
  const k = e.key.includes(':') ? e.key.slice(e.key.indexOf(':') + 1) : e.key;
  return k.slice(0, 120);
}

/** Exception types the triage rules cover. */
export const TRIAGED_TYPES = Object.keys(RULES);

const NEXT_BY_CATEGORY: Partial<Record<CauseCategory, (c: Ctx) => { next: string; action: TriageAction | null }>> = {
  'api-limit': (c) => ({
    next: 'The connection is at its rate limit: the runs retry on their own; if it persists, spread schedules out or pause the busiest flow.',
    action: pause(c),
  }),
  'erp-unavailable': (c) => ({ next: 'Check the system is up and the connection credentials are valid; then retry the waiting runs.', action: retry(c) }),
  'missing-reference-data': (c) => ({
    next: 'Add the missing value to the ERP or the lookup table the error names, then retry.',
    action: lookupRow(c) ?? retry(c),
  }),
  'manual-process': (c) => ({
    next: 'Someone changed the data outside the integration; reconcile the two systems by hand, then resolve with a note (or retry).',
    action: retry(c),
  }),
  'code-error': (c) => ({
    next: 'A custom code step or expression failed: ask the consultant to fix the flow, publish, then retry.',
    action: c.e.links.flowId
      ? { kind: 'open-mapper', label: 'Open the flow', params: { flowId: c.e.links.flowId, ...(c.e.links.nodeId ? { nodeId: c.e.links.nodeId } : {}) } }
      : null,
  }),
  'data-mapping': (c) => ({
    next: 'The data sent does not fit what the receiving system accepts: check the mapping of the failed step against the field named in the error, publish, then retry.',
    action: c.e.links.flowId
      ? { kind: 'open-mapper', label: 'Open the mapping', params: { flowId: c.e.links.flowId, ...(c.e.links.nodeId ? { nodeId: c.e.links.nodeId } : {}) } }
      : null,
  }),
};

export function triageException(e: ExceptionRecord, facts?: FlowFacts): Triage {
  const rule = RULES[e.type] ?? FALLBACK;
  const data = (e.data ?? {}) as { error?: Err; stepType?: string };
  const err: Err = data.error ?? {};
  const c: Ctx = { e, err, stepType: data.stepType ?? '', facts };
  const evidence = [`exception type ${e.type}${RULES[e.type] ? '' : ' (no rule for this type; read from its error)'}`];
  if (err.code) evidence.push(`error ${err.code}${err.class ? ` (${err.class})` : ''}${c.stepType ? ` in a ${c.stepType} step` : ''}`);
  if (e.count > 1) evidence.push(`${e.count} occurrences since ${new Date(e.firstSeen).toISOString()}`);
  if (e.links.flowId) evidence.push(`flow ${e.links.flowId}${e.links.nodeId ? ` / ${e.links.nodeId}` : ''}`);
  let category = rule.category;
  let next = rule.next(c);
  let action = rule.action?.(c) ?? null;
  // A cause the facts establish replaces what the error code alone would suggest (its evidence too).
  const refined = rule.refine?.(c);
  if (!refined && rule.byCode && (err.code || err.message)) {
    const byErr = categoryOfError(err, rule.category);
    if (byErr.why) evidence.push(`${CATEGORY_LABEL[byErr.category].toLowerCase()}: ${byErr.why}`);
    if (byErr.category !== rule.category || rule.generic) {
      category = byErr.category;
      const alt = NEXT_BY_CATEGORY[category]?.(c);
      if (alt) ({ next, action } = alt);
    }
  }
  if (refined) {
    evidence.push(refined.evidence);
    return {
      category: refined.category,
      categoryLabel: CATEGORY_LABEL[refined.category],
      evidence,
      explanation: refined.explanation,
      nextStep: refined.next,
      action: refined.action,
      source: 'rule',
    };
  }
  return { category, categoryLabel: CATEGORY_LABEL[category], evidence, explanation: rule.explain(c), nextStep: next, action, source: 'rule' };
}

/** One row per exception type: the table the runbook prints. */
export function triageTable(types: string[] = TRIAGED_TYPES): Array<{ type: string; category: string; explanation: string; nextStep: string; action: string }> {
  return types.map((type) => {
    const t = triageException({
      id: '(id)',
      type,
      key: `${type}:…`,
      title: type,
      detail: null,
      severity: 'medium',
      owner: 'operations',
      assignee: null,
      state: 'open',
      autoResolved: false,
      resolutionNote: null,
      resolvedBy: null,
      count: 1,
      firstSeen: 0,
      lastSeen: 0,
      resolvedAt: null,
      links: { flowId: 'the flow', runId: 'the run', nodeId: 'the failed step' },
      data: { error: { message: '…', details: { table: 'the table' } } },
      alertedAt: null,
    });
    return {
      type,
      category: `${t.categoryLabel}${RULES[type]?.byCode ? ' (or as the error code says)' : ''}`,
      explanation: t.explanation,
      nextStep: t.nextStep,
      action: RULES[type]?.tableAction ?? (t.action ? t.action.kind : '—'),
    };
  });
}
