// Monitors on by default: a fresh server in sandbox mode installs the monitor templates published and active with
// their schedules armed, each runs cleanly against the sandbox store and ERP, and the integration audit no longer
// finds a flow without a monitor.
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/app.ts';
import { auditIntegration } from '../../server/integration-audit/audit.ts';
import { publishedFlows } from '../../server/integration-audit/collect.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { passDatabaseUrl } from '../../runtime/testing/pass.ts';

const tmp = tempDir('ledgerline-monitor-templates-');
afterAll(() => tmp.cleanup());

const MONITORS: Array<[string, string, string]> = [
  ['monitor-runs', 'monitor.runs', '*/5 * * * *'],
  ['monitor-orphaned-orders', 'monitor.orphaned-orders', '*/10 * * * *'],
  ['monitor-inventory-drift', 'monitor.inventory-drift', '7 * * * *'],
  ['monitor-payment-status', 'monitor.payment-mismatch', '30 5 * * *'],
];

describe('monitor templates on a fresh install', () => {
  it('are active with schedules armed, run cleanly, and leave no flow without a monitor', async () => {
    // A new store, on either pass: sandbox mode installs the templates into a new store only.
    const databaseUrl = await passDatabaseUrl(tmp.dir, { unmigrated: true });
    const server = await createServer({
      dataDir: tmp.dir,
      ...(databaseUrl ? { databaseUrl } : {}),
      log: pino({ level: 'silent' }),
      worker: { pollMs: 5 },
      env: { LEDGERLINE_SANDBOX_WEBHOOK_SECRET: 'shpss_monitor_test', LEDGERLINE_ADMIN_PASSWORD: 'monitor-test-pw', LEDGERLINE_MASTER_KEY: 'b'.repeat(64) },
    });
    try {
      for (const [id, type, cron] of MONITORS) {
        const f = await server.runtime.flows.get(id);
        expect(f.activeVersion, id).toBe(1);
        const def = (await server.runtime.flows.version(id, 1)).definition as { nodes: Array<{ type: string; config: Record<string, unknown> }> };
        expect(def.nodes.map((n) => n.type)).toEqual(['trigger.schedule', type]);
        expect(def.nodes[0]?.config.cron).toBe(cron);
      }
      await server.sandbox!.start(0); // the sandbox store's API (started a moment after listening in `serve`)
      await server.scheduler.refresh();
      expect(server.scheduler.armed).toEqual(expect.arrayContaining(MONITORS.map(([id]) => id)));

      for (const [id] of MONITORS) {
        const r = (await server.scheduler.fire(id, 1, 'UTC', undefined, new Date('2026-12-01T05:30:00Z')))!;
        await server.runtime.drain(30_000);
        expect(r.runIds).toHaveLength(1);
        const run = await server.runtime.runs.get(r.runIds[0]!);
        expect(run.status, `${id}: ${JSON.stringify(run.error)}`).toBe('succeeded');
        expect(run.steps.at(-1)!.output).toMatchObject({ checked: expect.any(Number), found: expect.any(Number) });
      }

      const flows = await publishedFlows(server.runtime.flows);
      const report = auditIntegration({ variants: [], erpItems: null, orders: [], flows, lookup: () => null, nonIdempotent: () => false } as never);
      expect(report.findings.filter((f) => f.kind === 'flow-without-monitor')).toEqual([]);
      // Without the monitor templates every template would be reported again (as on main before).
      const without = auditIntegration({
        variants: [],
        erpItems: null,
        orders: [],
        flows: flows.filter((f) => !f.id.startsWith('monitor-')),
        lookup: () => null,
        nonIdempotent: () => false,
      } as never);
      expect(without.findings.filter((f) => f.kind === 'flow-without-monitor').map((f) => f.subject)).toContain('order-to-erp');
    } finally {
      await server.close();
    }
  }, 90_000);
});
