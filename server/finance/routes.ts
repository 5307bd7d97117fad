// Month-end payout reconciliation API as a Hono sub-app (the server mounts it, e.g. under /api/finance):
//   GET /payouts?month=YYYY-MM            latest reconciliation per payout, with its items (what matched, what not)
//   GET /month-end?month=YYYY-MM&format=json|csv&ledger=true
//                                          per payout and per month: status, totals, variances; with `ledger=true`
//                                          the payout journals are read back from the ERP and checked.
//   GET /payout-lines?month=YYYY-MM&format=json|csv
//                                          one row per reconciled line of each payout, with its own fee and net
//   GET /trial-balance?month=YYYY-MM&format=json|csv
//                                          the ERP ledger's trial balance for the month (per account: opening, debits,
//                                          credits, closing), receivable and clearing closings, receivables still open.
// Permission `finance.read` (admin, finance, consultant) is enforced through the host's `authorize` hook.
import { OpenAPIHono, createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { PayoutReconciliation } from '../../nodes/finance/types.ts';
import { ledgerStatus } from './ledger-check.ts';
import { latestPerPayout, monthEndReport, reportCsv } from './report.ts';
import { trialBalance, trialBalanceCsv } from './trial-balance.ts';
import { payoutLines, payoutLinesCsv } from './lines.ts';
import { PERMISSIONS } from '../auth/roles.ts';
import { MonthEndReportSchema } from './schemas.ts';

export const FINANCE_PERMISSIONS = {
  'finance.read': PERMISSIONS['finance.read'],
} as const;

export interface FinanceRoutesOptions {
  /** Every reconciliation recorded (e.g. `() => reconciliationsFromStore(rt.store)`). */
  load: () => PayoutReconciliation[] | Promise<PayoutReconciliation[]>;
  /** The ERP holding the payout journals, for `ledger=true`. */
  erp?: () => Promise<ErpConnector>;
  accounts?: { bank: string; clearing: string; receivable?: string };
  authorize?: (perm: keyof typeof FINANCE_PERMISSIONS) => MiddlewareHandler;
}

const Month = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'month must be YYYY-MM')
  .optional();
const Any = z.record(z.string(), z.unknown());
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function financeRoutes(opts: FinanceRoutesOptions) {
  const app = new OpenAPIHono({
    defaultHook: (r, c) => {
      if (!r.success)
        return c.json(
          { error: { code: 'invalid_request', message: r.error.issues.map((i) => `${i.path.join('.') || r.target} ${i.message}`).join('; ') } },
          400,
        );
    },
  });
  const route = <R extends Omit<RouteConfig, 'middleware'>>(r: R) =>
    createRoute({
      ...r,
      tags: ['finance'],
      'x-permission': 'finance.read',
      ...(opts.authorize ? { middleware: [opts.authorize('finance.read')] } : {}),
    } as R & { middleware?: MiddlewareHandler[] });

  app.openapi(
    route({
      method: 'get',
      path: '/payouts',
      summary: 'Latest reconciliation of each Shopify payout',
      request: { query: z.object({ month: Month }) },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.object({ payouts: z.array(Any) }) } } },
        400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { month } = c.req.valid('query');
      const payouts = latestPerPayout(await opts.load()).filter((r) => !month || r.date.startsWith(month));
      return c.json({ payouts }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/month-end',
      summary: 'Month-end payout report (JSON or CSV)',
      request: { query: z.object({ month: Month, format: z.enum(['json', 'csv']).default('json'), ledger: z.enum(['true', 'false']).default('false') }) },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: MonthEndReportSchema }, 'text/csv': { schema: z.string() } } },
        400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
        502: { description: 'ERP could not be read', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { month, format, ledger } = c.req.valid('query');
      const recs = latestPerPayout(await opts.load()).filter((r) => !month || r.date.startsWith(month));
      let statuses;
      if (ledger === 'true') {
        if (!opts.erp)
          return c.json({ error: { code: 'no_erp', message: 'ledger=true needs an ERP connection, none is configured for the finance API' } }, 400);
        try {
          statuses = await ledgerStatus(
            await opts.erp(),
            recs.filter((r) => r.status === 'balanced'),
            opts.accounts,
          );
        } catch (e) {
          return c.json({ error: { code: 'erp_error', message: `reading the ERP ledger failed: ${(e as Error).message}` } }, 502);
        }
      }
      const report = monthEndReport(recs, { month, ledger: statuses });
      if (format === 'csv') {
        return c.body(reportCsv(report), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="payouts-${month ?? 'all'}.csv"`,
        });
      }
      return c.json(report, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/payout-lines',
      summary: 'Every reconciled payout line with its own fee and net (JSON or CSV)',
      request: { query: z.object({ month: Month, format: z.enum(['json', 'csv']).default('json') }) },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.object({ lines: z.array(Any) }) }, 'text/csv': { schema: z.string() } } },
        400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { month, format } = c.req.valid('query');
      const lines = payoutLines(latestPerPayout(await opts.load()).filter((r) => !month || r.date.startsWith(month)));
      if (format === 'csv')
        return c.body(payoutLinesCsv(lines), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="payout-lines-${month ?? 'all'}.csv"`,
        });
      return c.json({ lines }, 200);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/trial-balance',
      summary: 'Month-end trial balance from the ERP ledger (JSON or CSV)',
      request: { query: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/, 'month must be YYYY-MM'), format: z.enum(['json', 'csv']).default('json') }) },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: Any }, 'text/csv': { schema: z.string() } } },
        400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
        502: { description: 'ERP could not be read', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { month, format } = c.req.valid('query');
      if (!opts.erp)
        return c.json({ error: { code: 'no_erp', message: 'the trial balance needs an ERP connection, none is configured for the finance API' } }, 400);
      let tb;
      try {
        tb = await trialBalance(await opts.erp(), month, { receivable: opts.accounts?.receivable ?? '1100', clearing: opts.accounts?.clearing ?? '1190' });
      } catch (e) {
        return c.json({ error: { code: 'erp_error', message: `reading the ERP ledger failed: ${(e as Error).message}` } }, 502);
      }
      if (format === 'csv')
        return c.body(trialBalanceCsv(tb), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="trial-balance-${month}.csv"`,
        });
      return c.json(tb, 200);
    },
  );
  return app;
}
