// Which Shopify refund a refund balance transaction belongs to: balance transactions carry the order transaction id,
// ERP credit memos the refund id, so the order's refunds are read once to link the two.
import { permanentError, type NodeContext } from '../../runtime/node-api.ts';
import { DOCUMENTS, refundFromGraphql, type ShopifyClient } from '../shopify/index.ts';
import { asNodeError } from '../shopify/node-util.ts';
import { legacy } from './erp-docs.ts';

export async function refundIdsByTransaction(ctx: NodeContext, connectionId: string, orderGids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!orderGids.length) return out;
  const client = await ctx.connection<ShopifyClient>('shopify', connectionId);
  if (!client || typeof (client as ShopifyClient).request !== 'function') {
    throw permanentError(`node ${ctx.nodeId}: config.shopifyConnection "${connectionId}" is not a Shopify connection`, { code: 'BAD_CONNECTION' });
  }
  try {
    for (const gid of orderGids) {
      const id = gid.startsWith('gid://') ? gid : `gid://shopify/Order/${gid}`;
      const r = await client.request<{ order: { refunds: unknown[] } | null }>(DOCUMENTS.REFUNDS_FOR_ORDER, { id }, { signal: ctx.signal });
      for (const [i, raw] of (r.data.order?.refunds ?? []).entries()) {
        const refund = refundFromGraphql(raw, `order(${id}).refunds[${i}]`, id);
        for (const t of refund.transactions) out.set(legacy(t.id)!, legacy(refund.id)!);
      }
    }
  } catch (err) {
    asNodeError(ctx, err);
  }
  return out;
}
