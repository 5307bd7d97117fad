// Finance's month-end payout report, the integration audit and the runbooks, mounted with the server's permissions.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../api/http.ts';
import { errorBody, requirePermission } from '../api/http.ts';
import type { Deps } from '../deps.ts';
import { financeRoutes } from '../finance/routes.ts';
import { reconciliationsFromStore } from '../finance/source.ts';
import { auditRoutes } from '../integration-audit/routes.ts';
import { collectAudit } from '../integration-audit/collect.ts';
import { runbookRoutes } from '../runbooks/routes.ts';
import { isTestFlow } from '../flows/test-run.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { ShopifyClient } from '../../nodes/shopify/client.ts';

export function reportingRoutes(app: OpenAPIHono<AppEnv>, d: Deps) {
  const rt = d.runtime;
  // The first connection of a kind is the one the merchant runs on; sandbox mode has exactly one of each.
  const first = async <T>(kind: 'shopify' | 'erp'): Promise<T | undefined> => {
    const c = (await d.connections.list()).find((x) => x.kind === kind);
    return c ? ((await d.connections.resolve(kind, c.id)) as T) : undefined;
  };
  app.route(
    '/api/finance',
    financeRoutes({
      load: () => reconciliationsFromStore(rt.store),
      erp: async () => (await first<ErpConnector>('erp'))!,
      authorize: () => requirePermission('finance.read'),
    }),
  );
  app.route(
    '/api/integration-audit',
    auditRoutes({
      collect: async () =>
        collectAudit({
          shopify: await first<ShopifyClient>('shopify'),
          erp: await first<ErpConnector>('erp'),
          flows: rt.flows,
          lookups: d.lookups,
          nonIdempotent: (t) => rt.lookup(t)?.idempotent === false,
        }),
      authorize: () => requirePermission('integration.audit'),
    }),
  );
  // A draft's hidden test copy (`__test.<id>`) is no flow of anyone's: 404, as on every other route.
  app.use('/api/runbooks/:flowId', async (c, next) => {
    if (isTestFlow(c.req.param('flowId'))) return c.json(errorBody('not_found', `no flow "${c.req.param('flowId')}"`), 404);
    return next();
  });
  app.route(
    '/api/runbooks',
    runbookRoutes({ flows: rt.flows, lookups: d.lookups, describeType: (t) => rt.lookup(t)?.description, authorize: () => requirePermission('runbooks.read') }),
  );
}
