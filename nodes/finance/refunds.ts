// Which Shopify refund a refund balance transaction belongs to: balance transactions carry the order transaction id,
// ERP credit memos the refund id, so the orders' refunds are read to link the two: many orders per request
// (`nodes(ids:)`), as many as keep the request's calculated cost within Shopify's single-query limit.
import { permanentError, type NodeContext } from '../../runtime/node-api.ts';
import { DOCUMENTS, type ShopifyClient } from '../shopify/index.ts';
import { asNodeError } from '../shopify/node-util.ts';
import { legacy } from './erp-docs.ts';

/** Shopify refuses a query whose requested cost is above 1,000 points, and `nodes` more than 250 ids. */
const MAX_QUERY_COST = 1_000;
const MAX_IDS = 250;

/** Orders per `nodes` request: the most whose requested cost stays within the single-query limit. */
export function ordersPerRequest(client: Pick<ShopifyClient, 'estimateCost'>): number {
  const one = client.estimateCost(DOCUMENTS.REFUND_TRANSACTIONS_FOR_ORDERS, { ids: ['gid://shopify/Order/1'] });
  return Math.max(1, Math.min(MAX_IDS, Math.floor(MAX_QUERY_COST / Math.max(1, one))));
}

/** Whether a `nodes` entry is an Order (the `... on Order` fragment selected its id) rather than `{}` or null. */
function isOrderNode<T extends object>(n: T | null): n is Extract<T, { id: string }> {
  return n !== null && typeof (n as { id?: unknown }).id === 'string';
}

interface RefundIds {
  id: string;
  refunds?: Array<{ id: string; transactions?: { nodes: Array<{ id: string }> } }>;
}

export async function refundIdsByTransaction(ctx: NodeContext, connectionId: string, orderGids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!orderGids.length) return out;
  const client = await ctx.connection<ShopifyClient>('shopify', connectionId);
  if (!client || typeof (client as ShopifyClient).request !== 'function') {
    throw permanentError(`node ${ctx.nodeId}: config.shopifyConnection "${connectionId}" is not a Shopify connection`, { code: 'BAD_CONNECTION' });
  }
  const ids = [...new Set(orderGids.map((gid) => (gid.startsWith('gid://') ? gid : `gid://shopify/Order/${gid}`)))];
  const per = ordersPerRequest(client);
  try {
    for (let i = 0; i < ids.length; i += per) {
      const chunk = ids.slice(i, i + per);
      // The client waits for the bucket to hold the request's cost before sending it (its limiter), so a backlog of
      // thousands of orders paces itself instead of being throttled.
      const r = await client.request(DOCUMENTS.REFUND_TRANSACTIONS_FOR_ORDERS, { ids: chunk }, { signal: ctx.signal });
      // A node that is not an Order (`{}` from the inline fragment) has no refunds here.
      const nodes: Array<RefundIds | null> | undefined = r.data?.nodes?.map((n) => (isOrderNode(n) ? n : null));
      if (!Array.isArray(nodes) || nodes.length !== chunk.length) {
        throw permanentError(`node ${ctx.nodeId}: Shopify answered ${Array.isArray(nodes) ? nodes.length : 'no'} nodes for ${chunk.length} order ids`, {
          code: 'BAD_SHOPIFY_RESPONSE',
        });
      }
      nodes.forEach((order, k) => {
        for (const [j, refund] of (order?.refunds ?? []).entries()) {
          if (typeof refund?.id !== 'string')
            throw permanentError(`node ${ctx.nodeId}: nodes[${k}](${chunk[k]}).refunds[${j}].id is missing in Shopify's answer`, {
              code: 'BAD_SHOPIFY_RESPONSE',
            });
          for (const t of refund.transactions?.nodes ?? []) out.set(legacy(t.id)!, legacy(refund.id)!);
        }
      });
    }
  } catch (err) {
    asNodeError(ctx, err);
  }
  return out;
}
