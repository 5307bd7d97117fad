// shopify.confirm-order-state: a webhook's HMAC covers its body, not its topic or ids, so a captured body can be
// replayed under another topic, and a genuine one can arrive late or out of order. Before an ERP document is
// cancelled, adjusted or credited, this node asks Shopify's Admin API what is true of the order now and lets the
// flow go on only when Shopify confirms it; otherwise the run is skipped with the reason, and the ERP is untouched.
import { z } from 'zod';
import { defineNode, NodeError, permanentError, skipRun, transientError } from '../../runtime/node-api.ts';
import type { OrderStateQuery } from './admin-types.generated.ts';
import { ORDER_STATE } from './documents.ts';
import { connectionField, shopifyClient } from './node-util.ts';
import type { ShopifyOrder, ShopifyOrderEdit, ShopifyRefund } from './types.ts';

const config = z
  .object({
    connection: connectionField,
    /** What the event claims: the order was cancelled, edited (lines added/removed), or refunded. */
    expect: z.enum(['cancelled', 'edited', 'refunded']),
  })
  .strict();

type Input = { order?: ShopifyOrder; orderEdit?: ShopifyOrderEdit; refund?: ShopifyRefund; event?: { topic?: string; eventId?: string } };

type OrderState = NonNullable<OrderStateQuery['order']>;

/** Shopify's view, as confirmed; later nodes may use it instead of the webhook body's. */
export interface ConfirmedState {
  state: 'cancelled' | 'edited' | 'refunded';
  orderId: string;
  name: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  financialStatus: string | null;
  updatedAt: string;
}

const LINE_PAGE = 250;

export const confirmOrderState = defineNode<z.infer<typeof config>, Input, Input & { confirmed: ConfirmedState }>({
  type: 'shopify.confirm-order-state',
  version: 1,
  title: 'Confirm the order state in Shopify',
  category: 'shopify',
  description:
    'Before a cancel, edit or refund reaches the ERP: reads the order from the Shopify Admin API and passes the event on only if Shopify confirms it ' +
    '(the order is cancelled; the edited lines are as the edit says; the refund exists). Otherwise the run is skipped with STATE_NOT_CONFIRMED ' +
    '(or ORDER_NOT_IN_SHOPIFY): a replayed, forged, stale or out-of-order webhook changes nothing in the ERP.',
  config,
  inputs: [{ id: 'in', dataType: 'ShopifyEvent' }],
  outputs: [{ id: 'out', dataType: 'ShopifyEvent' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {
    confirmed: {
      state: 'cancelled',
      orderId: 'gid://shopify/Order/820982911946154508',
      name: '#9999',
      cancelledAt: '2026-03-03T08:00:00Z',
      cancelReason: 'CUSTOMER',
      financialStatus: 'REFUNDED',
      updatedAt: '2026-03-03T08:00:01Z',
    },
  },
  async execute(ctx, input) {
    const where = `node ${ctx.nodeId}`;
    const want = ctx.config.expect;
    const field = want === 'cancelled' ? 'order' : want === 'edited' ? 'orderEdit' : 'refund';
    const subject = input && typeof input === 'object' ? input[field] : undefined;
    const orderId = subject ? (want === 'cancelled' ? (subject as ShopifyOrder).id : (subject as ShopifyOrderEdit | ShopifyRefund).orderId) : undefined;
    if (!orderId) {
      throw permanentError(
        `${where}: input.${field}${want === 'cancelled' ? '.id' : '.orderId'} is required (a shopify.trigger output for an ${want === 'cancelled' ? 'orders/cancelled' : want === 'edited' ? 'orders/edited' : 'refunds/create'} event)`,
        {
          code: 'INVALID_INPUT',
          details: { field: `${field}${want === 'cancelled' ? '.id' : '.orderId'}` },
        },
      );
    }

    const client = await shopifyClient(ctx);
    let order: OrderState | null;
    try {
      const res = await client.request(ORDER_STATE, { id: orderId, lineItems: LINE_PAGE }, { signal: ctx.signal });
      order = res.data.order;
    } catch (e) {
      if (e instanceof NodeError) throw e;
      throw transientError(`${where}: could not read order ${orderId} from Shopify to confirm it is ${want}: ${(e as Error).message}`, {
        code: 'SHOPIFY_UNAVAILABLE',
        cause: e,
      });
    }
    const event = { topic: input.event?.topic ?? null, eventId: input.event?.eventId ?? null };
    if (!order) {
      return skipRun('ORDER_NOT_IN_SHOPIFY', `${where}: Shopify has no order ${orderId}; the ${want} event was not acted on (nothing changed in the ERP)`, {
        expected: want,
        orderId,
        ...event,
      }) as never;
    }

    const problem = mismatch(want, order, subject as ShopifyOrderEdit | ShopifyRefund);
    if (problem) {
      return skipRun(
        'STATE_NOT_CONFIRMED',
        `${where}: Shopify does not confirm that order ${order.name} (${order.id}) was ${want}: ${problem}; the event was not acted on (nothing changed in the ERP)`,
        {
          expected: want,
          orderId: order.id,
          name: order.name,
          problem,
          ...event,
          shopify: {
            cancelledAt: order.cancelledAt,
            financialStatus: order.displayFinancialStatus,
            updatedAt: order.updatedAt,
            refunds: order.refunds.map((r) => r.id),
          },
        },
      ) as never;
    }
    const confirmed: ConfirmedState = {
      state: want,
      orderId: order.id,
      name: order.name,
      cancelledAt: order.cancelledAt,
      cancelReason: order.cancelReason,
      financialStatus: order.displayFinancialStatus,
      updatedAt: order.updatedAt,
    };
    // The order's cancellation as Shopify has it now, not as the (unsigned-topic) delivery said.
    const out: Input =
      want === 'cancelled' ? { ...input, order: { ...input.order!, cancelledAt: order.cancelledAt, cancelReason: order.cancelReason } } : { ...input };
    return { ...out, confirmed };
  },
});

/** Why Shopify's current order contradicts the event, or null when it confirms it. */
function mismatch(want: 'cancelled' | 'edited' | 'refunded', order: OrderState, subject: ShopifyOrderEdit | ShopifyRefund): string | null {
  if (want === 'cancelled') return order.cancelledAt ? null : 'the order is not cancelled (cancelledAt is null)';
  if (want === 'refunded') {
    const id = (subject as ShopifyRefund).id;
    return order.refunds.some((r) => r.id === id) ? null : `the order has no refund ${id} (refunds: ${order.refunds.map((r) => r.id).join(', ') || 'none'})`;
  }
  const edit = subject as ShopifyOrderEdit;
  const lines = new Map(order.lineItems.nodes.map((l) => [l.id, l]));
  const complete = !order.lineItems.pageInfo.hasNextPage;
  for (const a of edit.lineItemAdditions) {
    const l = lines.get(a.lineItemId);
    if (!l) {
      if (!complete) continue; // beyond the first page: not evidence against the edit
      return `the added line ${a.lineItemId} is not on the order`;
    }
    if (l.currentQuantity < a.delta) return `the added line ${a.lineItemId} has ${l.currentQuantity} now, fewer than the ${a.delta} added`;
  }
  for (const r of edit.lineItemRemovals) {
    const l = lines.get(r.lineItemId);
    if (!l) {
      if (!complete) continue;
      return `the line ${r.lineItemId} said to be reduced is not on the order`;
    }
    if (l.currentQuantity > l.quantity - r.delta) return `the line ${r.lineItemId} still has ${l.currentQuantity} of ${l.quantity}, not reduced by ${r.delta}`;
  }
  return null;
}
