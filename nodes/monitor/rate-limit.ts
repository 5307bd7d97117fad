// monitor.rate-limit: a shop whose GraphQL cost bucket stays nearly empty, or an ERP connection that keeps
// answering "throttled", for longer than the configured time. Shopify: the client's bucket level (what the limiter
// learnt from Shopify's throttleStatus). ERP: steps that failed or are waiting to retry with RATE_LIMITED.
import { z } from 'zod';
import { defineNode, type RaiseException } from '../../runtime/node-api.ts';
import { hostOf, reconcile, shopOf, sinkOf, type MonitorResult } from './shared.ts';

const config = z
  .object({
    /** Shopify connection ids to watch. */
    shopify: z.array(z.string().min(1)).default([]),
    /** At the limit while the bucket holds less than this share of its maximum, or callers waited since the last check. */
    bucketPercent: z.number().min(0).max(100).default(10),
    /** Watch ERP throttling seen by the flows' steps. */
    erp: z.boolean().default(true),
    /** ERP: throttled steps within `forMinutes` that count as "at the limit". */
    erpMinThrottled: z.number().int().min(1).default(3),
    erpCodes: z.array(z.string().min(1)).default(['RATE_LIMITED']),
    /** How long the limit must hold before raising. */
    forMinutes: z.number().int().min(1).default(15),
  })
  .strict();

export const rateLimitMonitor = defineNode({
  type: 'monitor.rate-limit',
  version: 1,
  title: 'Monitor: rate limits',
  category: 'monitor',
  description:
    "Raises rate-limited when a Shopify connection's cost bucket stays near empty, or the ERP keeps throttling the flows, for longer than the configured minutes; auto-resolves when it recovers.",
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: {
    checked: 2,
    found: 1,
    newlyRaised: 1,
    cleared: 0,
    findings: [{ system: 'shopify', connection: 'main', availablePercent: 3, forMinutes: 22 }],
  } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const now = ctx.now().getTime();
    const found: RaiseException[] = [];
    const findings: Array<Record<string, unknown>> = [];
    const covered = new Set<string>();

    for (const id of c.shopify) {
      const key = `shopify:${id}`;
      covered.add(key);
      const level = (await shopOf(ctx, id)).bucketLevel;
      const st = (await ctx.state.get<{ since: number | null; waitedMs: number }>(key)) ?? { since: null, waitedMs: level.waitedMs };
      const percent = level.maximum > 0 ? (level.available / level.maximum) * 100 : 100;
      const atLimit = percent < c.bucketPercent || level.waitedMs > st.waitedMs;
      const since = atLimit ? (st.since ?? now) : null;
      ctx.state.set(key, { since, waitedMs: level.waitedMs });
      if (since === null || now - since < c.forMinutes * 60_000) continue;
      const f = {
        system: 'shopify',
        connection: id,
        availablePercent: Math.round(percent),
        waitedMs: level.waitedMs,
        forMinutes: Math.floor((now - since) / 60_000),
      };
      findings.push(f);
      found.push({
        type: 'rate-limited',
        key,
        title: `Shopify ${id} has been at its API rate limit for ${f.forMinutes} min (${f.availablePercent}% of the bucket left)`,
        data: f,
        links: { flowId: ctx.flowId, runId: ctx.runId, nodeId: ctx.nodeId },
      });
    }

    if (c.erp) {
      const window = c.forMinutes * 60_000;
      for (const e of await hostOf(ctx).stepErrors(c.erpCodes, now - window)) {
        const key = `erp:${e.flowId}/${e.nodeId}`;
        covered.add(key);
        if (e.count < c.erpMinThrottled) continue;
        const f = { system: 'erp', flowId: e.flowId, nodeId: e.nodeId, code: e.code, throttled: e.count, withinMinutes: c.forMinutes };
        findings.push(f);
        found.push({
          type: 'rate-limited',
          key,
          title: `The ERP throttled ${e.count} steps of ${e.flowId} / ${e.nodeId} in the last ${c.forMinutes} min`,
          data: f,
          links: { flowId: e.flowId, nodeId: e.nodeId },
        });
      }
    }
    // ERP keys not seen in this window have recovered too.
    const r = await reconcile(sink, 'rate-limited', '', found, 'no longer at the rate limit', (k) => covered.has(k) || (c.erp && k.startsWith('erp:')));
    return { checked: covered.size, found: found.length, ...r, findings } satisfies MonitorResult;
  },
});
