// Sweep mode through the real server: a dropped orders/paid webhook is recovered by the flow's sweep, the order
// that did arrive by webhook is not queued again, and a second sweep queues nothing.
import { createServer as createHttp, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './testing.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { shopifyTrigger } from '../nodes/shopify/trigger.ts';
import { startShopifySandbox, type SandboxStore } from '../nodes/shopify/sandbox/server.ts';
import { flow } from '../runtime/testing/fixtures.ts';

let t: TestServer;
let shop: SandboxStore;
let forwarder: Server;

beforeAll(async () => {
  t = await testServer({ nodeTypes: [...coreNodes, shopifyTrigger] });
  shop = await startShopifySandbox({ plan: 'plus' });
  await t.server.deps.connections.create({
    id: 'shop',
    kind: 'shopify',
    provider: 'shopify',
    name: 'Sandbox shop',
    config: { shopDomain: shop.shopDomain, endpoint: shop.url },
    secrets: { accessToken: shop.accessToken, webhookSecret: shop.webhookSecret },
  });
  // The store posts its webhooks here; they go on to the server's real ingress route.
  forwarder = createHttp((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const r = await t.req('POST', '/webhooks/shopify/shop', { raw: body, headers });
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((r) => forwarder.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  forwarder?.close();
  await shop?.stop();
  await t?.close();
});

const orderJson = (id: string, name: string, at: string) =>
  `{"id":${id},"name":"${name}","email":"a@example.com","currency":"GBP","presentment_currency":"GBP","created_at":"${at}","updated_at":"${at}","financial_status":"paid","taxes_included":true,"total_price":"25.00","subtotal_price":"25.00","total_tax":"4.17","line_items":[{"id":${id}1,"sku":"TEE-S","title":"Organic Cotton Tee","name":"Organic Cotton Tee - S","quantity":1,"price":"25.00","requires_shipping":true,"taxable":true,"tax_lines":[{"title":"GB VAT","rate":0.2,"price":"4.17"}]}]}`;

describe('shopify.trigger sweep mode in the server', () => {
  it('recovers a dropped webhook once, and never queues twice what a webhook already brought', async () => {
    const rt = t.server.runtime;
    const since = new Date(Date.now() - 60_000).toISOString();
    await rt.flows.create(
      flow(
        'paid',
        [
          {
            id: 't',
            type: 'shopify.trigger',
            config: { connection: 'shop', topic: 'orders/paid', mode: 'webhook+sweep', sweep: { schedule: '0 0 1 1 *', since } },
          },
        ],
        [],
      ),
    );
    const { version } = await rt.flows.publish('paid', { activate: true });
    const config = (await rt.flows.activeTriggers()).find((x) => x.flowId === 'paid')!.config as never;

    const url = `http://127.0.0.1:${(forwarder.address() as { port: number }).port}/`;
    shop.setWebhookTarget(url);
    const delivered = shop.createOrder(orderJson('6660000000000000101', '#4001', new Date().toISOString()));
    await shop.webhooks.flush();
    shop.setWebhookTarget(url, { dropRate: 1 });
    const dropped = shop.createOrder(orderJson('6660000000000000102', '#4002', new Date().toISOString()));
    await shop.webhooks.flush();
    await rt.drain();
    const byOrder = (gid: string) => rt.runs.list({ flowId: 'paid', key: { key: 'shopifyOrderId', value: gid } });
    expect(await byOrder(delivered)).toHaveLength(1);
    expect(await byOrder(dropped)).toHaveLength(0);

    const first = await t.server.sweeps.sweep('paid', version, config);
    expect(first.queued).toBe(1);
    await rt.drain();
    expect(await byOrder(dropped)).toHaveLength(1);
    expect(await byOrder(delivered)).toHaveLength(1);
    const run = await rt.runs.get((await byOrder(dropped))[0]!.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]?.output).toMatchObject({ event: { topic: 'orders/paid', source: 'sweep' }, order: { id: dropped, name: '#4002' } });

    expect((await t.server.sweeps.sweep('paid', version, config)).queued).toBe(0);
    await rt.drain();
    expect(await byOrder(dropped)).toHaveLength(1);
  }, 60_000);

  it("a recovered order's tip is a tip: the Admin API marks no tip line, so its totalTipReceivedSet tells it", async () => {
    const rt = t.server.runtime;
    const since = new Date(Date.now() - 60_000).toISOString();
    const sweep = { schedule: '0 0 1 1 *', since };
    await rt.flows.create(
      flow('tipped', [{ id: 't', type: 'shopify.trigger', config: { connection: 'shop', topic: 'orders/paid', mode: 'webhook+sweep', sweep } }], []),
    );
    const { version } = await rt.flows.publish('tipped', { activate: true });
    const config = (await rt.flows.activeTriggers()).find((x) => x.flowId === 'tipped')!.config as never;
    shop.setWebhookTarget(`http://127.0.0.1:${(forwarder.address() as { port: number }).port}/`, { dropRate: 1 });
    const tip = `{"id":66600000000001032,"title":"Tip","name":"Tip","quantity":1,"price":"3.00","requires_shipping":false,"taxable":false,"tax_lines":[],"tip_payment_gateway":"shopify_payments","tip_payment_method":"card"}`;
    const tipped = orderJson('6660000000000000103', '#4003', new Date().toISOString())
      .replace('"total_price":"25.00"', '"total_price":"28.00"')
      .replace(/\]\}$/, `,${tip}]}`);
    const id = shop.createOrder(tipped);
    await shop.webhooks.flush();
    expect((await t.server.sweeps.sweep('tipped', version, config)).queued).toBeGreaterThanOrEqual(1);
    await rt.drain();
    const [found] = await rt.runs.list({ flowId: 'tipped', key: { key: 'shopifyOrderId', value: id } });
    const run = await rt.runs.get(found!.runId);
    const lines = (run.steps[0]!.output as { order: { lineItems: Array<{ name: string; isTip: boolean }> } }).order.lineItems;
    expect(lines.map((l) => [l.name, l.isTip])).toEqual([
      ['Organic Cotton Tee - S', false],
      ['Tip', true],
    ]);
  }, 60_000);
});
