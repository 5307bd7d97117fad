// The dashboard API as a Hono sub-app; the server mounts it under /api/dashboard with its role check as
// `authorize('dashboard.read')` (everyone but client staff).
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { driftSeries, flowHealth, openExceptionsByOwner, ordersPerHour, payoutsPerMonth } from './queries.ts';
import { PERMISSIONS } from '../auth/roles.ts';

export const DASHBOARD_PERMISSIONS = {
  'dashboard.read': PERMISSIONS['dashboard.read'],
} as const;
export type DashboardPermission = keyof typeof DASHBOARD_PERMISSIONS;

export interface DashboardRoutesOptions {
  authorize?: (perm: DashboardPermission) => MiddlewareHandler;
  now?: () => number;
}

const H = 3_600_000;
const tags = ['dashboard'];
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    problems: z.array(z.object({ where: z.string(), path: z.string(), message: z.string() })).optional(),
  }),
});
const json = <T extends z.ZodType>(schema: T) => ({ description: 'OK', content: { 'application/json': { schema } } });

const FlowHealth = z
  .object({
    flowId: z.string(),
    name: z.string(),
    active: z.boolean(),
    lastRun: z.object({ runId: z.string(), status: z.string(), at: z.number() }).nullable(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    idle: z.number().int().openapi({ description: 'Scheduled runs that found no work, left out of the success rate' }),
    successRate: z.number().nullable(),
    backlog: z.number().int(),
  })
  .openapi('FlowHealth');
const Counts = z.object({ open: z.number().int(), acknowledged: z.number().int(), high: z.number().int() });

export function dashboardRoutes(store: Pick<AnyStore, 'sql'>, opts: DashboardRoutesOptions = {}) {
  const now = opts.now ?? Date.now;
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const problems = result.error.issues.map((i) => ({
          where: result.target,
          path: '$' + i.path.map((p) => `.${String(p)}`).join(''),
          message: i.message,
        }));
        return c.json(
          { error: { code: 'invalid_request', message: `invalid ${result.target}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems } },
          400,
        );
      }
    },
  });
  const route = <R extends Omit<RouteConfig, 'middleware'>>(r: R) =>
    createRoute({
      ...r,
      tags,
      ...(opts.authorize ? { middleware: [opts.authorize('dashboard.read')] } : {}),
      'x-permission': 'dashboard.read',
      responses: { ...r.responses, 400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } } },
    } as R & { middleware?: MiddlewareHandler[] });

  app.openapi(
    route({
      method: 'get',
      path: '/summary',
      summary: 'Per flow: last run, success rate and backlog; open exceptions by owning team',
      request: {
        query: z.object({
          windowHours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 90)
            .default(24),
        }),
      },
      responses: {
        200: json(
          z.object({
            windowHours: z.number(),
            flows: z.array(FlowHealth),
            exceptionsByOwner: z.object({ finance: Counts, operations: Counts, ecommerce: Counts }),
          }),
        ),
      },
    }),
    async (c) => {
      const { windowHours } = c.req.valid('query');
      const [flows, exceptionsByOwner] = await Promise.all([flowHealth(store, now() - windowHours * H), openExceptionsByOwner(store)]);
      return c.json({ windowHours, flows, exceptionsByOwner }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/series/orders',
      summary: 'Shopify orders synced (distinct orders whose sales order the ERP confirmed) per hour',
      request: {
        query: z.object({
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 31)
            .default(48),
          flowId: z.string().min(1).optional(),
        }),
      },
      responses: { 200: json(z.object({ points: z.array(z.object({ hour: z.string(), orders: z.number().int() })) })) },
    }),
    async (c) => {
      const { hours, flowId } = c.req.valid('query');
      const to = (Math.floor(now() / H) + 1) * H;
      return c.json({ points: await ordersPerHour(store, to - hours * H, to, flowId) }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/series/drift',
      summary: 'Inventory drift over time (SKUs beyond tolerance and units off), from the drift monitor',
      request: { query: z.object({ days: z.coerce.number().int().min(1).max(365).default(7) }) },
      responses: { 200: json(z.object({ points: z.array(z.object({ at: z.number(), skus: z.number(), units: z.number() })) })) },
    }),
    async (c) => c.json({ points: await driftSeries(store, now() - c.req.valid('query').days * 24 * H, now() + 1) }, 200),
  );

  app.openapi(
    route({
      method: 'get',
      path: '/series/payouts',
      summary: 'Payouts per month: reconciled (balanced), unbalanced, waiting',
      request: { query: z.object({ months: z.coerce.number().int().min(1).max(120).default(12) }) },
      responses: {
        200: json(
          z.object({
            points: z.array(
              z.object({ month: z.string(), payouts: z.number().int(), reconciled: z.number().int(), unbalanced: z.number().int(), waiting: z.number().int() }),
            ),
          }),
        ),
      },
    }),
    async (c) => c.json({ points: await payoutsPerMonth(store, c.req.valid('query').months) }, 200),
  );

  return app;
}
