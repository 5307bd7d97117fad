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
  const ctx = { ...nodeContext(giftCardJournalNode, {}, null), service: <T>(n: string) => (n === 'exceptions' ? sink as T : undefined) };
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
      externalId: `giftcard:${raw.id}`, sold: '50.00', redeemed: '30.00', currency: 'USD', date: '2026-03-06',
      lines: [{ account: '1190', debit: '50.00' }, { account: '2300', credit: '50.00' }, { account: '2300', debit: '30.00' }, { account: '1190', credit: '30.00' }],
    });
  });

  it('goes out of `none` for an order without gift cards', async () => {
    const raw = loadMonth().orders[0];
    const out = await exec(orderFromRest(raw));
    expect([out.port, (out.data as { sold: string }).sold]).toEqual(['none', '0.00']);
  });

  it('raises gift-card-redemption-unknown for finance when the order does not say how much a gift card paid', async () => {
    const raw = JSON.parse(readFileSync(new URL('../../flows/templates/scenarios/gift-card-purchase-and-payment.orders-paid.json', import.meta.url), 'utf8'));
    const sink = new MemorySink();
    const out = await exec(orderFromRest(raw), sink);
    expect(out.data).toMatchObject({ sold: '50.00', redeemed: '0.00', lines: [{ account: '1190', debit: '50.00' }, { account: '2300', credit: '50.00' }] });
    expect(sink.open().map((e) => [e.type, e.key, e.owner])).toEqual([['gift-card-redemption-unknown', `order:${raw.id}`, 'finance']]);
    await expect(exec(orderFromRest(raw))).rejects.toThrow(/no exceptions service/);
  });
});
