// Test input (d): orders of the flow's own Shopify store (the sandbox store or a real one), read through the Admin
// GraphQL API exactly as a sweep reads a missed order, and handed to the trigger as a sweep delivery.
import type { ShopifyClient } from '../../nodes/shopify/client.ts';
import { ORDER_BY_ID, ORDERS_UPDATED_SINCE } from '../../nodes/shopify/documents.ts';
import { ADMIN_API_VERSION } from '../../nodes/shopify/schema.ts';
import { SWEEP_SOURCE_HEADER, withRefundsIfShortened } from '../../nodes/shopify/sweep.ts';
import { TestInputError } from './test-run.ts';

export interface StoreOrderStub {
  id: string;
  name: string;
  createdAt: string;
  financialStatus: string | null;
}

const gid = (id: string) => (/^\d+$/.test(id) ? `gid://shopify/Order/${id}` : id);

/** The store's most recently updated orders (last 60 days), newest first. */
export async function recentStoreOrders(client: ShopifyClient, limit = 20): Promise<StoreOrderStub[]> {
  const since = new Date(Date.now() - 60 * 86_400_000).toISOString();
  const r = await client.request(ORDERS_UPDATED_SINCE, { query: `updated_at:>='${since}'`, first: 100, after: null });
  return r.data.orders.nodes
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))
    .slice(0, limit)
    .map((o) => ({ id: o.id, name: o.name, createdAt: o.createdAt, financialStatus: o.displayFinancialStatus }));
}

/** One order as the delivery a shopify.trigger converts (GraphQL body, sweep header, the trigger's topic). */
export async function storeOrderDelivery(client: ShopifyClient, orderId: string, topic: string): Promise<{ delivery: unknown; label: string }> {
  const r = await client.request(ORDER_BY_ID, { id: gid(orderId), lineItems: 40 });
  if (!r.data.order) throw new TestInputError(`order ${orderId} is not in the store ${client.shopDomain}`);
  return {
    delivery: {
      // With its refunds when a line lost units, as a sweep reads it: otherwise a refunded order cannot be posted.
      body: JSON.stringify(await withRefundsIfShortened(client, r.data.order)),
      headers: {
        'X-Shopify-Topic': topic,
        'X-Shopify-Shop-Domain': client.shopDomain,
        'X-Shopify-API-Version': ADMIN_API_VERSION,
        [SWEEP_SOURCE_HEADER]: 'sweep',
      },
    },
    label: `Order ${r.data.order.name ?? orderId} from ${client.shopDomain}`,
  };
}
