// The server on each store a deployment can choose (LEDGERLINE_DATABASE_URL switches to PostgreSQL): sign in, a flow
// published over the API, signed Shopify deliveries stored once with their runs (a repeat and a replay start nothing),
// runs executed and listed, a failed run raised as an exception, /readyz answering from the store.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { throwawayDatabase, type ThrowawayDatabase } from '../runtime/testing/pg.ts';
import { testStores } from '../runtime/testing/stores.ts';
import { flow, testServer, waitFor, type TestServer } from './testing.ts';

const SECRET = 'shpss_test_webhook_secret_0123456789';
const orderText = readFileSync(new URL('../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');

const databases: ThrowawayDatabase[] = [];
afterAll(async () => {
  for (const d of databases.splice(0)) await d.drop();
});

function deliver(t: TestServer, body: string, eventId: string, webhookId: string = randomUUID()) {
  return t.req('POST', '/webhooks/shopify/shop1', {
    raw: body,
    headers: {
      'content-type': 'application/json',
      'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Shop-Domain': 'shop1.myshopify.com',
      'X-Shopify-API-Version': '2026-04',
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Triggered-At': new Date().toISOString(),
      'X-Shopify-Event-Id': eventId,
    },
  });
}

describe.each(testStores())('the server on $name', (kind) => {
  it('takes signed orders to runs, lists them, raises a failure, and is ready', async () => {
    let databaseUrl: string | undefined;
    if (kind.name === 'postgres') {
      const d = await throwawayDatabase();
      databases.push(d);
      databaseUrl = d.url;
    }
    const t = await testServer({ ...(databaseUrl ? { databaseUrl } : {}) });
    try {
      expect(t.server.runtime.store.dialect).toBe(kind.name);
      await t.server.deps.connections.create({
        id: 'shop1',
        kind: 'shopify',
        provider: 'shopify',
        name: 'Shop',
        config: { shopDomain: 'shop1.myshopify.com' },
        secrets: { webhookSecret: SECRET, accessToken: 'shpat_x' },
      });
      const doc = flow(
        'orders',
        [
          { id: 't', type: 'test.shopify-trigger', config: { connectionId: 'shop1', topics: ['orders/create'] } },
          { id: 'c', type: 'test.cursor' },
        ],
        ['t->c'],
      );
      expect((await t.json('POST', '/api/flows', { token: t.tokens.owner, body: doc })).status).toBe(201);
      expect((await t.json('POST', '/api/flows/orders/publish', { token: t.tokens.owner, body: {} })).status).toBe(201);
      expect((await t.json('POST', '/api/flows/orders/activate', { token: t.tokens.owner, body: {} })).status).toBe(200);

      const acks = [];
      for (let i = 0; i < 5; i++) {
        const res = await deliver(t, orderText.replace('"id":', `"ledgerline_test":${i},"id":`), `ev-${i}`);
        expect(res.status).toBe(200);
        acks.push(await res.json());
      }
      expect(acks.map((a) => [a.duplicate, a.runs])).toEqual(Array(5).fill([false, 1]));
      // Shopify's retry of one (same event id) is a duplicate; the same body under new ids is a replay.
      expect(await (await deliver(t, orderText.replace('"id":', '"ledgerline_test":0,"id":'), 'ev-0')).json()).toMatchObject({ duplicate: true });
      const replay = await deliver(t, orderText.replace('"id":', '"ledgerline_test":1,"id":'), 'ev-new');
      expect((await replay.json()).duplicate).toBe(true);

      await t.server.runtime.drain(20_000);
      const runs = await t.json('GET', '/api/runs?flowId=orders', { token: t.tokens.owner });
      expect(runs.status).toBe(200);
      expect(runs.body.runs.map((r: { status: string }) => r.status)).toEqual(Array(5).fill('succeeded'));
      const detail = await t.json('GET', `/api/runs/${runs.body.runs[0].runId}`, { token: t.tokens.owner });
      expect(detail.body.steps.map((s: { nodeId: string; status: string }) => [s.nodeId, s.status])).toEqual([
        ['t', 'succeeded'],
        ['c', 'succeeded'],
      ]);

      // A failing version: its run fails and the inbox raises it.
      await t.json('PUT', '/api/flows/orders/draft', {
        token: t.tokens.owner,
        body: flow(
          'orders',
          [
            { id: 't', type: 'test.shopify-trigger', config: { connectionId: 'shop1', topics: ['orders/create'] } },
            { id: 'c', type: 'test.cursor', config: { fail: true } },
          ],
          ['t->c'],
        ),
      });
      expect((await t.json('POST', '/api/flows/orders/publish', { token: t.tokens.owner, body: {} })).status).toBe(201);
      expect((await t.json('POST', '/api/flows/orders/activate', { token: t.tokens.owner, body: { version: 2 } })).status).toBe(200);
      expect((await deliver(t, orderText.replace('"id":', '"ledgerline_test":9,"id":'), 'ev-9')).status).toBe(200);
      await t.server.runtime.drain(20_000);
      const raised = await waitFor(async () => {
        const list = await t.json('GET', '/api/exceptions', { token: t.tokens.owner });
        return list.body.items?.length ? list.body.items : undefined;
      });
      expect(raised[0]).toMatchObject({ type: 'failed-run', state: 'open', detail: 'boom', links: { flowId: 'orders', nodeId: 'c' } });

      expect(await (await t.req('GET', '/readyz')).json()).toEqual({ ok: true });
    } finally {
      await t.close();
    }
  }, 60_000);
});
