// GET /:flowId?format=md|html|json — a flow's runbook as a Hono sub-app (mount e.g. under /api/runbooks).
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { FlowStore } from '../../runtime/flow-store.ts';
import type { LookupService } from '../lookups/store/index.ts';
import { loadFlowDoc, tableRowsFrom } from './load.ts';
import { buildRunbook, runbookHtml, runbookMarkdown } from './runbook.ts';
import { PERMISSIONS } from '../auth/roles.ts';
import { RunbookSchema } from './schemas.ts';

export const RUNBOOK_PERMISSIONS = {
  'runbooks.read': PERMISSIONS['runbooks.read'],
} as const;

export function runbookRoutes(opts: {
  flows: FlowStore;
  lookups?: LookupService;
  describeType?: (t: string) => string | undefined;
  authorize?: (perm: keyof typeof RUNBOOK_PERMISSIONS) => MiddlewareHandler;
}) {
  const app = new OpenAPIHono({
    defaultHook: (r, c) => {
      if (!r.success)
        return c.json({ error: { code: 'invalid_request', message: r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ') } }, 400);
    },
  });
  const Err = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
  const route = <R extends Omit<RouteConfig, 'middleware'>>(r: R) =>
    createRoute({
      ...r,
      tags: ['runbooks'],
      'x-permission': 'runbooks.read',
      ...(opts.authorize ? { middleware: [opts.authorize('runbooks.read')] } : {}),
    } as R & { middleware?: MiddlewareHandler[] });
  app.openapi(
    route({
      method: 'get',
      path: '/{flowId}',
      summary: 'Operational runbook of a flow',
      request: { params: z.object({ flowId: z.string().min(1) }), query: z.object({ format: z.enum(['md', 'html', 'json']).default('md') }) },
      responses: {
        200: {
          description: 'OK',
          content: {
            'text/markdown': { schema: z.string() },
            'text/html': { schema: z.string() },
            'application/json': { schema: RunbookSchema },
          },
        },
        400: { description: 'Invalid request', content: { 'application/json': { schema: Err } } },
        404: { description: 'No such flow', content: { 'application/json': { schema: Err } } },
      },
    }),
    async (c) => {
      const { flowId } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const flow = await loadFlowDoc(opts.flows, flowId);
      if (!flow) return c.json({ error: { code: 'not_found', message: `no flow "${flowId}"` } }, 404);
      const rb = buildRunbook(flow, { describeType: opts.describeType, tableRows: await tableRowsFrom(opts.lookups ?? null, flow.id) });
      if (format === 'json') return c.json(rb, 200);
      if (format === 'html') return c.body(runbookHtml(rb), 200, { 'Content-Type': 'text/html; charset=utf-8' });
      return c.body(runbookMarkdown(rb), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
    },
  );
  return app;
}
