// Inventory push of N variants × L locations through shopify.inventory-push against the sandbox store, from a full
// bucket: wall time against the least time Shopify's cost budget allows, (cost charged − initial bucket) ÷ restore rate.
//
//   node --no-node-snapshot --import tsx bench/shopify-inventory.ts [variants=100000] [plan=standard] [locations=3] [--json FILE]
//
// Every level is changed, so every pair is read (productVariants by SKU, 25 per call) and written
// (inventorySetQuantities, 250 per call). "Failed calls" = requests the store answered THROTTLED, 429 or 5xx.
import { writeFileSync } from 'node:fs';
import type { NodeContext } from '../runtime/node-api.ts';
import { createShopifyConnection } from '../nodes/shopify/client.ts';
import { inventoryPush, type InventoryPushOutput } from '../nodes/shopify/inventory-push.ts';
import { PLANS, startShopifySandbox, type SandboxPlan } from '../nodes/shopify/sandbox/server.ts';
import type { Scenario } from '../nodes/shopify/sandbox/state.ts';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const variants = Number(args[0] ?? 100_000);
const plan = (args[1] ?? 'standard') as SandboxPlan;
const locationCount = Number(args[2] ?? 3);
if (!PLANS[plan] || !Number.isInteger(variants) || variants < 1 || !Number.isInteger(locationCount) || locationCount < 1) {
  console.error('usage: bench/shopify-inventory.ts [variants] [standard|advanced|plus] [locations] [--json FILE]');
  process.exit(2);
}

const sku = (i: number) => `BENCH-${String(i).padStart(6, '0')}`;
const locations = Array.from({ length: locationCount }, (_, i) => ({ id: 70_000 + i, name: `Warehouse ${i + 1}` }));
const scenario: Scenario = {
  shop: { name: 'Bench shop', currency: 'GBP' },
  locations,
  products: Array.from({ length: variants }, (_, i) => ({
    id: 1_000_000 + i, title: `Bench product ${i}`,
    variants: [{ id: 2_000_000 + i, sku: sku(i), price: '10.00', inventoryItemId: 3_000_000 + i }],
  })),
  inventory: Array.from({ length: variants }, (_, i) => locations.map((l) => ({ inventoryItemId: 3_000_000 + i, locationId: l.id, available: 10 }))).flat(),
};

const shop = await startShopifySandbox({ plan, seed: scenario });
const client = createShopifyConnection({ shopDomain: shop.shopDomain, endpoint: shop.url, auth: { kind: 'access-token', accessToken: shop.accessToken }, plan: PLANS[plan] });
const warehouses = Object.fromEntries(locations.map((l, i) => [`WH${i + 1}`, `gid://shopify/Location/${l.id}`]));
const levels = Array.from({ length: variants }, (_, i) => locations.map((_, j) => ({ sku: sku(i), warehouse: `WH${j + 1}`, quantity: 11 + ((i + j) % 40) }))).flat();
const state = new Map<string, unknown>();
const ctx: NodeContext<any> = {
  runId: 'bench', flowId: 'bench', flowVersion: 1, nodeId: 'push', attempt: 1, trigger: null,
  config: inventoryPush.config.parse({ connection: 'bench', locations: warehouses }),
  log: { debug() {}, info() {}, warn() {}, error() {} },
  sandbox: undefined as never,
  state: { get: (k) => state.get(k) as never, set: (k, v) => void state.set(k, v) },
  connection: async () => client as never,
  service: () => undefined,
  signal: new AbortController().signal,
  now: () => new Date(),
};

const initial = shop.bucket();
const costBefore = shop.stats.costCharged;
const t0 = performance.now();
let progress: NodeJS.Timeout | undefined;
if (process.stderr.isTTY || process.env.BENCH_PROGRESS) {
  progress = setInterval(() => console.error(`${((performance.now() - t0) / 1000).toFixed(0)} s: ${shop.stats.requests} requests, ${shop.stats.costCharged} points`), 60_000);
}
const out = (await inventoryPush.execute(ctx, { levels })) as InventoryPushOutput;
const wallS = (performance.now() - t0) / 1000;
clearInterval(progress);
const cost = shop.stats.costCharged - costBefore;
const minimumS = Math.max(0, cost - initial.currentlyAvailable) / initial.restoreRate;
const result = {
  date: new Date().toISOString(), plan, variants, locations: locationCount, pairs: levels.length,
  pushed: out.pushed.length, unchanged: out.unchanged, problems: out.problems.length,
  calls: out.calls, costCharged: cost, initialBucket: initial.currentlyAvailable, restoreRate: initial.restoreRate,
  wallS: Number(wallS.toFixed(1)), minimumS: Number(minimumS.toFixed(1)), ratio: minimumS > 0 ? Number((wallS / minimumS).toFixed(4)) : null,
  failedCalls: shop.stats.throttled + shop.stats.failedInjected, clientRetries: client.stats.retries,
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
};
console.log(JSON.stringify(result, null, 2));
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
await shop.stop();
if (out.pushed.length !== levels.length || result.failedCalls) process.exitCode = 1;
