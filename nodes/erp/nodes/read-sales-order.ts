// erp.read-sales-order: reads a sales order back from the ERP by Shopify order id and, optionally, checks its
// totals against the Shopify order that started the run, to the cent.
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import type { ErpSalesOrder } from '../contract.ts';
import { sampleSalesOrder } from './samples.ts';
import { expectedTotals, isOrderFigures } from './shopify-figures.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /**
     * Compare the ERP totals (net, tax, gross) with the Shopify order in the trigger output: Shopify's total and total
     * tax in the shop currency, less gift cards sold (a liability, never on the sales order). A difference fails the step.
     */
    verifyTotals: z.boolean().default(false),
    /** Where the Shopify order is in the trigger output. */
    orderPath: z.string().min(1).default('order'),
  })
  .strict();

export interface ReadSalesOrderOutput extends ErpSalesOrder {
  verified?: { net: string; tax: string; gross: string; giftCards: string };
}

export const readSalesOrderNode = defineNode<z.infer<typeof config>, { externalId?: string | number }, ReadSalesOrderOutput>({
  type: 'erp.read-sales-order',
  version: 1,
  title: 'Read ERP sales order',
  category: 'erp',
  description:
    'Reads the ERP sales order of a Shopify order back (input { externalId }, e.g. the output of erp.post-sales-order). With ' +
    "`verifyTotals` it fails with TOTALS_MISMATCH unless net, tax and gross equal the Shopify order's to the cent.",
  config,
  inputs: [{ id: 'in', dataType: '{ externalId }' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrder' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: { ...sampleSalesOrder, verified: { ...sampleSalesOrder.totals, giftCards: '0.00' } },
  async execute(ctx, input) {
    const o = requireObject(ctx, input, 'an { externalId }');
    if (o.externalId === undefined || o.externalId === null || o.externalId === '') {
      throw permanentError(`node ${ctx.nodeId}: input.externalId (the Shopify order id) is required`, {
        code: 'INVALID_INPUT',
        details: { field: 'externalId' },
      });
    }
    const externalId = String(o.externalId);
    const erp = await erpConnection(ctx, ['salesOrders']);
    const doc = await withNode(ctx, () => erp.getSalesOrder(externalId));
    if (!doc)
      throw permanentError(`node ${ctx.nodeId}: the ERP has no sales order for Shopify order ${externalId}`, {
        code: 'SALES_ORDER_NOT_FOUND',
        details: { externalId },
      });
    if (!ctx.config.verifyTotals) return doc;
    const order = (ctx.trigger as Record<string, unknown> | undefined)?.[ctx.config.orderPath];
    if (!isOrderFigures(order)) {
      throw permanentError(`node ${ctx.nodeId}: verifyTotals needs the Shopify order at trigger "${ctx.config.orderPath}"`, {
        code: 'INVALID_INPUT',
        details: { field: ctx.config.orderPath },
      });
    }
    const want = expectedTotals(order);
    const diffs = (['net', 'tax', 'gross'] as const).filter((k) => want[k] !== doc.totals[k]);
    if (diffs.length) {
      const what = diffs.map((k) => `${k} ERP ${doc.totals[k]} vs Shopify ${want[k]}`).join(', ');
      throw permanentError(
        `node ${ctx.nodeId}: ERP sales order ${doc.number} does not match Shopify order ${order.name ?? order.id} (${order.currency}): ${what}`,
        {
          code: 'TOTALS_MISMATCH',
          details: { number: doc.number, externalId, currency: order.currency, erp: doc.totals, shopify: want, fields: diffs },
        },
      );
    }
    return { ...doc, verified: want };
  },
});
