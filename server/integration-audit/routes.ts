// GET /?format=json|md|html — the integration audit as a Hono sub-app (mount e.g. under /api/audit). The host gives
// `collect` (usually `() => collectAudit({ shopify, erp, flows: rt.flows, lookups, nonIdempotent })`).
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { auditIntegration, type AuditInput } from './audit.ts';
import { auditHtml, auditMarkdown } from './render.ts';
import { PERMISSIONS } from '../auth/roles.ts';
import { AuditReportSchema } from './schemas.ts';

export const AUDIT_PERMISSIONS = {
  'audit.read': PERMISSIONS['integration.audit'],
} as const;

export function auditRoutes(opts: { collect: () => Promise<AuditInput>; authorize?: (perm: keyof typeof AUDIT_PERMISSIONS) => MiddlewareHandler }) {
  const app = new OpenAPIHono({
    defaultHook: (r, c) => {
      if (!r.success)
        return c.json({ error: { code: 'invalid_request', message: r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ') } }, 400);
    },
  });
  const route = <R extends Omit<RouteConfig, 'middleware'>>(r: R) =>
    createRoute({ ...r, tags: ['audit'], 'x-permission': 'audit.read', ...(opts.authorize ? { middleware: [opts.authorize('audit.read')] } : {}) } as R & {
      middleware?: MiddlewareHandler[];
    });
  app.openapi(
    route({
      method: 'get',
      path: '/',
      summary: 'Integration audit: catalogue, mappings and flows',
      request: { query: z.object({ format: z.enum(['json', 'md', 'html']).default('json') }) },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: AuditReportSchema },
            'text/markdown': { schema: z.string() },
            'text/html': { schema: z.string() },
          },
        },
        400: {
          description: 'Invalid request',
          content: { 'application/json': { schema: z.object({ error: z.object({ code: z.string(), message: z.string() }) }) } },
        },
      },
    }),
    async (c) => {
      const report = auditIntegration(await opts.collect());
      const { format } = c.req.valid('query');
      if (format === 'md') return c.body(auditMarkdown(report), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
      if (format === 'html') return c.body(auditHtml(report), 200, { 'Content-Type': 'text/html; charset=utf-8' });
      return c.json(report, 200);
    },
  );
  return app;
}
