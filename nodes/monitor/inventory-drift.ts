// monitor.inventory-drift: ERP available less safety stock vs Shopify available, per SKU and location. A
// difference beyond the tolerance raises `inventory-drift`; back within tolerance, it auto-resolves.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, type RaiseException } from '../../runtime/node-api.ts';
import type { VariantsBySkuQuery } from '../shopify/admin-types.generated.ts';
import type { ShopifyResponse } from '../shopify/client.ts';
import { VARIANTS_BY_SKU } from '../shopify/documents.ts';
import { connectionId, erpOf, reconcile, shopOf, sinkOf, type MonitorResult } from './shared.ts';

const config = z
  .object({
    shopify: connectionId,
    erp: connectionId,
    /** ERP warehouse code -> Shopify location GID (as for shopify.inventory-push). */
    locations: z.record(z.string(), z.string().startsWith('gid://shopify/Location/')).refine((r) => Object.keys(r).length > 0, 'map at least one warehouse'),
    safetyStock: z
      .object({
        default: z.number().int().min(0).default(0),
        perLocation: z.record(z.string(), z.number().int().min(0)).default({}),
        perSku: z.record(z.string(), z.number().int().min(0)).default({}),
      })
      .default({ default: 0, perLocation: {}, perSku: {} }),
    /** Drift allowed before raising: the larger of `units` and `percent` of the expected quantity. */
    tolerance: z.object({ units: z.number().int().min(0).default(0), percent: z.number().min(0).max(100).default(0) }).default({ units: 0, percent: 0 }),
    /** Only these SKUs (default: every SKU the ERP stocks in the mapped warehouses). */
    skus: z.array(z.string().min(1)).optional(),
  })
  .strict();

const CHUNK = 25;

export const inventoryDriftMonitor = defineNode({
  type: 'monitor.inventory-drift',
  version: 1,
  title: 'Monitor: inventory drift',
  category: 'monitor',
  description:
    'Compares ERP available less safety stock with Shopify available per SKU and location; raises inventory-drift beyond the tolerance and auto-resolves when back within it. Place after a Schedule trigger.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: {
    checked: 120,
    found: 1,
    newlyRaised: 1,
    cleared: 0,
    findings: [{ sku: 'TEE-S', warehouse: 'WH', expected: 7, shopify: 12, drift: 5 }],
  } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const erp = await erpOf(ctx, c.erp);
    const shop = await shopOf(ctx, c.shopify);
    const warehouses = Object.keys(c.locations);
    const stock = await erp.getStock({ warehouses, ...(c.skus ? { skus: c.skus } : {}) });

    const skus = [...new Set(stock.map((s) => s.sku))];
    const shopLevels = new Map<string, Map<string, number>>(); // sku -> location -> available
    // Shopify's name for each location: what operations know it by (a location id alone says nothing to them).
    const locationNames = new Map<string, string>();
    const locCount = Math.min(50, new Set(Object.values(c.locations)).size);
    for (let i = 0; i < skus.length; i += CHUNK) {
      const chunk = skus.slice(i, i + CHUNK);
      let after: string | null = null;
      do {
        const res: ShopifyResponse<VariantsBySkuQuery> = await shop.request(
          VARIANTS_BY_SKU,
          { query: chunk.map((s) => `sku:'${s.replace(/['\\]/g, '\\$&')}'`).join(' OR '), first: CHUNK, after, levels: locCount },
          { signal: ctx.signal },
        );
        for (const v of res.data.productVariants.nodes) {
          if (!v.sku || !chunk.includes(v.sku)) continue; // Shopify's search is fuzzy; a variant may have no SKU
          const m = shopLevels.get(v.sku) ?? new Map<string, number>();
          for (const lv of v.inventoryItem.inventoryLevels.nodes) {
            const q = lv.quantities.find((x) => x.name === 'available')?.quantity ?? 0;
            m.set(lv.location.id, (m.get(lv.location.id) ?? 0) + q);
            if (lv.location.name) locationNames.set(lv.location.id, lv.location.name);
          }
          shopLevels.set(v.sku, m);
        }
        after = res.data.productVariants.pageInfo.hasNextPage ? res.data.productVariants.pageInfo.endCursor : null;
      } while (after);
    }

    const found: RaiseException[] = [];
    const findings: Array<Record<string, unknown>> = [];
    let checked = 0;
    let totalAbs = 0;
    for (const s of stock) {
      const locationId = c.locations[s.warehouse];
      const levels = shopLevels.get(s.sku);
      // SKUs missing in Shopify, or not stocked at the location, are the audit's business, not drift.
      if (!locationId || !levels?.has(locationId)) continue;
      checked++;
      const safety = c.safetyStock.perSku[s.sku] ?? c.safetyStock.perLocation[s.warehouse] ?? c.safetyStock.default;
      const erpAvailable = new Decimal(s.available).floor();
      const expected = Decimal.max(0, erpAvailable.minus(safety)).toNumber();
      const shopify = levels.get(locationId)!;
      const drift = shopify - expected;
      const allowed = Math.max(c.tolerance.units, Math.floor((expected * c.tolerance.percent) / 100));
      if (Math.abs(drift) <= allowed) continue;
      totalAbs += Math.abs(drift);
      const locationName = locationNames.get(locationId);
      const f = {
        sku: s.sku,
        warehouse: s.warehouse,
        locationId,
        ...(locationName ? { locationName } : {}),
        erpAvailable: erpAvailable.toString(),
        safetyStock: safety,
        expected,
        shopify,
        drift,
        allowed,
      };
      findings.push(f);
      found.push({
        type: 'inventory-drift',
        key: `${c.shopify}:${s.sku}@${s.warehouse}`,
        title: `${s.sku} at ${s.warehouse}: Shopify shows ${shopify}, ERP allows ${expected} (${drift > 0 ? '+' : ''}${drift})`,
        detail: `ERP available ${erpAvailable} less safety stock ${safety} = ${expected}; Shopify available ${shopify} at ${locationName ? `"${locationName}" (${locationId})` : locationId}; tolerance ${allowed}.`,
        severity: drift > 0 && expected === 0 ? 'high' : undefined,
        links: { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId },
        data: f,
      });
    }
    const checkedKeys = new Set(stock.map((s) => `${c.shopify}:${s.sku}@${s.warehouse}`));
    const r = await reconcile(sink, 'inventory-drift', `${c.shopify}:`, found, 'back within tolerance', (k) => checkedKeys.has(k));
    const host = ctx.monitoring;
    // One time for both: the dashboard pairs a check's SKUs and units by it (two clock reads split them into two points).
    const at = ctx.now().getTime();
    await host?.sample?.('inventory.drift.skus', found.length, { shopify: c.shopify }, at);
    await host?.sample?.('inventory.drift.units', totalAbs, { shopify: c.shopify }, at);
    return { checked, found: found.length, ...r, findings } satisfies MonitorResult;
  },
});
