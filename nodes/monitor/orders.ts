// Recent Shopify orders for the order monitors: ids, status and totals only (cheap), paged by creation date.
import { NodeError } from '../../runtime/node-api.ts';
import type { ShopifyClient, ShopifyResponse } from '../shopify/client.ts';
import { runBulkQuery } from '../shopify/bulk-client.ts';
import type {
  MonitorOrderPaymentTermsQuery,
  MonitorOrderPaymentTermsQueryVariables,
  MonitorOrdersPaymentTermsQuery,
  MonitorOrdersPaymentTermsQueryVariables,
  MonitorRecentOrdersQuery,
  MonitorRecentOrdersQueryVariables,
} from '../shopify/admin-types.generated.ts';
import { typedDocument } from '../shopify/typed-document.ts';

export const RECENT_ORDERS = typedDocument<
  MonitorRecentOrdersQuery,
  MonitorRecentOrdersQueryVariables
>(`query MonitorRecentOrders($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name createdAt cancelledAt test displayFinancialStatus paymentGatewayNames
      totalPriceSet { shopMoney { amount currencyCode } }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
    }
  }
}`);

/**
 * An order's payment terms, asked only of a pending order the ERP has shipped (a few a day at most): the field needs
 * the read_payment_terms scope, which the order lists above must not depend on.
 */
export const ORDER_PAYMENT_TERMS = typedDocument<
  MonitorOrderPaymentTermsQuery,
  MonitorOrderPaymentTermsQueryVariables
>(`query MonitorOrderPaymentTerms($id: ID!) {
  order(id: $id) { id paymentTerms { paymentTermsType paymentTermsName } }
}`);

/** The payment terms of many orders at once (the pending orders an order monitor must place), by `nodes(ids:)`. */
export const ORDERS_PAYMENT_TERMS = typedDocument<
  MonitorOrdersPaymentTermsQuery,
  MonitorOrdersPaymentTermsQueryVariables
>(`query MonitorOrdersPaymentTerms($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Order { id paymentTerms { paymentTermsType paymentTermsName } } }
}`);

/** Ids per ORDERS_PAYMENT_TERMS request. */
const TERMS_PAGE = 100;

/**
 * The orders of `ids` that have Shopify payment terms, by id with the terms' name; `unread` says why none could be
 * read (the app lacks the read_payment_terms scope) instead of failing the monitor.
 */
export async function paymentTermsOf(
  client: ShopifyClient,
  ids: string[],
  signal: AbortSignal,
): Promise<{ terms: Map<string, string>; unread: string | null }> {
  const terms = new Map<string, string>();
  for (let i = 0; i < ids.length; i += TERMS_PAGE) {
    try {
      const res = await client.request(ORDERS_PAYMENT_TERMS, { ids: ids.slice(i, i + TERMS_PAGE) }, { signal });
      for (const n of res.data.nodes) {
        const t = n && 'paymentTerms' in n ? n.paymentTerms : null;
        if (n && 'id' in n && t) terms.set(n.id, t.paymentTermsName || t.paymentTermsType);
      }
    } catch (e) {
      if (e instanceof NodeError && e.code === 'ACCESS_DENIED') return { terms, unread: "the app lacks Shopify's read_payment_terms scope" };
      throw e;
    }
  }
  return { terms, unread: null };
}

/** One order of RECENT_ORDERS (bulkOrdersQuery selects the same fields: its JSONL lines have this shape too). */
export type RecentOrder = MonitorRecentOrdersQuery['orders']['nodes'][number];

/** The same fields for every order of a search, as one bulk query (one connection: no first/after, no pageInfo). */
export function bulkOrdersQuery(search: string): string {
  return `{
  orders(query: ${JSON.stringify(search)}, sortKey: CREATED_AT) {
    edges { node {
      id legacyResourceId name createdAt cancelledAt test displayFinancialStatus paymentGatewayNames
      totalPriceSet { shopMoney { amount currencyCode } }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
    } }
  }
}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface OrdersReadOptions {
  /** auto: page while the range fits one page; when it holds more, the whole range by one bulk query. */
  read?: 'auto' | 'bulk' | 'per-call';
  pageSize?: number;
  /** Per-call paging stops after this many orders (the cost budget); a bulk read has no such cap. */
  max?: number;
  /** Between bulk status polls. */
  pollMs?: number;
}

export interface OrdersRead {
  orders: RecentOrder[];
  path: { kind: 'bulk' | 'per-call'; reason: string; bulkOperation?: string };
  calls: number;
  cost: number;
}

/**
 * Orders created between `from` and `to` (ms epoch). A range larger than one page is read by one
 * bulkOperationRunQuery (10 points plus 1 a poll, outside the cost budget) instead of paging at ~1 point per order
 * page and cursor, so a month of a busy shop neither drains the bucket orders need nor stops at `max`.
 */
export async function readOrders(client: ShopifyClient, from: number, to: number, signal: AbortSignal, opts: OrdersReadOptions = {}): Promise<OrdersRead> {
  const read = opts.read ?? 'auto';
  const pageSize = opts.pageSize ?? 100;
  const max = opts.max ?? 2000;
  const search = `created_at:>='${iso(from)}'`;
  const out: OrdersRead = { orders: [], path: { kind: 'per-call', reason: '' }, calls: 0, cost: 0 };
  // The search bound is coarse (and string-compared by some stores); the exact window is applied here.
  const inWindow = (o: RecentOrder) => {
    const t = Date.parse(o.createdAt);
    return t >= from && t <= to;
  };
  const bulk = async (reason: string) => {
    const op = await runBulkQuery(client, bulkOrdersQuery(search), { pollMs: opts.pollMs, signal });
    out.calls += 1 + op.polls;
    out.cost += op.cost;
    if (op.status !== 'COMPLETED') {
      throw new NodeError(`shopify orders bulk query ${op.id} ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}`, {
        code: 'BULK_QUERY_FAILED',
        errorClass: 'transient',
      });
    }
    out.orders = (op.lines as RecentOrder[]).filter(inWindow);
    out.path = { kind: 'bulk', reason, bulkOperation: op.id };
    return out;
  };
  if (read === 'bulk') return bulk("bulk (set in the node's config)");
  let after: string | null = null;
  do {
    const res: ShopifyResponse<MonitorRecentOrdersQuery> = await client.request(RECENT_ORDERS, { query: search, first: pageSize, after }, { signal });
    out.calls++;
    out.cost += res.cost.actual ?? res.cost.requested;
    out.orders.push(...res.data.orders.nodes.filter(inWindow));
    after = res.data.orders.pageInfo.hasNextPage ? res.data.orders.pageInfo.endCursor : null;
    if (after && read === 'auto') return bulk(`the range holds more than one page of ${pageSize} orders: one bulk query instead of paging`);
  } while (after && out.orders.length < max);
  out.path = {
    kind: 'per-call',
    reason:
      read === 'per-call' ? `per call (set in the node's config)${after ? `; stopped at ${max} orders` : ''}` : `the range fits one page of ${pageSize} orders`,
  };
  return out;
}

/** Orders created between `from` and `to` (ms epoch); bulk when the range is larger than a page. */
export async function recentOrders(client: ShopifyClient, from: number, to: number, signal: AbortSignal, opts: OrdersReadOptions = {}): Promise<RecentOrder[]> {
  return (await readOrders(client, from, to, signal, opts)).orders;
}

/** The ERP sales order for a Shopify order, looked up by the id form the order flow posts with. */
export async function erpOrderFor(
  erp: { getSalesOrder(id: string): Promise<unknown> },
  o: { id: string; legacyResourceId: string },
  form: 'gid' | 'legacy' | 'either',
) {
  if (form !== 'legacy') {
    const so = await erp.getSalesOrder(o.id);
    if (so || form === 'gid') return so;
  }
  return erp.getSalesOrder(o.legacyResourceId);
}
