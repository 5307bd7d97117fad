// erp.balance-sales-order: makes the sales order add up to what the customer paid, before it is posted.
// 1. A discount Shopify counts on the order but allocated to no line (Shopify's own published example payloads have
//    one) is spread over the lines.
// 2. With tax-inclusive prices Shopify takes the tax out of the gross (gross × rate / (1 + rate)), while Tryton and
//    the sandbox ERP compute it on a rounded net; for some grosses no net gives both Shopify's tax and Shopify's gross
//    (53.97 at 20 %: 44.97 + 8.99, 44.98 + 9.00). The cent left over becomes an untaxed rounding line, so net, tax
//    and gross all equal Shopify's.
// 3. The ERP stores a net unit price to 4 decimals and books quantity × that price: from 100 units on a line that can
//    miss the line's net by cents (300 × 1.00 less 10.00 = 290.00; 300 × 0.9667 = 290.01), and no 4-decimal price
//    hits it. The misses, known exactly before posting, become one untaxed rounding line (on a tax-inclusive order,
//    part of the line in 2., so its cent is still bounded by maxRounding beyond them). Splitting the line instead
//    (299 units at one price, 1 at another) would make the ERP's lines no longer one per Shopify line item, which
//    fulfilments, edits, cancellations and the line-by-line checks rely on.
// 4. A customer's tip is a line item of Shopify's own, without product or SKU, in the total the customer paid and in
//    the payout that settles it. With `tipSku` set (the templates map every other line and leave tips to this node),
//    each tip becomes a line of that ERP item (a service whose accounts book it, as a liability to staff or as
//    income), so the ERP's receivable is what the payout clears. Import duties the customer paid at checkout (delivered
//    duty paid) are in that total too: with `dutySku` set they become one untaxed line of that item (a pass-through
//    to customs).
// erp.read-sales-order checks the result after posting.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import { salesOrderSchema } from '../shared/schemas.ts';
import type { SalesOrderInput } from '../contract.ts';
import { duties, expectedTotals, isOrderFigures, spread, tips, unallocatedDiscount } from './shopify-figures.ts';
import { erpTotals } from './erp-pricing.ts';
import { givenTax, lineCodes, unitPriceCannotMiss, unitPriceMiss } from '../shared/pricing.ts';
import { SEED } from '../sandbox/db.ts';
import { requireObject, serviceItemField } from './util.ts';
import { currencyDigits, currencyText } from '../../core/currency.ts';

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
    /** The rounding line of a tax-exclusive order whose large quantities × 4-decimal unit prices miss the lines' net. */
    unitRoundingDescription: z.string().min(1).default('Rounding difference (unit prices to 4 decimals)'),
    /**
     * The ERP item (a service) a customer's tip is posted as, one untaxed line per Shopify tip line. Unset: tips are
     * left to the mapping before this node (which then must give them an item, or the order cannot post).
     */
    tipSku: serviceItemField(
      'Tip item (ERP SKU)',
      "The ERP service item the customer's tips post as, one untaxed line each; empty: tips are the mapping's to place",
    ),
    dutySku: serviceItemField(
      'Duties item (ERP SKU)',
      'The ERP service item import duties paid at checkout post as, one untaxed line; empty: an order with duties cannot balance',
    ),
  })
  .strict();

type Balanced = SalesOrderInput & { spreadDiscount: string; rounding: string; tips: string; duties: string };

export const balanceSalesOrderNode = defineNode<z.infer<typeof config>, SalesOrderInput, Balanced>({
  type: 'erp.balance-sales-order',
  version: 1,
  title: "Balance to Shopify's totals",
  category: 'erp',
  description:
    'Before posting: spreads any order discount Shopify allocated to no line over the lines (to the cent, or the yen), and adds an untaxed ' +
    "rounding line when tax-inclusive prices, or large quantities × the ERP's 4-decimal unit prices, would leave the ERP cents off Shopify's net " +
    "and gross; with a tip or duties item set, posts the customer's tips and the import duties paid at checkout as lines of them. Usually changes nothing.",
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
    tips: '0.00',
    duties: '0.00',
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
    let out: Balanced = { ...input, spreadDiscount: '0.00', rounding: '0.00', tips: '0.00', duties: '0.00' };
    // What the ERP rounds the sales order's amounts to; what is divided here is cut to it too (whole yen).
    const currency = typeof input.currency === 'string' ? input.currency : order.currency;
    const digits = currencyDigits(currency);
    const text = (d: Decimal) => currencyText(d, currency);
    const rest = unallocatedDiscount(order);
    if (rest.gt(0) && Array.isArray(input.lines) && input.lines.length) {
      const value = input.lines.map((l) => Decimal.max(0, new Decimal(l.unitPrice).times(l.quantity).minus(l.discount ?? '0')));
      const total = value.reduce((a, v) => a.plus(v), new Decimal(0));
      if (rest.gt(total)) {
        throw permanentError(
          `node ${ctx.nodeId}: Shopify order ${order.name ?? order.id} has ${text(rest)} of discount on no line, more than its lines are worth (${text(total)})`,
          {
            code: 'DISCOUNT_EXCEEDS_LINES',
            details: { unallocated: text(rest), lines: text(total) },
          },
        );
      }
      const parts = spread(rest, value, digits);
      // Handled, and recorded on the step (spreadDiscount): a warning for every such order would bury the ones that need a person.
      ctx.log.debug({ order: order.name ?? order.id, unallocated: text(rest) }, 'order discount not allocated to lines by Shopify; spread over the lines');
      out = {
        ...out,
        // spread gives one part per line
        lines: input.lines.map((l, i) => ({ ...l, discount: text(new Decimal(l.discount ?? '0').plus(parts[i]!)) })),
        spreadDiscount: text(rest),
      };
    }
    const tipSku = ctx.config.tipSku;
    const tipped = tipSku ? tips(order) : [];
    if (tipSku && tipped.length && Array.isArray(out.lines)) {
      out = {
        ...out,
        lines: [
          ...out.lines,
          ...tipped.map((t) => ({ sku: tipSku, quantity: '1', unitPrice: text(t.amount), discount: '0.00', taxCodes: [], description: t.description })),
        ],
        tips: text(tipped.reduce((a, t) => a.plus(t.amount), new Decimal(0))),
      };
    }
    const dutySku = ctx.config.dutySku;
    const duty = dutySku ? duties(order) : ZERO;
    if (dutySku && duty.gt(0) && Array.isArray(out.lines)) {
      out = {
        ...out,
        lines: [...out.lines, { sku: dutySku, quantity: '1', unitPrice: text(duty), discount: '0.00', taxCodes: [], description: 'Import duties' }],
        duties: text(duty),
      };
    }
    const miss = unitPriceMisses(out, digits, ctx.config.taxRates);
    if (!out.pricesIncludeTax) {
      // The exact amount the ERP's unit prices lose, whatever Shopify's totals: the read-back check judges those.
      if (miss === null || miss.isZero()) return out;
      return { ...out, shipping: [...(out.shipping ?? []), roundingLine(ctx.config.unitRoundingDescription, miss, text)], rounding: text(miss) };
    }
    const erp = erpTotals(out, ctx.config.taxRates);
    if (!erp) return out;
    const want = expectedTotals(order);
    const diff = new Decimal(want.gross).minus(erp.gross);
    // Only a rounding cent on the net (beyond what the unit prices lose, exactly known) is ours to fix; a tax
    // difference is left for the read-back check to report.
    if (
      diff.isZero() ||
      erp.tax !== want.tax ||
      diff
        .minus(miss ?? 0)
        .abs()
        .gt(ctx.config.maxRounding)
    )
      return out;
    return { ...out, shipping: [...(out.shipping ?? []), roundingLine(ctx.config.roundingDescription, diff, text)], rounding: text(diff) };
  },
});

/** An untaxed line of `amount` (signed: a negative one is a discount, as amounts may not be negative). */
const roundingLine = (description: string, amount: Decimal, text: (d: Decimal) => string) =>
  amount.gt(0)
    ? { description, amount: text(amount), discount: '0.00', taxCodes: [] }
    : { description, amount: '0.00', discount: text(amount.abs()), taxCodes: [] };

const DEFAULT_RATES: Record<string, string> = Object.fromEntries(SEED.taxes.map(([code, , rate]) => [code, rate]));

// Built once: zod compiles a schema on its first parse, so a schema picked per call costs more than the check itself.
const pricedParts = salesOrderSchema.pick({ lines: true, shipping: true, pricesIncludeTax: true });

const ZERO = new Decimal(0);

/** What the ERP's 4-decimal unit prices miss of the order's lines and shipping in total; null when a needed tax rate is unknown or the lines are malformed. */
function unitPriceMisses(input: SalesOrderInput, digits: number, taxRates: Record<string, string> = DEFAULT_RATES): Decimal | null {
  // Checked on the input as it came (it may be malformed): the parse and the arithmetic are for the rare large line.
  const { lines, shipping } = input as { lines?: unknown; shipping?: unknown };
  if (
    digits <= 2 &&
    Array.isArray(lines) &&
    lines.every((l) => typeof l === 'object' && l !== null && unitPriceCannotMiss(l)) &&
    (shipping === undefined ||
      (Array.isArray(shipping) &&
        shipping.every((s) => typeof s === 'object' && s !== null && unitPriceCannotMiss({ quantity: '1', unitPrice: s.amount, discount: s.discount }))))
  )
    return ZERO;
  // Malformed input is not ours to report: erp.post-sales-order names the field.
  const parsed = pricedParts.safeParse(input);
  if (!parsed.success) return null;
  const o = parsed.data;
  const one = (
    unitPrice: string,
    quantity: string,
    discount: string | undefined,
    l: { taxCodes?: string[]; taxes?: Array<{ code: string; amount: string }> },
  ) => {
    const taxAmount = givenTax(l.taxes);
    // Rates matter only to a tax-inclusive line without Shopify's tax (its net is the gross less the rate).
    const rates = o.pricesIncludeTax && taxAmount === undefined ? (lineCodes(l) ?? []).map((c) => taxRates[c]) : [];
    if (!rates.every((r) => r !== undefined)) return null;
    return unitPriceMiss({ unitPrice, quantity, discount, rates, pricesIncludeTax: o.pricesIncludeTax, taxAmount, digits });
  };
  const parts = [
    ...(o.lines ?? []).map((l) => one(l.unitPrice, l.quantity, l.discount, l)),
    ...(o.shipping ?? []).map((s) => one(s.amount, '1', s.discount, s)),
  ];
  return parts.some((p) => p === null) ? null : parts.reduce<Decimal>((a, p) => a.plus(p!), new Decimal(0));
}
