// erp.payment-gate: an order reaches the ERP only once its payment is captured or authorised. Unpaid (pending),
// voided, expired, test and cancelled orders end the run `skipped` with the reason, never `failed` and never posted.
// An order skipped on orders/create posts when its orders/paid arrives (the ERP post is idempotent per order, so an
// order that passes twice still makes one document).
import { z } from 'zod';
import { defineNode, permanentError, skipRun } from '../../../runtime/node-api.ts';
import { requireObject } from './util.ts';

export const FINANCIAL_STATUSES = ['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided', 'expired'] as const;
export const DEFAULT_ALLOWED = ['paid', 'partially_paid', 'authorized'] as const;

const config = z
  .object({
    /** Shopify financial statuses that let the order through (REST spelling; GraphQL's PAID etc. match case-insensitively). */
    allowed: z
      .array(z.enum(FINANCIAL_STATUSES))
      .min(1, 'allow at least one financial status')
      .default([...DEFAULT_ALLOWED]),
    /** Skip test orders (Shopify's bogus gateway, the docs' example payloads). */
    skipTest: z.boolean().default(true),
    /** Skip orders Shopify reports cancelled (cancelled_at set), whatever their financial status. */
    skipCancelled: z.boolean().default(true),
    /** Where the Shopify order is in the input (shopify.trigger puts it under `order`). */
    orderPath: z.string().min(1).default('order'),
  })
  .strict();

interface GateOrder {
  id?: string;
  name?: string;
  financialStatus?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  test?: boolean;
}

export const paymentGateNode = defineNode<z.infer<typeof config>, Record<string, unknown>, Record<string, unknown>>({
  type: 'erp.payment-gate',
  version: 1,
  title: 'Payment gate',
  category: 'erp',
  description:
    'Lets a Shopify order through to the ERP only when its financial status is allowed (default paid, partially_paid, authorized). ' +
    'Pending, voided, expired, test and cancelled orders end the run as `skipped` with the reason (not failed, nothing posted). ' +
    'Output: the input, unchanged.',
  config,
  inputs: [{ id: 'in', dataType: 'ShopifyEvent' }],
  outputs: [{ id: 'out', dataType: 'ShopifyEvent' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: {
    event: { topic: 'orders/paid' },
    kind: 'order',
    order: { id: 'gid://shopify/Order/820982911946154508', name: '#1001', financialStatus: 'PAID', cancelledAt: null, test: false },
  },
  execute(ctx, input) {
    requireObject(ctx, input, 'a Shopify event');
    const order = input[ctx.config.orderPath] as GateOrder | undefined;
    if (!order || typeof order !== 'object') {
      throw permanentError(`node ${ctx.nodeId}: input has no Shopify order at "${ctx.config.orderPath}"`, {
        code: 'INVALID_INPUT',
        details: { field: ctx.config.orderPath },
      });
    }
    const name = order.name ?? order.id ?? '(unknown order)';
    const details = { orderId: order.id ?? null, orderName: order.name ?? null, financialStatus: order.financialStatus ?? null };
    if (ctx.config.skipTest && order.test === true) {
      return skipRun('TEST_ORDER', `order ${name} is a test order; test orders are not posted to the ERP`, details);
    }
    if (ctx.config.skipCancelled && order.cancelledAt) {
      return skipRun(
        'ORDER_CANCELLED',
        `order ${name} was cancelled in Shopify at ${order.cancelledAt}${order.cancelReason ? ` (${String(order.cancelReason).toLowerCase()})` : ''}; it is not posted to the ERP`,
        { ...details, cancelledAt: order.cancelledAt },
      );
    }
    const status = typeof order.financialStatus === 'string' ? order.financialStatus.toLowerCase() : null;
    if (!status || !(ctx.config.allowed as string[]).includes(status)) {
      return skipRun('PAYMENT_NOT_CAPTURED', `order ${name} has financial status ${status ?? '(none)'}; it posts once it is ${ctx.config.allowed.join(', ')}`, {
        ...details,
        allowed: ctx.config.allowed,
      });
    }
    return input;
  },
});
