// shopify.catalog-audit: lists the catalogue problems that break ERP sync: SKUs shared by several inventory items
// (Shopify allows it; stock and orders then cannot be matched by SKU), variants without a SKU, untracked items.
import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';
import { CATALOG_AUDIT } from './documents.ts';
import { asNodeError, connectionField, shopifyClient } from './node-util.ts';

const config = z.object({
  connection: connectionField,
  /** Inventory items per request (≤ 250; 2 points each). */
  pageSize: z.number().int().min(1).max(250).default(250),
  /** Untracked items are often deliberate (gift cards, services); list them anyway unless turned off. */
  listUntracked: z.boolean().default(true),
}).strict();

export interface AuditItem {
  sku: string | null;
  variantId: string;
  inventoryItemId: string;
  displayName: string;
}

export interface CatalogAuditOutput {
  /** One entry per SKU that more than one inventory item uses, largest first. */
  duplicateSkus: { sku: string; count: number; items: AuditItem[] }[];
  emptySkus: AuditItem[];
  untracked: AuditItem[];
  totals: { items: number; duplicateSkus: number; itemsWithDuplicateSku: number; emptySkus: number; untracked: number };
  calls: number;
  cost: number;
}

export const catalogAudit = defineNode<z.infer<typeof config>, unknown, CatalogAuditOutput>({
  type: 'shopify.catalog-audit',
  version: 1,
  title: 'Audit Shopify catalogue',
  category: 'shopify',
  description: 'Reads every inventory item and lists duplicate SKUs (Shopify\'s duplicateSkuCount), variants with an empty SKU and '
    + 'items whose inventory is not tracked: the catalogue issues that make SKU-based stock and order sync unreliable.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'CatalogAudit' }],
  idempotent: true,
  sampleOutput: {
    duplicateSkus: [{ sku: 'MUG-SAGE', count: 2, items: [
      { sku: 'MUG-SAGE', variantId: 'gid://shopify/ProductVariant/8131', inventoryItemId: 'gid://shopify/InventoryItem/8231', displayName: 'Stoneware Mug, Sage' },
      { sku: 'MUG-SAGE', variantId: 'gid://shopify/ProductVariant/8132', inventoryItemId: 'gid://shopify/InventoryItem/8232', displayName: 'Mug Gift Set' },
    ] }],
    emptySkus: [{ sku: null, variantId: 'gid://shopify/ProductVariant/8152', inventoryItemId: 'gid://shopify/InventoryItem/8252', displayName: 'Canvas Tote Bag - Black' }],
    untracked: [{ sku: 'GIFTCARD-25', variantId: 'gid://shopify/ProductVariant/8161', inventoryItemId: 'gid://shopify/InventoryItem/8261', displayName: 'Gift Card - £25' }],
    totals: { items: 25, duplicateSkus: 1, itemsWithDuplicateSku: 2, emptySkus: 1, untracked: 1 },
    calls: 1,
    cost: 52,
  },
  async execute(ctx) {
    const client = await shopifyClient(ctx);
    const out: CatalogAuditOutput = { duplicateSkus: [], emptySkus: [], untracked: [], totals: { items: 0, duplicateSkus: 0, itemsWithDuplicateSku: 0, emptySkus: 0, untracked: 0 }, calls: 0, cost: 0 };
    const dup = new Map<string, { count: number; items: AuditItem[] }>();
    try {
      let after: string | null = null;
      do {
        const res: { data: any; cost: { actual: number | null; requested: number } } = await client.request<any>(CATALOG_AUDIT, { first: ctx.config.pageSize, after }, { signal: ctx.signal });
        out.calls++;
        out.cost += res.cost.actual ?? res.cost.requested;
        const conn = res.data.inventoryItems;
        for (const n of conn.nodes as { id: string; sku: string | null; tracked: boolean; duplicateSkuCount: number; variant: { id: string; displayName: string } }[]) {
          out.totals.items++;
          const item: AuditItem = { sku: n.sku, variantId: n.variant.id, inventoryItemId: n.id, displayName: n.variant.displayName };
          if (!n.sku || !n.sku.trim()) out.emptySkus.push(item);
          else if (n.duplicateSkuCount > 0) {
            const g = dup.get(n.sku) ?? { count: 0, items: [] };
            // Shopify's count covers items this scan may not have reached yet (or ones it cannot see): trust the larger.
            g.count = Math.max(g.count, n.duplicateSkuCount + 1);
            g.items.push(item);
            dup.set(n.sku, g);
          }
          if (!n.tracked && ctx.config.listUntracked) out.untracked.push(item);
          else if (!n.tracked) out.totals.untracked++;
        }
        after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      } while (after);
    } catch (err) {
      asNodeError(ctx, err);
    }
    out.duplicateSkus = [...dup.entries()].map(([sku, g]) => ({ sku, count: Math.max(g.count, g.items.length), items: g.items }))
      .sort((a, b) => b.count - a.count || a.sku.localeCompare(b.sku));
    out.totals.duplicateSkus = out.duplicateSkus.length;
    out.totals.itemsWithDuplicateSku = out.duplicateSkus.reduce((a, d) => a + d.count, 0);
    out.totals.emptySkus = out.emptySkus.length;
    out.totals.untracked += out.untracked.length;
    return out;
  },
});
