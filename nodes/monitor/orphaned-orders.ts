// monitor.orphaned-orders: paid Shopify orders that still have no ERP sales order N minutes after they were placed.
import { z } from 'zod';
import { defineNode, type MonitorHost, type RaiseException } from '../../runtime/node-api.ts';
import { erpOrderFor, readOrders } from './orders.ts';
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
    'Raises orphaned-order for each paid, non-test, non-cancelled Shopify order with no ERP sales order after the grace period; auto-resolves once the ERP has it.',
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
    const orders = read.orders.filter((o) => !o.test && !o.cancelledAt && c.paidStatuses.includes(String(o.displayFinancialStatus)));
    const found: RaiseException[] = [];
    const findings: Array<Record<string, unknown>> = [];
    const prefix = `${c.shopify}:`;
    for (const o of orders) {
      if (await erpOrderFor(erp, o, c.externalId)) continue;
      const ageMinutes = Math.floor((now - Date.parse(o.createdAt)) / 60_000);
      findings.push({ order: o.name, id: o.id, ageMinutes, financialStatus: o.displayFinancialStatus, total: o.totalPriceSet.shopMoney });
      // The order's own failed run, when it has one: the exception links it, so a retry replays it (and its success
      // resolves the exception) rather than pointing at this check's run, which has nothing to retry.
      const failed = await failedRunOf(ctx.monitoring, o.id);
      found.push({
        type: 'orphaned-order',
        key: prefix + o.id,
        title: `Paid order ${o.name} is not in the ERP after ${ageMinutes} min`,
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
    return { checked: orders.length, found: found.length, ...r, findings, path: read.path } satisfies MonitorResult;
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
