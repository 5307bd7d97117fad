// erp.balance-sales-order: makes the sales order add up to what the customer paid, before it is posted.
// 1. A discount Shopify counts on the order but allocated to no line (Shopify's own published example payloads have
//    one) is spread over the lines.
// 2. With tax-inclusive prices Shopify takes the tax out of the gross (gross × rate / (1 + rate)), while Tryton and
//    the sandbox ERP compute it on a rounded net; for some grosses no net gives both Shopify's tax and Shopify's gross
//    (53.97 at 20 %: 44.97 + 8.99, 44.98 + 9.00). The cent left over becomes an untaxed rounding line, so net, tax
//    and gross all equal Shopify's. erp.read-sales-order checks the result after posting.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import { salesOrderSchema } from '../shared/schemas.ts';
import type { SalesOrderInput } from '../contract.ts';
import { expectedTotals, isOrderFigures, spread, unallocatedDiscount } from './shopify-figures.ts';
import { erpTotals } from './erp-pricing.ts';
import { requireObject } from './util.ts';

const config = z
  .object({
    /** Where the Shopify order is in the run's trigger output (shopify.trigger puts it under `order`). */
    orderPath: z.string().min(1).default('order'),
    /** Tax rate per ERP tax code, to foresee the ERP's rounding (the sandbox ERP's and the Tryton test company's by default). */
    taxRates: z.record(z.string(), z.string().regex(/^\d+(\.\d+)?$/)).optional(),
    /** Largest rounding line added (more than this means something else is wrong: the read-back check reports it). */
    maxRounding: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0.05'),
    roundingDescription: z.string().min(1).default('Rounding difference (tax-inclusive prices)'),
  })
  .strict();

export const balanceSalesOrderNode = defineNode<z.infer<typeof config>, SalesOrderInput, SalesOrderInput & { spreadDiscount: string; rounding: string }>({
  type: 'erp.balance-sales-order',
  version: 1,
  title: "Balance to Shopify's totals",
  category: 'erp',
  description:
    'Before posting: spreads any order discount Shopify allocated to no line over the lines (to the cent), and adds an untaxed ' +
    "rounding line when tax-inclusive prices would leave the ERP a cent off Shopify's net and gross. Usually changes nothing.",
  config,
  inputs: [{ id: 'in', dataType: 'ErpSalesOrderInput' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrderInput' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: salesOrderSchema,
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {
    externalId: 'gid://shopify/Order/820982911946154508',
    reference: '#9999',
    currency: 'USD',
    date: '2022-01-01',
    warehouse: 'WH',
    customer: { externalId: 'gid://shopify/Customer/115310627314723954', name: 'John Smith' },
    lines: [{ sku: 'SKU2006-001', quantity: '1', unitPrice: '89.99', discount: '2.17' }],
    spreadDiscount: '10.00',
    rounding: '0.00',
  },
  execute(ctx, input) {
    requireObject(ctx, input, 'a sales order');
    const order = (ctx.trigger as Record<string, unknown> | undefined)?.[ctx.config.orderPath];
    if (!isOrderFigures(order)) {
      throw permanentError(`node ${ctx.nodeId}: the trigger output has no Shopify order at "${ctx.config.orderPath}"`, {
        code: 'INVALID_INPUT',
        details: { field: ctx.config.orderPath },
      });
    }
    let out: SalesOrderInput & { spreadDiscount: string; rounding: string } = { ...input, spreadDiscount: '0.00', rounding: '0.00' };
    const rest = unallocatedDiscount(order);
    if (rest.gt(0) && Array.isArray(input.lines) && input.lines.length) {
      const value = input.lines.map((l) => Decimal.max(0, new Decimal(l.unitPrice).times(l.quantity).minus(l.discount ?? '0')));
      const total = value.reduce((a, v) => a.plus(v), new Decimal(0));
      if (rest.gt(total)) {
        throw permanentError(
          `node ${ctx.nodeId}: Shopify order ${order.name ?? order.id} has ${rest.toFixed(2)} of discount on no line, more than its lines are worth (${total.toFixed(2)})`,
          {
            code: 'DISCOUNT_EXCEEDS_LINES',
            details: { unallocated: rest.toFixed(2), lines: total.toFixed(2) },
          },
        );
      }
      const parts = spread(rest, value);
      // Handled, and recorded on the step (spreadDiscount): a warning for every such order would bury the ones that need a person.
      ctx.log.debug({ order: order.name ?? order.id, unallocated: rest.toFixed(2) }, 'order discount not allocated to lines by Shopify; spread over the lines');
      out = {
        ...out,
        // spread gives one part per line
        lines: input.lines.map((l, i) => ({ ...l, discount: new Decimal(l.discount ?? '0').plus(parts[i]!).toFixed(2) })),
        spreadDiscount: rest.toFixed(2),
      };
    }
    if (!out.pricesIncludeTax) return out;
    const erp = erpTotals(out, ctx.config.taxRates);
    if (!erp) return out;
    const want = expectedTotals(order);
    const diff = new Decimal(want.gross).minus(erp.gross);
    // Only a rounding cent on the net is ours to fix; a tax difference is left for the read-back check to report.
    if (diff.isZero() || erp.tax !== want.tax || diff.abs().gt(ctx.config.maxRounding)) return out;
    const line = diff.gt(0)
      ? { description: ctx.config.roundingDescription, amount: diff.toFixed(2), discount: '0.00', taxCodes: [] }
      : { description: ctx.config.roundingDescription, amount: '0.00', discount: diff.abs().toFixed(2), taxCodes: [] };
    return { ...out, shipping: [...(out.shipping ?? []), line], rounding: diff.toFixed(2) };
  },
});
