// finance.gift-card-journal: a gift card sold is a liability, not revenue, and one redeemed clears it. The order
// flow keeps gift cards off the sales order (its invoice is the goods); this node books the rest of what Shopify
// collects for the order: gift cards sold (Dr Shopify clearing / Cr gift-card liability) and gift cards redeemed
// (Dr liability / Cr clearing), one journal per order keyed "giftcard:<order id>". The payout reconciliation counts
// these clearing lines with the order's invoice, so a charge of goods + cards sold − cards redeemed ties.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError, route } from '../../runtime/node-api.ts';
import type { JournalInput, JournalLineInput } from '../erp/contract.ts';
import type { ShopifyOrder } from '../shopify/types.ts';
import { currencyText } from '../core/currency.ts';
import { legacy } from './erp-docs.ts';

/** Shared with finance.gift-card-refund-journal: one liability, one clearing account and one list of gateways for both. */
export const giftCardConfig = z
  .object({
    accounts: z
      .object({
        liability: z.string().min(1).default('2300'),
        clearing: z.string().min(1).default('1190'),
      })
      .strict()
      .default({ liability: '2300', clearing: '1190' }),
    /** Payment gateways whose captured amounts are gift-card redemptions (and whose refunds go back onto a gift card). */
    giftCardGateways: z.array(z.string().min(1)).min(1).default(['gift_card']),
  })
  .strict();

interface RawTransaction {
  kind?: string;
  status?: string;
  gateway?: string;
  amount?: string;
  currency?: string;
  id?: number | string;
}

/** Gift cards sold on the order, in shop money, after their discounts. */
export function giftCardsSold(o: Pick<ShopifyOrder, 'lineItems'>): Decimal {
  return o.lineItems
    .filter((l) => l.isGiftCard)
    .reduce((a, l) => a.plus(new Decimal(l.unitPrice.shop.amount).times(l.quantity).minus(l.totalDiscount.shop.amount)), new Decimal(0));
}

/** Gift-card redemptions among the order's transactions (REST shape), or null when the order carries none to read. */
export function giftCardsRedeemed(raw: unknown, gateways: string[]): Decimal | null {
  const txs = (raw as { transactions?: RawTransaction[] } | null)?.transactions;
  if (!Array.isArray(txs)) return null;
  return txs
    .filter(
      (t) => gateways.includes(String(t.gateway)) && ['sale', 'capture'].includes(String(t.kind).toLowerCase()) && String(t.status).toLowerCase() === 'success',
    )
    .reduce((a, t) => a.plus(t.amount ?? '0'), new Decimal(0));
}

/**
 * A redemption derived from the order's totals when it carries no transactions (an orders/paid webhook does not):
 * when every payment gateway of the order is a gift card and nothing is on payment terms, what the buyer paid —
 * total_price less total_outstanding, shop money — was paid by gift card. Null when the totals cannot tell (several
 * kinds of gateway share the payment, payment terms, totals missing).
 */
export function giftCardsRedeemedFromTotals(o: Pick<ShopifyOrder, 'paymentGateways' | 'total' | 'raw'>, gateways: string[]): Decimal | null {
  if (!o.paymentGateways.length || !o.paymentGateways.every((g) => gateways.includes(g))) return null;
  const raw = (o.raw ?? {}) as Record<string, any>;
  if (raw.payment_terms != null || raw.paymentTerms != null) return null;
  const outstanding = raw.total_outstanding ?? raw.totalOutstandingSet?.shopMoney?.amount;
  if (outstanding == null || !/^-?\d+(\.\d+)?$/.test(String(outstanding))) return null;
  const paid = new Decimal(o.total.shop.amount).minus(String(outstanding));
  return paid.lt(0) ? null : paid;
}

export interface GiftCardOutput extends Partial<JournalInput> {
  orderId: string;
  sold: string;
  redeemed: string | null;
}

export const giftCardJournalNode = defineNode<z.infer<typeof giftCardConfig>, unknown, GiftCardOutput>({
  type: 'finance.gift-card-journal',
  version: 1,
  title: 'Gift card liability journal',
  category: 'finance',
  description:
    'For a paid order: books gift cards sold as a liability (Dr Shopify clearing, Cr gift-card liability) and gift cards redeemed as its ' +
    'release (Dr liability, Cr clearing), as one journal for erp.post-journal keyed giftcard:<order id>. Orders with neither go out of `none`. ' +
    'Without transactions on the order, an order paid by gift cards alone redeemed total_price less total_outstanding; a redemption the order ' +
    'cannot tell (gift card and another gateway, payment terms) raises gift-card-redemption-unknown for finance.',
  config: giftCardConfig,
  inputs: [{ id: 'in', dataType: '{ order: ShopifyOrder }' }],
  outputs: [
    { id: 'journal', title: 'Journal to post', dataType: 'ErpJournalInput' },
    { id: 'none', title: 'No gift cards' },
  ],
  idempotent: true,
  sampleOutput: {
    orderId: '7100000004',
    sold: '50.00',
    redeemed: '30.00',
    externalId: 'giftcard:7100000004',
    date: '2026-03-02',
    description: 'Gift cards on order #5004',
    currency: 'GBP',
    lines: [
      { account: '1190', debit: '50.00', description: 'Gift cards sold' },
      { account: '2300', credit: '50.00', description: 'Gift cards sold' },
      { account: '2300', debit: '30.00', description: 'Gift cards redeemed' },
      { account: '1190', credit: '30.00', description: 'Gift cards redeemed' },
    ],
  },
  async execute(ctx, input) {
    const order = (input as { order?: ShopifyOrder } | null)?.order;
    if (!order || typeof order !== 'object' || !Array.isArray(order.lineItems)) {
      throw permanentError(`node ${ctx.nodeId}: input.order must be a Shopify order (the shopify.trigger output of an order topic)`, {
        code: 'INVALID_INPUT',
        details: { field: 'input.order' },
      });
    }
    const orderId = legacy(order.id)!;
    const sold = giftCardsSold(order);
    const usesGiftCard = order.paymentGateways.some((g) => ctx.config.giftCardGateways.includes(g));
    let redeemed = usesGiftCard
      ? (giftCardsRedeemed(order.raw, ctx.config.giftCardGateways) ?? giftCardsRedeemedFromTotals(order, ctx.config.giftCardGateways))
      : new Decimal(0);
    if (redeemed === null) {
      const sink = ctx.exceptions;
      const e = {
        type: 'gift-card-redemption-unknown',
        key: `order:${orderId}`,
        owner: 'finance' as const,
        severity: 'medium' as const,
        title: `Order ${order.name} was paid partly by gift card (gateways ${order.paymentGateways.join(', ')}), but the amount redeemed is not in the order`,
        detail: `Book the redemption by hand (Dr ${ctx.config.accounts.liability} gift-card liability, Cr ${ctx.config.accounts.clearing} clearing) from the order's transactions in Shopify; until then the payout charge for it will not tie.`,
        links: { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId, shopify: order.id, shopifyName: order.name },
        data: { orderId, gateways: order.paymentGateways },
      };
      if (!sink) throw permanentError(`node ${ctx.nodeId}: ${e.title}; no exceptions service to raise it`, { code: 'EXCEPTIONS_UNDELIVERED', details: e.data });
      await sink.raise(e);
      redeemed = new Decimal(0);
    }
    // In the order's currency's minor unit (three decimals of a dinar, whole yen written with two).
    const m = (d: Decimal) => currencyText(d, order.currency);
    const out = { orderId, sold: m(sold), redeemed: usesGiftCard ? m(redeemed) : null };
    if (sold.isZero() && redeemed.isZero()) return route('none', out);
    const { liability, clearing } = ctx.config.accounts;
    const lines: JournalLineInput[] = [];
    if (sold.gt(0))
      lines.push(
        { account: clearing, debit: m(sold), description: `Gift cards sold on ${order.name}` },
        { account: liability, credit: m(sold), description: `Gift cards sold on ${order.name}` },
      );
    if (redeemed.gt(0))
      lines.push(
        { account: liability, debit: m(redeemed), description: `Gift cards redeemed on ${order.name}` },
        { account: clearing, credit: m(redeemed), description: `Gift cards redeemed on ${order.name}` },
      );
    return route('journal', {
      ...out,
      externalId: `giftcard:${orderId}`,
      date: (order.processedAt ?? order.createdAt).slice(0, 10),
      description: `Gift cards on order ${order.name}`,
      currency: order.currency,
      lines,
    });
  },
});
