// shopify.inventory-push on its bulk paths, against the sandbox store's bulk operations (on a fast modelled clock).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodeContext, RaiseException } from '../../runtime/node-api.ts';
import { createShopifyConnection, type ShopifyClient } from './client.ts';
import { BULK_RUN_MUTATION } from './bulk-documents.ts';
import { PushBudget, choosePath } from './inventory-cost.ts';
import { inventoryPush, type InventoryPushOutput } from './inventory-push.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import type { Scenario } from './sandbox/state.ts';
import { present } from './testing.ts';

const N = 40;
const sku = (i: number) => `SKU-${String(i).padStart(3, '0')}`;
const L1 = 'gid://shopify/Location/1';
const L2 = 'gid://shopify/Location/2';
const scenario = (): Scenario => ({
  locations: [
    { id: 1, name: 'Leeds' },
    { id: 2, name: 'London' },
  ],
  products: [
    ...Array.from({ length: N }, (_, i) => ({ id: 100 + i, title: `Product ${i}`, variants: [{ id: 1000 + i, sku: sku(i), inventoryItemId: 5000 + i }] })),
    // Two products share a SKU.
    { id: 900, title: 'Mug', variants: [{ id: 9000, sku: 'MUG-DUP', inventoryItemId: 9100 }] },
    { id: 901, title: 'Mug gift set', variants: [{ id: 9001, sku: 'MUG-DUP', inventoryItemId: 9101 }] },
  ],
  inventory: [
    ...Array.from({ length: N }, (_, i) => [
      { inventoryItemId: 5000 + i, locationId: 1, available: 10 },
      { inventoryItemId: 5000 + i, locationId: 2, available: 10 },
    ]).flat(),
    { inventoryItemId: 9100, locationId: 1, available: 3 },
    { inventoryItemId: 9101, locationId: 1, available: 4 },
  ],
});

let shop: SandboxStore;
let client: ShopifyClient;
let raised: RaiseException[];
let state: Map<string, unknown>;
beforeAll(async () => {
  shop = await startShopifySandbox({ seed: scenario(), bulk: { timeScale: 1000 } });
  client = createShopifyConnection({
    shopDomain: shop.shopDomain,
    endpoint: shop.url,
    auth: { kind: 'access-token', accessToken: shop.accessToken },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / shop.bulk.timeScale)),
  });
});
afterAll(() => shop.stop());
beforeEach(() => {
  raised = [];
  state = new Map();
  for (const l of shop.state.levels.values()) l.available = l.itemId.endsWith('/9100') ? 3 : l.itemId.endsWith('/9101') ? 4 : 10;
});

let run = 0;
function ctx(config: object): NodeContext<any> {
  return {
    runId: `run-${++run}`,
    flowId: 'inv',
    flowVersion: 1,
    nodeId: 'push',
    attempt: 1,
    trigger: null,
    config: inventoryPush.config.parse({ connection: 's', locations: { WH: L1, WH2: L2 }, pollSeconds: 1, ...config }),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async (k) => state.get(k) as never, set: (k, v) => void state.set(k, v) },
    connection: async () => client as never,
    exceptions: { raise: async (e: RaiseException) => (raised.push(e), { id: String(raised.length), count: 1, isNew: true }), clear: async () => false },
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}

const levelsFor = (q: (i: number, wh: string) => number) =>
  Array.from({ length: N }, (_, i) => [
    { sku: sku(i), warehouse: 'WH', quantity: q(i, 'WH') },
    { sku: sku(i), warehouse: 'WH2', quantity: q(i, 'WH2') },
  ]).flat();
const available = (i: number, loc: string) => shop.state.levels.get(`gid://shopify/InventoryItem/${5000 + i}|${loc}`)!.available;
const push = async (config: object, levels: { sku: string; warehouse: string; quantity: number }[]) =>
  (await inventoryPush.execute(ctx(config), { levels })) as InventoryPushOutput;

describe('full reconciliation by bulk operations', () => {
  it('reads every level with a bulk query, writes only the differences with a bulk mutation, and says so', async () => {
    const out = await push(
      { read: 'bulk', write: 'bulk' },
      levelsFor((i) => (i % 4 === 0 ? 10 : 20 + i)),
    );
    expect(out.path.read.kind).toBe('bulk');
    expect(out.path.write!.kind).toBe('bulk');
    expect(out.path.write!.reason).toMatch(/^write: bulk \(set in the node's config\); per call 10 points in 1 calls .* bulk \d+ objects/);
    expect(out.bulkOperations.map((b) => [b.type, b.status])).toEqual([
      ['QUERY', 'COMPLETED'],
      ['MUTATION', 'COMPLETED'],
    ]);
    expect(out.unchanged).toBe(20);
    expect(out.pushed).toHaveLength(60);
    for (let i = 0; i < N; i++) for (const loc of [L1, L2]) expect(available(i, loc)).toBe(i % 4 === 0 ? 10 : 20 + i);
    // Bulk query 10 + staged upload 10 + bulk mutation 10 + 1 a status poll; no per-level points at all.
    const polls = out.calls - 1 - 3;
    expect(out.cost).toBe(30 + polls);
    expect(out.problems).toEqual([]);
  });

  it('chooses by the cost model: per call for a few levels, bulk for a catalogue', () => {
    const budget = new PushBudget(client, 0.2);
    const model = { objectsPerSecond: 1000, overheadSeconds: 6 };
    expect(choosePath('write', budget, 10, 1, 4, model, 'auto').kind).toBe('per-call');
    // 300,000 levels: 1,200 calls of 10 points through 20 % of a Standard bucket (20 points/s) ≈ 580 s; bulk ≈ 307 s.
    const big = choosePath('write', budget, 12_000, 1200, 301_200, model, 'auto');
    expect(big).toMatchObject({ kind: 'bulk', estimate: { perCallS: 700, bulkS: 307.2 } });
    expect(big.reason).toMatch(/bulk is faster by the cost model/);
  });

  it("a CAS conflict during a bulk push (an order sells stock meanwhile) ends with Shopify's newer sale kept", async () => {
    const orig = client.request.bind(client);
    (client as any).request = async (doc: string, vars: any, o: any) => {
      // Between the push's read and its bulk write, an order sells 2 of SKU-001 at Leeds. (Selling it once the bulk
      // operation was created raced the operation's start on a slow machine: it could apply the line first.)
      if (doc === BULK_RUN_MUTATION) shop.state.levels.get(`gid://shopify/InventoryItem/5001|${L1}`)!.available -= 2;
      return orig(doc, vars, o);
    };
    try {
      const out = await push(
        { read: 'bulk', write: 'bulk', bulkLineSize: 10 },
        levelsFor(() => 25),
      );
      expect(out.conflicts).toEqual([{ sku: 'SKU-001', locationId: L1, expected: 10, found: 8, wrote: 23 }]);
      expect(available(1, L1)).toBe(23); // 25 from the ERP less the 2 Shopify sold meanwhile: the sale is not overwritten
      expect(available(2, L1)).toBe(25); // the rest of the conflicting line went through per call
      expect(out.pushed).toHaveLength(2 * N);
      expect(out.problems).toEqual([]);
    } finally {
      (client as any).request = orig;
    }
  });

  it('a bulk mutation with failing lines raises one named exception per failing line and pushes the rest', async () => {
    const levels = levelsFor(() => 12);
    present(levels[5], 'level 5').quantity = 2_000_000_000; // SKU-002 at WH2: too high for Shopify
    present(levels[30], 'level 30').quantity = 2_000_000_000; // SKU-015 at WH
    const err: any = await Promise.resolve(push({ read: 'bulk', write: 'bulk', bulkLineSize: 1 }, levels)).catch((e) => e);
    expect(err.code).toBe('INVENTORY_PROBLEMS');
    const rejected = err.details.problems.filter((p: any) => p.code === 'SHOPIFY_REJECTED');
    expect(rejected.map((p: any) => [p.sku, p.locationId, p.details.code])).toEqual([
      ['SKU-002', L2, 'INVALID_QUANTITY_TOO_HIGH'],
      ['SKU-015', L1, 'INVALID_QUANTITY_TOO_HIGH'],
    ]);
    expect(raised.map((e) => [e.type, e.data!.sku, e.data!.locationId, e.data!.code])).toEqual([
      ['inventory-push-rejected', 'SKU-002', L2, 'INVALID_QUANTITY_TOO_HIGH'],
      ['inventory-push-rejected', 'SKU-015', L1, 'INVALID_QUANTITY_TOO_HIGH'],
    ]);
    expect(raised[0]?.title).toBe('Shopify rejected stock for SKU SKU-002 at ERP warehouse "WH2" (gid://shopify/Location/2): INVALID_QUANTITY_TOO_HIGH');
    expect(raised[0]?.detail).toMatch(/bulk mutation gid:\/\/shopify\/BulkOperation\/\d+ line \d+/);
    expect(err.details.pushed).toHaveLength(2 * N - 2);
    expect(available(2, L2)).toBe(10);
    expect(available(3, L2)).toBe(12);
  });

  it('a FAILED bulk mutation falls back to the per-call path, says so, and applies nothing twice', async () => {
    shop.bulk.failNext('INTERNAL_SERVER_ERROR', 0.5);
    const before = shop.bulk.ops.size;
    const out = await push(
      { read: 'per-call', write: 'bulk', bulkLineSize: 8, budgetShare: 1 },
      levelsFor((i) => 30 + i),
    );
    expect(shop.bulk.ops.size).toBe(before + 1);
    expect(out.bulkOperations).toMatchObject([{ type: 'MUTATION', status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR' }]);
    expect(out.path.fallback).toMatch(
      /^write: bulk mutation gid:\/\/shopify\/BulkOperation\/\d+ FAILED \(INTERNAL_SERVER_ERROR\) after \d+ of 10 lines: the other \d+ line\(s\) went through inventorySetQuantities per call/,
    );
    expect(out.pushed).toHaveLength(2 * N);
    expect(out.conflicts).toEqual([]);
    for (let i = 0; i < N; i++) for (const loc of [L1, L2]) expect(available(i, loc)).toBe(30 + i);
  });

  it('names duplicate SKUs with their variants and does not push them', async () => {
    const err: any = await Promise.resolve(
      push({ read: 'bulk', write: 'bulk' }, [...levelsFor(() => 11), { sku: 'MUG-DUP', warehouse: 'WH', quantity: 50 }]),
    ).catch((e) => e);
    expect(err.code).toBe('INVENTORY_PROBLEMS');
    expect(err.details.problems).toEqual([
      expect.objectContaining({
        code: 'DUPLICATE_SKU',
        sku: 'MUG-DUP',
        message: expect.stringMatching(
          /2 Shopify variants: Mug \(gid:\/\/shopify\/ProductVariant\/9000\), Mug gift set \(gid:\/\/shopify\/ProductVariant\/9001\)/,
        ),
      }),
    ]);
    expect(shop.state.levels.get(`gid://shopify/InventoryItem/9100|${L1}`)!.available).toBe(3);
    expect(shop.state.levels.get(`gid://shopify/InventoryItem/9101|${L1}`)!.available).toBe(4);
    expect(err.details.pushed).toHaveLength(2 * N);
  });

  it("names a location by the ERP warehouses mapped to it, not by Shopify's id alone", async () => {
    const L9 = 'gid://shopify/Location/9'; // mapped, but no item is stocked there
    const err: any = await Promise.resolve(
      push({ read: 'per-call', write: 'per-call', locations: { WH: L1, 'WH-EAST': L9 } }, [
        { sku: sku(1), warehouse: 'WH', quantity: 10 },
        { sku: sku(1), warehouse: 'WH-EAST', quantity: 5 },
      ]),
    ).catch((e) => e);
    expect(err.code).toBe('INVENTORY_PROBLEMS');
    expect(err.details.problems).toEqual([
      expect.objectContaining({
        code: 'NOT_STOCKED',
        sku: 'SKU-001',
        locationId: L9,
        message: `SKU SKU-001 is not stocked at ERP warehouse "WH-EAST" (${L9}) in Shopify`,
      }),
    ]);
  });
});

describe('ERP items Shopify does not sell', () => {
  it('are an audit finding raised once, not a failure of the run', async () => {
    const levels = [...levelsFor(() => 10), { sku: 'ERP-ONLY-1', warehouse: 'WH', quantity: 4 }, { sku: 'ERP-ONLY-2', warehouse: 'WH2', quantity: 1 }];
    const first = await push({ read: 'bulk' }, levels);
    expect(first.problems).toEqual([]);
    expect(first.findings).toEqual([expect.objectContaining({ kind: 'erp-item-not-in-shopify', skus: ['ERP-ONLY-1', 'ERP-ONLY-2'], raised: true })]);
    expect(raised.map((e) => [e.type, e.owner, e.severity])).toEqual([['erp-item-not-in-shopify', 'ecommerce', 'low']]);
    const second = await push({}, levels); // the next 15-minute run: nothing new to report
    expect(second.findings[0]).toMatchObject({ raised: false, newSkus: [] });
    expect(raised).toHaveLength(1);
    const third = await push({}, [...levels, { sku: 'ERP-ONLY-3', warehouse: 'WH', quantity: 1 }]);
    expect(third.findings[0]).toMatchObject({ raised: true, newSkus: ['ERP-ONLY-3'] });
    expect(raised).toHaveLength(2);
  });
});

describe('delta push', () => {
  it('reads only the changed SKUs by bulk query and writes them per call', async () => {
    const out = await push({ scope: 'delta', read: 'bulk' }, [
      { sku: sku(3), warehouse: 'WH', quantity: 17 },
      { sku: sku(7), warehouse: 'WH2', quantity: 2 },
    ]);
    expect(out.path.read.kind).toBe('bulk');
    expect(out.path.write!.kind).toBe('per-call');
    expect(out.bulkOperations).toHaveLength(1);
    expect(out.bulkOperations[0]?.objectCount).toBe(6); // 2 items + their 4 levels
    expect(out.pushed).toEqual([
      { sku: sku(3), locationId: L1, from: 10, to: 17 },
      { sku: sku(7), locationId: L2, from: 10, to: 2 },
    ]);
  });
});
