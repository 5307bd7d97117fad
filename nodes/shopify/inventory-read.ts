// Reading Shopify's current `available` per SKU and location for the inventory push: per call (productVariants by
// SKU, 25 a call) or by bulk query (the whole catalogue rooted at locations, or the changed SKUs' items).
import { NodeError } from '../../runtime/node-api.ts';
import type { VariantsBySkuQuery } from './admin-types.generated.ts';
import type { ShopifyClient, ShopifyResponse } from './client.ts';
import { runBulkQuery, type BulkOutcome } from './bulk-client.ts';
import {
  BULK_INVENTORY_LEVELS,
  INVENTORY_LEVEL_AT,
  bulkInventoryItemsQuery,
  type BulkInventoryItemsLine,
  type BulkInventoryLevelsLine,
} from './bulk-documents.ts';
import { VARIANTS_BY_SKU } from './documents.ts';
import type { PushBudget } from './inventory-cost.ts';

export interface ShopItem {
  itemId: string;
  /** "Display name (variant GID)", to name duplicates. */
  product: string;
  levels: Map<string, number>;
}

/** Shopify's inventory items by SKU (several = a duplicate SKU). */
export type ShopCatalogue = Map<string, ShopItem[]>;

export interface BulkSummary {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: string;
  errorCode: string | null;
  objectCount: number;
  createdAt: string;
  completedAt: string | null;
  waitedMs: number;
  /** Real ms of the whole run: start, polls, download and parse. */
  realMs: number;
}

export interface Spend {
  calls: number;
  cost: number;
  bulk: BulkSummary[];
}

export const SKU_CHUNK = 25;
/** SKUs per delta bulk query (its search string stays a few kB). */
export const BULK_SKU_CHUNK = 250;
const MAX_BULK_AT_ONCE = 5;

export function summarise(o: BulkOutcome): BulkSummary {
  return {
    id: o.id,
    type: o.type,
    status: o.status,
    errorCode: o.errorCode,
    objectCount: o.objectCount,
    createdAt: o.createdAt,
    completedAt: o.completedAt,
    waitedMs: Math.round(o.waitedMs),
    realMs: Math.round(o.realMs),
  };
}

const skuSearch = (skus: string[]) => skus.map((s) => `sku:'${s.replace(/['\\]/g, '\\$&')}'`).join(' OR ');

function add(found: ShopCatalogue, sku: string, item: ShopItem): ShopItem {
  const list = found.get(sku) ?? [];
  const same = list.find((x) => x.itemId === item.itemId);
  if (same) return same;
  list.push(item);
  found.set(sku, list);
  return item;
}

/** Per call: productVariants by SKU, 25 a call (13 points a variant with 3 locations). */
export async function readPerCall(
  client: ShopifyClient,
  skus: string[],
  locationCount: number,
  budget: PushBudget,
  spend: Spend,
  signal?: AbortSignal,
): Promise<ShopCatalogue> {
  const found: ShopCatalogue = new Map();
  for (let i = 0; i < skus.length; i += SKU_CHUNK) {
    const chunk = skus.slice(i, i + SKU_CHUNK);
    const wanted = new Set(chunk);
    const query = skuSearch(chunk);
    let after: string | null = null;
    do {
      const vars = { query, first: SKU_CHUNK, after, levels: Math.min(50, Math.max(1, locationCount)) };
      await budget.take(client.estimateCost(VARIANTS_BY_SKU, vars), signal);
      const res: ShopifyResponse<VariantsBySkuQuery> = await client.request(VARIANTS_BY_SKU, vars, { signal });
      spend.calls++;
      spend.cost += res.cost.actual ?? res.cost.requested;
      const conn = res.data.productVariants;
      for (const v of conn.nodes) {
        if (!v.sku || !wanted.has(v.sku)) continue; // Shopify's search is fuzzy; keep exact matches only
        const levels = new Map<string, number>();
        for (const lv of v.inventoryItem.inventoryLevels.nodes) levels.set(lv.location.id, lv.quantities.find((q) => q.name === 'available')?.quantity ?? 0);
        add(found, v.sku, { itemId: v.inventoryItem.id, product: `${v.displayName} (${v.id})`, levels });
      }
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
  }
  return found;
}

function failed(o: BulkOutcome): NodeError {
  return new NodeError(`shopify bulk query ${o.id} ${o.status}${o.errorCode ? ` (${o.errorCode})` : ''}`, {
    code: 'BULK_QUERY_FAILED',
    errorClass: 'transient',
    details: { operation: summarise(o) },
  });
}

/** The whole catalogue in one bulk query: every level of every active location, with its item's SKU. */
export async function readBulkFull(
  client: ShopifyClient,
  skus: Set<string>,
  spend: Spend,
  opts: { pollMs: number; signal?: AbortSignal },
): Promise<ShopCatalogue> {
  const o = await runBulkQuery(client, BULK_INVENTORY_LEVELS, { pollMs: opts.pollMs, signal: opts.signal });
  spend.calls += 1 + o.polls;
  spend.cost += o.cost;
  spend.bulk.push(summarise(o));
  if (o.status !== 'COMPLETED') throw failed(o);
  const found: ShopCatalogue = new Map();
  for (const line of o.lines as BulkInventoryLevelsLine[]) {
    if (line.__parentId === undefined) continue; // a location line
    const sku = line.item.sku;
    if (!sku || !skus.has(sku)) continue;
    const item = add(found, sku, {
      itemId: line.item.id,
      product: `${line.item.variant?.displayName ?? sku} (${line.item.variant?.id ?? line.item.id})`,
      levels: new Map(),
    });
    item.levels.set(line.__parentId, line.quantities?.find((q) => q.name === 'available')?.quantity ?? 0);
  }
  return found;
}

/** The changed SKUs' items and levels: bulk queries of 250 SKUs, up to five at once (Shopify's limit per shop). */
export async function readBulkSkus(
  client: ShopifyClient,
  skus: string[],
  spend: Spend,
  opts: { pollMs: number; signal?: AbortSignal },
): Promise<ShopCatalogue> {
  const chunks: string[][] = [];
  for (let i = 0; i < skus.length; i += BULK_SKU_CHUNK) chunks.push(skus.slice(i, i + BULK_SKU_CHUNK));
  const found: ShopCatalogue = new Map();
  const byId = new Map<string, ShopItem>();
  for (let i = 0; i < chunks.length; i += MAX_BULK_AT_ONCE) {
    const outs = await Promise.all(
      chunks
        .slice(i, i + MAX_BULK_AT_ONCE)
        .map((c) => runBulkQuery(client, bulkInventoryItemsQuery(skuSearch(c)), { pollMs: opts.pollMs, signal: opts.signal })),
    );
    for (const [j, o] of outs.entries()) {
      spend.calls += 1 + o.polls;
      spend.cost += o.cost;
      spend.bulk.push(summarise(o));
      if (o.status !== 'COMPLETED') throw failed(o);
      const wanted = new Set(chunks[i + j]);
      // Without groupObjects a level may come before its item: index items first.
      const lines = o.lines as BulkInventoryItemsLine[];
      for (const line of lines) {
        if (line.__parentId !== undefined || !line.sku || !wanted.has(line.sku)) continue;
        byId.set(
          line.id,
          add(found, line.sku, { itemId: line.id, product: `${line.variant?.displayName ?? line.sku} (${line.variant?.id ?? line.id})`, levels: new Map() }),
        );
      }
      for (const line of lines) {
        if (line.__parentId === undefined) continue;
        byId.get(line.__parentId)?.levels.set(line.location.id, line.quantities?.find((q) => q.name === 'available')?.quantity ?? 0);
      }
    }
  }
  return found;
}

/** One level's current `available` (what a compare-and-set conflict re-reads); null when the item is not stocked there. */
export async function readLevel(
  client: ShopifyClient,
  itemId: string,
  locationId: string,
  budget: PushBudget,
  spend: Spend,
  signal?: AbortSignal,
): Promise<number | null> {
  await budget.take(3, signal);
  const res = await client.request(INVENTORY_LEVEL_AT, { itemId, locationId }, { signal });
  spend.calls++;
  spend.cost += res.cost.actual ?? res.cost.requested;
  const q = res.data.inventoryItem?.inventoryLevel?.quantities.find((x) => x.name === 'available');
  return q ? q.quantity : null;
}
