// Shopify's redaction requests on every dialect: the events of the shop that mention the customer, and the steps of
// their runs, lose the customer's personal data; nothing else is touched (a needle is a plain substring, not a pattern).
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, runs, steps } from '../../runtime/store/schema.ts';
import { freshStores, testStores } from '../../runtime/testing/stores.ts';
import { complianceRequests } from '../db/schema.ts';
import { handleCompliance } from './compliance.ts';
import { convertWebhook } from '../../nodes/shopify/webhook-convert.ts';

const T0 = 1_800_000_000_000;
const delivery = (order: object) => JSON.stringify({ body: JSON.stringify(order), headers: { 'X-Shopify-Topic': 'orders/paid' } });
const order = (id: number, email: string) => ({ id, email, customer: { id: 500 + id, email }, line_items: [{ sku: 'TEE' }] });

/** A compliance webhook of shop1 (request event `req`), as the ingest route hands it over. */
const comply = (store: Parameters<typeof handleCompliance>[0]['store'], topic: string, body: unknown, now: number) =>
  handleCompliance({ store, connectionId: 'shop1', topic, shopDomain: 'shop1.myshopify.com', eventId: 'req', body, now });

describe.each(testStores())('compliance redaction on $name', (kind) => {
  const fresh = freshStores(kind);

  async function seeded() {
    const s = await fresh();
    const view = s.sql({ events, runs, steps, complianceRequests });
    const { db, tables: t } = view;
    await db.insert(t.events).values([
      { id: 'ann', source: 'shopify:shop1', payload: delivery(order(1, 'ann_x@example.com')), receivedAt: T0 },
      // "ann_x" as a LIKE pattern would match "annAx": a different customer, kept.
      { id: 'other', source: 'shopify:shop1', payload: delivery(order(2, 'annAx@example.com')), receivedAt: T0 },
      { id: 'elsewhere', source: 'shopify:shop2', payload: delivery(order(3, 'ann_x@example.com')), receivedAt: T0 },
    ]);
    await db
      .insert(t.runs)
      .values(['ann', 'other'].map((e) => ({ id: `run-${e}`, flowId: 'f', flowVersion: 1, eventId: e, status: 'failed', availableAt: T0, createdAt: T0 })));
    await db.insert(t.steps).values([
      {
        runId: 'run-ann',
        nodeId: 'map',
        status: 'succeeded',
        output: JSON.stringify({ contact: 'ann_x@example.com', email: 'ann_x@example.com', sku: 'TEE' }),
      },
      { runId: 'run-ann', nodeId: 'post', status: 'failed', error: JSON.stringify({ message: 'customer ann_x@example.com refused' }) },
      { runId: 'run-other', nodeId: 'map', status: 'succeeded', output: JSON.stringify({ email: 'annAx@example.com' }) },
    ]);
    await db.insert(t.events).values({ id: 'req', source: 'shopify:shop1', payload: '{}', receivedAt: T0 + 1 });
    const payloadOf = async (id: string) => JSON.parse((await db.select().from(t.events).where(eq(t.events.id, id)))[0]!.payload);
    const stepsOf = async (runId: string) => (await db.select().from(t.steps).where(eq(t.steps.runId, runId))).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    return { s, view, payloadOf, stepsOf };
  }

  it('customers/redact scrubs the customer from the shop’s events and their steps, and records the request', async () => {
    const { s, view, payloadOf, stepsOf } = await seeded();
    const request = { customer: { id: 501, email: 'ann_x@example.com', phone: null }, orders_to_redact: [] };
    const summary = await comply(s.store, 'customers/redact', request, T0 + 5);
    expect(summary).toEqual({ eventsRedacted: 1, customerId: 501, orders: 0 });
    const ann = await payloadOf('ann');
    expect(JSON.parse(ann.body)).toEqual({ id: 1, email: '[redacted]', customer: '[redacted]', line_items: [{ sku: 'TEE' }] });
    expect(ann.headers).toEqual({ 'X-Shopify-Topic': 'orders/paid' });
    const [map, post] = await stepsOf('run-ann');
    expect(JSON.parse(map!.output!)).toEqual({ contact: '[redacted]', email: '[redacted]', sku: 'TEE' });
    expect(JSON.parse(post!.error!)).toEqual({ message: 'customer [redacted] refused' });
    // Untouched: another customer whose email the needle would match as a LIKE pattern, and another shop.
    expect(JSON.parse((await payloadOf('other')).body).email).toBe('annAx@example.com');
    expect(JSON.parse((await stepsOf('run-other'))[0]!.output!)).toEqual({ email: 'annAx@example.com' });
    expect(JSON.parse((await payloadOf('elsewhere')).body).email).toBe('ann_x@example.com');
    // The request itself keeps only what proves we acted.
    expect(await payloadOf('req')).toEqual({ customer: '[redacted]', orders_to_redact: [] });
    const recorded = await view.db.select().from(view.tables.complianceRequests);
    expect(recorded).toEqual([
      expect.objectContaining({ connectionId: 'shop1', topic: 'customers/redact', eventId: 'req', receivedAt: T0 + 5, handledAt: T0 + 5 }),
    ]);
    expect(JSON.parse(recorded[0]!.summary)).toEqual(summary);
  });

  it("keeps a redacted delivery's 18-digit ids exact: the trigger's order, made again from it, names the same order", async () => {
    const s = await fresh();
    const { db, tables: t } = s.sql({ events });
    // Shopify's example with an order id past 2^53 that a double cannot hold (…508 reads back as …500).
    const body = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.paid.json', import.meta.url), 'utf8').replace(
      '"id": 820982911946154500,',
      '"id": 820982911946154508,',
    );
    // Stored as ingest stores it: the headers in the payload, Shopify's text apart.
    await db.insert(t.events).values({ id: 'paid', source: 'shopify:shop1', payload: JSON.stringify({ headers: {} }), body, receivedAt: T0 });
    await db.insert(t.events).values({ id: 'req', source: 'shopify:shop1', payload: '{}', receivedAt: T0 + 1 });
    const request = { customer: { id: 115310627314723950, email: 'john@example.com', phone: null }, orders_to_redact: [] };
    await comply(s.store, 'customers/redact', request, T0 + 5);
    const [row] = await db.select().from(t.events).where(eq(t.events.id, 'paid'));
    const scrubbed = JSON.parse(row!.payload).body as string;
    expect(scrubbed).not.toContain('john@example.com');
    expect(scrubbed).toContain('"820982911946154508"'); // not 820982911946154500, what a plain parse makes of it
    const converted = convertWebhook('orders/paid', scrubbed) as { order: { legacyId: string; customer: unknown; lineItems: Array<{ id: string }> } };
    const original = convertWebhook('orders/paid', body) as typeof converted;
    expect(converted.order.legacyId).toBe('820982911946154508');
    expect(converted.order.lineItems.map((l) => l.id)).toEqual(original.order.lineItems.map((l) => l.id));
    expect(converted.order.customer).toBeNull();
  });

  it('shop/redact scrubs every event of the shop; a data request is only recorded', async () => {
    const { s, view, payloadOf } = await seeded();
    const asked = await comply(s.store, 'customers/data_request', { customer: { id: 501 } }, T0);
    expect(asked).toMatchObject({ customer: { id: 501 } });
    expect(JSON.parse((await payloadOf('ann')).body).email).toBe('ann_x@example.com');
    const summary = await comply(s.store, 'shop/redact', {}, T0);
    expect(summary).toMatchObject({ eventsRedacted: 2 });
    expect(JSON.parse((await payloadOf('ann')).body).email).toBe('[redacted]');
    expect(JSON.parse((await payloadOf('other')).body).email).toBe('[redacted]');
    expect(JSON.parse((await payloadOf('elsewhere')).body).email).toBe('ann_x@example.com');
    const recorded = await view.db.select().from(view.tables.complianceRequests).orderBy(view.tables.complianceRequests.id);
    expect(recorded.map((r) => [r.topic, r.handledAt])).toEqual([
      ['customers/data_request', null],
      ['shop/redact', T0],
    ]);
  });
});
