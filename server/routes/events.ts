// /api/events (an extension of the contract): every stored delivery, including ones no active flow wanted, and
// /api/compliance: Shopify compliance requests for the operator.
import { and, desc, eq, inArray, lt, ne } from 'drizzle-orm';
import { events, runs } from '../../runtime/store/schema.ts';
import type { Deps } from '../deps.ts';
import { HttpError, apiRoute, json, notFound, router, z } from '../api/http.ts';
import { EventSummary } from '../api/schemas.ts';
import { complianceRequests } from '../db/schema.ts';
import { eventPayloadValue } from '../../runtime/event-payload.ts';

const tags = ['events'];

type EventRow = Omit<typeof events.$inferSelect, 'payload' | 'body'>;

export function eventsRouter(d: Deps) {
  const app = router();
  const store = d.runtime.store.sql({ events, runs, complianceRequests });
  const { events: ev, runs: rn, complianceRequests: cr } = store.tables;
  /** The runs each event started, in one query for the page. */
  const runsOf = async (eventIds: string[]) => {
    const byEvent = new Map<string, string[]>(eventIds.map((id) => [id, []]));
    if (eventIds.length === 0) return byEvent;
    const rows = await store.db.select({ id: rn.id, eventId: rn.eventId }).from(rn).where(inArray(rn.eventId, eventIds)).orderBy(rn.id);
    for (const r of rows) byEvent.get(r.eventId)?.push(r.id);
    return byEvent;
  };
  const summary = (r: EventRow, runIds: string[]) => ({
    eventId: r.id,
    source: r.source,
    topic: r.topic,
    dedupKey: r.dedupKey,
    meta: r.meta ? JSON.parse(r.meta) : null,
    receivedAt: r.receivedAt,
    runIds,
  });

  app.openapi(
    apiRoute('events.read', {
      method: 'get',
      path: '/events',
      tags,
      request: {
        query: z.object({
          source: z.string().optional().openapi({ description: 'e.g. shopify:sandbox-shop, webhook:<flowId>, schedule' }),
          topic: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(50),
          before: z.string().optional(),
        }),
      },
      responses: { 200: json(z.object({ events: z.array(EventSummary) })) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await store.db
        .select({ id: ev.id, source: ev.source, topic: ev.topic, dedupKey: ev.dedupKey, meta: ev.meta, receivedAt: ev.receivedAt })
        .from(ev)
        .where(
          and(
            // Test runs' inputs are listed only when asked for (source=test).
            q.source ? eq(ev.source, q.source) : ne(ev.source, 'test'),
            q.topic ? eq(ev.topic, q.topic) : undefined,
            q.before ? lt(ev.id, q.before) : undefined,
          ),
        )
        .orderBy(desc(ev.id))
        .limit(q.limit);
      const runIds = await runsOf(rows.map((r) => r.id));
      return c.json({ events: rows.map((r) => summary(r, runIds.get(r.id) ?? [])) }, 200);
    },
  );

  app.openapi(
    apiRoute('events.read', {
      method: 'get',
      path: '/events/{id}',
      tags,
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: json(EventSummary.extend({ payload: z.unknown() })), 404: notFound },
    }),
    async (c) => {
      const [r] = await store.db
        .select()
        .from(ev)
        .where(eq(ev.id, c.req.valid('param').id));
      if (!r) throw new HttpError(404, 'not_found', `event "${c.req.valid('param').id}" not found`);
      let payload: unknown = r.payload;
      try {
        payload = eventPayloadValue(r);
      } catch {
        /* kept as text */
      }
      return c.json(d.scrub({ ...summary(r, (await runsOf([r.id])).get(r.id) ?? []), payload }), 200);
    },
  );

  app.openapi(
    apiRoute('events.read', {
      method: 'get',
      path: '/compliance',
      tags,
      description: 'Shopify compliance requests (customers/data_request, customers/redact, shop/redact) as received and handled.',
      responses: {
        200: json(
          z.object({
            requests: z.array(
              z.object({
                id: z.number(),
                connectionId: z.string(),
                topic: z.string(),
                shopDomain: z.string().nullable(),
                eventId: z.string(),
                summary: z.unknown(),
                receivedAt: z.number(),
                handledAt: z.number().nullable(),
              }),
            ),
          }),
        ),
      },
    }),
    async (c) =>
      c.json(
        {
          requests: (await store.db.select().from(cr).orderBy(desc(cr.id)).limit(500)).map((r) => ({ ...r, summary: JSON.parse(r.summary) })),
        },
        200,
      ),
  );

  return app;
}
