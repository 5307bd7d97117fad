// shopify.inventory-push: sets Shopify `available` per SKU and location from ERP stock, less safety stock.
// Absolute quantities + changeFromQuantity + a deterministic @idempotent key make a retried step harmless.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineNode, permanentError, transientError } from '../../runtime/node-api.ts';
import { INVENTORY_SET_QUANTITIES, VARIANTS_BY_SKU } from './documents.ts';
import { asNodeError, connectionField, shopifyClient, type Problem } from './node-util.ts';

const config = z.object({
  connection: connectionField,
  /** ERP warehouse code -> Shopify location GID. */
  locations: z.record(z.string(), z.string().startsWith('gid://shopify/Location/')),
  safetyStock: z.object({
    default: z.number().int().min(0).default(0),
    perLocation: z.record(z.string(), z.number().int().min(0)).default({}),
    perSku: z.record(z.string(), z.number().int().min(0)).default({}),
  }).default({ default: 0, perLocation: {}, perSku: {} }),
  reason: z.string().default('correction'),
  batchSize: z.number().int().min(1).max(250).default(250),
  /** Throw after pushing the valid rows when any row had a problem (default), so the run shows up as an exception. */
  failOnProblems: z.boolean().default(true),
}).strict();

type Config = z.infer<typeof config>;

export interface InventoryPushInput {
  levels: { sku: string; warehouse: string; quantity: number }[];
}

export interface InventoryPushOutput {
  pushed: { sku: string; locationId: string; from: number; to: number }[];
  unchanged: number;
  problems: Problem[];
  calls: number;
  cost: number;
}

const SKU_CHUNK = 25;

interface Target {
  sku: string;
  itemId: string;
  locationId: string;
  from: number;
  to: number;
}

export const inventoryPush = defineNode<Config, InventoryPushInput, InventoryPushOutput>({
  type: 'shopify.inventory-push',
  version: 1,
  title: 'Push inventory to Shopify',
  category: 'shopify',
  description: 'Sets Shopify available quantities per SKU and location from ERP stock levels less safety stock, only where they differ, '
    + 'in batches of up to 250 with changeFromQuantity and an idempotency key. Unmapped warehouses, unknown, empty and duplicate SKUs are listed as problems.',
  config,
  inputs: [{ id: 'in', dataType: 'StockLevels' }],
  outputs: [{ id: 'out', dataType: 'InventoryPushResult' }],
  idempotent: true,
  sampleOutput: {
    pushed: [{ sku: 'TEE-S', locationId: 'gid://shopify/Location/24826418', from: 10, to: 7 }],
    unchanged: 41,
    problems: [{ code: 'UNKNOWN_SKU', sku: 'OLD-1', message: 'SKU OLD-1 is not in Shopify', path: 'levels[3].sku' }],
    calls: 3,
    cost: 1012,
  },
  async execute(ctx, input) {
    const c = ctx.config;
    if (!input || !Array.isArray(input.levels)) throw permanentError(`node ${ctx.nodeId}: input.levels must be an array`, { code: 'BAD_INPUT' });
    const client = await shopifyClient(ctx);
    const problems: Problem[] = [];
    const out: InventoryPushOutput = { pushed: [], unchanged: 0, problems, calls: 0, cost: 0 };
    const wanted = new Map<string, { sku: string; locationId: string; quantity: number; path: string }>();
    input.levels.forEach((l, i) => {
      const path = `levels[${i}]`;
      if (!l || typeof l.sku !== 'string' || !l.sku.trim()) return problems.push({ code: 'EMPTY_SKU', sku: l?.sku ?? null, message: `${path}: empty SKU`, path: `${path}.sku` });
      if (!Number.isInteger(l.quantity)) return problems.push({ code: 'BAD_QUANTITY', sku: l.sku, message: `${path}: quantity must be an integer, got ${JSON.stringify(l.quantity)}`, path: `${path}.quantity` });
      const locationId = c.locations[l.warehouse];
      if (!locationId) return problems.push({ code: 'UNMAPPED_LOCATION', sku: l.sku, warehouse: l.warehouse, message: `${path}: ERP warehouse "${l.warehouse}" has no Shopify location mapping`, path: `${path}.warehouse` });
      const key = `${l.sku}|${locationId}`;
      if (wanted.has(key)) return problems.push({ code: 'DUPLICATE_INPUT', sku: l.sku, locationId, message: `${path}: SKU ${l.sku} appears twice for location ${locationId} (also ${wanted.get(key)!.path})`, path });
      wanted.set(key, { sku: l.sku, locationId, quantity: l.quantity, path });
    });

    try {
      // Resolve SKUs to inventory items with their current available per location.
      const skus = [...new Set([...wanted.values()].map((w) => w.sku))];
      const locationCount = Math.min(50, Math.max(1, new Set(Object.values(c.locations)).size));
      const found = new Map<string, { itemId: string; product: string; levels: Map<string, number> }[]>();
      for (let i = 0; i < skus.length; i += SKU_CHUNK) {
        const chunk = skus.slice(i, i + SKU_CHUNK);
        const query = chunk.map((s) => `sku:'${s.replace(/['\\]/g, '\\$&')}'`).join(' OR ');
        let after: string | null = null;
        do {
          const res: { data: any; cost: { actual: number | null; requested: number } } = await client.request<any>(VARIANTS_BY_SKU, { query, first: SKU_CHUNK, after, levels: locationCount }, { signal: ctx.signal });
          out.calls++;
          out.cost += res.cost.actual ?? res.cost.requested;
          const conn = res.data.productVariants;
          for (const v of conn.nodes) {
            if (!v.sku || !chunk.includes(v.sku)) continue; // Shopify's search is fuzzy; keep exact matches only
            const levels = new Map<string, number>();
            for (const lv of v.inventoryItem.inventoryLevels.nodes) levels.set(lv.location.id, lv.quantities.find((q: { name: string }) => q.name === 'available')?.quantity ?? 0);
            const list = found.get(v.sku) ?? [];
            list.push({ itemId: v.inventoryItem.id, product: `${v.displayName} (${v.id})`, levels });
            found.set(v.sku, list);
          }
          after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
        } while (after);
      }

      const targets: Target[] = [];
      const reported = new Set<string>();
      for (const w of wanted.values()) {
        const items = found.get(w.sku);
        if (!items?.length) {
          if (!reported.has(w.sku)) problems.push({ code: 'UNKNOWN_SKU', sku: w.sku, message: `SKU ${w.sku} is not in Shopify`, path: `${w.path}.sku` });
          reported.add(w.sku);
          continue;
        }
        if (items.length > 1) {
          if (!reported.has(w.sku)) problems.push({ code: 'DUPLICATE_SKU', sku: w.sku, message: `SKU ${w.sku} is used by ${items.length} Shopify variants: ${items.map((x) => x.product).join(', ')}`, details: { variants: items.map((x) => x.product) } });
          reported.add(w.sku);
          continue;
        }
        const item = items[0];
        const current = item.levels.get(w.locationId);
        if (current === undefined) {
          problems.push({ code: 'NOT_STOCKED', sku: w.sku, locationId: w.locationId, message: `SKU ${w.sku} is not stocked at ${w.locationId}`, path: w.path });
          continue;
        }
        const safety = c.safetyStock.perSku[w.sku] ?? c.safetyStock.perLocation[w.locationId] ?? c.safetyStock.default;
        const to = Math.max(0, w.quantity - safety);
        if (to === current) out.unchanged++;
        else targets.push({ sku: w.sku, itemId: item.itemId, locationId: w.locationId, from: current, to });
      }

      for (let i = 0; i < targets.length; i += c.batchSize) {
        const batch = targets.slice(i, i + c.batchSize);
        const quantities = batch.map((t) => ({ inventoryItemId: t.itemId, locationId: t.locationId, quantity: t.to, changeFromQuantity: t.from }));
        // Same run + node + content => same key, so a retry after an ambiguous failure cannot apply twice.
        const idempotencyKey = createHash('sha256').update(`${ctx.runId}|${ctx.nodeId}|${JSON.stringify(quantities)}`).digest('hex').slice(0, 40);
        const res = await client.request<any>(INVENTORY_SET_QUANTITIES, {
          idempotencyKey,
          input: { name: 'available', reason: c.reason, referenceDocumentUri: `gid://ledgerline/Run/${ctx.runId}`, quantities },
        }, { signal: ctx.signal });
        out.calls++;
        out.cost += res.cost.actual ?? res.cost.requested;
        const errors: { code: string; field: string[] | null; message: string }[] = res.data.inventorySetQuantities.userErrors;
        if (errors.some((e) => e.code === 'CHANGE_FROM_QUANTITY_STALE')) {
          throw transientError(`node ${ctx.nodeId}: Shopify quantities changed while pushing (CHANGE_FROM_QUANTITY_STALE); retry re-reads them`, { code: 'CHANGE_FROM_QUANTITY_STALE', details: { errors } });
        }
        if (errors.length) {
          for (const e of errors) {
            const idx = e.field?.[2] !== undefined ? Number(e.field[2]) : NaN;
            const t = Number.isInteger(idx) ? batch[idx] : undefined;
            problems.push({ code: 'SHOPIFY_REJECTED', sku: t?.sku ?? null, locationId: t?.locationId, message: `${e.code}: ${e.message}`, details: { field: e.field } });
          }
          continue;
        }
        out.pushed.push(...batch.map((t) => ({ sku: t.sku, locationId: t.locationId, from: t.from, to: t.to })));
      }
    } catch (err) {
      asNodeError(ctx, err);
    }
    if (problems.length && c.failOnProblems) {
      throw permanentError(`node ${ctx.nodeId}: ${problems.length} inventory problem(s): ${problems.slice(0, 5).map((p) => p.message).join('; ')}`, {
        code: 'INVENTORY_PROBLEMS',
        details: { ...out },
      });
    }
    return out;
  },
});
