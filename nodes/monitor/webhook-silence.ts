// monitor.webhook-silence: no events from a shop for N minutes while the shop trades. Silence is counted from the
// later of the last event and the opening of today's trading window, so a quiet night never alarms at 09:01.
import { z } from 'zod';
import { defineNode } from '../../runtime/node-api.ts';
import { tradingHoursSchema, tradingSince } from './hours.ts';
import { hostOf, sinkOf, type MonitorResult } from './shared.ts';

const config = z
  .object({
    /** The Shopify connection whose webhooks are watched (events are stored with source `shopify:<id>`). */
    shopify: z.string().min(1).optional(),
    /** Or any event source, e.g. `webhook:<flowId>`. */
    source: z.string().min(1).optional(),
    silentMinutes: z.number().int().min(1).default(30),
    tradingHours: tradingHoursSchema.default({ timezone: 'UTC', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }),
  })
  .strict()
  .refine((c) => !!c.shopify !== !!c.source, { message: 'give either `shopify` (a connection id) or `source`', path: ['shopify'] });

export const webhookSilenceMonitor = defineNode({
  type: 'monitor.webhook-silence',
  version: 1,
  title: 'Monitor: webhook silence',
  category: 'monitor',
  description:
    'Raises webhook-silence when no event arrived from a shop for the configured minutes within trading hours (timezone, days, from-to); auto-resolves when events flow again or trading ends.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: { checked: 1, found: 1, newlyRaised: 1, cleared: 0, findings: [{ source: 'shopify:main', silentMinutes: 42 }] } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const source = c.source ?? `shopify:${c.shopify}`;
    const now = ctx.now();
    const opened = tradingSince(c.tradingHours, now);
    const last = await hostOf(ctx).lastEventAt(source);
    if (opened === null) {
      const cleared = (await sink.clear('webhook-silence', source, 'outside trading hours')) ? 1 : 0;
      return { checked: 0, found: 0, newlyRaised: 0, cleared, findings: [] } satisfies MonitorResult;
    }
    const silentMs = now.getTime() - Math.max(last ?? 0, opened);
    if (silentMs < c.silentMinutes * 60_000) {
      const cleared = (await sink.clear('webhook-silence', source, 'events are arriving again')) ? 1 : 0;
      return { checked: 1, found: 0, newlyRaised: 0, cleared, findings: [] } satisfies MonitorResult;
    }
    const f = { source, silentMinutes: Math.floor(silentMs / 60_000), lastEventAt: last ? new Date(last).toISOString() : null, tradingHours: c.tradingHours };
    const r = await sink.raise({
      type: 'webhook-silence',
      key: source,
      title: `No events from ${source} for ${f.silentMinutes} min during trading hours`,
      detail: f.lastEventAt ? `Last event ${f.lastEventAt}.` : 'No event from this source was ever stored.',
      links: { flowId: ctx.flowId, runId: ctx.runId, nodeId: ctx.nodeId },
      data: f,
    });
    return { checked: 1, found: 1, newlyRaised: r.isNew ? 1 : 0, cleared: 0, findings: [f] } satisfies MonitorResult;
  },
});
