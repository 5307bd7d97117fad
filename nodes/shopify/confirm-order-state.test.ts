// shopify.confirm-order-state against the sandbox store (Shopify's Admin schema; ORDER_STATE is validated against it
// in documents.test.ts): an event is passed on only when Shopify's current order confirms it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSkipped, type NodeContext } from '../../runtime/node-api.ts';
import { createShopifyConnection, type ShopifyClient } from './client.ts';
import { confirmOrderState } from './confirm-order-state.ts';
import { startShopifySandbox, type SandboxStore } from './sandbox/server.ts';
import { shopifyTrigger } from './trigger.ts';
import { sandboxClient } from './testing.ts';

const SCENARIOS = new URL('../../flows/templates/scenarios/', import.meta.url);
const scenario = (name: string) => readFileSync(new URL(name, SCENARIOS), 'utf8');
const ORDER = 'gid://shopify/Order/7100000002';

let shop: SandboxStore;
let client: ShopifyClient;
beforeAll(async () => {
  shop = await startShopifySandbox();
  client = sandboxClient(shop);
  shop.createOrder(scenario('us-state-county-shipping-tax.orders-paid.json'));
});
afterAll(() => shop.stop());

function ctx<C>(config: C, connection: () => unknown = () => client): NodeContext<C> {
  return {
    runId: 'run-1',
    flowId: 'f',
    flowVersion: 1,
    nodeId: 'confirm',
    attempt: 1,
    config,
    trigger: null,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async () => undefined, set: () => undefined },
    connection: async () => connection() as never,
    signal: new AbortController().signal,
    now: () => new Date(),
  };
}
/** What shopify.trigger makes of a delivery: the real conversion, not a hand-built input. */
async function event(topic: string, body: string): Promise<any> {
  return shopifyTrigger.execute(ctx(shopifyTrigger.config.parse({ connection: 's', topic })), {
    body,
    headers: { 'X-Shopify-Topic': topic, 'X-Shopify-Event-Id': `ev-${topic}` },
  });
}
const confirm = (expect: string, input: unknown) =>
  confirmOrderState.execute(ctx(confirmOrderState.config.parse({ connection: 'shop', expect })), input as never);

describe('shopify.confirm-order-state', () => {
  it('a cancel event for an order Shopify says is not cancelled (a paid body replayed as orders/cancelled) is skipped, named', async () => {
    const replayed = await event('orders/cancelled', scenario('us-state-county-shipping-tax.orders-paid.json'));
    const out = await confirm('cancelled', replayed);
    expect(isSkipped(out)).toBe(true);
    expect(out).toMatchObject({
      code: 'STATE_NOT_CONFIRMED',
      details: {
        expected: 'cancelled',
        orderId: ORDER,
        name: '#5002',
        topic: 'orders/cancelled',
        eventId: 'ev-orders/cancelled',
        shopify: { cancelledAt: null },
      },
    });
    expect((out as any).message).toMatch(
      /^node confirm: Shopify does not confirm that order #5002 \(gid:\/\/shopify\/Order\/7100000002\) was cancelled: the order is not cancelled/,
    );
  });

  it("a stale or forged body is overruled by Shopify: a cancellation goes on with Shopify's cancelledAt once Shopify has it", async () => {
    const body = JSON.parse(scenario('us-state-county-shipping-tax.orders-cancelled.json'));
    shop.updateOrder(ORDER, { cancelled_at: '2026-03-03T09:30:00+00:00', cancel_reason: 'customer' });
    // The delivery's own cancelled_at differs (e.g. an old capture): the ERP gets Shopify's.
    const out: any = await confirm('cancelled', await event('orders/cancelled', JSON.stringify({ ...body, cancelled_at: '2026-03-01T00:00:00+00:00' })));
    expect(isSkipped(out)).toBe(false);
    expect(out.confirmed).toMatchObject({ state: 'cancelled', orderId: ORDER, name: '#5002', cancelledAt: '2026-03-03T09:30:00Z' });
    expect(out.order.cancelledAt).toBe('2026-03-03T09:30:00Z');
    expect(out.order.id).toBe(ORDER);
  });

  it("an edit is confirmed only when the order's lines are as the edit says", async () => {
    const edit = await event('orders/edited', scenario('us-state-county-shipping-tax.orders-edited.json'));
    const before = await confirm('edited', edit);
    expect(before).toMatchObject({
      code: 'STATE_NOT_CONFIRMED',
      details: { problem: expect.stringMatching(/line gid:\/\/shopify\/LineItem\/71000000020 still has 2 of 2, not reduced by 1/) },
    });
    const raw = JSON.parse(scenario('us-state-county-shipping-tax.orders-paid.json'));
    shop.updateOrder(ORDER, { line_items: raw.line_items.map((l: any) => (l.id === 71000000020 ? { ...l, current_quantity: 1 } : l)) });
    const after: any = await confirm('edited', edit);
    expect(isSkipped(after)).toBe(false);
    expect(after.orderEdit.orderId).toBe(ORDER);
    expect(after.confirmed).toMatchObject({ state: 'edited', orderId: ORDER });
    const forged = JSON.parse(scenario('us-state-county-shipping-tax.orders-edited.json'));
    forged.order_edit.line_items.additions = [{ id: 71000000999, delta: 1 }];
    expect(await confirm('edited', await event('orders/edited', JSON.stringify(forged)))).toMatchObject({
      code: 'STATE_NOT_CONFIRMED',
      details: { problem: 'the added line gid://shopify/LineItem/71000000999 is not on the order' },
    });
  });

  it('a refund is confirmed only when Shopify has it; an order Shopify does not know is skipped too', async () => {
    shop.createOrder(scenario('uk-vat-inclusive-discount.orders-paid.json'));
    const refundBody = scenario('uk-vat-inclusive-discount.refund-restock.json');
    const early = await confirm('refunded', await event('refunds/create', refundBody));
    expect(early).toMatchObject({
      code: 'STATE_NOT_CONFIRMED',
      details: { expected: 'refunded', problem: expect.stringMatching(/has no refund gid:\/\/shopify\/Refund\/7200000001/) },
    });
    shop.createRefund(refundBody);
    const out: any = await confirm('refunded', await event('refunds/create', refundBody));
    expect(isSkipped(out)).toBe(false);
    expect(out.refund.id).toBe('gid://shopify/Refund/7200000001');
    const stranger = JSON.parse(refundBody);
    stranger.order_id = 7100000999;
    expect(await confirm('refunded', await event('refunds/create', JSON.stringify(stranger)))).toMatchObject({
      code: 'ORDER_NOT_IN_SHOPIFY',
      details: { orderId: 'gid://shopify/Order/7100000999' },
    });
  });

  it('input of the wrong kind is a permanent error naming the field; Shopify down is transient', async () => {
    const paid = await event('orders/paid', scenario('us-state-county-shipping-tax.orders-paid.json'));
    await expect(confirm('refunded', paid)).rejects.toMatchObject({ errorClass: 'permanent', code: 'INVALID_INPUT', details: { field: 'refund.orderId' } });
    const down = createShopifyConnection({
      shopDomain: shop.shopDomain,
      endpoint: 'http://127.0.0.1:9/admin/api/2026-10/graphql.json',
      auth: { kind: 'access-token', accessToken: 'x' },
    });
    const c = ctx(confirmOrderState.config.parse({ connection: 'shop', expect: 'cancelled' }), () => down);
    await expect(confirmOrderState.execute(c, paid)).rejects.toMatchObject({ errorClass: 'transient', code: 'SHOPIFY_UNAVAILABLE' });
  });
});
