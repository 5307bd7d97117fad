// Every router of a server (or workspace cell) mounted on its app, in the order the OpenAPI document lists them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { NodeType } from '../../runtime/node-api.ts';
import { docsPageRoutes } from '../api/docs-page.ts';
import { requirePermission, type AppEnv } from '../api/http.ts';
import { documentInfraRoutes } from '../api/openapi-extra.ts';
import { assistRouter } from '../assist/routes.ts';
import { dashboardRoutes } from '../dashboard/routes.ts';
import type { Deps } from '../deps.ts';
import { exceptionRoutes } from '../exceptions/routes.ts';
import { retryWaitingOnLookup } from '../exceptions/waiting.ts';
import { erpReferences } from '../lookups/erp-references.ts';
import { lookupRoutes } from '../lookups/routes.ts';
import { monitorsRouter } from '../monitors/routes.ts';
import type { SandboxMode } from '../sandbox-mode.ts';
import { sandboxRouter } from '../sandbox/routes.ts';
import { flowWebhookRoutes } from '../webhooks/flow.ts';
import type { shopifyIngest } from '../webhooks/shopify.ts';
import { authRouter } from './auth.ts';
import { catalogRouter } from './catalog.ts';
import { changeRequestsRouter } from './change-requests.ts';
import { connectionsRouter } from './connections.ts';
import { eventsRouter } from './events.ts';
import { flowControlsRouter } from './flow-controls.ts';
import { flowsRouter } from './flows.ts';
import { mappingRouter } from './mapping.ts';
import { reportingRoutes } from './reporting.ts';
import { retriesRouter } from './retries.ts';
import { fetchOrderRouter } from './fetch-order.ts';
import { runNowRouter } from './run-now.ts';
import { runsRouter } from './runs.ts';
import { templatesRouter } from './templates.ts';
import { usersRouter } from './users.ts';
import { can } from '../auth/roles.ts';

export interface MountOptions {
  nodeTypes: NodeType[];
  templatesDir?: string;
  env: NodeJS.ProcessEnv;
  sandbox: SandboxMode | null;
  shopifyIngest: ReturnType<typeof shopifyIngest>;
  /** Deployment-level routes of a workspace cell (/api/workspaces). */
  cellRoutes?(app: OpenAPIHono<AppEnv>): void;
}

export function mountRoutes(app: OpenAPIHono<AppEnv>, deps: Deps, o: MountOptions): void {
  const { runtime, connections, lookups, exceptions, audit } = deps;
  const authorize = (p: Parameters<typeof requirePermission>[0]) => requirePermission(p);
  app.route('/api', authRouter(deps));
  app.route('/api', flowsRouter(deps));
  app.route('/api', changeRequestsRouter(deps));
  app.route('/api', runsRouter(deps));
  app.route('/api', connectionsRouter(deps));
  app.route(
    '/api',
    catalogRouter(deps, () => o.nodeTypes),
  );
  app.route('/api', templatesRouter(deps, o.templatesDir));
  app.route('/api', usersRouter(deps));
  o.cellRoutes?.(app);
  app.route('/api', eventsRouter(deps));
  app.route('/api', mappingRouter(deps));
  app.route('/api', assistRouter(deps, { env: o.env }));
  app.route('/api', runNowRouter(deps));
  app.route('/api', monitorsRouter(deps));
  app.route('/api', flowControlsRouter(deps));
  app.route(
    '/api',
    sandboxRouter(deps, () => o.sandbox),
  );
  reportingRoutes(app, deps);
  app.route('/api', retriesRouter(deps));
  app.route('/api', fetchOrderRouter(deps));
  app.route(
    '/api/exceptions',
    exceptionRoutes(exceptions, {
      authorize,
      assignees: async (c) =>
        (await deps.userScope.list((c.get('user') as { id: string }).id))
          .filter((u) => !u.disabled && u.role && can(u.role, 'exceptions.triage'))
          .map((u) => ({ email: u.email, name: u.name })),
    }),
  );
  app.route('/api/dashboard', dashboardRoutes(runtime.store, { authorize }));
  app.route(
    '/api/lookups',
    lookupRoutes(lookups, {
      authorize,
      references: erpReferences({ runtime, connections, lookups }),
      onChange: (e) => {
        // The lookup routes await this (its answer is the retried batch); the audit entry is written behind it.
        audit
          .record(e.by ?? 'unknown', `lookup.${e.action}`, `lookup:${e.scope}/${e.name}`, { version: e.version })
          .catch((err: Error) => deps.log.error({ err: err.message, lookup: `${e.scope}/${e.name}`, action: e.action }, 'audit entry not written'));
        // Saving rows may resolve what failed runs were waiting for: retry those at once (the response lists them).
        if (!/rows|restore|csv/.test(e.action)) return;
        return retryWaitingOnLookup(exceptions, lookups, { scope: e.scope, name: e.name }, e.by ?? 'unknown').then((retried) => ({ retried }));
      },
    }),
  );
  app.route('/webhooks', o.shopifyIngest.routes());
  app.route('/webhooks', flowWebhookRoutes(deps));
  documentInfraRoutes(app);
  docsPageRoutes(app);
}
