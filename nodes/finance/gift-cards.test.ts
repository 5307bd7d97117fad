// finance.gift-card-journal on the gift-card order of the scenario month and on Shopify's example gift-card order
// (which does not carry the amount it redeemed): a liability for cards sold, released by cards redeemed, and an
// exception for finance when the redemption amount is unknown.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRouted } from '../../runtime/node-api.ts';
import { orderFromRest } from '../shopify/convert-rest.ts';
import { nodeContext } from '../erp/nodes/test-context.ts';
import { giftCardJournalNode, giftCardsRedeemed, giftCardsSold } from './gift-cards.ts';
import { MemorySink } from './testing/memory-sink.ts';
import { loadMonth } from './testing/month.ts';

const exec = async (order: unknown, sink?: MemorySink) => {
  const ctx = { ...nodeContext(giftCardJournalNode, {}, null), exceptions: sink };
  const out = await giftCardJournalNode.execute(ctx, { order });
  if (!isRouted(out)) throw new Error('expected a routed output');
  return out;
};

describe('finance.gift-card-journal', () => {
  it('books gift cards sold as a liability and gift cards redeemed as its release', async () => {
    const raw = loadMonth().orders.find((o) => o.line_items.some((l: { gift_card: boolean }) => l.gift_card))!;
    const order = orderFromRest(raw);
    expect(giftCardsSold(order).toFixed(2)).toBe('50.00');
    expect(giftCardsRedeemed(raw, ['gift_card'])!.toFixed(2)).toBe('30.00');
    const out = await exec(order);
    expect(out.port).toBe('journal');
    expect(out.data).toMatchObject({
      externalId: `giftcard:${raw.id}`,
      sold: '50.00',
      redeemed: '30.00',
      currency: 'USD',
      date: '2026-03-06',
      lines: [
        { account: '1190', debit: '50.00' },
        { account: '2300', credit: '50.00' },
        { account: '2300', debit: '30.00' },
        { account: '1190', credit: '30.00' },
      ],
    });
  });

  it("writes the journal in the order currency's minor unit: a 10.125 dinar card is 10.125, not cut to 10.13", async () => {
    const raw = loadMonth().orders.find((o) => o.line_items.some((l: { gift_card: boolean }) => l.gift_card))!;
    const order = orderFromRest({ ...raw, transactions: [] });
    const kwd = (amount: string) => ({ amount, currencyCode: 'KWD' });
    const kuwaiti = {
      ...order,
      currency: 'KWD',
      lineItems: order.lineItems.map((l) =>
        l.isGiftCard
          ? { ...l, quantity: 1, unitPrice: { shop: kwd('10.125'), presentment: kwd('10.125') }, totalDiscount: { shop: kwd('0'), presentment: kwd('0') } }
          : l,
      ),
    };
    const out = await exec(kuwaiti);
    expect(out.data).toMatchObject({ sold: '10.125', currency: 'KWD', lines: [{ debit: '10.125' }, { credit: '10.125' }] });
  });

  it('goes out of `none` for an order without gift cards', async () => {
    const raw = loadMonth().orders[0];
    const out = await exec(orderFromRest(raw));
    expect([out.port, (out.data as { sold: string }).sold]).toEqual(['none', '0.00']);
  });

  it('an order paid by gift card alone, without transactions: the redemption is total_price less total_outstanding, and the liability is debited', async () => {
    const base = JSON.parse(readFileSync(new URL('../../flows/templates/scenarios/gift-card-purchase-and-payment.orders-paid.json', import.meta.url), 'utf8'));
    // The same shop's T-shirt bought with a gift card only (Shopify lists the gateway as "gift_card"; the webhook has no transactions).
    const shirt = base.line_items.find((l: { gift_card: boolean }) => !l.gift_card);
    const raw = {
      ...base,
      id: base.id + 1,
      payment_gateway_names: ['gift_card'],
      line_items: [shirt],
      total_price: '20.00',
      subtotal_price: '20.00',
      current_total_price: '20.00',
      total_price_set: {
        shop_money: { amount: '20.00', currency_code: base.currency },
        presentment_money: { amount: '20.00', currency_code: base.presentment_currency },
      },
      total_outstanding: '0.00',
    };
    delete raw.transactions;
    const sink = new MemorySink();
    const out = await exec(orderFromRest(raw), sink);
    expect(out.port).toBe('journal');
    expect(out.data).toMatchObject({
      sold: '0.00',
      redeemed: '20.00',
      lines: [
        { account: '2300', debit: '20.00' },
        { account: '1190', credit: '20.00' },
      ],
    });
    expect(sink.open()).toEqual([]);
    // Part still outstanding: only what was paid was redeemed.
    const part = await exec(orderFromRest({ ...raw, total_outstanding: '5.00' }), sink);
    expect((part.data as { redeemed: string }).redeemed).toBe('15.00');
    // On payment terms the totals do not say what the card paid: raised, not guessed.
    const terms = await exec(
      orderFromRest({ ...raw, payment_terms: { payment_terms_name: 'Net 30', payment_terms_type: 'net', due_in_days: 30, payment_schedules: [] } }),
      sink,
    );
    expect((terms.data as { redeemed: string }).redeemed).toBe('0.00');
    expect(sink.open().map((e) => e.type)).toEqual(['gift-card-redemption-unknown']);
  });

  it('raises gift-card-redemption-unknown for finance when the order does not say how much a gift card paid', async () => {
    const raw = JSON.parse(readFileSync(new URL('../../flows/templates/scenarios/gift-card-purchase-and-payment.orders-paid.json', import.meta.url), 'utf8'));
    const sink = new MemorySink();
    const out = await exec(orderFromRest(raw), sink);
    expect(out.data).toMatchObject({
      sold: '50.00',
      redeemed: '0.00',
      lines: [
        { account: '1190', debit: '50.00' },
        { account: '2300', credit: '50.00' },
      ],
    });
    expect(sink.open().map((e) => [e.type, e.key, e.owner])).toEqual([['gift-card-redemption-unknown', `order:${raw.id}`, 'finance']]);
    await expect(exec(orderFromRest(raw))).rejects.toThrow(/no exceptions service/);
  });
});
