// erp.post-sales-order: posts the sales order idempotently by Shopify order id and outputs it as read back.
// With `verify`, nothing is booked before the ERP's figures are Shopify's: the order is created as a draft, its lines
// and totals are compared with the Shopify order of the run (per line: net and Shopify's tax; totals: net, tax and
// gross), and only then confirmed (the ERP checks its invoice against the same totals before posting it). On a
// difference the draft is kept and the step fails with TOTALS_MISMATCH naming the difference per line: an exception
// owned by finance. An order whose payload cannot say what its edits left (ShopifyOrder.postedProblem) is refused
// before anything is created: POSTED_QUANTITY_UNKNOWN, naming the order and the line.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError, type NodeContext } from '../../../runtime/node-api.ts';
import { parseInput, salesOrderSchema } from '../shared/schemas.ts';
import { checkSalesOrderReferences } from './dry-run.ts';
import { claimKey, withClaim } from './claim.ts';
import type { ErpSalesOrder, SalesOrderInput } from '../contract.ts';
import { expectedLines } from './erp-pricing.ts';
import { sampleSalesOrder } from './samples.ts';
import { expectedTotals, isOrderFigures, notPostable } from './shopify-figures.ts';
import { connectionField, erpConnection, requireObject, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /**
     * Draft → compare with the Shopify order → confirm (ERPs with draft sales orders); compare after posting otherwise.
     * On by default: a mapping that drops tax, shipping or a discount must not book a sales order that looks posted.
     */
    verify: z
      .boolean()
      .default(true)
      .describe("Check the ERP's lines and totals against the Shopify order before confirming (on unless the trigger is not a Shopify order)"),
    /** Where the Shopify order is in the run's trigger output. */
    orderPath: z.string().min(1).default('order'),
    /** Tax rate per ERP tax code, for lines that carry no Shopify tax amounts (the sandbox ERP's and Tryton test company's by default). */
    taxRates: z.record(z.string(), z.string().regex(/^\d+(\.\d+)?$/)).optional(),
  })
  .strict();

export interface LineDifference {
  line: string;
  field: 'net' | 'tax';
  erp: string;
  shopify: string;
  difference: string;
}

export const postSalesOrderNode = defineNode<z.infer<typeof config>, SalesOrderInput, ErpSalesOrder & { created: boolean }>({
  type: 'erp.post-sales-order',
  version: 1,
  title: 'Post ERP sales order',
  category: 'erp',
  description:
    "Creates the ERP sales order for a Shopify order (lines with SKU, quantity, unit price, discount, tax codes and Shopify's tax amounts, " +
    'warehouse; shipping lines; customer). Idempotent by the Shopify order id. With `verify` (the default): created as a draft, compared line by line and in total ' +
    "with the Shopify order (net, Shopify's tax, gross), and confirmed only when equal; otherwise the draft is kept and the step fails with " +
    'TOTALS_MISMATCH naming each difference. Output: the order as the ERP stored it, totals net/tax/gross, and `created`.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpSalesOrderInput' }],
  outputs: [{ id: 'out', dataType: 'ErpSalesOrder' }],
  // Declared so the mapping before this node lists these fields as its targets (and validation checks them).
  input: salesOrderSchema,
  idempotent: true,
  sampleOutput: sampleSalesOrder,
  execute(ctx, input) {
    requireObject(ctx, input, 'a sales order');
    // One run at a time creates the document of an order (ERPs' own idempotency is search-then-create).
    return withClaim(
      ctx,
      claimKey(ctx, 'sales-order', input.externalId),
      () => post(ctx, input),
      (doc) => (doc.status === 'draft' ? null : doc.number || doc.id),
    );
  },
  // The sales order it would create, as the connector would receive it; what comes after needs the ERP's answer.
  async dryRun(ctx, input) {
    requireObject(ctx, input, 'a sales order');
    const erp = await erpConnection(ctx, ['salesOrders']);
    const order = await withNode(ctx, async () => parseInput(salesOrderSchema, input, 'sales order'));
    await checkSalesOrderReferences(ctx, erp, order);
    return { writes: [{ system: 'erp', action: 'create sales order', key: order.externalId, document: order }] };
  },
});

async function post(ctx: NodeContext<z.infer<typeof config>>, input: SalesOrderInput): Promise<ErpSalesOrder & { created: boolean }> {
  const order = (ctx.trigger as Record<string, unknown> | undefined)?.[ctx.config.orderPath];
  // Checked with verify off too: the lines mapped from such an order would carry a guessed quantity.
  const problem = isOrderFigures(order) ? notPostable(order) : null;
  if (problem) {
    throw permanentError(`node ${ctx.nodeId}: ${problem}. Nothing was posted; post the order by hand from Shopify's order page, then resolve this exception.`, {
      code: 'POSTED_QUANTITY_UNKNOWN',
      details: { orderId: (order as { id?: string }).id },
    });
  }
  const erp = await erpConnection(ctx, ['salesOrders']);
  if (!ctx.config.verify) {
    const r = await withNode(ctx, () => erp.createSalesOrder(input));
    if (!r.created) ctx.log.info({ externalId: r.document.externalId, number: r.document.number }, 'sales order already in the ERP; nothing created');
    return { ...r.document, created: r.created };
  }
  if (!isOrderFigures(order)) {
    throw permanentError(
      `node ${ctx.nodeId}: verify (on by default) needs the Shopify order at trigger "${ctx.config.orderPath}" to check the ERP's totals against; ` +
        'this run has none: turn verify off for sales orders that do not come from a Shopify order, or set orderPath',
      {
        code: 'INVALID_INPUT',
        details: { field: ctx.config.orderPath },
      },
    );
  }
  const want = expectedTotals(order);
  const drafts = !!erp.capabilities.draftSalesOrders && typeof erp.confirmSalesOrder === 'function';
  const r = await withNode(ctx, () => erp.createSalesOrder(input, { confirm: !drafts }));
  if (r.document.status !== 'draft') {
    // Already confirmed (a second delivery) or an ERP without drafts: report a difference, book nothing more.
    if (r.created) check(ctx, r.document, input, want, order.name ?? order.id, order.currency);
    else ctx.log.info({ externalId: r.document.externalId, number: r.document.number }, 'sales order already in the ERP; nothing created');
    return { ...r.document, created: r.created };
  }
  check(ctx, r.document, input, want, order.name ?? order.id, order.currency);
  const confirmed = await withNode(ctx, () => erp.confirmSalesOrder!(r.document.externalId, { expected: { net: want.net, tax: want.tax, gross: want.gross } }));
  return { ...confirmed, created: r.created };
}

/** Fails with TOTALS_MISMATCH unless the ERP document equals what Shopify charged, naming every difference. */
function check(
  ctx: NodeContext<z.infer<typeof config>>,
  doc: ErpSalesOrder,
  input: SalesOrderInput,
  want: { net: string; tax: string; gross: string },
  name: string,
  currency: string,
): void {
  const lines: LineDifference[] = [];
  const expected = expectedLines(input, ctx.config.taxRates);
  const got = [...doc.lines.map((l) => ({ net: l.net, tax: l.taxAmount })), ...doc.shipping.map((s) => ({ net: s.net, tax: s.taxAmount }))];
  expected.forEach((e, i) => {
    const g = got[i];
    if (!g) return;
    for (const field of ['net', 'tax'] as const) {
      const w = e[field];
      if (w !== null && !new Decimal(w).eq(g[field]))
        lines.push({ line: e.label, field, erp: g[field], shopify: w, difference: new Decimal(g[field]).minus(w).toFixed(2) });
    }
  });
  const fields = (['net', 'tax', 'gross'] as const).filter((k) => !new Decimal(want[k]).eq(doc.totals[k]));
  if (!fields.length && !lines.length) return;
  const what = [
    ...fields.map((k) => `${k} ERP ${doc.totals[k]} vs Shopify ${want[k]}`),
    ...lines.map((l) => `${l.line} ${l.field} ERP ${l.erp} vs Shopify ${l.shopify}`),
  ].join('; ');
  const state = doc.status === 'draft' ? 'it is kept as a draft and nothing was booked' : 'it was already confirmed';
  throw permanentError(`node ${ctx.nodeId}: ERP sales order ${doc.number} does not match Shopify order ${name} (${currency}): ${what}; ${state}`, {
    code: 'TOTALS_MISMATCH',
    details: { number: doc.number, externalId: doc.externalId, currency, erpTotals: doc.totals, shopify: want, fields, lines, draft: doc.status === 'draft' },
  });
}
