// The shared Shopify bucket on each store: processes taking from one shop at once never hold more than it has.
import { describe, expect, it } from 'vitest';
import { freshStores, testStores } from '../runtime/testing/stores.ts';
import { bucketStore } from './shopify-buckets.ts';

const plan = { maximumAvailable: 1000, restoreRate: 50 };

describe.each(testStores())('shared Shopify bucket on $name', (kind) => {
  const fresh = freshStores(kind);

  it('three processes taking at once get at most the bucket; the rest are told how long to wait', async () => {
    const first = await fresh();
    const processes = [first, await first.twin(), await first.twin()].map((s) => bucketStore(s));
    const now = 1_000_000;
    // 3 × 10 requests of 90 points at the same instant: 2,700 asked of 1,000.
    const answers = await Promise.all(processes.flatMap((b) => Array.from({ length: 10 }, () => b.take('shop-a', 90, plan, now, 60_000))));
    const held = answers.filter((a) => 'hold' in a);
    expect(held).toHaveLength(11); // 11 × 90 = 990 ≤ 1,000 < 12 × 90
    for (const a of answers) if ('waitMs' in a) expect(a.waitMs).toBeGreaterThan(0);
    const level = await processes[1]!.level('shop-a', now);
    expect(level).toMatchObject({ available: 10, maximum: 1000, inFlight: 990 });
    // Another shop is another bucket.
    expect(await processes[2]!.take('shop-b', 900, plan, now, 60_000)).toHaveProperty('hold');
  });

  it('a release gives the points back; Shopify’s answer sets the level minus what other requests still hold', async () => {
    const s = await fresh();
    const [a, b] = [bucketStore(s), bucketStore(await s.twin())];
    const now = 2_000_000;
    const h1 = await a.take('shop', 400, plan, now, 60_000);
    const h2 = await b.take('shop', 400, plan, now, 60_000);
    if (!('hold' in h1) || !('hold' in h2)) throw new Error('both should have been held');
    await a.release('shop', h1.hold, now);
    expect(await b.level('shop', now)).toMatchObject({ available: 600, inFlight: 400 });
    // Shopify answered h2: 550 left after it; the level is that, as no other request is in flight.
    await b.settle('shop', h2.hold, { maximumAvailable: 1000, currentlyAvailable: 550, restoreRate: 50 }, now);
    expect(await a.level('shop', now)).toMatchObject({ available: 550, inFlight: 0 });
    // A hold of a process that died lapses: its points count as in flight only until then.
    const h3 = await a.take('shop', 300, plan, now, 1_000);
    expect(h3).toHaveProperty('hold');
    expect((await b.level('shop', now + 500))?.inFlight).toBe(300);
    expect((await b.level('shop', now + 1_500))?.inFlight).toBe(0);
  });
  it('an answer written after a newer one (another process was quicker) does not raise the level past what Shopify said last', async () => {
    const s = await fresh();
    const [a, b] = [bucketStore(s), bucketStore(await s.twin())];
    const t0 = 3_000_000;
    const x = await a.take('shop', 400, plan, t0, 60_000);
    const y = await b.take('shop', 400, plan, t0, 60_000);
    if (!('hold' in x) || !('hold' in y)) throw new Error('both should have been held');
    // Shopify answered x first (only x charged: 600 left), then y (both charged: 200 left); b wrote its answer at
    // once, a wrote its own later (its writes queue behind its other requests').
    await b.settle('shop', y.hold, { maximumAvailable: 1000, currentlyAvailable: 200, restoreRate: 50 }, t0 + 20);
    await a.settle('shop', x.hold, { maximumAvailable: 1000, currentlyAvailable: 600, restoreRate: 50 }, t0 + 10);
    // The truth at t0 + 20 is 200 (less nothing in flight); the older answer said 600 because y was not charged yet.
    const level = await a.level('shop', t0 + 20);
    expect(level!.inFlight).toBe(0);
    expect(level!.available).toBeLessThanOrEqual(200);
    // A later answer is applied as ever.
    // (y's answer counted x's hold as in flight too, so the level errs low: -200 at t0 + 20, 300 ten seconds on.)
    const z = await a.take('shop', 100, plan, t0 + 10_020, 60_000);
    if (!('hold' in z)) throw new Error('z should have been held');
    await a.settle('shop', z.hold, { maximumAvailable: 1000, currentlyAvailable: 350, restoreRate: 50 }, t0 + 10_030);
    expect(await b.level('shop', t0 + 10_030)).toMatchObject({ available: 350, inFlight: 0 });
  });
});
