// shopify.catalog-audit: lists the catalogue problems that break ERP sync: SKUs shared by several inventory items
// (Shopify allows it; stock and orders then cannot be matched by SKU), variants without a SKU, untracked items.
import { z } from 'zod';
import { NodeError, defineNode } from '../../runtime/node-api.ts';
import type { CatalogAuditQuery } from './admin-types.generated.ts';
import type { ShopifyResponse } from './client.ts';
import { CATALOG_AUDIT } from './documents.ts';
import { runBulkQuery } from './bulk-client.ts';
import { BULK_CATALOG_AUDIT, type BulkCatalogAuditLine } from './bulk-documents.ts';
import { asNodeError, connectionField, shopifyClient } from './node-util.ts';

const config = z
  .object({
    connection: connectionField,
    /** Inventory items per request (≤ 250; 2 points each). */
    pageSize: z.number().int().min(1).max(250).default(250),
    /** Untracked items are often deliberate (gift cards, services); list them anyway unless turned off. */
    listUntracked: z.boolean().default(true),
    /**
     * auto: one page per call; when the catalogue is larger than that page, the whole catalogue by one bulk query
     * (10 points, outside the cost budget) instead of paging. bulk / per-call force a path.
     */
    read: z.enum(['auto', 'bulk', 'per-call']).default('auto'),
    /** Seconds between bulk status polls. */
    pollSeconds: z.number().positive().default(2),
  })
  .strict();

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
  /** How the catalogue was read, and why. */
  path: { kind: 'bulk' | 'per-call'; reason: string; bulkOperation?: string };
}

/** One inventory item, as CATALOG_AUDIT pages it and BULK_CATALOG_AUDIT lists it (the same selection). */
type Node = CatalogAuditQuery['inventoryItems']['nodes'][number] & BulkCatalogAuditLine;

export const catalogAudit = defineNode<z.infer<typeof config>, unknown, CatalogAuditOutput>({
  type: 'shopify.catalog-audit',
  version: 1,
  title: 'Audit Shopify catalogue',
  category: 'shopify',
  description:
    "Reads every inventory item and lists duplicate SKUs (Shopify's duplicateSkuCount), variants with an empty SKU and " +
    'items whose inventory is not tracked: the catalogue issues that make SKU-based stock and order sync unreliable.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'CatalogAudit' }],
  idempotent: true,
  sampleOutput: {
    duplicateSkus: [
      {
        sku: 'MUG-SAGE',
        count: 2,
        items: [
          {
            sku: 'MUG-SAGE',
            variantId: 'gid://shopify/ProductVariant/8131',
            inventoryItemId: 'gid://shopify/InventoryItem/8231',
            displayName: 'Stoneware Mug, Sage',
          },
          { sku: 'MUG-SAGE', variantId: 'gid://shopify/ProductVariant/8132', inventoryItemId: 'gid://shopify/InventoryItem/8232', displayName: 'Mug Gift Set' },
        ],
      },
    ],
    emptySkus: [
      {
        sku: null,
        variantId: 'gid://shopify/ProductVariant/8152',
        inventoryItemId: 'gid://shopify/InventoryItem/8252',
        displayName: 'Canvas Tote Bag - Black',
      },
    ],
    untracked: [
      {
        sku: 'GIFTCARD-25',
        variantId: 'gid://shopify/ProductVariant/8161',
        inventoryItemId: 'gid://shopify/InventoryItem/8261',
        displayName: 'Gift Card - £25',
      },
    ],
    totals: { items: 25, duplicateSkus: 1, itemsWithDuplicateSku: 2, emptySkus: 1, untracked: 1 },
    calls: 1,
    cost: 52,
    path: { kind: 'per-call', reason: 'the catalogue fits one page of 250' },
  },
  async execute(ctx) {
    const client = await shopifyClient(ctx);
    const out: CatalogAuditOutput = {
      duplicateSkus: [],
      emptySkus: [],
      untracked: [],
      totals: { items: 0, duplicateSkus: 0, itemsWithDuplicateSku: 0, emptySkus: 0, untracked: 0 },
      calls: 0,
      cost: 0,
      path: { kind: 'per-call', reason: '' },
    };
    const dup = new Map<string, { count: number; items: AuditItem[] }>();
    const take = (n: Node) => {
      out.totals.items++;
      const item: AuditItem = { sku: n.sku, variantId: n.variant.id, inventoryItemId: n.id, displayName: n.variant.displayName };
      if (!n.sku?.trim()) out.emptySkus.push(item);
      else if (n.duplicateSkuCount > 0) {
        const g = dup.get(n.sku) ?? { count: 0, items: [] };
        // Shopify's count covers items this scan may not have reached yet (or ones it cannot see): trust the larger.
        g.count = Math.max(g.count, n.duplicateSkuCount + 1);
        g.items.push(item);
        dup.set(n.sku, g);
      }
      if (!n.tracked && ctx.config.listUntracked) out.untracked.push(item);
      else if (!n.tracked) out.totals.untracked++;
    };
    const bulk = async (reason: string) => {
      const o = await runBulkQuery(client, BULK_CATALOG_AUDIT, { pollMs: ctx.config.pollSeconds * 1000, signal: ctx.signal });
      out.calls += 1 + o.polls;
      out.cost += o.cost;
      if (o.status !== 'COMPLETED') {
        throw new NodeError(`node ${ctx.nodeId}: bulk query ${o.id} ${o.status}${o.errorCode ? ` (${o.errorCode})` : ''}`, {
          code: 'BULK_QUERY_FAILED',
          errorClass: 'transient',
        });
      }
      for (const n of o.lines as BulkCatalogAuditLine[]) take(n);
      out.path = { kind: 'bulk', reason, bulkOperation: o.id };
    };
    try {
      if (ctx.config.read === 'bulk') await bulk("bulk (set in the node's config)");
      else {
        let after: string | null = null;
        const pages: Node[][] = [];
        do {
          const res: ShopifyResponse<CatalogAuditQuery> = await client.request(CATALOG_AUDIT, { first: ctx.config.pageSize, after }, { signal: ctx.signal });
          out.calls++;
          out.cost += res.cost.actual ?? res.cost.requested;
          const conn = res.data.inventoryItems;
          pages.push(conn.nodes);
          after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
          if (after && ctx.config.read === 'auto') break;
        } while (after);
        if (after) await bulk(`the catalogue is larger than one page of ${ctx.config.pageSize}: one bulk query instead of paging`);
        else {
          for (const p of pages) for (const n of p) take(n);
          out.path = {
            kind: 'per-call',
            reason: ctx.config.read === 'per-call' ? "per call (set in the node's config)" : `the catalogue fits one page of ${ctx.config.pageSize}`,
          };
        }
      }
    } catch (err) {
      asNodeError(ctx, err);
    }
    out.duplicateSkus = [...dup.entries()]
      .map(([sku, g]) => ({ sku, count: Math.max(g.count, g.items.length), items: g.items }))
      .sort((a, b) => b.count - a.count || a.sku.localeCompare(b.sku));
    out.totals.duplicateSkus = out.duplicateSkus.length;
    out.totals.itemsWithDuplicateSku = out.duplicateSkus.reduce((a, d) => a + d.count, 0);
    out.totals.emptySkus = out.emptySkus.length;
    out.totals.untracked += out.untracked.length;
    return out;
  },
});
