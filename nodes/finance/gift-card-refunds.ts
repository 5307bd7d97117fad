// finance.gift-card-refund-journal: the refund-side mirror of finance.gift-card-journal. A refund of an order paid
// partly by gift card puts that part back onto the gift card: the credit memo still credits the customer's invoice in
// full, but only the rest is Shopify Payments money (the payout's refund line). The gift-card part re-issues the
// liability the redemption released (Dr Shopify clearing / Cr gift-card liability), one journal per refund keyed
// "giftcard-refund:<refund id>"; the payout reconciliation counts its clearing line with the refund's credit memo
// (erp-docs.ts), so a refund line of memo − gift-card part ties, as a charge of invoice − redemption does.
import { Decimal } from 'decimal.js';
import type { z } from 'zod';
import { defineNode, permanentError, route } from '../../runtime/node-api.ts';
import type { JournalInput } from '../erp/contract.ts';
import { currencyText } from '../core/currency.ts';
import { legacy } from './erp-docs.ts';
import { giftCardConfig } from './gift-cards.ts';

export interface GiftCardRefundOutput extends Partial<JournalInput> {
  refundId: string;
  orderId: string;
  /** What the refund put back onto gift cards, shop money. */
  reissued: string;
}

/** What the node reads of erp.await-refund's output. */
interface SettledRefund {
  refund?: { id?: string; orderId?: string; createdAt?: string };
  order?: { name?: string; currency?: string };
  shopify?: { cashByGateway?: Record<string, string> };
}

const AMOUNT = /^-?\d+(\.\d+)?$/;

/** The refund's day in UTC, as the credit memo is dated (refund-to-credit-memo formats createdAt in UTC). */
const utcDay = (at: string) => {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at.slice(0, 10) : new Date(t).toISOString().slice(0, 10);
};

export const giftCardRefundJournalNode = defineNode<z.infer<typeof giftCardConfig>, unknown, GiftCardRefundOutput>({
  type: 'finance.gift-card-refund-journal',
  version: 1,
  title: 'Gift card refund journal',
  category: 'finance',
  description:
    'For a settled refund (erp.await-refund output): what it put back onto gift cards (its successful refund transactions on the gift-card ' +
    'gateways, shop money) re-issues gift-card liability: Dr Shopify clearing, Cr gift-card liability, one journal for erp.post-journal keyed ' +
    'giftcard-refund:<refund id>. The credit memo stays the full refund; the payout reconciliation matches the refund line against the memo ' +
    'less this part. Refunds with nothing back on a gift card go out of `none`.',
  config: giftCardConfig,
  inputs: [{ id: 'in', dataType: 'SettledRefund' }],
  outputs: [
    { id: 'journal', title: 'Journal to post', dataType: 'ErpJournalInput' },
    { id: 'none', title: 'Nothing back on a gift card' },
  ],
  idempotent: true,
  sampleOutput: {
    refundId: '7200000301',
    orderId: '7100000300',
    reissued: '5.00',
    externalId: 'giftcard-refund:7200000301',
    date: '2026-03-20',
    description: 'Gift card re-issued by refund 7200000301 of order #5300',
    currency: 'USD',
    lines: [
      { account: '1190', debit: '5.00', description: 'Gift card re-issued by refund 7200000301 of order #5300' },
      { account: '2300', credit: '5.00', description: 'Gift card re-issued by refund 7200000301 of order #5300' },
    ],
  },
  async execute(ctx, input) {
    const { refund, order, shopify } = (input ?? {}) as SettledRefund;
    const byGateway = shopify?.cashByGateway;
    const bad = (field: string, what: string) =>
      permanentError(`node ${ctx.nodeId}: ${field} must be ${what} (erp.await-refund's output)`, { code: 'INVALID_INPUT', details: { field } });
    if (!refund?.id || !refund.createdAt) throw bad('input.refund', 'the settled refund, with its id and createdAt');
    if (!order?.currency) throw bad('input.order.currency', "the shop's currency");
    if (!byGateway || typeof byGateway !== 'object') throw bad('input.shopify.cashByGateway', 'the cash returned per payment gateway');
    let reissued = new Decimal(0);
    for (const g of ctx.config.giftCardGateways) {
      const v = byGateway[g];
      if (v === undefined) continue;
      if (!AMOUNT.test(String(v))) throw bad(`input.shopify.cashByGateway.${g}`, 'a decimal amount');
      reissued = reissued.plus(String(v));
    }
    const refundId = legacy(refund.id)!;
    const out = { refundId, orderId: legacy(refund.orderId) ?? '', reissued: currencyText(reissued, order.currency) };
    if (reissued.isZero()) return route('none', out);
    // A negative gift-card refund is no refund Shopify makes: booking it would release liability nobody redeemed.
    if (reissued.lt(0)) throw bad(`input.shopify.cashByGateway (${ctx.config.giftCardGateways.join(', ')})`, 'a positive amount');
    const { liability, clearing } = ctx.config.accounts;
    const description = `Gift card re-issued by refund ${refundId}${order.name ? ` of order ${order.name}` : ''}`;
    return route('journal', {
      ...out,
      externalId: `giftcard-refund:${refundId}`,
      date: utcDay(refund.createdAt),
      description,
      currency: order.currency,
      lines: [
        { account: clearing, debit: out.reissued, description },
        { account: liability, credit: out.reissued, description },
      ],
    });
  },
});
