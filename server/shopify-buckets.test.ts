// Two processes on one store spend one shop's Shopify budget: with the bucket in the store (SqlBucketStore) their
// requests are never THROTTLED by the (sandbox) store; with a bucket each, the same load is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyConnection, type ShopifyClient } from '../nodes/shopify/client.ts';
import { VARIANTS_BY_SKU } from '../nodes/shopify/documents.ts';
import { startShopifySandbox, type SandboxStore } from '../nodes/shopify/sandbox/server.ts';
import { SharedCostLimiter } from '../nodes/shopify/limiter.ts';
import { openStore, type Store } from '../runtime/store/db.ts';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { bucketStore } from './shopify-buckets.ts';

const tmp = tempDir('ledgerline-buckets-');
let shop: SandboxStore;
const connections: Store[] = [];

beforeAll(async () => {
  openStore(tmp.dir).close(); // migrates the store, as the first process would
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
  for (const c of connections) c.close();
  tmp.cleanup();
});

/** A process's own connection to the store and its own Shopify client; `shared`: its bucket lives in the store. */
function processClient(shared: boolean): ShopifyClient {
  const store = openStore(tmp.dir);
  connections.push(store);
  return createShopifyConnection({
    shopDomain: shop.shopDomain,
    endpoint: shop.url,
    auth: { kind: 'access-token', accessToken: shop.accessToken },
    plan: { maximumAvailable: 20_000, restoreRate: 1_000 },
    ...(shared ? { buckets: bucketStore(store) } : {}),
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

describe('one Shopify budget across processes', () => {
  it('a bucket per process overdraws the shop: the store answers THROTTLED (the failure this guards against)', async () => {
    const r = await load(processClient(false), processClient(false), 14);
    expect(r.throttled).toBeGreaterThan(0);
  }, 60_000);

  it('the bucket in the store keeps two processes within the shop budget: nothing THROTTLED, the wait shared', async () => {
    await new Promise((r) => setTimeout(r, 21_000)); // the store's bucket refills after the first test
    const a = processClient(true);
    const b = processClient(true);
    const r = await load(a, b, 14);
    expect(r.throttled).toBe(0);
    await Promise.all([a, b].map((c) => (c.limiter instanceof SharedCostLimiter ? c.limiter.idle() : undefined)));
    // Both read one level: what one process spent, the other sees.
    expect(a.bucketLevel.maximum).toBe(20_000);
    expect(Math.abs(a.bucketLevel.available - b.bucketLevel.available)).toBeLessThan(100);
    expect(a.limiter.level.waitedMs + b.limiter.level.waitedMs).toBeGreaterThan(0);
  }, 90_000);
});
