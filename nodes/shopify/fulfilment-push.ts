// shopify.fulfilment-push: an ERP fulfilment (order, SKU lines, tracking) -> fulfillmentCreate on the right
// fulfillment orders. Idempotent on the ERP fulfilment id: flow state remembers it, and a Shopify fulfilment with the
// same tracking number is taken as ours (covers a crash between Shopify's answer and the state commit).
import { z } from 'zod';
import { defineNode, NodeError, permanentError } from '../../runtime/node-api.ts';
import { FULFILLMENT_CREATE, ORDER_BY_NAME, ORDER_FULFILLMENT_STATE } from './documents.ts';
import { asNodeError, connectionField, shopifyClient } from './node-util.ts';

const config = z.object({ connection: connectionField, notifyCustomer: z.boolean().default(true) }).strict();

export interface FulfilmentPushInput {
  erpFulfilmentId: string;
  /** Order GID, or its name ("#1001"). */
  orderId?: string;
  orderName?: string;
  /** Only fulfil from fulfillment orders assigned to this location. */
  locationId?: string;
  lines: { sku: string; quantity: number }[];
  tracking?: { company?: string; number?: string; url?: string };
}

export interface FulfilmentPushOutput {
  erpFulfilmentId: string;
  orderId: string;
  fulfillmentIds: string[];
  alreadyDone: boolean;
}

export const fulfilmentPush = defineNode<z.infer<typeof config>, FulfilmentPushInput, FulfilmentPushOutput>({
  type: 'shopify.fulfilment-push',
  version: 1,
  title: 'Push fulfilment to Shopify',
  category: 'shopify',
  description:
    'Creates Shopify fulfilments with tracking for an ERP shipment, per fulfillment order location, notifying the customer. Partial shipments supported; pushing the same ERP fulfilment twice does nothing.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpFulfilment' }],
  outputs: [{ id: 'out', dataType: 'FulfilmentPushResult' }],
  idempotent: true,
  sampleOutput: {
    erpFulfilmentId: 'WH-SHIP-1001',
    orderId: 'gid://shopify/Order/820982911946154508',
    fulfillmentIds: ['gid://shopify/Fulfillment/255858046'],
    alreadyDone: false,
  },
  async execute(ctx, input) {
    const where = `node ${ctx.nodeId}`;
    if (!input?.erpFulfilmentId) throw permanentError(`${where}: input.erpFulfilmentId is required`, { code: 'BAD_INPUT' });
    if (!input.orderId && !input.orderName) throw permanentError(`${where}: input.orderId or input.orderName is required`, { code: 'BAD_INPUT' });
    if (!Array.isArray(input.lines) || !input.lines.length) throw permanentError(`${where}: input.lines must list at least one SKU`, { code: 'BAD_INPUT' });
    input.lines.forEach((l, i) => {
      if (!l.sku) throw permanentError(`${where}: input.lines[${i}].sku is empty`, { code: 'BAD_INPUT' });
      if (!Number.isInteger(l.quantity) || l.quantity <= 0)
        throw permanentError(`${where}: input.lines[${i}].quantity must be a positive integer`, { code: 'BAD_INPUT' });
    });
    const stateKey = `shopify.fulfilment:${input.erpFulfilmentId}`;
    const done = await ctx.state.get<FulfilmentPushOutput>(stateKey);
    if (done) return { ...done, alreadyDone: true };
    const client = await shopifyClient(ctx);
    try {
      let orderId = input.orderId;
      if (!orderId) {
        const r = await client.request(ORDER_BY_NAME, { query: `name:'${input.orderName!.replace(/'/g, "\\'")}'` }, { signal: ctx.signal });
        const matches = r.data.orders.nodes.filter((o) => o.name === input.orderName);
        const [match] = matches;
        if (matches.length !== 1 || !match)
          throw permanentError(`${where}: order "${input.orderName}" ${matches.length ? 'is ambiguous' : 'was not found in Shopify'}`, {
            code: 'ORDER_NOT_FOUND',
          });
        orderId = match.id;
      }
      const st = await client.request(ORDER_FULFILLMENT_STATE, { id: orderId }, { signal: ctx.signal });
      const order = st.data.order;
      if (!order) throw permanentError(`${where}: order ${orderId} was not found in Shopify`, { code: 'ORDER_NOT_FOUND' });
      const number = input.tracking?.number;
      if (number) {
        const existing = order.fulfillments.filter((f) => f.trackingInfo.some((t) => t.number === number));
        if (existing.length) {
          const out = { erpFulfilmentId: input.erpFulfilmentId, orderId: orderId!, fulfillmentIds: existing.map((f) => f.id), alreadyDone: true };
          ctx.state.set(stateKey, out);
          return out;
        }
      }
      // Allocate SKU quantities to open fulfillment order lines, grouped by assigned location. A fulfillment order whose
      // location was deleted has none (null): it goes alone in its own request, and Shopify says what it makes of it.
      const byLocation = new Map<string, Map<string, { id: string; quantity: number }[]>>();
      const fos = order.fulfillmentOrders.nodes.filter(
        (fo) => fo.status !== 'CLOSED' && fo.status !== 'CANCELLED' && (!input.locationId || fo.assignedLocation.location?.id === input.locationId),
      );
      // What is still open per fulfillment order line, decremented as the input lines take from it.
      const remaining = new Map(fos.flatMap((fo) => fo.lineItems.nodes.map((li) => [li.id, li.remainingQuantity] as const)));
      input.lines.forEach((l, i) => {
        let need = l.quantity;
        for (const fo of fos) {
          for (const li of fo.lineItems.nodes) {
            if (need === 0) break;
            const open = remaining.get(li.id) ?? 0;
            if ((li.sku ?? li.lineItem.sku) !== l.sku || open <= 0) continue;
            const take = Math.min(need, open);
            remaining.set(li.id, open - take);
            need -= take;
            const loc = fo.assignedLocation.location?.id ?? `no-location:${fo.id}`;
            const perFo = byLocation.get(loc) ?? new Map<string, { id: string; quantity: number }[]>();
            const list = perFo.get(fo.id) ?? [];
            list.push({ id: li.id, quantity: take });
            perFo.set(fo.id, list);
            byLocation.set(loc, perFo);
          }
        }
        if (need > 0)
          throw permanentError(
            `${where}: input.lines[${i}]: ${need} of ${l.quantity} × ${l.sku} cannot be fulfilled on ${order.name} (not on the order, already fulfilled${input.locationId ? ', or not at ' + input.locationId : ''})`,
            { code: 'NOTHING_TO_FULFIL', details: { sku: l.sku } },
          );
      });
      const fulfillmentIds: string[] = [];
      for (const perFo of byLocation.values()) {
        const res = await client.request(
          FULFILLMENT_CREATE,
          {
            fulfillment: {
              notifyCustomer: ctx.config.notifyCustomer,
              trackingInfo: input.tracking ? { company: input.tracking.company, number: input.tracking.number, url: input.tracking.url } : undefined,
              lineItemsByFulfillmentOrder: [...perFo.entries()].map(([fulfillmentOrderId, items]) => ({
                fulfillmentOrderId,
                fulfillmentOrderLineItems: items,
              })),
            },
          },
          { signal: ctx.signal },
        );
        const p = res.data.fulfillmentCreate;
        if (p?.userErrors.length)
          throw permanentError(
            `${where}: Shopify refused the fulfilment: ${p.userErrors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}`).join('; ')}`,
            { code: 'SHOPIFY_REJECTED', details: { userErrors: p.userErrors } },
          );
        // No payload or no fulfillment and no userErrors: Shopify did not say what happened, so this is not retried blind.
        if (!p?.fulfillment)
          throw new NodeError(`${where}: fulfillmentCreate returned no fulfillment and no userErrors for ${order.name}; check the order in Shopify`, {
            errorClass: 'ambiguous',
            code: 'SHOPIFY_NO_FULFILLMENT',
          });
        fulfillmentIds.push(p.fulfillment.id);
      }
      const out = { erpFulfilmentId: input.erpFulfilmentId, orderId: orderId!, fulfillmentIds, alreadyDone: false };
      ctx.state.set(stateKey, out);
      return out;
    } catch (err) {
      asNodeError(ctx, err);
    }
  },
});
