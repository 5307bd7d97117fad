// erp.spread-order-discount: a discount Shopify counts on the order but allocated to no line (seen in Shopify's own
// published example payloads) would leave the ERP invoice above what the customer paid; spread it over the lines.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import type { SalesOrderInput } from '../contract.ts';
import { isOrderFigures, spread, unallocatedDiscount } from './shopify-figures.ts';
import { requireObject } from './util.ts';

const config = z.object({
  /** Where the Shopify order is in the run's trigger output (shopify.trigger puts it under `order`). */
  orderPath: z.string().min(1).default('order'),
}).strict();

export const spreadOrderDiscountNode = defineNode<z.infer<typeof config>, SalesOrderInput, SalesOrderInput & { spreadDiscount: string }>({
  type: 'erp.spread-order-discount',
  version: 1,
  title: 'Spread unallocated order discount',
  category: 'erp',
  description: 'Compares the Shopify order\'s total discounts with the discounts allocated to its lines and shipping; any rest is spread over '
    + 'the sales order lines in proportion to their value, to the cent, so the ERP invoice equals what the customer paid. Usually a no-op.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpSalesOrderInput' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrderInput' }],
  idempotent: true,
  sampleOutput: {
    externalId: 'gid://shopify/Order/820982911946154508', reference: '#9999', currency: 'USD', date: '2022-01-01', warehouse: 'WH',
    customer: { externalId: 'gid://shopify/Customer/115310627314723954', name: 'John Smith' },
    lines: [{ sku: 'SKU2006-001', quantity: '1', unitPrice: '89.99', discount: '2.17' }], spreadDiscount: '10.00',
  },
  execute(ctx, input) {
    requireObject(ctx, input, 'a sales order');
    const order = (ctx.trigger as Record<string, unknown> | undefined)?.[ctx.config.orderPath];
    if (!isOrderFigures(order)) {
      throw permanentError(`node ${ctx.nodeId}: the trigger output has no Shopify order at "${ctx.config.orderPath}"`, { code: 'INVALID_INPUT', details: { field: ctx.config.orderPath } });
    }
    const rest = unallocatedDiscount(order);
    if (!rest.gt(0) || !Array.isArray(input.lines) || !input.lines.length) return { ...input, spreadDiscount: '0.00' };
    const value = input.lines.map((l) => Decimal.max(0, new Decimal(l.unitPrice).times(l.quantity).minus(l.discount ?? '0')));
    const total = value.reduce((a, v) => a.plus(v), new Decimal(0));
    if (rest.gt(total)) {
      throw permanentError(`node ${ctx.nodeId}: Shopify order ${order.name ?? order.id} has ${rest.toFixed(2)} of discount on no line, more than its lines are worth (${total.toFixed(2)})`, {
        code: 'DISCOUNT_EXCEEDS_LINES', details: { unallocated: rest.toFixed(2), lines: total.toFixed(2) },
      });
    }
    const parts = spread(rest, value);
    ctx.log.warn({ order: order.name ?? order.id, unallocated: rest.toFixed(2) }, 'order discount not allocated to lines by Shopify; spread over the lines');
    return {
      ...input,
      lines: input.lines.map((l, i) => ({ ...l, discount: new Decimal(l.discount ?? '0').plus(parts[i]).toFixed(2) })),
      spreadDiscount: rest.toFixed(2),
    };
  },
});
