// Recent Shopify orders for the order monitors: ids, status and totals only (cheap), paged by creation date.
import type { ShopifyClient } from '../shopify/client.ts';

export const RECENT_ORDERS = `query MonitorRecentOrders($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name createdAt cancelledAt test displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
    }
  }
}`;

export interface RecentOrder {
  id: string;
  legacyResourceId: string;
  name: string;
  createdAt: string;
  cancelledAt: string | null;
  test: boolean;
  displayFinancialStatus: string | null;
  totalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
  currentTotalPriceSet: { shopMoney: { amount: string; currencyCode: string } };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Orders created between `from` and `to` (ms epoch), at most `max`. */
export async function recentOrders(client: ShopifyClient, from: number, to: number, signal: AbortSignal, max = 2000): Promise<RecentOrder[]> {
  const out: RecentOrder[] = [];
  let after: string | null = null;
  do {
    const res: { data: { orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RecentOrder[] } } } = await client.request(
      RECENT_ORDERS, { query: `created_at:>='${iso(from)}'`, first: 100, after }, { signal },
    );
    for (const o of res.data.orders.nodes) {
      const t = Date.parse(o.createdAt);
      // The search bound is coarse (and string-compared by some stores); the exact window is applied here.
      if (t >= from && t <= to) out.push(o);
    }
    after = res.data.orders.pageInfo.hasNextPage ? res.data.orders.pageInfo.endCursor : null;
  } while (after && out.length < max);
  return out;
}

/** The ERP sales order for a Shopify order, looked up by the id form the order flow posts with. */
export async function erpOrderFor(erp: { getSalesOrder(id: string): Promise<unknown> }, o: { id: string; legacyResourceId: string }, form: 'gid' | 'legacy' | 'either') {
  if (form !== 'legacy') {
    const so = await erp.getSalesOrder(o.id);
    if (so || form === 'gid') return so;
  }
  return erp.getSalesOrder(o.legacyResourceId);
}
