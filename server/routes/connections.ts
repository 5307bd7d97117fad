// /api/connections: Shopify stores and ERPs. Secrets are write-only: accepted, encrypted, never returned.
import type { Deps } from '../deps.ts';
import { actorOf, apiRoute, conflict, json, jsonBody, notFound, router, unprocessable, z } from '../api/http.ts';
import { Connection, ConnectionCreate, ConnectionUpdate } from '../api/schemas.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const tags = ['connections'];

export function connectionsRouter(d: Deps) {
  const app = router();
  const cx = d.connections;

  app.openapi(
    apiRoute('connections.read', { method: 'get', path: '/connections', tags, responses: { 200: json(z.object({ connections: z.array(Connection) })) } }),
    async (c) => c.json({ connections: await cx.list() }, 200),
  );

  app.openapi(
    apiRoute('connections.write', {
      method: 'post',
      path: '/connections',
      tags,
      request: jsonBody(ConnectionCreate),
      responses: { 201: json(Connection, 'Created'), 409: conflict },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const view = await cx.create(body);
      await d.audit.record(actorOf(c), 'connection.create', `connection:${view.id}`, { after: { ...view, secretKeys: Object.keys(body.secrets ?? {}) } });
      return c.json(view, 201);
    },
  );

  app.openapi(
    apiRoute('connections.read', {
      method: 'get',
      path: '/connections/{id}',
      tags,
      request: { params: IdParam },
      responses: { 200: json(Connection), 404: notFound },
    }),
    async (c) => c.json(await cx.get(c.req.valid('param').id), 200),
  );

  app.openapi(
    apiRoute('connections.write', {
      method: 'put',
      path: '/connections/{id}',
      tags,
      request: { params: IdParam, ...jsonBody(ConnectionUpdate) },
      responses: { 200: json(Connection), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const before = await cx.get(id);
      const after = await cx.update(id, body);
      await d.audit.record(actorOf(c), 'connection.update', `connection:${id}`, { before, after, secretsChanged: Object.keys(body.secrets ?? {}) });
      return c.json(after, 200);
    },
  );

  app.openapi(
    apiRoute('connections.write', {
      method: 'delete',
      path: '/connections/{id}',
      tags,
      request: { params: IdParam },
      responses: { 200: json(Connection, 'Deleted'), 404: notFound },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const before = await cx.delete(id);
      await d.audit.record(actorOf(c), 'connection.delete', `connection:${id}`, { before });
      return c.json(before, 200);
    },
  );

  app.openapi(
    apiRoute('connections.write', {
      method: 'post',
      path: '/connections/{id}/test',
      tags,
      request: { params: IdParam },
      responses: { 200: json(z.object({ ok: z.boolean(), message: z.string() })), 404: notFound, 422: unprocessable },
    }),
    async (c) => c.json(await cx.test(c.req.valid('param').id), 200),
  );

  return app;
}
