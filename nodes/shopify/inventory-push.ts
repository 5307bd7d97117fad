// shopify.inventory-push: sets Shopify `available` per SKU and location from ERP stock, less safety stock, writing only
// what differs. Reads and writes each take the faster path by the cost model (inventory-cost.ts): per-call GraphQL
// from the push's share of the cost bucket, or a bulk operation, which costs ~20 points however large it is. The
// output says which path was taken and why. Absolute quantities + changeFromQuantity + deterministic @idempotent
// keys make a retried step harmless; a compare-and-set conflict keeps Shopify's newer sale (inventory-write.ts).
//
// `scope: "full"` reconciles the whole catalogue (a bulk read of every level when large); `scope: "delta"` pushes the
// SKUs of the input only (from the ERP's change feed: erp.stock-changes → erp.read-stock).
// ERP SKUs Shopify does not sell are an audit finding, raised once when the set grows, not a failure of the run.
import { z } from 'zod';
import { defineNode, permanentError } from '../../runtime/node-api.ts';
import { VARIANTS_BY_SKU } from './documents.ts';
import { PushBudget, choosePath, type PathChoice } from './inventory-cost.ts';
import { SKU_CHUNK, readBulkFull, readBulkSkus, readPerCall, type BulkSummary, type ShopCatalogue, type Spend } from './inventory-read.ts';
import { writeBulk, writePerCall, type Conflict, type Rejection, type Target, type WriteResult } from './inventory-write.ts';
import { asNodeError, connectionField, shopifyClient, type Problem } from './node-util.ts';

const config = z
  .object({
    connection: connectionField,
    /** ERP warehouse code -> Shopify location GID. */
    locations: z.record(z.string(), z.string().startsWith('gid://shopify/Location/')),
    safetyStock: z
      .object({
        default: z.number().int().min(0).default(0),
        perLocation: z.record(z.string(), z.number().int().min(0)).default({}),
        perSku: z.record(z.string(), z.number().int().min(0)).default({}),
      })
      .default({ default: 0, perLocation: {}, perSku: {} }),
    reason: z.string().default('correction'),
    batchSize: z.number().int().min(1).max(250).default(250),
    /** full: the input is the whole ERP catalogue; delta: only the SKUs that changed (the change feed). */
    scope: z.enum(['full', 'delta']).default('full'),
    /** auto = by the cost model; bulk / per-call force a path. */
    read: z.enum(['auto', 'bulk', 'per-call']).default('auto'),
    write: z.enum(['auto', 'bulk', 'per-call']).default('auto'),
    /** Share of the shop's cost bucket (size and restore rate) the push may use; the rest stays for orders. */
    budgetShare: z.number().min(0.01).max(1).default(0.2),
    /** Quantities per bulk mutation line (≤ 250, Shopify's input array limit). */
    bulkLineSize: z.number().int().min(1).max(250).default(250),
    /** The model the choice uses: objects Shopify processes per second in bulk, and fixed seconds per operation. */
    bulkModel: z
      .object({
        objectsPerSecond: z.number().positive().default(1000),
        overheadSeconds: z.number().min(0).default(4),
      })
      .default({ objectsPerSecond: 1000, overheadSeconds: 4 }),
    /** Seconds between bulk status polls (1 point each). */
    pollSeconds: z.number().positive().default(2),
    /** Re-reads of a level that keeps changing under the push before it is given up (named). */
    conflictRetries: z.number().int().min(0).max(10).default(3),
    /** Throw after pushing the valid rows when any row had a problem (default), so the run shows up as an exception. */
    failOnProblems: z.boolean().default(true),
  })
  .strict();

type Config = z.infer<typeof config>;

export interface InventoryPushInput {
  levels: { sku: string; warehouse: string; quantity: number }[];
}

export interface Finding {
  kind: 'erp-item-not-in-shopify';
  skus: string[];
  /** SKUs not in the finding already reported by this flow: the finding is raised (again) only when there are some. */
  newSkus: string[];
  raised: boolean;
  message: string;
}

export interface InventoryPushOutput {
  pushed: { sku: string; locationId: string; from: number; to: number }[];
  unchanged: number;
  problems: Problem[];
  findings: Finding[];
  conflicts: Conflict[];
  /** Which path each phase took and why (with the cost model's figures), and any fallback. */
  path: { read: PathChoice; write: PathChoice | null; fallback?: string };
  bulkOperations: BulkSummary[];
  calls: number;
  cost: number;
}

const FINDING_STATE = 'inventoryPush.notInShopify';

export const inventoryPush = defineNode<Config, InventoryPushInput, InventoryPushOutput>({
  type: 'shopify.inventory-push',
  version: 1,
  title: 'Push inventory to Shopify',
  category: 'shopify',
  description:
    'Sets Shopify available quantities per SKU and location from ERP stock levels less safety stock, only where they differ. ' +
    'Reads current levels and writes the differences per call or by bulk operation, whichever the cost model says is faster, ' +
    "from a configured share of the cost bucket; compare-and-set conflicts keep Shopify's newer sales. Unmapped warehouses, " +
    'duplicate SKUs and rejected lines are named problems; ERP SKUs Shopify does not sell are an audit finding, not a failure.',
  config,
  inputs: [{ id: 'in', dataType: 'StockLevels' }],
  outputs: [{ id: 'out', dataType: 'InventoryPushResult' }],
  idempotent: true,
  sampleOutput: {
    pushed: [{ sku: 'TEE-S', locationId: 'gid://shopify/Location/24826418', from: 10, to: 7 }],
    unchanged: 41,
    problems: [{ code: 'DUPLICATE_SKU', sku: 'MUG-SAGE', message: 'SKU MUG-SAGE is used by 2 Shopify variants: …' }],
    findings: [{ kind: 'erp-item-not-in-shopify', skus: ['OLD-1'], newSkus: ['OLD-1'], raised: true, message: '1 ERP SKU(s) are not sold in Shopify: OLD-1' }],
    conflicts: [{ sku: 'TEE-M', locationId: 'gid://shopify/Location/24826418', expected: 8, found: 7, wrote: 11 }],
    path: {
      read: {
        kind: 'per-call',
        reason: 'read: per-call is faster by the cost model (…)',
        estimate: { bulkS: 4.1, perCallS: 0.2, perCallPoints: 327, bulkObjects: 100 },
      },
      write: {
        kind: 'per-call',
        reason: 'write: per-call is faster by the cost model (…)',
        estimate: { bulkS: 4, perCallS: 0.1, perCallPoints: 10, bulkObjects: 2 },
      },
    },
    bulkOperations: [],
    calls: 3,
    cost: 347,
  },
  async execute(ctx, input) {
    const c = ctx.config;
    if (!input || !Array.isArray(input.levels)) throw permanentError(`node ${ctx.nodeId}: input.levels must be an array`, { code: 'BAD_INPUT' });
    const client = await shopifyClient(ctx);
    const budget = new PushBudget(client, c.budgetShare);
    const spend: Spend = { calls: 0, cost: 0, bulk: [] };
    const problems: Problem[] = [];
    const wanted = new Map<string, { sku: string; locationId: string; quantity: number; path: string }>();
    // Operations know their warehouses by the ERP's codes, not by Shopify's location ids.
    const place = (locationId: string) => {
      const codes = Object.keys(c.locations).filter((w) => c.locations[w] === locationId);
      return codes.length ? `ERP warehouse ${codes.map((w) => `"${w}"`).join(' / ')} (${locationId})` : locationId;
    };
    input.levels.forEach((l, i) => {
      const path = `levels[${i}]`;
      if (!l || typeof l.sku !== 'string' || !l.sku.trim()) {
        problems.push({ code: 'EMPTY_SKU', sku: l?.sku ?? null, message: `${path}: empty SKU`, path: `${path}.sku` });
        return;
      }
      if (!Number.isInteger(l.quantity)) {
        problems.push({
          code: 'BAD_QUANTITY',
          sku: l.sku,
          message: `${path}: quantity must be an integer, got ${JSON.stringify(l.quantity)}`,
          path: `${path}.quantity`,
        });
        return;
      }
      const locationId = c.locations[l.warehouse];
      if (!locationId) {
        problems.push({
          code: 'UNMAPPED_LOCATION',
          sku: l.sku,
          warehouse: l.warehouse,
          message: `${path}: ERP warehouse "${l.warehouse}" has no Shopify location mapping`,
          path: `${path}.warehouse`,
        });
        return;
      }
      const key = `${l.sku}|${locationId}`;
      if (wanted.has(key)) {
        problems.push({
          code: 'DUPLICATE_INPUT',
          sku: l.sku,
          locationId,
          message: `${path}: SKU ${l.sku} appears twice for ${place(locationId)} (also ${wanted.get(key)!.path})`,
          path,
        });
        return;
      }
      wanted.set(key, { sku: l.sku, locationId, quantity: l.quantity, path });
    });

    const out: InventoryPushOutput = {
      pushed: [],
      unchanged: 0,
      problems,
      findings: [],
      conflicts: [],
      path: { read: null as unknown as PathChoice, write: null },
      bulkOperations: spend.bulk,
      calls: 0,
      cost: 0,
    };
    const model = { objectsPerSecond: c.bulkModel.objectsPerSecond, overheadSeconds: c.bulkModel.overheadSeconds + c.pollSeconds };
    const pollMs = c.pollSeconds * 1000;
    const notInShopify: string[] = [];
    let rejections: Rejection[] = [];
    try {
      const skus = [...new Set([...wanted.values()].map((w) => w.sku))];
      const locationCount = new Set(Object.values(c.locations)).size;
      // Per call: ⌈SKUs/25⌉ productVariants reads; bulk: one line per level (+ one per item or location).
      const readCost = skus.length
        ? Math.ceil(skus.length / SKU_CHUNK) *
          client.estimateCost(VARIANTS_BY_SKU, { query: 'x', first: SKU_CHUNK, levels: Math.min(50, Math.max(1, locationCount)) })
        : 0;
      const bulkObjects = c.scope === 'full' ? skus.length * locationCount + locationCount : skus.length * (1 + locationCount);
      out.path.read = choosePath('read', budget, readCost, Math.ceil(skus.length / SKU_CHUNK), bulkObjects, model, c.read);
      let found: ShopCatalogue;
      if (!skus.length) found = new Map();
      else if (out.path.read.kind === 'per-call') found = await readPerCall(client, skus, locationCount, budget, spend, ctx.signal);
      else {
        try {
          found =
            c.scope === 'full'
              ? await readBulkFull(client, new Set(skus), spend, { pollMs, signal: ctx.signal })
              : await readBulkSkus(client, skus, spend, { pollMs, signal: ctx.signal });
        } catch (err) {
          if ((err as { code?: string }).code !== 'BULK_QUERY_FAILED') throw err;
          out.path.fallback = `read: ${(err as Error).message}; read per call instead`;
          found = await readPerCall(client, skus, locationCount, budget, spend, ctx.signal);
        }
      }

      const targets: Target[] = [];
      const reported = new Set<string>();
      for (const w of wanted.values()) {
        const items = found.get(w.sku);
        const item = items?.[0];
        if (!items || !item) {
          if (!reported.has(w.sku)) notInShopify.push(w.sku);
          reported.add(w.sku);
          continue;
        }
        if (items.length > 1) {
          if (!reported.has(w.sku))
            problems.push({
              code: 'DUPLICATE_SKU',
              sku: w.sku,
              message: `SKU ${w.sku} is used by ${items.length} Shopify variants: ${items.map((x) => x.product).join(', ')}`,
              details: { variants: items.map((x) => x.product) },
            });
          reported.add(w.sku);
          continue;
        }
        const current = item.levels.get(w.locationId);
        if (current === undefined) {
          problems.push({
            code: 'NOT_STOCKED',
            sku: w.sku,
            locationId: w.locationId,
            message: `SKU ${w.sku} is not stocked at ${place(w.locationId)} in Shopify`,
            path: w.path,
          });
          continue;
        }
        const safety = c.safetyStock.perSku[w.sku] ?? c.safetyStock.perLocation[w.locationId] ?? c.safetyStock.default;
        const to = Math.max(0, w.quantity - safety);
        if (to === current) out.unchanged++;
        else targets.push({ sku: w.sku, itemId: item.itemId, locationId: w.locationId, from: current, to });
      }

      if (targets.length) {
        const calls = Math.ceil(targets.length / c.batchSize);
        out.path.write = choosePath('write', budget, calls * 10, calls, targets.length + Math.ceil(targets.length / c.bulkLineSize), model, c.write);
        const result: WriteResult = { pushed: [], conflicts: out.conflicts, rejections: [] };
        const w = {
          client,
          budget,
          spend,
          reason: c.reason,
          referenceDocumentUri: `gid://ledgerline/Run/${ctx.runId}`,
          keySeed: `${ctx.runId}|${ctx.nodeId}`,
          batchSize: c.batchSize,
          conflictRetries: c.conflictRetries,
          signal: ctx.signal,
        };
        if (out.path.write.kind === 'bulk') await writeBulk(w, targets, c.bulkLineSize, pollMs, result);
        else await writePerCall(w, targets, result);
        if (result.fallback) out.path.fallback = [out.path.fallback, `write: ${result.fallback}`].filter(Boolean).join('; ');
        // A conflict's rebased write replaces the first plan's from/to.
        out.pushed = result.pushed.map((t) => ({ sku: t.sku, locationId: t.locationId, from: t.from, to: t.to }));
        rejections = result.rejections;
      }
    } catch (err) {
      asNodeError(ctx, err);
    } finally {
      out.calls = spend.calls;
      out.cost = spend.cost;
    }

    const sink = ctx.exceptions;
    for (const r of rejections) {
      const where =
        r.entries.length > 1 ? r.entries.map((e) => `${e.sku} at ${place(e.locationId)}: ${e.code} ${e.message}`).join('; ') : `${r.code}: ${r.message}`;
      problems.push({
        code: 'SHOPIFY_REJECTED',
        sku: r.sku,
        locationId: r.locationId,
        message: `Shopify rejected SKU ${r.sku} at ${place(r.locationId)} (${r.via}): ${where}`,
        details: { code: r.code, via: r.via, entries: r.entries },
      });
      await sink?.raise({
        type: 'inventory-push-rejected',
        key: `inventory-push-rejected:${ctx.flowId}:${r.sku}@${r.locationId}`,
        severity: 'medium',
        owner: 'operations',
        title: `Shopify rejected stock for SKU ${r.sku} at ${place(r.locationId)}: ${r.code}`,
        detail: `${r.via}: ${where}`,
        links: { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId, shopify: r.locationId },
        data: { sku: r.sku, locationId: r.locationId, code: r.code, message: r.message, via: r.via, entries: r.entries },
      });
    }

    if (notInShopify.length) {
      const before = new Set((await ctx.state.get<string[]>(FINDING_STATE)) ?? []);
      const newSkus = notInShopify.filter((s) => !before.has(s));
      const sample = notInShopify.slice(0, 20).join(', ') + (notInShopify.length > 20 ? ` and ${notInShopify.length - 20} more` : '');
      const finding: Finding = {
        kind: 'erp-item-not-in-shopify',
        skus: notInShopify,
        newSkus,
        raised: false,
        message: `${notInShopify.length} ERP SKU(s) are not sold in Shopify${c.scope === 'full' && out.path.read.kind === 'bulk' ? ' (no inventory level at any active location)' : ''}: ${sample}`,
      };
      if (newSkus.length) {
        await sink?.raise({
          type: 'erp-item-not-in-shopify',
          key: `erp-item-not-in-shopify:${ctx.flowId}:${ctx.nodeId}`,
          severity: 'low',
          owner: 'ecommerce',
          title: `${notInShopify.length} ERP item(s) are not sold in Shopify`,
          detail: `${finding.message}. Their stock is not pushed; list them in Shopify or stop reading them from the ERP.`,
          links: { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId },
          data: { skus: notInShopify, newSkus },
        });
        finding.raised = true;
        ctx.state.set(FINDING_STATE, [...new Set([...before, ...notInShopify])].sort());
      }
      out.findings.push(finding);
      ctx.log.info({ skus: notInShopify.length, new: newSkus.length }, 'ERP SKUs not sold in Shopify (audit finding, not a failure)');
    }
    ctx.log.info(
      { read: out.path.read?.reason, write: out.path.write?.reason, fallback: out.path.fallback, pushed: out.pushed.length, conflicts: out.conflicts.length },
      'inventory push paths',
    );

    if (problems.length && c.failOnProblems) {
      throw permanentError(
        `node ${ctx.nodeId}: ${problems.length} inventory problem(s): ${problems
          .slice(0, 5)
          .map((p) => p.message)
          .join('; ')}`,
        {
          code: 'INVENTORY_PROBLEMS',
          details: { ...out },
        },
      );
    }
    return out;
  },
});
