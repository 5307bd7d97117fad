// erp.post-sales-order: posts the sales order idempotently by Shopify order id and outputs it as read back.
import { z } from 'zod';
import { defineNode } from '../../../runtime/node-api.ts';
import type { ErpSalesOrder, SalesOrderInput } from '../contract.ts';
import { sampleSalesOrder } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z.object({ connection: connectionField }).strict();

export const postSalesOrderNode = defineNode<z.infer<typeof config>, SalesOrderInput, ErpSalesOrder & { created: boolean }>({
  type: 'erp.post-sales-order',
  version: 1,
  title: 'Post ERP sales order',
  category: 'erp',
  description: 'Creates the ERP sales order for a Shopify order (lines with SKU, quantity, unit price, discount, tax codes and warehouse; shipping lines; '
    + 'customer). Idempotent by the Shopify order id: posting the same order again returns the existing document and creates nothing. '
    + 'Output: the order as the ERP stored it, amounts as decimal strings, totals net/tax/gross, and `created`.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpSalesOrderInput' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrder' }],
  idempotent: true,
  sampleOutput: sampleSalesOrder,
  async execute(ctx, input) {
    requireObject(ctx, input, 'a sales order');
    const erp = await erpConnection(ctx, ['salesOrders']);
    const r = await withNode(ctx, () => erp.createSalesOrder(input));
    if (!r.created) ctx.log.info({ externalId: r.document.externalId, number: r.document.number }, 'sales order already in the ERP; nothing created');
    return { ...r.document, created: r.created };
  },
});
