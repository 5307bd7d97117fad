import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, flow, testServer, waitFor, type TestServer } from '../testing.ts';
import { rawCount, rawRow, rawRows } from '../../runtime/testing/raw.ts';

const SECRET = 'shpss_test_webhook_secret_0123456789';
const orderText = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
  await t.server.deps.connections.create({
    id: 'shop1',
    kind: 'shopify',
    provider: 'shopify',
    name: 'Shop',
    config: { shopDomain: 'shop1.myshopify.com' },
    secrets: { webhookSecret: SECRET, accessToken: 'shpat_x' },
  });
});
afterEach(() => t.close());

function deliver(
  body: string,
  o: {
    topic?: string;
    secret?: string;
    eventId?: string | null;
    webhookId?: string;
    triggeredAt?: string;
    hmac?: string;
    connection?: string;
    shop?: string;
  } = {},
) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'X-Shopify-Hmac-Sha256':
      o.hmac ??
      createHmac('sha256', o.secret ?? SECRET)
        .update(body)
        .digest('base64'),
    'X-Shopify-Topic': o.topic ?? 'orders/create',
    'X-Shopify-Shop-Domain': o.shop ?? 'shop1.myshopify.com',
    'X-Shopify-API-Version': '2026-04',
    'X-Shopify-Webhook-Id': o.webhookId ?? randomUUID(),
    'X-Shopify-Triggered-At': o.triggeredAt ?? new Date().toISOString(),
  };
  if (o.eventId !== null) headers['X-Shopify-Event-Id'] = o.eventId ?? randomUUID();
  return t.req('POST', `/webhooks/shopify/${o.connection ?? 'shop1'}`, { raw: body, headers });
}

const eventCount = () => rawCount(t.server.runtime.store, 'SELECT COUNT(*) AS n FROM events');
const runCount = () => rawCount(t.server.runtime.store, 'SELECT COUNT(*) AS n FROM runs');
/** Rows of `table` whose `column` holds `text` (LIKE, as both stores have it; the texts here hold no wildcards). */
const holding = (table: string, column: string, text: string) =>
  rawCount(t.server.runtime.store, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} LIKE '%' || CAST(? AS TEXT) || '%'`, text);

async function activeShopifyFlow(id: string, topics: string[], connectionId = 'shop1') {
  const rt = t.server.runtime;
  await rt.flows.create(flow(id, [{ id: 't', type: 'test.shopify-trigger', config: { connectionId, topics } }], []));
  await rt.flows.publish(id, { activate: true });
}

describe('POST /webhooks/shopify/:connectionId', () => {
  it('stores a verified delivery with its Shopify metadata and queues runs of the matching active flows only', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    await activeShopifyFlow('refunds', ['refunds/create']);
    await activeShopifyFlow('other-shop', ['orders/create'], 'shop2');
    const res = await deliver(orderText, { eventId: 'ev-1' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, duplicate: false, runs: 1, stale: false });
    const ev = await t.json('GET', `/api/events/${body.eventId}`, { token: t.tokens.owner });
    expect(ev.body).toMatchObject({ source: 'shopify:shop1', topic: 'orders/create', dedupKey: 'ev-1' });
    expect(ev.body.meta).toMatchObject({ shopDomain: 'shop1.myshopify.com', apiVersion: '2026-04', eventId: 'ev-1', stale: false });
    expect(ev.body.runIds).toHaveLength(1);
    // The body is kept byte for byte (18-digit ids intact), with the headers shopify.trigger reads.
    // The body has its own column (never escaped into the payload's JSON); the event reads as { body, headers }.
    const raw = (await rawRow<{ payload: string; body: string }>(t.server.runtime.store, 'SELECT payload, body FROM events WHERE id = ?', body.eventId))!;
    expect(raw.body).toBe(orderText);
    const stored = JSON.parse(raw.payload);
    expect(stored.body).toBeUndefined();
    expect(stored.headers).toMatchObject({ 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': 'ev-1' });
    expect(stored.headers['x-shopify-hmac-sha256']).toBeUndefined();
    expect(ev.body.payload).toEqual({ body: orderText, headers: stored.headers });
    await t.server.runtime.drain();
    const order = JSON.parse(orderText) as { admin_graphql_api_id: string };
    const runs = await t.json('GET', `/api/runs?key=shopifyOrderId:${encodeURIComponent(order.admin_graphql_api_id)}`, { token: t.tokens.owner });
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toMatchObject({ flowId: 'orders', status: 'succeeded' });
  });

  it('answers a repeat delivery 200 and starts nothing (dedup on event id, falling back to webhook id)', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const first = await (await deliver(orderText, { eventId: 'same' })).json();
    const again = await deliver(orderText, { eventId: 'same' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, runs: 0, eventId: first.eventId });
    // (Another body: the same body under new ids would be a replay, see below.)
    const other = orderText.replace('"note": null', '"note": "gift"');
    expect(other).not.toBe(orderText);
    await deliver(other, { eventId: null, webhookId: 'wh-1' });
    const dup = await (await deliver(other, { eventId: null, webhookId: 'wh-1' })).json();
    expect(dup.duplicate).toBe(true);
    expect(await eventCount()).toBe(2);
    expect(await runCount()).toBe(2);
  });

  it('refuses forged, unsigned and wrongly keyed deliveries with 401 and stores nothing', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    expect((await deliver(orderText, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await deliver(orderText, { hmac: 'AAAA' })).status).toBe(401);
    const tampered = await deliver(orderText.replace('"total_price"', '"total_price_x"'), {
      hmac: createHmac('sha256', SECRET).update(orderText).digest('base64'),
    });
    expect(tampered.status).toBe(401);
    const noHmac = await t.req('POST', '/webhooks/shopify/shop1', {
      raw: orderText,
      headers: { 'content-type': 'application/json', 'X-Shopify-Topic': 'orders/create' },
    });
    expect(noHmac.status).toBe(401);
    expect(await eventCount()).toBe(0);
    expect(await runCount()).toBe(0);
    // Said to operations once (a stale secret looks like this to every real delivery); resolved by the next good one.
    const raised = await t.server.deps.exceptions.list({ type: 'webhook-unverified' });
    expect(raised.items.map((e) => [e.key, e.state, e.count])).toEqual([['shop1', 'open', 1]]);
    expect((await deliver(orderText)).status).toBe(200);
    await waitFor(async () => (await t.server.deps.exceptions.list({ type: 'webhook-unverified', state: 'resolved' })).total === 1);
  });

  it('refuses a validly signed delivery naming another shop with 401, records it and queues nothing', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const res = await deliver(orderText, { shop: 'attacker-shop.myshopify.com' });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/shop1\.myshopify\.com.*attacker-shop\.myshopify\.com/);
    expect(await eventCount()).toBe(0);
    expect(await runCount()).toBe(0);
    const audit = await t.json('GET', '/api/audit', { token: t.tokens.owner });
    expect(audit.body.entries[0]).toMatchObject({
      action: 'webhook.refused',
      target: 'connection:shop1',
      details: { shopDomain: 'attacker-shop.myshopify.com' },
    });
    // The connection's own shop, in another case, is fine.
    expect((await deliver(orderText, { shop: 'Shop1.MyShopify.com' })).status).toBe(200);
  });

  it('refuses a signed body replayed under a topic it contradicts (an open order as orders/cancelled) and records it', async () => {
    await activeShopifyFlow('cancel', ['orders/cancelled']);
    const open = JSON.stringify({ ...JSON.parse(orderText), cancelled_at: null, cancel_reason: null, financial_status: 'paid' });
    expect((await deliver(open, { topic: 'orders/paid', eventId: 'paid-1' })).status).toBe(200);
    const replayed = await deliver(open, { topic: 'orders/cancelled', eventId: 'new-ev', webhookId: 'new-wh' });
    expect(replayed.status).toBe(422);
    expect((await replayed.json()).error).toMatchObject({ code: 'topic_mismatch', message: expect.stringMatching(/cancelled_at null/) });
    expect(await runCount()).toBe(0);
    const audit = await t.json('GET', '/api/audit', { token: t.tokens.owner });
    expect(audit.body.entries[0]).toMatchObject({ action: 'webhook.refused', details: { topic: 'orders/cancelled', eventId: 'new-ev' } });
    // Other contradictions: a refund-shaped body as an order topic, an order as refunds/create, orders/edited without order_edit.
    const refund = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.refunds.create.json', import.meta.url), 'utf8');
    expect((await deliver(refund, { topic: 'orders/cancelled' })).status).toBe(422);
    expect((await deliver(orderText, { topic: 'refunds/create' })).status).toBe(422);
    expect((await deliver(orderText, { topic: 'orders/edited' })).status).toBe(422);
    // Shopify's own published examples for those topics pass.
    expect((await deliver(refund, { topic: 'refunds/create' })).status).toBe(200);
    const edited = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.edited.json', import.meta.url), 'utf8');
    expect((await deliver(edited, { topic: 'orders/edited' })).status).toBe(200);
  });

  it('commits the deliveries of one tick (SQLite: in one transaction), each with its runs, and answers each after it', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const commits = async () =>
      Number(/ledgerline_ingest_commits_total (\d+)/.exec(await (await t.req('GET', '/metrics', { token: METRICS_TOKEN })).text())?.[1]);
    const before = await commits();
    // Every write of the batch happens after the last handler was submitted: nothing is stored before the commit.
    const bodies = Array.from({ length: 20 }, (_, i) => orderText.replace('"note": null', `"note": "batch ${i}"`));
    const storedNow = (eventId: string) => rawCount(t.server.runtime.store, 'SELECT COUNT(*) AS n FROM events WHERE dedup_key = ?', eventId);
    const answers = await Promise.all(
      bodies.map((b, i) =>
        deliver(b, { eventId: `batch-${i}` }).then(async (r) => ({
          status: r.status,
          storedWhenAnswered: await storedNow(`batch-${i}`),
          body: await r.json(),
        })),
      ),
    );
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ duplicate: false, runs: 1 });
      // Its 200 came after the commit that holds it: it is stored by then.
      expect(a.storedWhenAnswered).toBe(1);
      expect(await rawCount(t.server.runtime.store, 'SELECT COUNT(*) AS runs FROM runs WHERE event_id = ?', a.body.eventId)).toBe(1);
    }
    expect(await eventCount()).toBe(20);
    expect(await runCount()).toBe(20);
    const used = (await commits()) - before;
    // SQLite shares commits (one file lock, one WAL flush); PostgreSQL commits each delivery on its own connection,
    // side by side (group-commit.ts).
    if (t.server.runtime.store.dialect === 'sqlite') {
      expect(used).toBeGreaterThanOrEqual(1);
      expect(used).toBeLessThan(20);
    } else expect(used).toBe(20);
  });

  it('accepts only one of two copies of a signed body under different ids, even within one group commit', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const [a, b] = await Promise.all([deliver(orderText, { eventId: 'twin-a' }), deliver(orderText, { eventId: 'twin-b' })]);
    const answers = [await a.json(), await b.json()];
    expect(answers.filter((x) => x.duplicate === false)).toHaveLength(1);
    expect(answers.filter((x) => x.replay === true)).toHaveLength(1);
    expect(await eventCount()).toBe(1);
    expect(await runCount()).toBe(1);
  });

  it('recognises the same signed body for the same topic under new ids as a replay and runs it once', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const first = await (await deliver(orderText, { eventId: 'orig', webhookId: 'wh-orig' })).json();
    expect(first).toMatchObject({ duplicate: false, runs: 1 });
    const replay = await deliver(orderText, { eventId: 'forged-1', webhookId: 'forged-wh-1' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true, replay: true, runs: 0 });
    expect(await eventCount()).toBe(1);
    expect(await runCount()).toBe(1);
    // Shopify's own retry (same event id) is still the ordinary duplicate.
    expect(await (await deliver(orderText, { eventId: 'orig', webhookId: 'wh-orig' })).json()).toMatchObject({ duplicate: true, eventId: first.eventId });
    // After Shopify's 48-hour retry window the digest is forgotten.
    await rawRows(t.server.runtime.store, 'UPDATE webhook_digests SET seen_at = seen_at - ?', 49 * 3600_000);
    expect(await (await deliver(orderText, { eventId: 'later', webhookId: 'wh-later' })).json()).toMatchObject({ duplicate: false, runs: 1 });
  });

  it('flags stale deliveries but still stores them', async () => {
    const old = new Date(Date.now() - 3 * 3600_000).toISOString();
    const r = await (await deliver(orderText, { triggeredAt: old })).json();
    expect(r.stale).toBe(true);
    const ev = await t.json('GET', `/api/events/${r.eventId}`, { token: t.tokens.owner });
    expect(ev.body.meta).toMatchObject({ stale: true, triggeredAt: old });
  });

  it('stores (never drops) an event that no active flow wants, visible in /api/events', async () => {
    const r = await (await deliver('{"id": 1}', { topic: 'products/update' })).json();
    expect(r.runs).toBe(0);
    const list = await t.json('GET', '/api/events?source=shopify:shop1', { token: t.tokens.operator ?? t.tokens.owner });
    expect(list.body.events.map((e: { eventId: string }) => e.eventId)).toContain(r.eventId);
  });

  it('answers 413 for an oversized body, 404 for an unknown connection', async () => {
    const big = '{"x":"' + 'a'.repeat(5 * 1024 * 1024) + '"}';
    expect((await deliver(big)).status).toBe(413);
    expect((await deliver(orderText, { connection: 'nope' })).status).toBe(404);
    expect(await eventCount()).toBe(0);
    const metrics = await (await t.req('GET', '/metrics', { token: METRICS_TOKEN })).text();
    expect(metrics).toMatch(/ledgerline_webhooks_total\{source="shopify",result="too_large"\} 1/);
    expect(metrics).toMatch(/ledgerline_webhooks_total\{source="shopify",result="not_found"\} 1/);
  });

  it('keeps a signed body that is not JSON, runs nothing on it, raises it for operations and acknowledges it (its retries are the same bytes)', async () => {
    // Refused, Shopify would send the same bytes 8 times over 4 hours, then delete an Admin API subscription.
    await activeShopifyFlow('orders', ['orders/create']);
    const notJson = await deliver('{"id": 820982911946154508, "name": "#1001", "line_items": [', { eventId: 'ev-cut', webhookId: 'wh-cut' });
    expect(notJson.status).toBe(200);
    const r = await notJson.json();
    expect(r).toMatchObject({ ok: true, duplicate: false, runs: 0, unreadable: expect.stringContaining('not JSON') });
    expect(await eventCount()).toBe(1);
    expect(await runCount()).toBe(0);
    expect(await holding('events', 'body', '"line_items": [')).toBe(1); // kept byte for byte
    const list = await t.server.deps.exceptions.list({ type: 'unprocessable-event' });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      owner: 'operations',
      severity: 'high',
      title: expect.stringContaining('orders/create delivery from shop1.myshopify.com could not be read'),
      detail: expect.stringContaining(`event ${r.eventId}`),
    });
    // Shopify's retry: a duplicate, counted on the same exception, still nothing run.
    expect(
      await (await deliver('{"id": 820982911946154508, "name": "#1001", "line_items": [', { eventId: 'ev-cut', webhookId: 'wh-cut' })).json(),
    ).toMatchObject({
      duplicate: true,
      runs: 0,
    });
    expect(await eventCount()).toBe(1);
    expect((await t.server.deps.exceptions.list({ type: 'unprocessable-event' })).items[0]).toMatchObject({ count: 2 });
    const metrics = await (await t.req('GET', '/metrics', { token: METRICS_TOKEN })).text();
    expect(metrics).toMatch(/ledgerline_webhooks_total\{source="shopify",result="unreadable"\} 2/);
  });

  it('handles compliance topics: customers/redact scrubs stored events and run steps; data_request is recorded', async () => {
    await activeShopifyFlow('orders', ['orders/create']);
    const order = JSON.parse(orderText);
    const email = 'redact-me@example.com';
    const text = JSON.stringify({ ...order, email, customer: { ...order.customer, id: 4242424242, email } });
    await deliver(text);
    await t.server.runtime.drain();
    expect(await holding('steps', 'output', email)).toBeGreaterThan(0);
    expect(await holding('events', 'body', email)).toBe(1); // the delivery's body, in its own column
    const redact = JSON.stringify({
      shop_id: 1,
      shop_domain: 'shop1.myshopify.com',
      customer: { id: 4242424242, email, phone: null },
      orders_to_redact: [order.id],
    });
    expect((await deliver(redact, { topic: 'customers/redact' })).status).toBe(200);
    expect(await holding('events', 'payload', email)).toBe(0);
    expect(await holding('events', 'body', email)).toBe(0);
    expect(await holding('steps', 'output', email)).toBe(0);
    const dr = JSON.stringify({
      shop_id: 1,
      shop_domain: 'shop1.myshopify.com',
      customer: { id: 7, email: 'ask@example.com' },
      orders_requested: [1],
      data_request: { id: 9 },
    });
    expect((await deliver(dr, { topic: 'customers/data_request' })).status).toBe(200);
    const c = await t.json('GET', '/api/compliance', { token: t.tokens.owner });
    expect(c.body.requests.map((r: { topic: string }) => r.topic)).toEqual(['customers/data_request', 'customers/redact']);
    expect(c.body.requests[1].summary.eventsRedacted).toBe(1);
    expect(c.body.requests[0].summary.customer.email).toBe('ask@example.com');
    const shop = await deliver(JSON.stringify({ shop_id: 1, shop_domain: 'shop1.myshopify.com' }), { topic: 'shop/redact' });
    expect(shop.status).toBe(200);
  });

  /** A server whose active flow 'real' starts with the real shopify.trigger node on orders/create. */
  async function withRealTrigger() {
    const { shopifyTrigger } = await import('../../nodes/shopify/trigger.ts');
    await t.close();
    t = await testServer({ extraNodes: [shopifyTrigger] });
    await t.server.deps.connections.create({
      id: 'shop1',
      kind: 'shopify',
      provider: 'shopify',
      name: 'Shop',
      config: { shopDomain: 'shop1.myshopify.com' },
      secrets: { webhookSecret: SECRET },
    });
    await t.server.runtime.flows.create(flow('real', [{ id: 't', type: 'shopify.trigger', config: { connection: 'shop1', topic: 'orders/create' } }], []));
    await t.server.runtime.flows.publish('real', { activate: true });
  }

  it('feeds the real shopify.trigger node: canonical order plus event metadata', async () => {
    await withRealTrigger();
    const r = await (await deliver(orderText, { eventId: 'ev-real' })).json();
    expect(r.runs).toBe(1);
    await t.server.runtime.drain();
    const run = await t.server.runtime.runs.get((await t.server.runtime.runs.list({ flowId: 'real' }))[0]!.runId);
    expect(run.status).toBe('succeeded');
    const out = run.steps[0]?.output as { event: { eventId: string; topic: string; shop: string }; kind: string; order: { id: string } };
    expect(out.event).toMatchObject({ eventId: 'ev-real', topic: 'orders/create', shop: 'shop1.myshopify.com' });
    expect(out.order.id).toBe(JSON.parse(orderText).admin_graphql_api_id);
  });

  it('keeps a signed order whose line items are not JSON (ingest reads only its top level), and its run fails saying so', async () => {
    await withRealTrigger();
    const order = JSON.parse(orderText);
    const text = `{"id":${order.id},"admin_graphql_api_id":"${order.admin_graphql_api_id}","name":"#9999","line_items":[{"id":1,,}]}`;
    const r = await (await deliver(text, { eventId: 'ev-broken' })).json();
    expect(r).toMatchObject({ ok: true, duplicate: false, runs: 1 });
    expect(await holding('events', 'body', '[{"id":1,,}]')).toBe(1); // kept byte for byte
    expect(await rawCount(t.server.runtime.store, "SELECT COUNT(*) AS n FROM run_keys WHERE value = '#9999'")).toBe(1);
    await t.server.runtime.drain();
    const run = await t.server.runtime.runs.get(r.runIds?.[0] ?? (await t.server.runtime.runs.list({ flowId: 'real' }))[0]!.runId);
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run.steps[0]?.error ?? run.error)).toMatch(/JSON/);
    // A body broken at its top level is kept too, with no run: nothing can be read from it.
    const top = await (await deliver(`{"id":${order.id},"line_items":[]`, { eventId: 'ev-top' })).json();
    expect(top).toMatchObject({ ok: true, runs: 0, unreadable: expect.stringContaining('not JSON') });
    expect(await eventCount()).toBe(2);
  });

  it('keeps without a run, naming the member, a body broken inside a member that ingest has to read', async () => {
    // orders/edited: the topic check reads order_edit.
    const edited = await deliver('{"order_edit":{"id":1,"order_id":2,,}}', { topic: 'orders/edited' });
    expect(await edited.json()).toMatchObject({ runs: 0, unreadable: expect.stringContaining('"order_edit", which starts at position 14') });
    // A flow's business key reaching into the line items.
    const rt = t.server.runtime;
    await rt.flows.create(
      flow('keyed', [{ id: 't', type: 'test.shopify-trigger', config: { connectionId: 'shop1', topics: ['orders/create'] } }], [], {
        businessKeys: { sku: 'line_items.0.sku' },
      }),
    );
    await rt.flows.publish('keyed', { activate: true });
    const keyed = await (await deliver('{"id":5,"name":"#5","line_items":[{"sku":"A",,}]}')).json();
    expect(keyed).toMatchObject({ runs: 0, unreadable: expect.stringContaining('"line_items"') });
    expect(await eventCount()).toBe(2);
    expect(await runCount()).toBe(0);
    expect((await t.server.deps.exceptions.list({ type: 'unprocessable-event' })).total).toBe(2);
    const fine = await (await deliver('{"id":6,"name":"#6","line_items":[{"sku":"B"}]}')).json();
    expect(fine).toMatchObject({ ok: true, runs: 1 });
    expect(await rawCount(rt.store, "SELECT COUNT(*) AS n FROM run_keys WHERE key = 'sku' AND value = 'B'")).toBe(1);
  });

  it('survives garbage without crashing and keeps serving', async () => {
    for (const raw of ['', '\u0000\u0001', '[]', 'null']) {
      const r = await deliver(raw);
      expect([200, 400, 401]).toContain(r.status);
    }
    // Signed bytes that are not JSON are kept (NUL, which PostgreSQL's text cannot hold, as U+FFFD) and raised, the
    // parser's message naming the character escaped. (An empty body is not signed: refused as unverifiable.)
    expect(await holding('events', 'body', '\uFFFD\u0001')).toBe(1);
    const [raised] = (await t.server.deps.exceptions.list({ type: 'unprocessable-event' })).items;
    expect(raised?.detail).toContain("Unexpected token '\\u0000'");
    expect((await t.req('GET', '/healthz')).status).toBe(200);
    await waitFor(() => true);
  });
});
