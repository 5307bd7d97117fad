// /api/events (an extension of the contract): every stored delivery, including ones no active flow wanted, and
// /api/compliance: Shopify compliance requests for the operator.
import { desc } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { HttpError, apiRoute, json, notFound, router, z } from '../api/http.ts';
import { EventSummary } from '../api/schemas.ts';
import { complianceRequests } from '../db/schema.ts';

const tags = ['events'];

interface EventRow {
  id: string;
  source: string;
  topic: string | null;
  dedup_key: string | null;
  meta: string | null;
  received_at: number;
  payload?: string;
}

export function eventsRouter(d: Deps) {
  const app = router();
  const sqlite = d.runtime.store.sqlite;
  const runsOf = sqlite.prepare(`SELECT id FROM runs WHERE event_id = ? ORDER BY id`);
  const summary = (r: EventRow) => ({
    eventId: r.id,
    source: r.source,
    topic: r.topic,
    dedupKey: r.dedup_key,
    meta: r.meta ? JSON.parse(r.meta) : null,
    receivedAt: r.received_at,
    runIds: (runsOf.all(r.id) as { id: string }[]).map((x) => x.id),
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
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.source) where.push('source = ?'), args.push(q.source);
      // Test runs' inputs are listed only when asked for (source=test).
      else where.push(`source <> 'test'`);
      if (q.topic) where.push('topic = ?'), args.push(q.topic);
      if (q.before) where.push('id < ?'), args.push(q.before);
      const rows = sqlite
        .prepare(
          `SELECT id, source, topic, dedup_key, meta, received_at FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
        )
        .all(...args, q.limit) as EventRow[];
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
      const r = sqlite.prepare(`SELECT * FROM events WHERE id = ?`).get(c.req.valid('param').id) as EventRow | undefined;
      if (!r) throw new HttpError(404, 'not_found', `event "${c.req.valid('param').id}" not found`);
      let payload: unknown = r.payload;
      try {
        payload = JSON.parse(r.payload!);
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
