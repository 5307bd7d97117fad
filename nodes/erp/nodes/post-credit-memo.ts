// erp.post-credit-memo: a Shopify refund as an ERP credit memo, idempotent by refund id.
// With `check` (the refund template), nothing is booked before the memo is Shopify's: its lines, Shopify's tax and
// shipping must add up to Shopify's refund figures (from erp.await-refund), lines and cash returned must agree (or the
// difference goes to `differenceAccount`) unless the customer still owed what no cash returned (goods returned before
// they were paid for), and it may not credit more than remains on the order's invoice.
// A refunded line's unit price is its subtotal ÷ quantity to 4 decimals (the ERP's precision), so from 100 units the
// ERP's quantity × unit price can miss Shopify's subtotal by cents (150 units refunded for 100.00: 150 × 0.6667 =
// 100.01), and no 4-decimal price hits it. With `check` such a miss is taken up by splitting the largest line: all
// but one unit at its unit price, and one unit at the price that makes the line exact. Not a rounding line as on
// sales orders: a memo's shipping has no discount and may not be negative, and the miss is as often a cent too much.
// A refunded tip or import duty is no product (no SKU, nothing to restock): with `tipSku` / `dutySku` set, as on
// erp.balance-sales-order, each becomes one untaxed line of that ERP item from Shopify's figures, so the memo credits
// back what the sales order charged and the cash check holds.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError, type NodeContext } from '../../../runtime/node-api.ts';
import { restocksAny, type CreditMemoInput, type CreditMemoLineInput, type ErpCreditMemo } from '../contract.ts';
import { currencyDigits, currencyText, roundToCurrency } from '../../core/currency.ts';
import { givenTax, netUnitPrice } from '../shared/pricing.ts';
import { creditMemoSchema, parseInput } from '../shared/schemas.ts';
import { claimKey, withClaim } from './claim.ts';
import { sampleCreditMemo } from './samples.ts';
import { connectionField, erpConnection, requireObject, serviceItemField, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /** Check the memo against Shopify's refund figures (input `shopify`, from erp.await-refund) and the invoice before booking. */
    check: z.boolean().default(false),
    /**
     * GL account for the difference between the refunded lines and the cash returned (goodwill, store credit, refund
     * discrepancies). A refund of money alone (no lines, no shipping) becomes a memo of that one line. Without it such
     * a refund is not booked: REFUND_CASH_MISMATCH, a finance exception.
     */
    differenceAccount: z.string().min(1).optional(),
    /**
     * The ERP item (a service) refunded tips credit as, one untaxed line for the refund's tips (Shopify's figure
     * `tips`; the mapping leaves tip lines out). The same item erp.balance-sales-order posts them as.
     */
    tipSku: serviceItemField(
      'Tip item (ERP SKU)',
      "The ERP service item a refund's tips credit as, one untaxed line; empty: tip lines are the mapping's to place",
    ),
    /** The ERP item refunded import duties credit as, one untaxed line (Shopify's figure `duties`). */
    dutySku: serviceItemField(
      'Duties item (ERP SKU)',
      'The ERP service item refunded import duties credit as, one untaxed line; empty: a refund of duties does not balance',
    ),
  })
  .strict();

/** erp.await-refund's figures; `paid`: what the customer has paid on the order, net of its other refunds' cash. */
type Figures = { gross: string; cash: string; adjustments?: string; tips?: string; duties?: string; paid?: string };
type Input = CreditMemoInput & { shopify?: Figures };

/** What the memo credits before any adjustment: lines and shipping with Shopify's tax (tax-inclusive prices as they are). */
function memoGross(m: CreditMemoInput): Decimal {
  const part = (amount: Decimal, taxes: Array<{ amount: string }> | undefined) => (m.pricesIncludeTax ? amount : amount.plus(givenTax(taxes) ?? '0'));
  const lines = m.lines.reduce((a, l) => a.plus(lineGross(m, l)), new Decimal(0));
  return (m.shipping ?? []).reduce((a, s) => a.plus(part(new Decimal(s.amount), s.taxes)), lines);
}

/**
 * A line as the ERP books it: quantity × its net unit price to 4 decimals, rounded to the currency's minor unit
 * (the order's when the memo names none: 2 unless said), with Shopify's tax as given.
 */
function lineGross(m: CreditMemoInput, l: CreditMemoLineInput): Decimal {
  const round = (d: Decimal) => roundToCurrency(d, m.currency);
  const taxAmount = givenTax(l.taxes);
  // A quantity of 0 has no unit price; the connector refuses it, naming the field.
  if (new Decimal(l.quantity).isZero()) return new Decimal(taxAmount ?? '0');
  // The ERP takes its own rate's tax out of a tax-inclusive amount: the gross is what is refunded.
  if (m.pricesIncludeTax && taxAmount === undefined) return round(new Decimal(l.unitPrice).times(l.quantity));
  const unit = netUnitPrice({
    unitPrice: l.unitPrice,
    quantity: l.quantity,
    rates: [],
    pricesIncludeTax: m.pricesIncludeTax,
    taxAmount,
    digits: currencyDigits(m.currency),
  });
  return round(new Decimal(unit).times(l.quantity)).plus(taxAmount ?? '0');
}

/**
 * The memo with the largest line split so its lines credit `miss` more (signed), or null when the miss is more than
 * 4-decimal unit prices can explain (half a unit of the 4th decimal per unit, twice for a tax-inclusive line whose
 * net the ERP derives again from the gross) or no split makes the memo exact.
 */
function absorbUnitPriceMiss(m: CreditMemoInput, miss: Decimal, want: Decimal): CreditMemoInput | null {
  const digits = currencyDigits(m.currency);
  // Half the currency's minor unit: what rounding one line's amount may add.
  const half = new Decimal(5).times(new Decimal(10).pow(-digits - 1));
  const most = m.lines.reduce((a, l) => {
    const per = m.pricesIncludeTax && l.taxes ? '0.0001' : '0.00005';
    return a.plus(new Decimal(l.quantity).times(per).plus(half).toDecimalPlaces(digits, Decimal.ROUND_DOWN));
  }, new Decimal(0));
  if (miss.isZero() || miss.abs().gt(most)) return null;
  const i = m.lines.reduce((best, l, j) => (new Decimal(l.quantity).gt(m.lines[best]?.quantity ?? '0') ? j : best), 0);
  const line = m.lines[i];
  if (!line || new Decimal(line.quantity).lte(1)) return null;
  const rest = { ...line, quantity: new Decimal(line.quantity).minus(1).toString() };
  const unit = lineGross(m, line).plus(miss).minus(lineGross(m, rest));
  if (unit.lt(0)) return null;
  // Shopify's tax stays whole on the rest (as given); the one unit carries none when the line's tax is given.
  const one: CreditMemoLineInput = {
    ...line,
    quantity: '1',
    unitPrice: currencyText(unit, m.currency),
    ...(line.taxes ? { taxes: [], taxCodes: [] } : {}),
  };
  const split = { ...m, lines: [...m.lines.slice(0, i), rest, one, ...m.lines.slice(i + 1)] };
  return memoGross(split).eq(want) ? split : null;
}

export const postCreditMemoNode = defineNode<z.infer<typeof config>, Input, ErpCreditMemo & { created: boolean }>({
  type: 'erp.post-credit-memo',
  version: 1,
  title: 'Post ERP credit memo',
  category: 'erp',
  description:
    "Creates the ERP credit memo for a Shopify refund: refunded lines (SKU, quantity, unit price, tax codes and Shopify's refunded tax), refunded shipping, " +
    "and restock or not. Idempotent by the Shopify refund id. With `check`: before booking, the memo must equal Shopify's refund figures (CREDIT_MEMO_MISMATCH), " +
    'lines and cash returned must agree or the difference goes to `differenceAccount` (REFUND_CASH_MISMATCH without it) — less cash than the lines is booked as it is ' +
    'when the customer still owed that much (goods returned before they were paid for: Shopify figure `paid`) —, and the memo may not exceed what ' +
    'remains credit-able on the invoice (CREDIT_EXCEEDS_INVOICE). Refunded tips and import duties credit as untaxed lines of the `tipSku` and `dutySku` items.',
  config,
  input: creditMemoSchema,
  inputs: [{ id: 'in', dataType: 'ErpCreditMemoInput' }],
  outputs: [{ id: 'out', dataType: 'ErpCreditMemo' }],
  idempotent: true,
  sampleOutput: sampleCreditMemo,
  async execute(ctx, input) {
    requireObject(ctx, input, 'a credit memo');
    const { shopify, ...mapped } = input;
    const memo = withTipsAndDuties(ctx.config, mapped, shopify);
    const erp = await erpConnection(ctx, restocksAny(memo) ? ['creditMemos', 'restock'] : ['creditMemos']);
    const final = ctx.config.check ? await checked(ctx, memo, shopify, erp.creditable?.bind(erp)) : memo;
    return withClaim(
      ctx,
      claimKey(ctx, 'credit-memo', memo.externalId),
      async () => {
        const r = await withNode(ctx, () => erp.createCreditMemo(final));
        return { ...r.document, created: r.created };
      },
      (doc) => doc.number || doc.id,
    );
  },
  // The memo it would book, after the same checks against Shopify's figures and the invoice (reads only).
  async dryRun(ctx, input) {
    requireObject(ctx, input, 'a credit memo');
    const { shopify, ...mapped } = input;
    const memo = withTipsAndDuties(ctx.config, mapped, shopify);
    const erp = await erpConnection(ctx, memo.restock ? ['creditMemos', 'restock'] : ['creditMemos']);
    const final = ctx.config.check ? await checked(ctx, memo, shopify, erp.creditable?.bind(erp)) : memo;
    const doc = await withNode(ctx, async () => parseInput(creditMemoSchema, final, 'credit memo'));
    return { writes: [{ system: 'erp', action: 'create credit memo', key: String(doc.externalId), document: doc }] };
  },
});

/** The memo with a line of `tipSku` for the refund's tips and one of `dutySku` for its duties, where configured and due. */
function withTipsAndDuties(c: z.infer<typeof config>, memo: CreditMemoInput, shopify: Figures | undefined): CreditMemoInput {
  const extra: CreditMemoLineInput[] = [];
  const add = (sku: string | undefined, amount: string | undefined) => {
    if (sku && amount !== undefined && new Decimal(amount).gt(0)) extra.push({ sku, quantity: '1', unitPrice: amount, taxCodes: [], restock: false });
  };
  add(c.tipSku, shopify?.tips);
  add(c.dutySku, shopify?.duties);
  return extra.length ? { ...memo, lines: [...(memo.lines ?? []), ...extra] } : memo;
}

/** Why a memo may miss Shopify's figures: tips or duties in the refund with no item configured to credit them. */
function unplaced(c: z.infer<typeof config>, shopify: Figures): string {
  const why: string[] = [];
  if (!c.tipSku && shopify.tips && new Decimal(shopify.tips).gt(0)) why.push(`tips of ${shopify.tips} and no tipSku`);
  if (!c.dutySku && shopify.duties && new Decimal(shopify.duties).gt(0)) why.push(`import duties of ${shopify.duties} and no dutySku`);
  return why.length ? ` (the refund returns ${why.join(', and ')} is configured to credit them)` : '';
}

async function checked(
  ctx: NodeContext<z.infer<typeof config>>,
  input: CreditMemoInput,
  shopify: Figures | undefined,
  creditable: ((id: string) => Promise<{ remaining: string; invoiced: string; credited: string }>) | undefined,
): Promise<CreditMemoInput> {
  const where = `node ${ctx.nodeId}: refund ${input.externalId}`;
  // Amounts as the memo's currency writes them (three decimals of a dinar): an adjustment cut to cents would not balance.
  const m = (d: Decimal) => currencyText(d, input.currency);
  if (!shopify || typeof shopify !== 'object' || shopify.gross === undefined || shopify.cash === undefined) {
    throw permanentError(`${where}: check needs Shopify's refund figures at input.shopify (erp.await-refund's output "shopify")`, {
      code: 'INVALID_INPUT',
      details: { field: 'shopify' },
    });
  }
  const want = new Decimal(shopify.gross);
  const split = absorbUnitPriceMiss(input, want.minus(memoGross(input)), want);
  const memo = split ?? input;
  const lines = memoGross(memo);
  // (a) The memo carries Shopify's amounts: a mapping that drops or changes a line shows here, before booking.
  if (!lines.eq(want)) {
    throw permanentError(
      `${where}: the credit memo would credit ${lines.toFixed(2)} but Shopify's refund lines, tax and shipping add up to ${want.toFixed(2)} (difference ${lines.minus(want).toFixed(2)})${unplaced(ctx.config, shopify)}; nothing was booked`,
      {
        code: 'CREDIT_MEMO_MISMATCH',
        details: { externalId: memo.externalId, memo: lines.toFixed(2), shopify: want.toFixed(2) },
      },
    );
  }
  // (c) Never more than the invoice has left to credit: neither the lines nor the cash.
  const cash = new Decimal(shopify.cash);
  let left: { remaining: string; invoiced: string; credited: string } | undefined;
  if (creditable) {
    left = await withNode(ctx, () => creditable(memo.orderExternalId));
    const most = Decimal.max(lines, cash);
    if (most.gt(left.remaining)) {
      throw permanentError(
        `${where}: it would credit ${most.toFixed(2)} but the order's invoice has only ${left.remaining} left to credit (invoiced ${left.invoiced}, credited ${left.credited}); nothing was booked`,
        {
          code: 'CREDIT_EXCEEDS_INVOICE',
          details: { externalId: memo.externalId, orderExternalId: memo.orderExternalId, memo: most.toFixed(2), ...left },
        },
      );
    }
  }
  // (b) Lines against the cash actually returned: a difference is booked to its account, or raised — never silent.
  const diff = cash.minus(lines);
  if (diff.isZero()) return memo;
  // Less cash back than the lines on an order not paid in full (a B2B order on net terms returned before it is paid):
  // what no cash returned comes off what the customer still owes, which the memo does by crediting their receivable.
  // Owed: what the invoice has left to credit less what the customer has paid (net of their other refunds' cash).
  if (diff.lt(0) && left && shopify.paid !== undefined) {
    const owed = new Decimal(left.remaining).minus(shopify.paid);
    if (diff.neg().lte(owed)) {
      ctx.log.info(
        { refund: memo.externalId, lines: lines.toFixed(2), cash: cash.toFixed(2), owed: owed.toFixed(2) },
        'refund of goods not yet paid for: the memo reduces what the customer owes',
      );
      return memo;
    }
  }
  // No goods and no shipping: the whole cash is the difference, and the memo holds only its adjustment line.
  const amountOnly = !memo.lines.length && !memo.shipping?.length;
  if (!ctx.config.differenceAccount) {
    throw permanentError(
      amountOnly
        ? `${where}: an amount-only refund (no lines, no shipping: goodwill or a refund discrepancy) returned ${cash.toFixed(2)} to the customer; ` +
            'no differenceAccount is configured to book it to, so nothing was booked'
        : `${where}: refunded lines with tax come to ${lines.toFixed(2)} but the cash returned is ${cash.toFixed(2)} (difference ${diff.toFixed(2)}: goodwill, store credit or an adjustment); ` +
            'no differenceAccount is configured, so nothing was booked',
      {
        code: 'REFUND_CASH_MISMATCH',
        details: {
          externalId: memo.externalId,
          lines: lines.toFixed(2),
          cash: cash.toFixed(2),
          difference: diff.toFixed(2),
          adjustments: shopify.adjustments ?? null,
          amountOnly,
        },
      },
    );
  }
  ctx.log.warn(
    { refund: memo.externalId, lines: lines.toFixed(2), cash: cash.toFixed(2) },
    'refund lines and cash differ; difference booked to the configured account',
  );
  return {
    ...memo,
    adjustments: [
      ...(memo.adjustments ?? []),
      {
        description: amountOnly ? `Amount-only refund: cash ${m(cash)}` : `Refund difference: cash ${m(cash)} vs lines ${m(lines)}`,
        amount: m(diff),
        account: ctx.config.differenceAccount,
      },
    ],
  };
}
