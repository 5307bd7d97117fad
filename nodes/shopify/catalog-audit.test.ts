import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, validate } from 'graphql';
import type { NodeContext } from '../../runtime/node-api.ts';
import type { ShopifyClient } from './client.ts';
import { catalogAudit } from './catalog-audit.ts';
import { CATALOG_AUDIT } from './documents.ts';
import { loadAdminSchema } from './schema.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { sandboxClient } from './testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox();
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

function ctx(config: unknown): NodeContext<any> {
  return {
    runId: 'r',
    flowId: 'f',
    flowVersion: 1,
    nodeId: 'audit',
    attempt: 1,
    trigger: null,
    config: catalogAudit.config.parse(config),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async () => undefined, set() {} },
    connection: async () => client as never,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}

describe('shopify.catalog-audit against the sandbox store', () => {
  it('its document asks the 2026-10 schema for duplicateSkuCount', () => {
    expect(validate(loadAdminSchema(), parse(CATALOG_AUDIT))).toEqual([]);
    expect(CATALOG_AUDIT).toContain('duplicateSkuCount');
  });

  it('lists duplicate SKUs with their items, empty SKUs and untracked items', async () => {
    const out = (await catalogAudit.execute(ctx({ connection: 's' }), null)) as any;
    expect(out.totals.items).toBe(shop.state.variants.size);
    expect(out.duplicateSkus.map((d: any) => [d.sku, d.count])).toEqual([
      ['BEANIE-GRY', 3],
      ['MUG-SAGE', 2],
    ]);
    expect(out.duplicateSkus[1].items.map((i: any) => i.displayName).sort()).toEqual(['Mug Gift Set', 'Stoneware Mug, Sage']);
    expect(out.emptySkus.map((i: any) => i.displayName).sort()).toEqual([
      'Canvas Tote Bag - Black',
      'Canvas Tote Bag - Natural',
      'Example T-Shirt - Medium',
      'Example T-Shirt - Small',
    ]);
    expect(out.untracked.map((i: any) => i.sku).sort()).toEqual(['GIFTCARD-25', 'GIFTCARD-50', 'LENS-PROTECT-2YR', 'WRAP-01']);
    expect(out.totals).toMatchObject({ duplicateSkus: 2, itemsWithDuplicateSku: 5, emptySkus: 4, untracked: 4 });
    expect(out.calls).toBe(1);
  });

  it('pages through small pages to the same result, and waits out a drained bucket instead of failing', async () => {
    const whole = (await catalogAudit.execute(ctx({ connection: 's' }), null)) as any;
    const throttledBefore = shop.stats.throttled;
    shop.consume(shop.bucket().currentlyAvailable - 5); // someone else's traffic drained the bucket
    const paged = (await catalogAudit.execute(ctx({ connection: 's', pageSize: 4, read: 'per-call' }), null)) as any;
    expect(paged.calls).toBe(Math.ceil(shop.state.variants.size / 4));
    expect({ ...paged, calls: 0, cost: 0, path: null }).toEqual({ ...whole, calls: 0, cost: 0, path: null });
    // At most the first request, sent before the client could see the drain, is THROTTLED; it is retried, not failed.
    expect(shop.stats.throttled - throttledBefore).toBeLessThanOrEqual(1);
  });

  it('names the bad config field', () => {
    const r = catalogAudit.config.safeParse({ connection: 's', pageSize: 500 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['pageSize']);
  });
  it('reads a catalogue larger than a page with one bulk query instead of paging, to the same result', async () => {
    const whole = (await catalogAudit.execute(ctx({ connection: 's' }), null)) as any;
    expect(whole.path.kind).toBe('per-call');
    shop.bulk.timeScale = 200;
    const real = client.sleep.bind(client);
    (client as any).sleep = (ms: number, signal?: AbortSignal) => real(ms / 200, signal);
    try {
      const bulk = (await catalogAudit.execute(ctx({ connection: 's', pageSize: 4 }), null)) as any;
      expect(bulk.path).toMatchObject({
        kind: 'bulk',
        reason: expect.stringMatching(/larger than one page of 4/),
        bulkOperation: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\//),
      });
      expect({ ...bulk, calls: 0, cost: 0, path: null }).toEqual({ ...whole, calls: 0, cost: 0, path: null });
      // One page (4 items) + 10 to start the bulk query + 1 a poll, whatever the catalogue's size.
      expect(bulk.cost).toBeLessThan(whole.cost);
    } finally {
      (client as any).sleep = real;
      shop.bulk.timeScale = 1;
    }
  });
});
