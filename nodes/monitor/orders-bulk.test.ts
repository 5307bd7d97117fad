// Order backfills larger than a page: the orphaned-order monitor reads the window by one bulk query on the sandbox
// store (its modelled bulk clock sped up), to the same orders as paging, and says which path it took.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, createShopifyConnection, type SandboxStore, type ShopifyClient } from '../shopify/index.ts';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { harness, restOrder, type Harness } from './testing.ts';
import { readOrders } from './orders.ts';

const N = 150; // more than one page of 100
const hour = 3_600_000;
let store: SandboxStore;
let shop: ShopifyClient;
let erp: SandboxErp;
let h: Harness;
const ids: string[] = [];

beforeAll(async () => {
  store = await startShopifySandbox({
    seed: {
      locations: [{ id: 1, name: 'Main' }],
      products: [{ id: 1, title: 'Tee', variants: [{ id: 11, sku: 'BK-TEE', price: '20.00', inventoryItemId: 111 }] }],
      inventory: [{ inventoryItemId: 111, locationId: 1, available: 1000 }],
    },
  });
  shop = createShopifyConnection({ shopDomain: store.shopDomain, auth: { kind: 'access-token', accessToken: store.accessToken }, endpoint: store.url });
  // The bulk operation runs on the store's modelled clock; polls wait 1/200 of their modelled time.
  store.bulk.timeScale = 200;
  const real = shop.sleep.bind(shop);
  (shop as any).sleep = (ms: number, signal?: AbortSignal) => real(ms / 200, signal);
  erp = createSandboxErp();
  erp.admin.addItem({ sku: 'BK-TEE', name: 'Tee', unitPrice: '20.00' });
  for (let n = 1; n <= N; n++)
    ids.push(store.createOrder(restOrder(n, { createdAt: Date.now() - 2 * hour - n * 60_000, financialStatus: 'paid', sku: 'BK-TEE', price: '20.00' })));
  // Every order but three is in the ERP.
  for (const [i, id] of ids.entries()) {
    if (i % 50 === 7) continue;
    await erp.createSalesOrder({
      externalId: id,
      reference: `#${5001 + i}`,
      customer: { externalId: 'c-1', name: 'Ann Buyer' },
      currency: 'USD',
      date: '2026-11-27',
      warehouse: 'WH',
      lines: [{ sku: 'BK-TEE', quantity: '1', unitPrice: '20.00' }],
    });
  }
  h = await harness({ 'shopify:main': shop, 'erp:erp': erp });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await erp?.close();
  await store?.stop();
});

describe('order backfills by bulk query', () => {
  it('a window of more than a page is read by one bulk query, to the same orders as paging', async () => {
    const now = Date.now();
    const paged = await readOrders(shop, now - 72 * hour, now, new AbortController().signal, { read: 'per-call' });
    const bulk = await readOrders(shop, now - 72 * hour, now, new AbortController().signal, { pollMs: 500 });
    expect(paged.path.kind).toBe('per-call');
    expect(paged.calls).toBe(2);
    expect(bulk.path).toMatchObject({
      kind: 'bulk',
      reason: expect.stringMatching(/more than one page of 100/),
      bulkOperation: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\//),
    });
    expect(bulk.orders.map((o) => o.id).sort()).toEqual(paged.orders.map((o) => o.id).sort());
    expect(bulk.orders).toHaveLength(N);
    expect(bulk.orders.find((o) => o.id === ids[0])).toEqual(paged.orders.find((o) => o.id === ids[0]));
  });

  it('a window inside one page pages and says so', async () => {
    const now = Date.now();
    const r = await readOrders(shop, now - 2 * hour - 5 * 60_000 - 30_000, now, new AbortController().signal);
    expect(r.path).toEqual({ kind: 'per-call', reason: 'the range fits one page of 100 orders' });
    expect(r.orders.map((o) => o.name).sort()).toEqual(['#5001', '#5002', '#5003', '#5004', '#5005']);
  });

  it('monitor.orphaned-orders finds the three missing orders among 150 through the bulk path', async () => {
    const r = await h.check('monitor.orphaned-orders', { shopify: 'main', erp: 'erp', pollSeconds: 0.5 });
    expect(r.status).toBe('succeeded');
    const out = r.steps[1]?.output as any;
    expect(out).toMatchObject({ checked: N, found: 3, path: { kind: 'bulk' } });
    expect(out.findings.map((f: any) => f.id).sort()).toEqual([ids[7], ids[57], ids[107]].sort());
    const paged = await h.check('monitor.orphaned-orders', { shopify: 'main', erp: 'erp', read: 'per-call' });
    expect(paged.steps[1]?.output).toMatchObject({ checked: N, found: 3, path: { kind: 'per-call' } });
  });
});
