// erp.cancel-sales-order: cancels the ERP sales order of a cancelled Shopify order (before it ships).
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import type { ErpSalesOrder } from '../contract.ts';
import { sampleSalesOrder } from './samples.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /** An order the ERP never received (cancelled before it was paid and posted): `fail` (default) or `skip` (nothing to cancel). */
    ifMissing: z.enum(['fail', 'skip']).default('fail'),
  })
  .strict();

export const cancelSalesOrderNode = defineNode<
  z.infer<typeof config>,
  { externalId: string | number },
  ErpSalesOrder | { externalId: string; status: 'not-posted' }
>({
  type: 'erp.cancel-sales-order',
  version: 1,
  title: 'Cancel ERP sales order',
  category: 'erp',
  description:
    'Cancels the ERP sales order posted for a Shopify order (input { externalId }) and releases its stock reservation. ' +
    'An order already shipped or invoiced fails with CANNOT_CANCEL: refund it with a credit memo instead. Cancelling twice is harmless.',
  config,
  inputs: [{ id: 'in', dataType: '{ externalId }' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrder' }],
  idempotent: true,
  sampleOutput: { ...sampleSalesOrder, status: 'cancelled' },
  async execute(ctx, input) {
    const o = requireObject(ctx, input, 'an { externalId }');
    if (o.externalId === undefined || o.externalId === null || o.externalId === '') {
      throw permanentError(`node ${ctx.nodeId}: input.externalId (the Shopify order id) is required`, {
        code: 'INVALID_INPUT',
        details: { field: 'externalId' },
      });
    }
    const erp = await erpConnection(ctx, ['cancelSalesOrder']);
    const externalId = String(o.externalId);
    if (ctx.config.ifMissing === 'skip' && !(await withNode(ctx, () => erp.getSalesOrder(externalId)))) return { externalId, status: 'not-posted' as const };
    return withNode(ctx, () => erp.cancelSalesOrder(externalId));
  },
  async dryRun(ctx, input) {
    const o = requireObject(ctx, input, 'an { externalId }');
    if (o.externalId === undefined || o.externalId === null || o.externalId === '') {
      throw permanentError(`node ${ctx.nodeId}: input.externalId (the Shopify order id) is required`, {
        code: 'INVALID_INPUT',
        details: { field: 'externalId' },
      });
    }
    await erpConnection(ctx, ['cancelSalesOrder']);
    return { writes: [{ system: 'erp', action: 'cancel sales order', key: String(o.externalId), document: { externalId: String(o.externalId) } }] };
  },
});
