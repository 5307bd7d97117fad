// Refund ids of refund balance transactions, read from the sandbox store (real Admin schema and calculated cost) for
// many orders per request instead of one request per order.
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeContext } from '../../runtime/node-api.ts';
import { createShopifyConnection, DOCUMENTS, startShopifySandbox, type SandboxStore } from '../shopify/index.ts';
import { ordersPerRequest, refundIdsByTransaction } from './refunds.ts';
import { ORDERS, REFUNDS, shopifyScenario } from './testing/scenario-month.ts';

let store: SandboxStore | undefined;
afterEach(async () => {
  await store?.stop();
  store = undefined;
});

async function setup() {
  store = await startShopifySandbox({ seed: shopifyScenario() });
  const client = createShopifyConnection({ shopDomain: store.shopDomain, endpoint: store.url, auth: { kind: 'access-token', accessToken: store.accessToken } });
  const ctx = { nodeId: 'reconcile', connection: async () => client } as unknown as NodeContext;
  return { client, ctx };
}

describe('refundIdsByTransaction', () => {
  it('reads the refunds of every order in one request and links each refund transaction to its refund', async () => {
    const { ctx } = await setup();
    const before = store!.stats.requests;
    const ids = [...ORDERS.map((o) => `gid://shopify/Order/${o.id}`), 'gid://shopify/Order/404'];
    const map = await refundIdsByTransaction(ctx, 'shop', ids);
    expect(store!.stats.requests - before).toBe(1);
    expect(Object.fromEntries(map)).toEqual(Object.fromEntries(REFUNDS.map((r) => [String(r.txId), String(r.id)])));
  });

  it("keeps each request within Shopify's 1,000-point single-query limit and 250 ids, charged per order", async () => {
    const { client, ctx } = await setup();
    const one = client.estimateCost(DOCUMENTS.REFUND_TRANSACTIONS_FOR_ORDERS, { ids: ['gid://shopify/Order/1'] });
    expect(
      client.estimateCost(DOCUMENTS.REFUND_TRANSACTIONS_FOR_ORDERS, { ids: ['gid://shopify/Order/1', 'gid://shopify/Order/2', 'gid://shopify/Order/3'] }),
    ).toBe(3 * one);
    const per = ordersPerRequest(client);
    expect(per * one).toBeLessThanOrEqual(1_000);
    expect((per + 1) * one > 1_000 || per === 250).toBe(true);
    const many = Array.from({ length: per * 2 + 1 }, (_, i) => `gid://shopify/Order/${ORDERS[i]?.id ?? 900_000 + i}`);
    const before = store!.stats.requests;
    const map = await refundIdsByTransaction(ctx, 'shop', many);
    expect(store!.stats.requests - before).toBe(3);
    expect(map.size).toBe(REFUNDS.length);
  });
});
