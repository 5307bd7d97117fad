// monitor.orphaned-orders: paid Shopify orders that still have no ERP sales order N minutes after they were placed,
// and the unpaid ones erp.payment-gate posts at once: sold on Shopify payment terms (B2B net terms), or paid by a
// manual method named in `unpaidGateways` (cash on delivery).
import { z } from 'zod';
import { defineNode, type MonitorHost, type RaiseException } from '../../runtime/node-api.ts';
import { paidByNamedGateways } from '../erp/nodes/payment-gate.ts';
import { erpOrderFor, paymentTermsOf, readOrders, type RecentOrder } from './orders.ts';
import { connectionId, erpOf, reconcile, shopOf, sinkOf, type MonitorResult } from './shared.ts';

export const orderIdForm = z.enum(['gid', 'legacy', 'either']).default('either');

const config = z
  .object({
    shopify: connectionId,
    erp: connectionId,
    /** Grace period: an order younger than this may still be on its way. */
    afterMinutes: z.number().int().min(1).default(30),
    lookbackHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(72),
    /** Shopify financial statuses that count as paid. */
    paidStatuses: z.array(z.string().min(1)).default(['PAID', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED']),
    /**
     * Pending orders on Shopify payment terms are expected in the ERP too (the payment gate posts them): their terms
     * are read for the pending orders the ERP lacks, a query per 100 (needs the read_payment_terms scope).
     */
    paymentTerms: z
      .boolean()
      .default(true)
      .meta({ title: 'Expect orders on payment terms', description: 'Unpaid orders on Shopify payment terms (B2B net terms) belong in the ERP at once' }),
    /** As erp.payment-gate's: manual payment methods whose unpaid orders are posted at once. */
    unpaidGateways: z.array(z.string().min(1)).default([]).meta({
      title: 'Payment methods posted unpaid',
      description: 'Shopify payment method names whose unpaid orders the ERP gets at once (cash on delivery), as in the payment gate',
    }),
    /** How the order flow keys sales orders: the order GID, its numeric id, or try both. */
    externalId: orderIdForm,
    /** auto: one bulk query when the window holds more than a page of orders, paging otherwise; bulk / per-call force a path. */
    read: z.enum(['auto', 'bulk', 'per-call']).default('auto'),
    pageSize: z.number().int().min(1).max(250).default(100),
    /** Seconds between bulk status polls. */
    pollSeconds: z.number().positive().default(2),
  })
  .strict();

export const orphanedOrdersMonitor = defineNode({
  type: 'monitor.orphaned-orders',
  version: 1,
  title: 'Monitor: orphaned orders',
  category: 'monitor',
  description:
    'Raises orphaned-order for each paid, non-test, non-cancelled Shopify order with no ERP sales order after the grace period (and each unpaid one ' +
    'sold on payment terms or by a method in `unpaidGateways`, which the payment gate posts at once); auto-resolves once the ERP has it.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: {
    checked: 42,
    found: 1,
    newlyRaised: 1,
    cleared: 0,
    findings: [{ order: '#1001', id: 'gid://shopify/Order/1', ageMinutes: 95 }],
    path: { kind: 'per-call', reason: 'the range fits one page of 100 orders' },
  } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const erp = await erpOf(ctx, c.erp);
    const shop = await shopOf(ctx, c.shopify);
    const now = ctx.now().getTime();
    const read = await readOrders(shop, now - c.lookbackHours * 3_600_000, now - c.afterMinutes * 60_000, ctx.signal, {
      read: c.read,
      pageSize: c.pageSize,
      pollMs: c.pollSeconds * 1000,
    });
    const live = read.orders.filter((o) => !o.test && !o.cancelledAt);
    // Why each order belongs in the ERP by now: paid, or unpaid but sold to be paid later.
    const why = new Map<RecentOrder, string>();
    const pending: RecentOrder[] = [];
    for (const o of live) {
      const fs = String(o.displayFinancialStatus);
      if (c.paidStatuses.includes(fs)) why.set(o, 'Paid');
      else if (fs !== 'PENDING') continue;
      else if (paidByNamedGateways(o.paymentGatewayNames, c.unpaidGateways)) why.set(o, `Unpaid (${o.paymentGatewayNames.join(', ')})`);
      else if (c.paymentTerms) pending.push(o);
    }
    // Each order is looked up in the ERP once, whether it was asked for its terms or not.
    const known = new Map<RecentOrder, boolean>();
    const inErp = async (o: RecentOrder) => {
      if (!known.has(o)) known.set(o, !!(await erpOrderFor(erp, o, c.externalId)));
      return known.get(o)!;
    };
    // Only the pending orders the ERP lacks are asked for their terms: most pending orders wait for payment.
    const lacking: RecentOrder[] = [];
    for (const o of pending) if (!(await inErp(o))) lacking.push(o);
    const { terms, unread } = lacking.length
      ? await paymentTermsOf(
          shop,
          lacking.map((o) => o.id),
          ctx.signal,
        )
      : { terms: new Map<string, string>(), unread: null };
    for (const o of lacking) {
      const t = terms.get(o.id);
      if (t) why.set(o, `Unpaid (${t})`);
    }
    const orders = [...why.keys()];
    const found: RaiseException[] = [];
    const findings: Array<Record<string, unknown>> = [];
    const prefix = `${c.shopify}:`;
    for (const o of orders) {
      if (await inErp(o)) continue;
      const ageMinutes = Math.floor((now - Date.parse(o.createdAt)) / 60_000);
      findings.push({ order: o.name, id: o.id, ageMinutes, financialStatus: o.displayFinancialStatus, total: o.totalPriceSet.shopMoney });
      // The order's own failed run, when it has one: the exception links it, so a retry replays it (and its success
      // resolves the exception) rather than pointing at this check's run, which has nothing to retry.
      const failed = await failedRunOf(ctx.monitoring, o.id);
      found.push({
        type: 'orphaned-order',
        key: prefix + o.id,
        title: `${why.get(o)} order ${o.name} is not in the ERP after ${ageMinutes} min`,
        detail: `${o.name} (${o.displayFinancialStatus}, ${o.totalPriceSet.shopMoney.amount} ${o.totalPriceSet.shopMoney.currencyCode}) was created ${o.createdAt}; no ERP sales order has its id.`,
        links: failed
          ? { shopify: o.id, shopifyName: o.name, flowId: failed.flowId, runId: failed.runId }
          : { shopify: o.id, shopifyName: o.name, flowId: ctx.flowId, runId: ctx.runId, nodeId: ctx.nodeId },
        data: findings[findings.length - 1],
      });
    }
    // Open orphans outside this window are re-checked one by one, so a late sync still resolves them.
    const inWindow = new Set(orders.map((o) => prefix + o.id));
    const recovered = new Set<string>();
    for (const key of (await sink.openKeys?.('orphaned-order', prefix)) ?? []) {
      if (inWindow.has(key)) continue;
      const id = key.slice(prefix.length);
      if (await erpOrderFor(erp, { id, legacyResourceId: id.split('/').pop() ?? id }, c.externalId)) recovered.add(key);
    }
    const r = await reconcile(sink, 'orphaned-order', prefix, found, 'the ERP has the sales order now', (k) => inWindow.has(k) || recovered.has(k));
    return {
      checked: orders.length,
      found: found.length,
      ...r,
      findings,
      path: read.path,
      ...(unread ? { paymentTermsUnread: `${lacking.length} pending order(s) not checked for payment terms: ${unread}` } : {}),
    } satisfies MonitorResult;
  },
});

/** The newest failed run keyed by this order among flows whose latest run of it failed (none succeeded after it). */
async function failedRunOf(host: MonitorHost | undefined, orderId: string): Promise<{ runId: string; flowId: string } | null> {
  const runs = (await host?.runsOf?.('shopifyOrderId', orderId)) ?? [];
  const latest = new Map<string, (typeof runs)[number]>();
  for (const r of runs) if (!latest.has(r.flowId)) latest.set(r.flowId, r);
  const failed = [...latest.values()].find((r) => r.status === 'failed');
  return failed ? { runId: failed.runId, flowId: failed.flowId } : null;
}
