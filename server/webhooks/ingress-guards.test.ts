import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { replayDigest } from './ingress-guards.ts';

const sign = (body: string, secret = 'shpss_a') => createHmac('sha256', secret).update(body).digest('base64');

describe('replayDigest', () => {
  it('is one digest per connection, topic and signed body, and another for any of them changed', () => {
    const d = replayDigest('shop1', 'orders/create', sign('{"id":1}'));
    expect(replayDigest('shop1', 'orders/create', sign('{"id":1}'))).toBe(d);
    const others = [
      replayDigest('shop1', 'orders/create', sign('{"id":2}')),
      replayDigest('shop1', 'orders/create', sign('{"id":1} ')),
      replayDigest('shop1', 'orders/updated', sign('{"id":1}')),
      replayDigest('shop2', 'orders/create', sign('{"id":1}')),
      // The separators keep the parts apart: ("shop1", "x") and ("shop", "1x") are not one digest.
      replayDigest('shop', '1orders/create', sign('{"id":1}')),
    ];
    expect(new Set([d, ...others]).size).toBe(others.length + 1);
  });
});
