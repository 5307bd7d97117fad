// erp.read-stock: available quantity per SKU per warehouse, shaped for shopify.inventory-push ({ levels }).
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError } from '../../../runtime/node-api.ts';
import type { StockLevel } from '../contract.ts';
import { connectionField, erpConnection, withNode } from './util.ts';

const config = z
  .object({
    connection: connectionField,
    /** Only these warehouse codes (all when empty). */
    warehouses: z.array(z.string().min(1)).default([]),
    /** SKUs to read when the input has none (all stocked items when both are empty). */
    skus: z.array(z.string().min(1)).default([]),
    /**
     * Read only the SKUs whose stock changed since this node's last run, from the ERP's change feed (a delta push
     * between full reconciliations). The feed cursor is kept in the flow state, committed with the step.
     */
    changesOnly: z.boolean().default(false),
  })
  .strict();

const CURSOR = 'readStock.changeCursor';

export interface ReadStockOutput {
  /** changesOnly: the feed cursor this read advanced to, and the SKUs the feed named. */
  changes?: { since: string | null; cursor: string | null; skus: number; hasMore: boolean };
  /** `quantity` is `available` as a whole number (never below 0), what Shopify's available quantity takes. */
  levels: Array<StockLevel & { quantity: number }>;
  /** Requested SKUs the ERP does not know (or that are services). */
  missing: string[];
}

export const readStockNode = defineNode<z.infer<typeof config>, { skus?: string[] } | undefined, ReadStockOutput>({
  type: 'erp.read-stock',
  version: 1,
  title: 'Read ERP stock',
  category: 'erp',
  description:
    'Reads on-hand and available stock per SKU and warehouse from the ERP (available = on hand less open sales order reservations). ' +
    'SKUs come from the input { skus } or the config; with neither, every stocked item. Output { levels, missing } feeds shopify.inventory-push.',
  config,
  inputs: [{ id: 'in', dataType: '{ skus? }' }],
  outputs: [{ id: 'out', dataType: 'StockLevels' }],
  idempotent: true,
  sampleOutput: {
    levels: [
      { sku: 'IPOD2008GREEN', warehouse: 'WH', onHand: '100', available: '96', quantity: 96 },
      { sku: 'IPOD2008GREEN', warehouse: 'WH2', onHand: '20', available: '20', quantity: 20 },
    ],
    missing: [],
  },
  async execute(ctx, input) {
    const fromInput = input && typeof input === 'object' && Array.isArray(input.skus) ? input.skus.map(String) : [];
    const skus = fromInput.length ? fromInput : ctx.config.skus;
    const erp = await erpConnection(ctx, ['stockPerWarehouse']);
    if (ctx.config.changesOnly) {
      if (typeof erp.stockChanges !== 'function') {
        throw permanentError(
          `node ${ctx.nodeId}: the ${erp.kind} connection "${ctx.config.connection}" has no stock change feed; read every SKU instead (changesOnly: false)`,
          { code: 'UNSUPPORTED', details: { capability: 'stockChanges', erp: erp.kind } },
        );
      }
      const since = (await ctx.state.get<string>(CURSOR)) ?? null;
      const page = await withNode(ctx, () => erp.stockChanges!({ since, limit: 10_000 }));
      const changed = skus.length ? page.skus.filter((s) => skus.includes(s)) : page.skus;
      const rows = changed.length
        ? await withNode(ctx, () => erp.getStock({ skus: changed, warehouses: ctx.config.warehouses.length ? ctx.config.warehouses : undefined }))
        : [];
      ctx.state.set(CURSOR, page.cursor);
      const found = new Set(rows.map((r) => r.sku));
      return {
        levels: rows.map((r) => ({ ...r, quantity: Math.max(0, new Decimal(r.available).floor().toNumber()) })),
        missing: changed.filter((s) => !found.has(s)),
        changes: { since, cursor: page.cursor, skus: page.skus.length, hasMore: page.hasMore },
      };
    }
    const rows = await withNode(ctx, () =>
      erp.getStock({ skus: skus.length ? skus : undefined, warehouses: ctx.config.warehouses.length ? ctx.config.warehouses : undefined }),
    );
    const found = new Set(rows.map((r) => r.sku));
    return {
      levels: rows.map((r) => ({ ...r, quantity: Math.max(0, new Decimal(r.available).floor().toNumber()) })),
      missing: [...new Set(skus)].filter((s) => !found.has(s)),
    };
  },
});
