// /api/events (an extension of the contract): every stored delivery, including ones no active flow wanted, and
// /api/compliance: Shopify compliance requests for the operator.
import { and, desc, eq, lt, ne } from 'drizzle-orm';
import { events, runs } from '../../runtime/store/schema.ts';
import type { Deps } from '../deps.ts';
import { HttpError, apiRoute, json, notFound, router, z } from '../api/http.ts';
import { EventSummary } from '../api/schemas.ts';
import { complianceRequests } from '../db/schema.ts';

const tags = ['events'];

type EventRow = Omit<typeof events.$inferSelect, 'payload'> & { payload?: string };

export function eventsRouter(d: Deps) {
  const app = router();
  const db = d.runtime.store.db;
  const runsOf = (eventId: string) =>
    db
      .select({ id: runs.id })
      .from(runs)
      .where(eq(runs.eventId, eventId))
      .orderBy(runs.id)
      .all()
      .map((x) => x.id);
  const summary = (r: EventRow) => ({
    eventId: r.id,
    source: r.source,
    topic: r.topic,
    dedupKey: r.dedupKey,
    meta: r.meta ? JSON.parse(r.meta) : null,
    receivedAt: r.receivedAt,
    runIds: runsOf(r.id),
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
    (c) => {
      const q = c.req.valid('query');
      const rows = db
        .select({ id: events.id, source: events.source, topic: events.topic, dedupKey: events.dedupKey, meta: events.meta, receivedAt: events.receivedAt })
        .from(events)
        .where(
          and(
            // Test runs' inputs are listed only when asked for (source=test).
            q.source ? eq(events.source, q.source) : ne(events.source, 'test'),
            q.topic ? eq(events.topic, q.topic) : undefined,
            q.before ? lt(events.id, q.before) : undefined,
          ),
        )
        .orderBy(desc(events.id))
        .limit(q.limit)
        .all();
      return c.json({ events: rows.map(summary) }, 200);
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
    (c) => {
      const r = db
        .select()
        .from(events)
        .where(eq(events.id, c.req.valid('param').id))
        .get();
      if (!r) throw new HttpError(404, 'not_found', `event "${c.req.valid('param').id}" not found`);
      let payload: unknown = r.payload;
      try {
        payload = JSON.parse(r.payload);
      } catch {
        /* kept as text */
      }
      return c.json(d.scrub({ ...summary(r), payload }), 200);
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
    (c) =>
      c.json(
        {
          requests: d.db
            .select()
            .from(complianceRequests)
            .orderBy(desc(complianceRequests.id))
            .limit(500)
            .all()
            .map((r) => ({ ...r, summary: JSON.parse(r.summary) })),
        },
        200,
      ),
  );

  return app;
}
