// erp.payment-gate: an order reaches the ERP only once its payment is captured or authorised. Unpaid (pending),
// voided, expired, test and cancelled orders end the run `skipped` with the reason, never `failed` and never posted.
// An order skipped on orders/create posts when its orders/paid arrives (the ERP post is idempotent per order, so an
// order that passes twice still makes one document).
// Two kinds of unpaid order are sold before the money comes, and wait for it only after they ship: an order on
// Shopify payment terms (B2B net 30, due on fulfilment), whose ERP invoice is the receivable the buyer pays later,
// and, when the merchant names the method, one paid by a manual method on delivery (cash on delivery). Held back
// until paid, neither could ever be shipped from the ERP.
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
    /**
     * Let an unpaid (pending) order on Shopify payment terms through: B2B net terms, due on receipt or on fulfilment.
     * Needs the terms in the payload (order webhooks carry `payment_terms`).
     */
    paymentTerms: z.boolean().default(true).meta({
      title: 'Post orders on payment terms',
      description: 'Unpaid orders sold on Shopify payment terms (B2B net 30, due on fulfilment) go to the ERP at once',
    }),
    /**
     * Manual payment methods (Shopify's gateway names, e.g. "Cash on Delivery (COD)") whose unpaid (pending) orders
     * still go through: the goods leave before the money comes.
     */
    unpaidGateways: z.array(z.string().min(1)).default([]).meta({
      title: 'Post unpaid orders of these payment methods',
      description: 'Shopify payment method names whose orders ship before they are paid, e.g. "Cash on Delivery (COD)"',
    }),
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
  paymentGateways?: string[];
  paymentTerms?: { type?: string; name?: string | null } | null;
}

export const paymentGateNode = defineNode<z.infer<typeof config>, Record<string, unknown>, Record<string, unknown>>({
  type: 'erp.payment-gate',
  version: 1,
  title: 'Payment gate',
  category: 'erp',
  description:
    'Lets a Shopify order through to the ERP only when its financial status is allowed (default paid, partially_paid, authorized). ' +
    'Pending, voided, expired, test and cancelled orders end the run as `skipped` with the reason (not failed, nothing posted), ' +
    'except a pending order sold on payment terms (B2B net terms; `paymentTerms`) or paid by a manual method named in `unpaidGateways` (cash on delivery). ' +
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
    if (status === 'pending' && soldBeforePayment(order, ctx.config)) return input;
    if (!status || !(ctx.config.allowed as string[]).includes(status)) {
      const gateways = Array.isArray(order.paymentGateways) ? order.paymentGateways : [];
      // Where a merchant ships before payment (cash on delivery), the skip says which setting would let it through.
      const hint =
        status === 'pending' && gateways.length
          ? ` (paid by ${gateways.join(', ')}: list a method in unpaidGateways if its orders ship before the money comes)`
          : '';
      return skipRun(
        'PAYMENT_NOT_CAPTURED',
        `order ${name} has financial status ${status ?? '(none)'}; it posts once it is ${ctx.config.allowed.join(', ')}${hint}`,
        { ...details, allowed: ctx.config.allowed, gateways },
      );
    }
    return input;
  },
});

/** A pending order sold on payment terms, or paid by a method the merchant collects on delivery. */
function soldBeforePayment(order: GateOrder, c: { paymentTerms: boolean; unpaidGateways: string[] }): boolean {
  if (c.paymentTerms && order.paymentTerms && typeof order.paymentTerms === 'object') return true;
  return paidByNamedGateways(Array.isArray(order.paymentGateways) ? order.paymentGateways : [], c.unpaidGateways);
}

/**
 * Whether every payment method of an order is one the merchant named (case and spacing aside): a cash-on-delivery
 * order split with a card payment is not one to ship before it is paid. Shared with the order monitors.
 */
export function paidByNamedGateways(gateways: readonly unknown[], named: readonly string[]): boolean {
  const norm = (g: unknown) => String(g).trim().toLowerCase();
  const names = new Set(named.map(norm));
  return gateways.length > 0 && gateways.every((g) => names.has(norm(g)));
}
