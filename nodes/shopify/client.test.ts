import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyConnection, type ShopifyClient } from './client.ts';
import { orderFromGraphql, payoutFromGraphql, balanceTransactionFromGraphql } from './convert-graphql.ts';
import { BALANCE_TRANSACTIONS, INVENTORY_SET_QUANTITIES, LOCATIONS, ORDER_BY_ID, PAYOUTS, VARIANTS_BY_SKU } from './documents.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { signWebhook } from './sandbox/webhooks.ts';
import { present, sandboxClient } from './testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox({ plan: 'standard' });
  client = sandboxClient(shop);
});
afterAll(() => shop.stop());

describe('ShopifyClient against the sandbox store', () => {
  it('reads an order and converts it to the same canonical shape as the webhook', async () => {
    const { data, cost } = await client.request(ORDER_BY_ID, { id: 'gid://shopify/Order/820982911946154508', lineItems: 25 });
    const o = orderFromGraphql(data.order);
    expect(o.id).toBe('gid://shopify/Order/820982911946154508');
    expect(o.total.shop).toEqual({ amount: '404.95', currencyCode: 'USD' });
    expect(o.lineItems.length).toBe(5);
    expect(cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
    expect(cost.requested).toBe(client.estimateCost(ORDER_BY_ID, { id: 'x', lineItems: 25 }));
    expect(client.bucketLevel.maximum).toBe(2000);
  });

  it('pages payouts and balance transactions', async () => {
    const p = await client.request(PAYOUTS, { first: 1 });
    const account = present(p.data.shopifyPaymentsAccount, 'shopifyPaymentsAccount');
    expect(account.payouts.nodes).toHaveLength(1);
    expect(account.payouts.pageInfo.hasNextPage).toBe(true);
    const payouts = account.payouts.nodes.map((n) => payoutFromGraphql(n));
    expect(payouts[0]?.net.currencyCode).toBe('GBP');
    const b1 = await client.request(BALANCE_TRANSACTIONS, { first: 3, query: 'payments_transfer_id:7300001' });
    const conn = present(b1.data.shopifyPaymentsAccount, 'shopifyPaymentsAccount').balanceTransactions;
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const b2 = await client.request(BALANCE_TRANSACTIONS, { first: 100, after: conn.pageInfo.endCursor, query: 'payments_transfer_id:7300001' });
    const rest = present(b2.data.shopifyPaymentsAccount, 'shopifyPaymentsAccount').balanceTransactions.nodes;
    const txs = [...conn.nodes, ...rest].map((n) => balanceTransactionFromGraphql(n));
    expect(txs).toHaveLength(6); // 3 charges, 1 refund, 1 adjustment, 1 reserve
    expect(txs.every((t) => t.payoutId === 'gid://shopify/ShopifyPaymentsPayout/7300001')).toBe(true);
  });

  it('an unsupported field is a GraphQL error naming it, not a silent null', async () => {
    await expect(client.request('query { shop { name } }')).rejects.toThrow(/QueryRoot\.shop' is not supported/);
  });

  it('refuses to send a query over 1000 points', async () => {
    await expect(client.request(ORDER_BY_ID, { id: 'x', lineItems: 250 })).rejects.toThrow(/exceeds the 1000-point limit/);
  });

  it('retries 5xx and 429 and succeeds while the shop is reachable', async () => {
    shop.failNext(2, 503);
    const before = client.stats.retries;
    const r = await client.request(LOCATIONS, { first: 10 });
    expect(r.data.locations.nodes.length).toBe(3); // the inactive fourth is left out
    expect(client.stats.retries - before).toBe(2);
    shop.failNext(1, 429);
    await client.request(LOCATIONS, { first: 10 });
    expect(client.stats.throttled).toBeGreaterThanOrEqual(1);
  });

  it('gives up on a mutation without @idempotent after a 5xx (ambiguous) but retries an @idempotent one', async () => {
    shop.failNext(1, 502);
    await expect(
      client.request('mutation { fulfillmentCreate(fulfillment: { lineItemsByFulfillmentOrder: [] }) { userErrors { message } } }'),
    ).rejects.toMatchObject({ errorClass: 'ambiguous' });
    shop.failNext(1, 502);
    const v = await client.request(VARIANTS_BY_SKU, { query: 'sku:TEE-S', first: 5, levels: 5 });
    const item = present(v.data.productVariants.nodes[0], 'the TEE-S variant').inventoryItem;
    const locationId = present(item.inventoryLevels.nodes[0], 'a TEE-S level').location.id;
    const r = await client.request(INVENTORY_SET_QUANTITIES, {
      idempotencyKey: 'k-retry-1',
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [{ inventoryItemId: item.id, locationId, quantity: 4, changeFromQuantity: null }],
      },
    });
    expect(r.data.inventorySetQuantities?.userErrors).toEqual([]);
  });

  it('waits instead of being throttled when the bucket runs low, and recovers from THROTTLED', async () => {
    const tiny = await startShopifySandbox({ plan: 'standard' });
    try {
      const c = createShopifyConnection({ shopDomain: tiny.shopDomain, endpoint: tiny.url, auth: { kind: 'access-token', accessToken: tiny.accessToken } });
      const vars = { first: 100 };
      const cost = c.estimateCost(LOCATIONS, vars);
      expect(cost).toBe(102);
      await c.request(LOCATIONS, vars); // the client now believes the bucket is nearly full
      tiny.consume(tiny.bucket().currentlyAvailable - 50); // traffic the client cannot see
      const t0 = Date.now();
      await c.request(LOCATIONS, vars);
      expect(c.stats.throttled).toBe(1); // learned the real level from the THROTTLED answer, then waited
      expect(Date.now() - t0).toBeGreaterThan(300); // (102 - 50) / 100 points per second
      const before = tiny.stats.throttled;
      for (let i = 0; i < 3; i++) await c.request(LOCATIONS, vars);
      expect(tiny.stats.throttled).toBe(before); // the model keeps it under the limit
    } finally {
      await tiny.stop();
    }
  });

  it('client credentials: gets a token, refreshes it before expiry, rejects bad secrets without leaking them', async () => {
    const s = await startShopifySandbox({ tokenTtlSeconds: 2 });
    try {
      const c = createShopifyConnection({
        shopDomain: s.shopDomain,
        endpoint: s.url,
        auth: { kind: 'client-credentials', clientId: s.clientId, clientSecret: s.clientSecret },
        refreshMarginMs: 1500,
      });
      await c.request(LOCATIONS, { first: 1 });
      const first = c.tokenExpiresAt!.getTime();
      await new Promise((r) => setTimeout(r, 600));
      await c.request(LOCATIONS, { first: 1 });
      expect(c.tokenExpiresAt!.getTime()).toBeGreaterThan(first);
      const bad = createShopifyConnection({
        shopDomain: s.shopDomain,
        endpoint: s.url,
        auth: { kind: 'client-credentials', clientId: s.clientId, clientSecret: 'shpss_wrong_secret_value' },
      });
      const err = await bad.request(LOCATIONS, { first: 1 }).catch((e) => e);
      expect(err.errorClass).toBe('permanent');
      expect(String(err.message)).not.toContain('shpss_wrong_secret_value');
    } finally {
      await s.stop();
    }
  });

  it('sends signed webhooks with X-Shopify headers, duplicates sharing the event id', async () => {
    const got: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: b });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    try {
      shop.setWebhookTarget(`http://127.0.0.1:${(receiver.address() as any).port}/hooks`, { duplicate: true });
      shop.createOrder(
        '{"id":5550000000000000001,"name":"#2001","currency":"GBP","presentment_currency":"GBP","created_at":"2026-01-01T00:00:00Z","financial_status":"paid","taxes_included":true,"total_price":"12.00","line_items":[{"id":5550000000000000002,"sku":"TEE-S","title":"Tee","quantity":1,"price":"12.00","requires_shipping":true}]}',
      );
      await shop.webhooks.flush();
      expect(got.map((g) => g.headers['x-shopify-topic']).sort()).toEqual(['orders/create', 'orders/create', 'orders/paid', 'orders/paid']);
      for (const g of got) {
        expect(g.headers['x-shopify-hmac-sha256']).toBe(signWebhook(shop.webhookSecret, g.body));
        expect(g.headers['x-shopify-shop-domain']).toBe(shop.shopDomain);
        expect(g.headers['x-shopify-api-version']).toBe('2026-10');
        expect(g.headers['x-shopify-triggered-at']).toBeTruthy();
        expect(g.body).toContain('5550000000000000001');
      }
      const creates = got.filter((g) => g.headers['x-shopify-topic'] === 'orders/create');
      const [one, two] = creates;
      expect(one?.headers['x-shopify-event-id']).toBeDefined();
      expect(one?.headers['x-shopify-event-id']).toBe(two?.headers['x-shopify-event-id']);
      expect(one?.headers['x-shopify-webhook-id']).not.toBe(two?.headers['x-shopify-webhook-id']);
    } finally {
      shop.setWebhookTarget(undefined);
      receiver.close();
    }
  });
});
