// Two processes on one store spend one shop's Shopify budget: with the bucket in the store (SqlBucketStore) their
// requests are never THROTTLED by the (sandbox) store; with a bucket each, the same load is. On each store: on
// PostgreSQL the two processes' connections are two pools on the workspace's schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyConnection, type ShopifyClient } from '../nodes/shopify/client.ts';
import { VARIANTS_BY_SKU } from '../nodes/shopify/documents.ts';
import { startShopifySandbox, type SandboxStore } from '../nodes/shopify/sandbox/server.ts';
import { SharedCostLimiter } from '../nodes/shopify/limiter.ts';
import { freshStores, testStores, type TestStore } from '../runtime/testing/stores.ts';
import { bucketStore } from './shopify-buckets.ts';

/** A sandbox shop of its own for each block, so one block's spending does not leave the next an emptied bucket. */
function sandboxShop(): () => SandboxStore {
  let shop: SandboxStore | undefined;
  beforeAll(async () => {
    // Plus: a 20,000-point bucket refilling 1,000 points a second, so the test spends its budget in seconds.
    // A catalogue large enough that a page costs what it requests (Shopify refunds what a query did not use).
    const variants = Array.from({ length: 300 }, (_, i) => ({ id: 9000 + i, sku: `SKU-${i}`, inventoryItemId: 7000 + i }));
    const locations = [1, 2, 3].map((id) => ({ id, name: `Warehouse ${id}` }));
    shop = await startShopifySandbox({
      plan: 'plus',
      seed: {
        locations,
        products: [{ id: 1, title: 'Tee', variants }],
        inventory: variants.flatMap((v) => locations.map((l) => ({ inventoryItemId: v.inventoryItemId, locationId: l.id, available: 5 }))),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await shop?.stop();
  });
  return () => shop!;
}

/** A process's Shopify client; `store`: its own connection to the store, where its bucket lives (else in memory). */
function processClient(shop: SandboxStore, store?: TestStore): ShopifyClient {
  return createShopifyConnection({
    shopDomain: shop.shopDomain,
    endpoint: shop.url,
    auth: { kind: 'access-token', accessToken: shop.accessToken },
    plan: { maximumAvailable: 20_000, restoreRate: 1_000 },
    ...(store ? { buckets: bucketStore(store.store) } : {}),
  });
}

/** Both processes send `each` requests of ~1,000 requested points at once; together more than the bucket holds. */
async function load(a: ShopifyClient, b: ShopifyClient, each: number) {
  // The largest page whose requested cost stays within Shopify's 1,000-point single-query limit.
  let first = 250;
  while (a.estimateCost(VARIANTS_BY_SKU, { query: '', first, levels: 3 }) > 1000) first--;
  const vars = { query: '', first, levels: 3 };
  const cost = a.estimateCost(VARIANTS_BY_SKU, vars);
  expect(cost).toBeGreaterThan(800);
  expect(cost).toBeLessThanOrEqual(1000);
  await Promise.all([a, b].flatMap((c) => Array.from({ length: each }, () => c.request(VARIANTS_BY_SKU, vars))));
  // Each page was full, so Shopify charged (nearly) what was requested: together more than the bucket holds.
  expect(a.stats.actualCost + b.stats.actualCost).toBeGreaterThan(2 * each * cost * 0.9);
  return { cost, throttled: a.stats.throttled + b.stats.throttled };
}

describe('a bucket per process', () => {
  const shop = sandboxShop();
  it('overdraws the shop: the store answers THROTTLED (the failure this guards against)', async () => {
    // 30 each: each process spends its own 20,000 at once, then paces itself at 1,000 a second — together twice the
    // shop's refill, so the store throttles however slowly a loaded machine serves the requests.
    const r = await load(processClient(shop()), processClient(shop()), 30);
    expect(r.throttled).toBeGreaterThan(0);
  }, 120_000);
});

describe.each(testStores())('one Shopify budget across processes on $name', (kind) => {
  const shop = sandboxShop();
  const fresh = freshStores(kind);
  it('the bucket in the store keeps two processes within the shop budget: nothing THROTTLED, the wait shared', async () => {
    // Two connections to one store (on PostgreSQL two pools), as two worker processes have.
    const first = await fresh();
    const second = await first.twin();
    const a = processClient(shop(), first);
    const b = processClient(shop(), second);
    // 40,000 points asked at once of a 20,000-point bucket: the second half waits for the refill (≈ 20 s), unless each
    // request took half a second to be let through.
    const r = await load(a, b, 20);
    expect(r.throttled).toBe(0);
    await Promise.all([a, b].map((c) => (c.limiter instanceof SharedCostLimiter ? c.limiter.idle() : undefined)));
    expect(a.bucketLevel.maximum).toBe(20_000);
    // Both read one level: what one process spent, the other sees. Read at one instant through each connection (the
    // limiters' own last reads are apart by however long the machine took between them, at 1,000 points a second).
    const now = Date.now();
    const [levelA, levelB] = await Promise.all([first, second].map((s) => bucketStore(s.store).level(shop().shopDomain, now)));
    expect(levelA).not.toBeNull();
    expect(levelB).toEqual(levelA);
    expect(levelA!.inFlight).toBe(0);
    expect(a.limiter.level.waitedMs + b.limiter.level.waitedMs).toBeGreaterThan(0);
  }, 120_000);
});
