import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The suite's PostgreSQL pass (`npm run test:pg`; issue 13): the test files whose servers, deployments and runtimes
// come from the shared factories (server/testing.ts, server/workspaces/testing.ts, runtime/testing/runtime.ts,
// runtime/testing/pass.ts), run again with each of those on a throwaway PostgreSQL database. Left out: files that
// build no store (node logic, the designer, scripts), files that take both stores already (`testStores()`), and
// files whose subject is SQLite itself (WAL, checkpoints, the file, crash recovery on it; listed below with why).
export const POSTGRES_PASS_FILES = [
  'flows/templates/inspection.test.ts',
  'flows/templates/install.test.ts',
  'flows/templates/monitors.test.ts',
  'flows/templates/order-to-erp.test.ts',
  'flows/templates/replay.test.ts',
  'flows/templates/shopify-templates.test.ts',
  'nodes/core/map.test.ts',
  'nodes/finance/reconcile-payouts.test.ts',
  'nodes/finance/settle.test.ts',
  'nodes/finance/stored-vs-inline.test.ts',
  'nodes/lookup/lookup.test.ts',
  'nodes/monitor/orders-bulk.test.ts',
  'nodes/monitor/run-monitors.test.ts',
  'nodes/monitor/shop-monitors.test.ts',
  'runtime/engine.test.ts',
  'runtime/output-by-reference.test.ts',
  'runtime/rebuild-output.test.ts',
  'runtime/run-connections.test.ts',
  'runtime/step-batch.test.ts',
  'runtime/worker-drain.test.ts',
  'server/alerts/alerts.test.ts',
  'server/api/docs-page.test.ts',
  'server/assist/ai/explain.test.ts',
  'server/assist/ai/model-path.test.ts',
  'server/assist/inbox-routes.test.ts',
  'server/assist/lookups.test.ts',
  'server/assist/routes.test.ts',
  'server/auth/role-matrix.test.ts',
  'server/dashboard/routes.test.ts',
  'server/exceptions/assignees.test.ts',
  'server/exceptions/routes.test.ts',
  'server/finance/routes.test.ts',
  'server/finance/trial-balance.test.ts',
  'server/flows/change-requests.test.ts',
  'server/flows/mapping-check.test.ts',
  'server/flows/overlaps.test.ts',
  'server/flows/test-run.test.ts',
  'server/lookups/erp-references.test.ts',
  'server/lookups/routes.test.ts',
  'server/monitors/overview.test.ts',
  'server/readyz.test.ts',
  'server/routes/auth.test.ts',
  'server/routes/change-requests.test.ts',
  'server/routes/connections.test.ts',
  'server/routes/events.test.ts',
  'server/routes/flow-controls.test.ts',
  'server/routes/flows.test.ts',
  'server/routes/mapping.test.ts',
  'server/routes/runs.test.ts',
  'server/routes/templates.test.ts',
  'server/run-log.test.ts',
  'server/schedules.test.ts',
  'server/secrets-leak.test.ts',
  'server/store-watch.test.ts',
  'server/sweeps.test.ts',
  'server/webhooks/flow.test.ts',
  'server/webhooks/shopify.test.ts',
  'server/workspaces/deployment.test.ts',
  'server/workspaces/isolation.test.ts',
  'server/workspaces/members.test.ts',
  'server/workspaces/workers.test.ts',
];

/**
 * Files that build a store through the factories (or the SQLite one directly) but are not in this pass, and why.
 * scripts/pg-pass.test.ts fails when a file using the factories is in neither list.
 */
export const NOT_IN_POSTGRES_PASS: Record<string, string> = {
  'flows/templates/tryton-crash.test.ts': 'kills a server process on a SQLite data dir mid-post (crash recovery on the SQLite file)',
  'flows/templates/tryton.test.ts': "live Tryton end to end: its store use is order-to-erp.test.ts's, which is in the pass; left out for the time budget",
  'server/finance/tryton.test.ts': "live Tryton end to end: its store use is trial-balance.test.ts's, which is in the pass; left out for the time budget",
  'server/commands/cli-pg.test.ts': 'runs the CLI against PostgreSQL itself (LEDGERLINE_DATABASE_URL), in the first pass',
  'server/server-stores.test.ts': 'takes both stores itself (testStores())',
  'server/workspaces/fairness.test.ts': 'takes both stores itself (testStores()); a 20,000-run latency test',
};

// A machine without PostgreSQL leaves it out, as the store tests do (runtime/testing/stores.ts).
const only = process.env.LEDGERLINE_TEST_STORES?.split(',').map((s) => s.trim());
const skipped = only !== undefined && !only.includes('postgres');
if (skipped) console.warn(`LEDGERLINE_TEST_STORES=${process.env.LEDGERLINE_TEST_STORES}: the PostgreSQL pass is skipped`);

const config = mergeConfig(
  base,
  defineConfig({
    test: {
      passWithNoTests: skipped,
      env: { LEDGERLINE_TEST_STORE: 'postgres' },
      globalSetup: skipped ? [] : ['runtime/testing/pg-pass-setup.ts'],
      // Each server or runtime's database is made (copied from the run's template) as it starts: a little slower.
      testTimeout: 60_000,
    },
  }),
);
// Set after the merge: mergeConfig concatenates arrays, so an `include` merged in would run every file of the base too.
config.test.include = skipped ? [] : POSTGRES_PASS_FILES;
export default config;
