// Sweep mode against the sandbox store: a dropped webhook is recovered, and a webhook and a sweep of the same change
// collide on one dedupe key. `events` stands in for the host's events table, unique on (source, dedupKey).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeContext } from '../../runtime/node-api.ts';
import type { ShopifyClient } from './client.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { signWebhook } from './sandbox/webhooks.ts';
import { dedupKeyFor, orderIdentityFromBody, sweepOrders, sweepStateKey } from './sweep.ts';
import { shopifyTrigger } from './trigger.ts';
import { convertWebhook } from './webhook-convert.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { present, sandboxClient } from './testing.ts';

let shop: SandboxStore;
let client: ShopifyClient;
let receiver: Server;
let hookUrl: string;
const events = new Map<string, { topic: string; via: 'webhook' | 'sweep' }>();
const duplicates: string[] = [];
const bodies = new Map<string, string>(); // order gid -> last webhook body

function ingest(key: string, topic: string, via: 'webhook' | 'sweep'): boolean {
  if (events.has(key)) {
    duplicates.push(key);
    return false;
  }
  events.set(key, { topic, via });
  return true;
}

beforeAll(async () => {
  shop = await startShopifySandbox({ plan: 'plus' });
  client = sandboxClient(shop);
  receiver = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      if (req.headers['x-shopify-hmac-sha256'] !== signWebhook(shop.webhookSecret, b)) return void res.writeHead(401).end();
      const topic = String(req.headers['x-shopify-topic']);
      const key = dedupKeyFor(topic, req.headers, convertWebhook(topic, b))!;
      bodies.set(orderIdentityFromBody(parseJsonLossless(b))!.id, b);
      ingest(key, topic, 'webhook');
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
});
afterAll(async () => {
  await shop.stop();
  receiver.close();
});

const flowState = () => {
  const m = new Map<string, unknown>();
  return { m, state: { get: async (k: string) => m.get(k) as never, set: (k: string, v: unknown) => void m.set(k, v) } };
};
const orderJson = (id: string, name: string, createdAt: string) =>
  `{"id":${id},"name":"${name}","email":"a@example.com","currency":"GBP","presentment_currency":"GBP","created_at":"${createdAt}","updated_at":"${createdAt}","financial_status":"paid","taxes_included":true,"total_price":"25.00","subtotal_price":"25.00","total_tax":"4.17","line_items":[{"id":${id}1,"sku":"TEE-S","title":"Organic Cotton Tee","name":"Organic Cotton Tee - S","quantity":1,"price":"25.00","requires_shipping":true,"taxable":true,"tax_lines":[{"title":"GB VAT","rate":0.2,"price":"4.17"}]}]}`;

function ctx(config: unknown): NodeContext<any> {
  return {
    runId: 'r',
    flowId: 'f',
    flowVersion: 1,
    nodeId: 'trigger',
    attempt: 1,
    trigger: null,
    config: shopifyTrigger.config.parse(config),
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async () => undefined, set() {} },
    connection: async () => client as never,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}

describe('dedupKeyFor', () => {
  it('keys order topics on the change, whatever the offset, and other topics on the event id', () => {
    const a = dedupKeyFor('orders/updated', {}, { id: 'gid://shopify/Order/1', updatedAt: '2008-01-10T11:00:00-05:00' });
    const b = dedupKeyFor('orders/updated', {}, { id: 'gid://shopify/Order/1', updatedAt: '2008-01-10T16:00:00Z' });
    expect(a).toBe('updated:gid://shopify/Order/1:2008-01-10T16:00:00.000Z');
    expect(b).toBe(a);
    expect(dedupKeyFor('orders/paid', { 'X-Shopify-Event-Id': 'e1' }, { id: 'gid://shopify/Order/1' })).toBe('paid:gid://shopify/Order/1');
    expect(dedupKeyFor('orders/create', {}, { id: 'gid://shopify/Order/1' })).toBe('created:gid://shopify/Order/1');
    expect(dedupKeyFor('refunds/create', { 'x-shopify-event-id': 'e2', 'x-shopify-webhook-id': 'w2' }, null)).toBe('e2');
    expect(dedupKeyFor('products/update', { 'x-shopify-webhook-id': 'w3' }, null)).toBe('w3');
  });
});

describe('sweep mode against the sandbox store', () => {
  it('recovers a dropped orders/paid webhook; the late webhook then collides with the swept event', async () => {
    const { m, state } = flowState();
    const t0 = new Date(Date.now() - 60_000).toISOString();
    const first = await sweepOrders(client, state, { topic: 'orders/paid', since: t0, isKnown: (k) => events.has(k) });
    expect(first.deliveries).toEqual([]); // the scenario's orders are all older than the sweep's start

    shop.setWebhookTarget(hookUrl);
    const delivered = shop.createOrder(orderJson('6660000000000000001', '#3001', new Date().toISOString()));
    await shop.webhooks.flush();
    shop.setWebhookTarget(hookUrl, { dropRate: 1 });
    const dropped = shop.createOrder(orderJson('6660000000000000002', '#3002', new Date().toISOString()));
    await shop.webhooks.flush();
    expect(
      shop.webhooks.deliveries
        .filter((d) => d.status === 'dropped')
        .map((d) => d.topic)
        .sort(),
    ).toEqual(['orders/create', 'orders/paid']);
    expect(events.has(`paid:${delivered}`)).toBe(true);
    expect(events.has(`paid:${dropped}`)).toBe(false);

    const swept = await sweepOrders(client, state, { topic: 'orders/paid', isKnown: (k) => events.has(k) });
    expect(swept.deliveries.map((d) => d.dedupKey)).toEqual([`paid:${dropped}`]);
    expect(swept.skippedKnown).toBe(1); // #3001 came by webhook: not fetched again
    for (const d of swept.deliveries) expect(ingest(d.dedupKey, d.topic, 'sweep')).toBe(true);
    expect((m.get(sweepStateKey('orders/paid')) as { keys: string[] }).keys).toContain(`paid:${dropped}`);

    // The trigger turns the swept delivery into the same canonical order the webhook would have given.
    const d = present(swept.deliveries[0], 'a swept delivery');
    const out: any = await shopifyTrigger.execute(ctx({ connection: 's', topic: 'orders/paid', mode: 'webhook+sweep' }), { body: d.body, headers: d.headers });
    expect(out.event).toMatchObject({ topic: 'orders/paid', source: 'sweep', eventId: null, dedupKey: `paid:${dropped}`, shop: shop.shopDomain });
    // A host that stores only the body (no sweep header) gets the same result.
    const bare: any = await shopifyTrigger.execute(ctx({ connection: 's', topic: 'orders/paid' }), d.body);
    expect(bare.event.source).toBe('sweep');
    expect(bare.order).toEqual(out.order);
    const restBody = orderJson('6660000000000000002', '#3002', out.order.createdAt);
    const viaWebhook = convertWebhook('orders/paid', restBody);
    if (viaWebhook.kind !== 'order') throw new Error('not an order');
    expect(out.order.id).toBe(viaWebhook.order.id);
    expect(out.order.total).toEqual(viaWebhook.order.total);
    expect(out.order.lineItems.map((l: any) => [l.sku, l.quantity, l.taxLines[0]?.price.shop.amount])).toEqual(
      viaWebhook.order.lineItems.map((l) => [l.sku, l.quantity, l.taxLines[0]?.price.shop.amount]),
    );

    // Shopify retries the lost delivery hours later: same change, same key, so no second run.
    shop.setWebhookTarget(hookUrl);
    const dupBefore = duplicates.length;
    shop.webhooks.send('orders/paid', restBody);
    await shop.webhooks.flush();
    expect(duplicates.slice(dupBefore)).toEqual([`paid:${dropped}`]);
    expect(events.get(`paid:${dropped}`)?.via).toBe('sweep');

    const again = await sweepOrders(client, state, { topic: 'orders/paid', isKnown: (k) => events.has(k) });
    expect(again.deliveries).toEqual([]);
  });

  it('recovers a dropped orders/updated change and keys it like the webhook of that change', async () => {
    const { state } = flowState();
    await sweepOrders(client, state, {
      topic: 'orders/updated',
      since: new Date(Date.now() - 1000).toISOString(),
      overlapMs: 0,
      isKnown: (k) => events.has(k),
    });
    shop.setWebhookTarget(hookUrl, { dropRate: 1 });
    const id = 'gid://shopify/Order/6660000000000000001';
    const { updatedAt } = shop.updateOrder(id, { note: 'Leave with the neighbour' });
    await shop.webhooks.flush();
    const swept = await sweepOrders(client, state, { topic: 'orders/updated', isKnown: (k) => events.has(k) });
    const key = `updated:${id}:${new Date(updatedAt).toISOString()}`;
    expect(swept.deliveries.map((d) => d.dedupKey)).toContain(key);
    expect(swept.deliveries.find((d) => d.dedupKey === key)!.order.note).toBe('Leave with the neighbour');
    for (const d of swept.deliveries) ingest(d.dedupKey, d.topic, 'sweep');
    // The same change's webhook, delivered late: its body's updated_at gives the same key.
    shop.setWebhookTarget(hookUrl);
    const dupBefore = duplicates.length;
    const last = bodies.get(id)!;
    shop.webhooks.send('orders/updated', JSON.stringify({ ...(parseJsonLossless(last) as object), note: 'Leave with the neighbour', updated_at: updatedAt }));
    await shop.webhooks.flush();
    expect(duplicates.slice(dupBefore)).toEqual([key]);
    // A newer change is a new key: it runs.
    shop.updateOrder(id, { tags: 'vip' });
    await shop.webhooks.flush();
    expect([...events.keys()].filter((k) => k.startsWith(`updated:${id}:`))).toHaveLength(2);
  });

  it('reads the refunds of an order whose lines lost units, so a refunded order and an edited one are postable when swept', async () => {
    const { state } = flowState();
    await sweepOrders(client, state, { topic: 'orders/paid', since: new Date(Date.now() - 1000).toISOString(), overlapMs: 0, isKnown: (k) => events.has(k) });
    shop.setWebhookTarget(hookUrl, { dropRate: 1 });
    const twoTees = (id: string, name: string, current: number) =>
      orderJson(id, name, new Date().toISOString()).replace('"quantity":1,"price":"25.00"', `"quantity":2,"current_quantity":${current},"price":"12.50"`);
    // One tee refunded after payment (Shopify's currentQuantity then counts 1), and one removed by an edit before it.
    const refunded = shop.createOrder(twoTees('6660000000000000003', '#3003', 2));
    const lineOf = (orderId: string) => orderId.replace('gid://shopify/Order/', '') + '1';
    // As text: Shopify's ids are past a double's integers.
    shop.createRefund(
      `{"id":7300000031,"order_id":6660000000000000003,"created_at":"${new Date().toISOString()}","transactions":[],` +
        `"refund_line_items":[{"id":73000000311,"quantity":1,"line_item_id":${lineOf(refunded)},"restock_type":"no_restock","subtotal":"12.50","total_tax":"2.08"}]}`,
    );
    const edited = shop.createOrder(twoTees('6660000000000000004', '#3004', 1));
    await shop.webhooks.flush();
    const swept = await sweepOrders(client, state, { topic: 'orders/paid', isKnown: (k) => events.has(k) });
    const of = (id: string) =>
      present(
        swept.deliveries.find((d) => d.order.id === id),
        `the swept ${id}`,
      ).order;
    // Without the refunds both were "cannot be posted as edited": units lost, and no way to tell a refund from an edit.
    expect([of(refunded), of(edited)].map((o) => [o.postedProblem, o.posted?.edited, o.lineItems[0]?.postedQuantity])).toEqual([
      [null, false, 2],
      [null, true, 1],
    ]);
    expect(of(refunded).refunds.map((r) => r.refundLineItems.map((l) => l.quantity))).toEqual([[1]]);
    // The trigger reads the same from the stored body.
    const d = present(
      swept.deliveries.find((x) => x.order.id === refunded),
      'the refunded order',
    );
    const out: any = await shopifyTrigger.execute(ctx({ connection: 's', topic: 'orders/paid', mode: 'webhook+sweep' }), { body: d.body, headers: d.headers });
    expect(out.order.posted).toEqual(of(refunded).posted);
    shop.setWebhookTarget(hookUrl);
  });

  it('refuses sweep mode for a topic it cannot sweep, naming the field', () => {
    const r = shopifyTrigger.config.safeParse({ connection: 's', topic: 'refunds/create', mode: 'webhook+sweep' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['mode'] });
    expect(r.error?.issues[0]?.message).toMatch(/refunds\/create cannot be swept/);
  });
});
