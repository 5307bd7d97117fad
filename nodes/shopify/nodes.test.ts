import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeContext } from '../../runtime/node-api.ts';
import type { ShopifyClient } from './client.ts';
import { shopifyNodes } from './index.ts';
import { fulfilmentPush } from './fulfilment-push.ts';
import { inventoryPush } from './inventory-push.ts';
import { shopifyPayouts } from './payouts.ts';
import { shopifyTrigger } from './trigger.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { readFileSync } from 'node:fs';
import { sandboxClient } from './testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox();
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

function ctx<C>(config: C, state = new Map<string, unknown>(), runId = 'run-1'): NodeContext<C> {
  return {
    runId,
    flowId: 'f',
    flowVersion: 1,
    nodeId: 'n1',
    attempt: 1,
    config,
    trigger: null,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async (k) => state.get(k) as never, set: (k, v) => void state.set(k, v) },
    connection: async (kind) => {
      if (kind !== 'shopify') throw new Error(kind);
      return client as never;
    },
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}

const LEEDS = 'gid://shopify/Location/24826418';
const LONDON = 'gid://shopify/Location/487838322';
const parse = <C>(node: { config: { parse(v: unknown): C } }, c: unknown) => node.config.parse(c);

describe('registry', () => {
  it('exports the six node types with sample outputs', () => {
    expect(shopifyNodes.map((n) => n.type)).toEqual([
      'shopify.trigger',
      'shopify.inventory-push',
      'shopify.fulfilment-push',
      'shopify.payouts',
      'shopify.catalog-audit',
      'shopify.confirm-order-state',
    ]);
    for (const n of shopifyNodes) expect(n.sampleOutput).toBeTruthy();
  });
});

describe('shopify.trigger', () => {
  it('converts a raw delivery with headers into the canonical order plus event metadata', async () => {
    const body = readFileSync(new URL('./samples/orders-paid.example.json', import.meta.url), 'utf8');
    const out: any = await shopifyTrigger.execute(ctx(parse(shopifyTrigger, { connection: 's', topic: 'orders/paid' })), {
      body,
      headers: {
        'X-Shopify-Topic': 'orders/paid',
        'X-Shopify-Event-Id': 'ev-1',
        'X-Shopify-Shop-Domain': 'a.myshopify.com',
        'X-Shopify-API-Version': '2026-04',
      },
    });
    expect(out.kind).toBe('order');
    expect(out.order.id).toBe('gid://shopify/Order/820982911946154508');
    expect(out.event).toMatchObject({ topic: 'orders/paid', eventId: 'ev-1', shop: 'a.myshopify.com', apiVersion: '2026-04' });
  });
  it('rejects a delivery for another topic and names the bad field', async () => {
    const c = ctx(parse(shopifyTrigger, { connection: 's', topic: 'orders/paid' }));
    await expect(async () => shopifyTrigger.execute(c, { body: '{}', headers: { 'x-shopify-topic': 'refunds/create' } })).rejects.toThrow(/does not match/);
    await expect(async () => shopifyTrigger.execute(c, { body: '{"id":1,"currency":"USD","name":"#1","created_at":"x","total_price":"x"}' })).rejects.toThrow(
      /total_price/,
    );
  });
});

describe('shopify.inventory-push', () => {
  const cfg = (extra: object = {}) =>
    parse(inventoryPush, { connection: 's', locations: { LEEDS: LEEDS, LON: LONDON }, safetyStock: { default: 1, perSku: { 'TEE-M': 3 } }, ...extra });
  it('pushes only changed levels less safety stock, and is idempotent', async () => {
    const out = (await inventoryPush.execute(ctx(cfg()), {
      levels: [
        { sku: 'TEE-S', warehouse: 'LEEDS', quantity: 8 }, // -> 7
        { sku: 'TEE-S', warehouse: 'LON', quantity: 11 }, // -> 10 (unchanged)
        { sku: 'TEE-M', warehouse: 'LEEDS', quantity: 20 }, // -> 17 (per-SKU safety 3)
      ],
    })) as any;
    expect(out.pushed).toEqual([
      { sku: 'TEE-S', locationId: LEEDS, from: 10, to: 7 },
      { sku: 'TEE-M', locationId: LEEDS, from: 10, to: 17 },
    ]);
    expect(out.unchanged).toBe(1);
    expect(out.problems).toEqual([]);
    const item = [...shop.state.variants.values()].find((v) => v.sku === 'TEE-S')!.itemId;
    expect(shop.state.levels.get(`${item}|${LEEDS}`)!.available).toBe(7);
    const again = (await inventoryPush.execute(ctx(cfg(), new Map(), 'run-2'), { levels: [{ sku: 'TEE-S', warehouse: 'LEEDS', quantity: 8 }] })) as any;
    expect(again.pushed).toEqual([]);
    expect(again.unchanged).toBe(1);
  });
  it('lists unmapped warehouses, empty and duplicate SKUs as problems and raises them; unknown SKUs are a finding', async () => {
    const err: any = await Promise.resolve(
      inventoryPush.execute(ctx(cfg()), {
        levels: [
          { sku: 'TEE-S', warehouse: 'LEEDS', quantity: 5 },
          { sku: 'NOPE-1', warehouse: 'LEEDS', quantity: 5 },
          { sku: '', warehouse: 'LEEDS', quantity: 5 },
          { sku: 'MUG-SAGE', warehouse: 'LEEDS', quantity: 5 },
          { sku: 'TEE-S', warehouse: 'MARS', quantity: 5 },
        ],
      }),
    ).catch((e) => e);
    expect(err.code).toBe('INVENTORY_PROBLEMS');
    const codes = err.details.problems.map((p: any) => p.code).sort();
    expect(codes).toEqual(['DUPLICATE_SKU', 'EMPTY_SKU', 'UNMAPPED_LOCATION']);
    expect(err.details.findings).toMatchObject([{ kind: 'erp-item-not-in-shopify', skus: ['NOPE-1'] }]);
    expect(err.details.problems.find((p: any) => p.code === 'DUPLICATE_SKU').message).toMatch(/2 Shopify variants/);
    expect(err.details.pushed).toEqual([{ sku: 'TEE-S', locationId: LEEDS, from: 7, to: 4 }]); // valid rows still pushed
  });
  it('a stale changeFromQuantity re-reads the level and keeps the sale made meanwhile', async () => {
    const item = [...shop.state.variants.values()].find((v) => v.sku === 'TEE-M')!.itemId;
    const level = shop.state.levels.get(`${item}|${LONDON}`)!;
    const orig = client.request.bind(client);
    let sold = false;
    // Someone sells a unit between our read and our first write.
    (client as any).request = async (doc: string, vars: any, o: any) => {
      if (doc.includes('inventorySetQuantities') && !sold) {
        level.available -= 1;
        sold = true;
      }
      return orig(doc, vars, o);
    };
    try {
      const before = level.available;
      const out: any = await inventoryPush.execute(ctx(cfg()), { levels: [{ sku: 'TEE-M', warehouse: 'LON', quantity: 5 }] });
      // The ERP wanted 5 − 3 safety = 2, i.e. a change of 2 − before; applied on top of the sale.
      expect(out.conflicts).toEqual([{ sku: 'TEE-M', locationId: LONDON, expected: before, found: before - 1, wrote: 1 }]);
      expect(level.available).toBe(1);
      expect(out.pushed).toEqual([{ sku: 'TEE-M', locationId: LONDON, from: before - 1, to: 1 }]);
    } finally {
      (client as any).request = orig;
    }
  });
});

describe('shopify.fulfilment-push', () => {
  it('creates a partial fulfilment with tracking, then the rest, and never twice for one ERP fulfilment', async () => {
    const orderId = 'gid://shopify/Order/820982911946154508';
    const c = parse(fulfilmentPush, { connection: 's' });
    const state = new Map<string, unknown>();
    const order = shop.state.orders.get(orderId)!;
    const sku = order.lineItems.find((l) => l.sku && l.quantity >= 1)!.sku!;
    const first = (await fulfilmentPush.execute(ctx(c, state), {
      erpFulfilmentId: 'ERP-1',
      orderId,
      lines: [{ sku, quantity: 1 }],
      tracking: { company: 'UPS', number: '1Z999', url: 'https://ups.example/1Z999' },
    })) as any;
    expect(first.fulfillmentIds).toHaveLength(1);
    const rec = shop.state.fulfillments.get(first.fulfillmentIds[0])!;
    expect(rec.notifyCustomer).toBe(true);
    expect(rec.tracking[0]).toEqual({ company: 'UPS', number: '1Z999', url: 'https://ups.example/1Z999' });
    const again = (await fulfilmentPush.execute(ctx(c, state), {
      erpFulfilmentId: 'ERP-1',
      orderId,
      lines: [{ sku, quantity: 1 }],
      tracking: { number: '1Z999' },
    })) as any;
    expect(again.alreadyDone).toBe(true);
    // Lost state (crash after Shopify answered): the tracking number identifies our fulfilment.
    const lost = (await fulfilmentPush.execute(ctx(c, new Map()), {
      erpFulfilmentId: 'ERP-1',
      orderName: order.name,
      lines: [{ sku, quantity: 1 }],
      tracking: { number: '1Z999' },
    })) as any;
    expect(lost).toMatchObject({ alreadyDone: true, fulfillmentIds: first.fulfillmentIds });
    expect([...shop.state.fulfillments.values()].filter((f) => f.orderId === orderId)).toHaveLength(1);
  });
  it('names the line that cannot be fulfilled', async () => {
    const err: any = await Promise.resolve(
      fulfilmentPush.execute(ctx(parse(fulfilmentPush, { connection: 's' })), {
        erpFulfilmentId: 'ERP-2',
        orderId: 'gid://shopify/Order/450789469',
        lines: [{ sku: 'NOT-ON-ORDER', quantity: 1 }],
      }),
    ).catch((e) => e);
    expect(err.message).toMatch(/lines\[0\].*NOT-ON-ORDER/);
    expect(err.errorClass).toBe('permanent');
  });
});

describe('shopify.payouts', () => {
  it('lists payouts since the cursor with all balance transactions, then only new ones', async () => {
    const state = new Map<string, unknown>();
    const c = parse(shopifyPayouts, { connection: 's', since: '2026-01-01' });
    const out = (await shopifyPayouts.execute(ctx(c, state), null)) as any;
    expect(out.payouts.map((p: any) => p.legacyId)).toEqual(['7300001', '7300002']);
    for (const p of out.payouts) {
      const sum = p.balanceTransactions.reduce((a: number, t: any) => a + Math.round(Number(t.net.amount) * 100), 0);
      expect((sum / 100).toFixed(2)).toBe(p.net.amount);
    }
    expect(out.payouts[0].balanceTransactions.map((t: any) => t.type)).toContain('CHARGE');
    const next = (await shopifyPayouts.execute(ctx(c, state), null)) as any;
    expect(next.payouts.map((p: any) => p.legacyId)).toEqual(['7300002']); // in transit: fetched again until final
  });
});

describe('shopify.trigger with a bare payload', () => {
  it('treats a payload without { body } as the body itself, keeping ids from the raw text', async () => {
    const { shopifyTrigger } = await import('./trigger.ts');
    const { JsonText } = await import('../../runtime/node-api.ts');
    const raw = readFileSync(new URL('./samples/orders-paid.example.json', import.meta.url), 'utf8');
    const ctx = { nodeId: 't', config: { connection: 'sandbox-shop', topic: 'orders/paid' }, rawInput: new JsonText(raw) } as any;
    const out = (await shopifyTrigger.execute(ctx, JSON.parse(raw))) as any;
    expect(out.event.topic).toBe('orders/paid');
    const idText = /"admin_graphql_api_id":\s*"(gid:\/\/shopify\/Order\/\d+)"/.exec(raw)![1];
    expect(out.kind).toBe('order');
    expect(out.order.id).toBe(idText);
  });
});
