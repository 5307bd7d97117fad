// Inventory push of N variants × L locations through shopify.inventory-push against the sandbox store, on the
// store's modelled bulk-operation clock: a full reconciliation (every level differs), then a delta push of D changed
// levels (D different SKUs, one location each: the most reads per level).
//
//   node --no-node-snapshot --import tsx bench/shopify-inventory.ts [variants=100000] [plan=standard] [locations=3] [delta=1000] [--json FILE]
//
// Modelled wall time = Σ bulk operations' modelled durations (Shopify's createdAt → completedAt under the store's
// rate model, sandbox/bulk.ts BULK_RATES) + half a poll interval each (when the client notices) + everything else in
// real time (per-call requests at the real bucket rate, the client's diffing, JSONL upload and download). The
// sandbox's own CPU time to execute a bulk operation is not Shopify's and is left out.
// Bucket share left = the lowest level of the shop's bucket sampled every 50 ms during the push ÷ its size.
// The old per-call path (productVariants by SKU 25 a call + inventorySetQuantities 250 a call, the whole bucket) is
// costed in the same run with the client's cost calculator on the same documents: (points − bucket) ÷ restore rate,
// which bench/README.md measured at 1.00–1.03× of real wall time.
import { writeFileSync } from 'node:fs';
import type { NodeContext } from '../runtime/node-api.ts';
import { createShopifyConnection } from '../nodes/shopify/client.ts';
import { VARIANTS_BY_SKU } from '../nodes/shopify/documents.ts';
import { inventoryPush, type InventoryPushOutput } from '../nodes/shopify/inventory-push.ts';
import { BULK_RATES } from '../nodes/shopify/sandbox/bulk.ts';
import { PLANS, startShopifySandbox, type SandboxPlan } from '../nodes/shopify/sandbox/server.ts';
import type { Scenario } from '../nodes/shopify/sandbox/state.ts';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const variants = Number(args[0] ?? 100_000);
const plan = (args[1] ?? 'standard') as SandboxPlan;
const locationCount = Number(args[2] ?? 3);
const deltaLevels = Number(args[3] ?? 1000);
if (!PLANS[plan] || !Number.isInteger(variants) || variants < 1 || !Number.isInteger(locationCount) || locationCount < 1 || !(deltaLevels >= 0)) {
  console.error('usage: bench/shopify-inventory.ts [variants] [standard|advanced|plus] [locations] [delta] [--json FILE]');
  process.exit(2);
}
// Modelled seconds per real second for bulk operations: long enough that the sandbox's own work fits inside.
const TIME_SCALE = 50;
const POLL_SECONDS = 5;

const sku = (i: number) => `BENCH-${String(i).padStart(6, '0')}`;
const locations = Array.from({ length: locationCount }, (_, i) => ({ id: 70_000 + i, name: `Warehouse ${i + 1}` }));
const scenario: Scenario = {
  shop: { name: 'Bench shop', currency: 'GBP' },
  locations,
  products: Array.from({ length: variants }, (_, i) => ({
    id: 1_000_000 + i,
    title: `Bench product ${i}`,
    variants: [{ id: 2_000_000 + i, sku: sku(i), price: '10.00', inventoryItemId: 3_000_000 + i }],
  })),
  inventory: Array.from({ length: variants }, (_, i) => locations.map((l) => ({ inventoryItemId: 3_000_000 + i, locationId: l.id, available: 10 }))).flat(),
};

const shop = await startShopifySandbox({ plan, seed: scenario, bulk: { timeScale: TIME_SCALE } });
const client = createShopifyConnection({
  shopDomain: shop.shopDomain,
  endpoint: shop.url,
  auth: { kind: 'access-token', accessToken: shop.accessToken },
  plan: PLANS[plan],
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms / shop.bulk.timeScale);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    }),
});
const warehouses = Object.fromEntries(locations.map((l, i) => [`WH${i + 1}`, `gid://shopify/Location/${l.id}`]));
const rates = BULK_RATES[plan];
const config = (scope: 'full' | 'delta') =>
  inventoryPush.config.parse({
    connection: 'bench',
    locations: warehouses,
    scope,
    pollSeconds: POLL_SECONDS,
    bulkModel: { objectsPerSecond: rates.queryObjectsPerSecond, overheadSeconds: rates.startupSeconds },
  });
const state = new Map<string, unknown>();
const ctx = (scope: 'full' | 'delta'): NodeContext<any> => ({
  runId: `bench-${scope}`,
  flowId: 'bench',
  flowVersion: 1,
  nodeId: 'push',
  attempt: 1,
  trigger: null,
  config: config(scope),
  log: { debug() {}, info() {}, warn() {}, error() {} },
  sandbox: undefined as never,
  state: { get: async (k) => state.get(k) as never, set: (k, v) => void state.set(k, v) },
  connection: async () => client as never,
  signal: new AbortController().signal,
  now: () => new Date(),
});

async function measure(scope: 'full' | 'delta', levels: { sku: string; warehouse: string; quantity: number }[]) {
  const max = shop.bucket().maximumAvailable;
  let minAvailable = shop.bucket().currentlyAvailable;
  const sampler = setInterval(() => (minAvailable = Math.min(minAvailable, shop.bucket().currentlyAvailable)), 50);
  const costBefore = shop.stats.costCharged;
  const t0 = performance.now();
  const out = (await inventoryPush.execute(ctx(scope), { levels })) as InventoryPushOutput;
  const realS = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  minAvailable = Math.min(minAvailable, shop.bucket().currentlyAvailable);
  // Shopify's timestamps have whole seconds: take the store's own modelled ms for the same operations.
  const dur = (b: { id: string }) => {
    const op = shop.bulk.ops.get(b.id)!;
    return (op.completedAtMs! - op.createdAtMs) / 1000;
  };
  const bulkModelledS = out.bulkOperations.reduce((a, b) => a + dur(b) + POLL_SECONDS / 2, 0);
  const bulkRealS = out.bulkOperations.reduce((a, b) => a + b.realMs / 1000, 0);
  // Concurrent bulk reads (delta: up to five at once) overlap in time: count the longest of each wave, not the sum.
  const overlap = scope === 'delta' && out.bulkOperations.filter((b) => b.type === 'QUERY').length > 1;
  const queries = out.bulkOperations.filter((b) => b.type === 'QUERY');
  const others = out.bulkOperations.filter((b) => b.type !== 'QUERY');
  const span = (list: typeof out.bulkOperations) => list.reduce((a, b) => a + dur(b) + POLL_SECONDS / 2, 0);
  const modelledBulkS = overlap ? Math.max(...queries.map((b) => dur(b) + POLL_SECONDS / 2)) * Math.ceil(queries.length / 5) + span(others) : bulkModelledS;
  const realBulkS = overlap
    ? Math.max(...queries.map((b) => b.realMs / 1000)) * Math.ceil(queries.length / 5) + others.reduce((a, b) => a + b.realMs / 1000, 0)
    : bulkRealS;
  const modelledS = Math.max(0, realS - realBulkS) + modelledBulkS;
  return {
    scope,
    levels: levels.length,
    pushed: out.pushed.length,
    unchanged: out.unchanged,
    problems: out.problems.length,
    conflicts: out.conflicts.length,
    read: out.path.read.reason,
    write: out.path.write?.reason ?? null,
    fallback: out.path.fallback ?? null,
    bulkOperations: out.bulkOperations.map((b) => ({ type: b.type, status: b.status, objects: b.objectCount, modelledS: dur(b), realS: b.realMs / 1000 })),
    calls: out.calls,
    pointsCharged: shop.stats.costCharged - costBefore,
    modelledS: Number(modelledS.toFixed(1)),
    realS: Number(realS.toFixed(1)),
    bucketShareLeftMin: Number((minAvailable / max).toFixed(3)),
  };
}

// The old per-call path's cost for the same full push, by the same cost calculator.
const readCall = client.estimateCost(VARIANTS_BY_SKU, { query: 'x', first: 25, levels: locationCount });
const oldPoints = Math.ceil(variants / 25) * readCall + Math.ceil((variants * locationCount) / 250) * 10;
const oldS = Math.max(0, oldPoints - PLANS[plan].maximumAvailable) / PLANS[plan].restoreRate;

const full = await measure(
  'full',
  Array.from({ length: variants }, (_, i) => locations.map((_, j) => ({ sku: sku(i), warehouse: `WH${j + 1}`, quantity: 11 + ((i + j) % 40) }))).flat(),
);
const step = Math.max(1, Math.floor(variants / Math.max(1, deltaLevels)));
const delta = deltaLevels
  ? await measure(
      'delta',
      Array.from({ length: Math.min(deltaLevels, variants) }, (_, k) => ({
        sku: sku(k * step),
        warehouse: `WH${(k % locationCount) + 1}`,
        quantity: 5 + (k % 7),
      })),
    )
  : null;

const result = {
  date: new Date().toISOString(),
  plan,
  variants,
  locations: locationCount,
  bucket: PLANS[plan],
  bulkRateModel: rates,
  timeScale: TIME_SCALE,
  pollSeconds: POLL_SECONDS,
  full,
  delta,
  oldPerCall: { points: oldPoints, modelledS: Number(oldS.toFixed(1)), bucketShareLeft: 0 },
  ratioToOld: Number((full.modelledS / oldS).toFixed(4)),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
};
console.log(JSON.stringify(result, null, 2));
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
await shop.stop();
if (full.pushed !== variants * locationCount || full.problems || delta?.problems) process.exitCode = 1;
