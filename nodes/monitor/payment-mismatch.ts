// monitor.payment-mismatch: Shopify's financial status against what the ERP contract exposes of the order: its
// status (cancelled or not, fulfilled or not) and its gross total. Rules:
// - money taken in Shopify (paid / partially paid / refunded in part) but the ERP order is cancelled;
// - payment voided in Shopify but the ERP order is still live;
// - payment only authorized or pending in Shopify but the ERP has already shipped the order, unless the order was
//   sold to be paid later: on Shopify payment terms (B2B net terms), or by a manual method named in
//   `unpaidGateways` (cash on delivery), the orders erp.payment-gate lets through unpaid;
// - the ERP order's gross differs from Shopify's original total beyond the tolerance.
// Orders missing in the ERP are the orphaned-order monitor's business.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, NodeError, type RaiseException } from '../../runtime/node-api.ts';
import type { ErpSalesOrder } from '../erp/contract.ts';
import { paidByNamedGateways } from '../erp/nodes/payment-gate.ts';
import { orderIdForm } from './orphaned-orders.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import { ORDER_PAYMENT_TERMS, erpOrderFor, recentOrders, type RecentOrder } from './orders.ts';
import { connectionId, erpOf, reconcile, shopOf, sinkOf, type MonitorResult } from './shared.ts';

const config = z
  .object({
    shopify: connectionId,
    erp: connectionId,
    afterMinutes: z.number().int().min(0).default(30),
    lookbackHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(72),
    externalId: orderIdForm,
    /** Allowed difference between Shopify's total and the ERP gross, a decimal string; null turns the check off. */
    amountTolerance: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'a decimal like "0.01"')
      .nullable()
      .default('0.01'),
    /** Manual payment methods whose orders ship before they are paid (as erp.payment-gate's `unpaidGateways`). */
    unpaidGateways: z.array(z.string().min(1)).default([]).meta({
      title: 'Payment methods that ship unpaid',
      description: 'Shopify payment method names whose orders ship before they are paid (cash on delivery): not a mismatch',
    }),
  })
  .strict();

const MONEY_TAKEN = new Set(['PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED']);
const NOT_CAPTURED = new Set(['AUTHORIZED', 'PENDING', 'EXPIRED']);

/**
 * `shippedUnpaidAgreed`: the order is pending because it was sold to be paid later (terms, cash on delivery), so its
 * shipping before payment is no mismatch.
 */
export function paymentProblem(
  o: RecentOrder,
  so: ErpSalesOrder,
  tolerance: string | null,
  shippedUnpaidAgreed = false,
): { rule: string; message: string } | null {
  const fs = String(o.displayFinancialStatus);
  if (MONEY_TAKEN.has(fs) && so.status === 'cancelled')
    return { rule: 'paid-but-cancelled', message: `Shopify says ${fs} but ERP order ${so.number} is cancelled` };
  if (fs === 'VOIDED' && so.status !== 'cancelled')
    return { rule: 'voided-but-live', message: `Shopify voided the payment but ERP order ${so.number} is ${so.status}` };
  if (NOT_CAPTURED.has(fs) && (so.status === 'fulfilled' || so.status === 'partially-fulfilled') && !(fs === 'PENDING' && shippedUnpaidAgreed))
    return { rule: 'shipped-before-capture', message: `ERP order ${so.number} is ${so.status} but the payment is only ${fs}` };
  if (tolerance !== null && so.status !== 'cancelled' && fs !== 'VOIDED') {
    const delta = new Decimal(so.totals.gross).minus(o.totalPriceSet.shopMoney.amount);
    if (delta.abs().gt(tolerance))
      return {
        rule: 'amount',
        message: `ERP order ${so.number} gross ${so.totals.gross} vs Shopify total ${o.totalPriceSet.shopMoney.amount} (delta ${delta.toFixed(2)})`,
      };
  }
  return null;
}

export const paymentMismatchMonitor = defineNode({
  type: 'monitor.payment-mismatch',
  version: 1,
  title: 'Monitor: payment status mismatches',
  category: 'monitor',
  description:
    "Compares each recent order's Shopify financial status and total with the ERP sales order (cancelled, shipped, gross); raises payment-mismatch and auto-resolves when they agree again.",
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: { checked: 42, found: 1, newlyRaised: 1, cleared: 0, findings: [{ order: '#1001', rule: 'paid-but-cancelled' }] } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const erp = await erpOf(ctx, c.erp);
    const shop = await shopOf(ctx, c.shopify);
    const now = ctx.now().getTime();
    const orders = (await recentOrders(shop, now - c.lookbackHours * 3_600_000, now - c.afterMinutes * 60_000, ctx.signal)).filter((o) => !o.test);
    const prefix = `${c.shopify}:`;
    const found: RaiseException[] = [];
    const findings: Array<Record<string, unknown>> = [];
    const covered = new Set<string>();
    for (const o of orders) {
      const so = (await erpOrderFor(erp, o, c.externalId)) as ErpSalesOrder | null;
      if (!so) continue;
      covered.add(prefix + o.id);
      let p = paymentProblem(o, so, c.amountTolerance);
      if (p?.rule === 'shipped-before-capture' && o.displayFinancialStatus === 'PENDING') {
        const credit = await soldOnCredit(shop, o, c.unpaidGateways, ctx.signal);
        p = credit.agreed ? paymentProblem(o, so, c.amountTolerance, true) : { ...p, message: p.message + credit.note };
      }
      if (!p) continue;
      const f = { order: o.name, id: o.id, erpNumber: so.number, financialStatus: o.displayFinancialStatus, erpStatus: so.status, ...p };
      findings.push(f);
      found.push({
        type: 'payment-mismatch',
        key: prefix + o.id,
        title: `${o.name}: ${p.message}`,
        links: { shopify: o.id, shopifyName: o.name, erp: so.number, flowId: ctx.flowId, runId: ctx.runId, nodeId: ctx.nodeId },
        data: f,
      });
    }
    const r = await reconcile(sink, 'payment-mismatch', prefix, found, 'Shopify and the ERP agree again', (k) => covered.has(k));
    return { checked: covered.size, found: found.length, ...r, findings } satisfies MonitorResult;
  },
});

/**
 * Whether a pending order was sold to be paid later: every gateway of it named in `unpaidGateways`, or Shopify payment
 * terms on it. Without the read_payment_terms scope the terms cannot be read: the finding stays and says so.
 */
export async function soldOnCredit(
  shop: ShopifyClient,
  o: RecentOrder,
  unpaidGateways: string[],
  signal: AbortSignal,
): Promise<{ agreed: boolean; note: string }> {
  if (paidByNamedGateways(o.paymentGatewayNames ?? [], unpaidGateways)) return { agreed: true, note: '' };
  try {
    const res = await shop.request(ORDER_PAYMENT_TERMS, { id: o.id }, { signal });
    const terms = res.data.order?.paymentTerms;
    return terms ? { agreed: true, note: '' } : { agreed: false, note: '' };
  } catch (e) {
    if (e instanceof NodeError && e.code === 'ACCESS_DENIED')
      return { agreed: false, note: " (its payment terms could not be read: the app lacks Shopify's read_payment_terms scope)" };
    throw e;
  }
}
