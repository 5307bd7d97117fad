// What fulfilment-push does with the nulls the Admin schema allows and the sandbox store never sends: a fulfillment
// order whose location was deleted (assignedLocation.location null) and a fulfillmentCreate answer without payload.
import { describe, expect, it } from 'vitest';
import type { NodeContext } from '../../runtime/node-api.ts';
import type { FulfillmentCreateMutation, OrderFulfillmentStateQuery } from './admin-types.generated.ts';
import { FULFILLMENT_CREATE, ORDER_FULFILLMENT_STATE } from './documents.ts';
import { fulfilmentPush } from './fulfilment-push.ts';

const ORDER = 'gid://shopify/Order/1';

const state = (locations: (string | null)[]): OrderFulfillmentStateQuery => ({
  order: {
    id: ORDER,
    name: '#1001',
    fulfillments: [],
    fulfillmentOrders: {
      nodes: locations.map((loc, i) => ({
        id: `gid://shopify/FulfillmentOrder/${i}`,
        status: 'OPEN',
        assignedLocation: { location: loc === null ? null : { id: loc } },
        lineItems: {
          nodes: [
            { id: `gid://shopify/FulfillmentOrderLineItem/${i}`, sku: 'TEE', remainingQuantity: 1, totalQuantity: 1, lineItem: { id: `li-${i}`, sku: 'TEE' } },
          ],
        },
      })),
    },
  },
});

/** A connection answering the two documents from canned data, recording the fulfillmentCreate variables. */
function fakeShop(order: OrderFulfillmentStateQuery, created: (n: number) => FulfillmentCreateMutation) {
  const sent: unknown[] = [];
  const client = {
    async request(doc: string, variables: Record<string, unknown>) {
      if (doc === ORDER_FULFILLMENT_STATE) return { data: order, cost: { requested: 1, actual: 1, throttleStatus: null } };
      if (doc === FULFILLMENT_CREATE) {
        sent.push(variables.fulfillment);
        return { data: created(sent.length), cost: { requested: 10, actual: 10, throttleStatus: null } };
      }
      throw new Error(`unexpected document ${doc.slice(0, 40)}`);
    },
  };
  const ctx = {
    runId: 'r',
    flowId: 'f',
    flowVersion: 1,
    nodeId: 'n1',
    attempt: 1,
    config: fulfilmentPush.config.parse({ connection: 's' }),
    trigger: null,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    sandbox: undefined as never,
    state: { get: async () => undefined, set: () => {} },
    connection: async () => client as never,
    signal: new AbortController().signal,
    now: () => new Date(),
  } as NodeContext<ReturnType<typeof fulfilmentPush.config.parse>>;
  return { ctx, sent };
}

const ok = (n: number): FulfillmentCreateMutation => ({
  fulfillmentCreate: { fulfillment: { id: `gid://shopify/Fulfillment/${n}`, status: 'SUCCESS', trackingInfo: [] }, userErrors: [] },
});

describe('shopify.fulfilment-push and the nulls Shopify may send', () => {
  it('a fulfillment order without a location (deleted) is fulfilled in a request of its own, not grouped or crashed on', async () => {
    const { ctx, sent } = fakeShop(state(['gid://shopify/Location/1', null]), ok);
    const out = await fulfilmentPush.execute(ctx, { erpFulfilmentId: 'E1', orderId: ORDER, lines: [{ sku: 'TEE', quantity: 2 }] });
    expect(out).toMatchObject({ fulfillmentIds: ['gid://shopify/Fulfillment/1', 'gid://shopify/Fulfillment/2'], alreadyDone: false });
    expect(sent).toHaveLength(2);
  });

  it('a fulfillmentCreate answer with neither fulfillment nor userErrors is an ambiguous failure, not a crash', async () => {
    const { ctx } = fakeShop(state(['gid://shopify/Location/1']), () => ({ fulfillmentCreate: null }));
    const err = await Promise.resolve(fulfilmentPush.execute(ctx, { erpFulfilmentId: 'E2', orderId: ORDER, lines: [{ sku: 'TEE', quantity: 1 }] })).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ errorClass: 'ambiguous', code: 'SHOPIFY_NO_FULFILLMENT' });
  });
});
