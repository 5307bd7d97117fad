// erp.check-order-edit: a Shopify order edited after its sales order was posted must never be ignored. The ERP
// contract has no safe in-place update for every ERP (Tryton confirms and invoices on post), so the edit becomes an
// exception naming the ERP document, what changed and Shopify's new total; someone adjusts the document and resolves it.
import { z } from 'zod';
import { defineNode, NodeError, permanentError, transientError, connectionKindMeta } from '../../../runtime/node-api.ts';
import { ORDER_BY_ID } from '../../shopify/documents.ts';
import { orderFromGraphql } from '../../shopify/convert-graphql.ts';
import type { ShopifyClient } from '../../shopify/client.ts';
import type { ShopifyOrder, ShopifyOrderEdit } from '../../shopify/types.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /** Optional: re-read the edited order from Shopify to name the SKUs and the new total in the exception. */
    shopifyConnection: z.string().min(1).meta(connectionKindMeta('shopify')).optional(),
  })
  .strict();

export interface CheckOrderEditOutput {
  orderId: string;
  /** `not-posted`: the ERP has no document yet; the order is posted as it is now when it is paid. */
  action: 'not-posted' | 'cancelled-in-erp';
  erpNumber: string | null;
}

export const checkOrderEditNode = defineNode<z.infer<typeof config>, { orderEdit?: ShopifyOrderEdit }, CheckOrderEditOutput>({
  type: 'erp.check-order-edit',
  version: 1,
  title: 'Check an order edit against the ERP',
  category: 'erp',
  description:
    "For a Shopify orders/edited event: when the order's sales order is already in the ERP (and not cancelled), fails with " +
    "ORDER_EDITED_AFTER_POSTING naming the ERP document, the added and removed lines and Shopify's new total, so the edit is never lost. " +
    'When the ERP has no document yet, nothing is needed: the order is posted as edited.',
  config,
  inputs: [{ id: 'in', dataType: 'ShopifyEvent' }],
  outputs: [{ id: 'out', dataType: 'OrderEditCheck' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: { orderId: 'gid://shopify/Order/820982911946154508', action: 'not-posted', erpNumber: null },
  async execute(ctx, input) {
    const where = `node ${ctx.nodeId}`;
    requireObject(ctx, input, 'a Shopify order edit event');
    const edit = input.orderEdit;
    if (!edit?.orderId)
      throw permanentError(`${where}: input.orderEdit (a shopify.trigger orders/edited output) is required`, {
        code: 'INVALID_INPUT',
        details: { field: 'orderEdit' },
      });
    const erp = await erpConnection(ctx, ['salesOrders']);
    const doc = await withNode(ctx, () => erp.getSalesOrder(edit.orderId));
    if (!doc) return { orderId: edit.orderId, action: 'not-posted', erpNumber: null };
    if (doc.status === 'cancelled') return { orderId: edit.orderId, action: 'cancelled-in-erp', erpNumber: doc.number };

    let order: ShopifyOrder | null = null;
    if (ctx.config.shopifyConnection) {
      const client = await ctx.connection<ShopifyClient>('shopify', ctx.config.shopifyConnection);
      try {
        const res = await client.request(ORDER_BY_ID, { id: edit.orderId, lineItems: 250 }, { signal: ctx.signal });
        order = res.data.order ? orderFromGraphql(res.data.order, '$.order') : null;
      } catch (e) {
        if (e instanceof NodeError) throw e;
        throw transientError(`${where}: could not read order ${edit.orderId} from Shopify: ${(e as Error).message}`, { code: 'SHOPIFY_UNAVAILABLE', cause: e });
      }
    }
    const name = (id: string) => {
      const li = order?.lineItems.find((l) => l.id === id);
      return li ? `${li.sku ?? li.name}` : id;
    };
    const changes = [
      ...edit.lineItemAdditions.map((a) => `+${a.delta} × ${name(a.lineItemId)}`),
      ...edit.lineItemRemovals.map((r) => `−${r.delta} × ${name(r.lineItemId)}`),
    ];
    const now = order ? `; Shopify total now ${order.total.shop.amount} ${order.currency}` : '';
    throw permanentError(
      `${where}: order ${order?.name ?? doc.reference} was edited in Shopify after ERP sales order ${doc.number} was posted (${changes.join(', ') || 'no line changes listed'})` +
        `${now}, ERP gross ${doc.totals.gross} ${doc.currency}. Adjust ${doc.number} in the ERP (or cancel it and post the order again), then resolve this exception.`,
      {
        code: 'ORDER_EDITED_AFTER_POSTING',
        details: {
          number: doc.number,
          externalId: doc.externalId,
          status: doc.status,
          editId: edit.id,
          changes,
          erpTotals: doc.totals,
          shopifyTotal: order?.total.shop ?? null,
        },
      },
    );
  },
});
