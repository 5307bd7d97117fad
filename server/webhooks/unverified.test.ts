import { describe, expect, it } from 'vitest';
import type { RaiseException } from '../../runtime/node-api/exceptions.ts';
import { UNVERIFIED, UnverifiedDeliveries } from './unverified.ts';

/** An inbox in memory: one open exception per type and key, as the real one aggregates them. */
function inbox(open: string[] = []) {
  const raised: RaiseException[] = [];
  const cleared: string[] = [];
  const keys = new Set(open);
  let queries = 0;
  return {
    raised,
    cleared,
    queries: () => queries,
    sink: {
      raise: async (e: RaiseException) => {
        raised.push(e);
        keys.add(e.key);
        return { id: 'x', count: raised.length, isNew: true };
      },
      clear: async (_type: string, key: string) => {
        cleared.push(key);
        return keys.delete(key);
      },
      openKeys: async () => (queries++, [...keys]),
    },
  };
}
const quiet = { warn() {} };
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('deliveries that fail verification', () => {
  it('raise for operations at most once a minute per connection, naming the connection and what to do', async () => {
    let now = 1_000_000;
    const box = inbox();
    const u = new UnverifiedDeliveries(box.sink, () => now, quiet);
    await u.refused('shop1', 'shop1.myshopify.com', 'invalid_hmac');
    await u.refused('shop1', 'shop1.myshopify.com', 'invalid_hmac');
    await u.refused('shop2', undefined, 'no_secret');
    now += 60_000;
    await u.refused('shop1', 'shop1.myshopify.com', 'invalid_hmac');
    expect(box.raised.map((e) => e.key)).toEqual(['shop1', 'shop2', 'shop1']);
    expect(box.raised[0]).toMatchObject({
      type: UNVERIFIED,
      owner: 'operations',
      severity: 'high',
      title: 'Shopify deliveries to connection "shop1" fail verification (invalid_hmac)',
      detail: expect.stringContaining('rotated in Shopify'),
    });
    expect(box.raised[1]?.title).toContain('has no webhook secret');
  });

  it('resolve on the next delivery that verifies, and cost nothing afterwards', async () => {
    const box = inbox();
    const u = new UnverifiedDeliveries(box.sink, () => 0, quiet);
    await u.refused('shop1', undefined, 'invalid_hmac');
    u.verified('shop1');
    await settle();
    expect(box.cleared).toEqual(['shop1']);
    for (let i = 0; i < 5; i++) u.verified('shop1');
    await settle();
    expect(box.cleared).toEqual(['shop1']);
  });

  it('after a restart, the first delivery that verifies looks once for an exception left open, and resolves it', async () => {
    const box = inbox(['shop1']);
    const u = new UnverifiedDeliveries(box.sink, () => 0, quiet);
    u.verified('shop1');
    u.verified('shop1');
    await settle();
    expect([box.queries(), box.cleared]).toEqual([1, ['shop1']]);
    const none = inbox();
    const v = new UnverifiedDeliveries(none.sink, () => 0, quiet);
    v.verified('shop2');
    await settle();
    v.verified('shop2');
    await settle();
    expect([none.queries(), none.cleared]).toEqual([1, []]);
  });
});
