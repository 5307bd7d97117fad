// OpenAPI entries for the routes outside the typed API routers: health, metrics and the webhook ingress.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { ErrorSchema, type AppEnv } from './http.ts';

const err = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

export function documentInfraRoutes(app: OpenAPIHono<AppEnv>) {
  const r = app.openAPIRegistry;
  r.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (llt_...) or a session token from /api/auth/login',
  });
  r.registerComponent('securitySchemes', 'cookie', { type: 'apiKey', in: 'cookie', name: 'll_session' });
  r.registerPath({
    method: 'get',
    path: '/healthz',
    tags: ['ops'],
    responses: {
      200: {
        description: 'The store is open',
        content: { 'application/json': { schema: z.object({ ok: z.boolean(), version: z.string(), sandboxMode: z.boolean() }) } },
      },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/readyz',
    tags: ['ops'],
    description:
      "Ready to take work: the store is still the file the server opened (deleted, replaced or overwritten: 503). `?deep=1` adds SQLite's quick_check.",
    request: { query: z.object({ deep: z.enum(['1']).optional() }) },
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } },
      503: {
        description: 'The store is lost; the server accepts no work until restored and restarted',
        content: { 'application/json': { schema: z.object({ ok: z.boolean(), problem: z.string(), since: z.string() }) } },
      },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/docs',
    tags: ['ops'],
    description: "This document as a readable page (operations by tag, filterable); it loads /api/openapi.json with the caller's session.",
    responses: { 200: { description: 'The API reference page', content: { 'text/html': { schema: z.string() } } } },
  });
  r.registerPath({
    method: 'get',
    path: '/api/docs/viewer.js',
    tags: ['ops'],
    description: 'The script of /api/docs (same-origin, for the content security policy).',
    responses: { 200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } } },
  });
  r.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['ops'],
    responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } } },
  });
  const accepted = z.object({ ok: z.boolean(), eventId: z.string(), duplicate: z.boolean() }).passthrough();
  r.registerPath({
    method: 'post',
    path: '/webhooks/shopify/{connectionId}',
    tags: ['webhooks'],
    description:
      "Shopify webhook ingress. Verifies X-Shopify-Hmac-Sha256 over the raw body with the connection's secret, deduplicates on X-Shopify-Event-Id (else X-Shopify-Webhook-Id), records topic, shop, API version and triggered-at (stale flagged), stores the event and queues the runs of active flows for that connection and topic in one transaction. Compliance topics are handled (redaction, data requests).",
    request: {
      params: z.object({ connectionId: z.string() }),
      headers: z.object({
        'x-shopify-hmac-sha256': z.string(),
        'x-shopify-topic': z.string(),
        'x-shopify-shop-domain': z.string(),
        'x-shopify-api-version': z.string(),
        'x-shopify-webhook-id': z.string(),
        'x-shopify-event-id': z.string().optional(),
        'x-shopify-triggered-at': z.string().optional(),
      }),
      body: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } }, required: true },
    },
    responses: {
      200: { description: 'Stored (or a duplicate, which starts nothing)', content: { 'application/json': { schema: accepted } } },
      400: err('Body is not JSON or Shopify headers are missing'),
      401: err('HMAC verification failed; nothing stored'),
      404: err('Unknown connection'),
      413: err('Body larger than the limit (5 MB)'),
    },
  });
  r.registerPath({
    method: 'post',
    path: '/webhooks/flows/{flowId}',
    tags: ['webhooks'],
    description:
      'Generic JSON webhook for an active `trigger.webhook` flow. Authenticate with the flow secret as `Authorization: Bearer <secret>` or `X-Ledgerline-Hmac-Sha256: base64(HMAC-SHA256(secret, raw body))`.',
    security: [{ bearer: [] }],
    request: { params: z.object({ flowId: z.string() }), body: { content: { 'application/json': { schema: z.unknown() } }, required: true } },
    responses: {
      200: { description: 'Stored and queued', content: { 'application/json': { schema: accepted } } },
      400: err('Body is not JSON'),
      401: err('Missing or wrong credentials'),
      404: err('Unknown flow'),
      409: err('The flow has no active webhook-triggered version'),
      413: err('Body larger than the limit'),
    },
  });
}
