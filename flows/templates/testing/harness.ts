// Runs the shipped template flows through the real runtime (this pass's store, isolated-vm sandbox, lookup service with the
// seed tables) against a real ERP connector (sandbox ERP or live Tryton) and, where a flow needs Shopify's API, the
// Shopify sandbox store. Scenario payloads are raw webhook JSON text, as Shopify sends them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../../../runtime/index.ts';
import { testRuntime } from '../../../runtime/testing/runtime.ts';
import { createSandbox } from '../../../runtime/sandbox/index.ts';
import { tempDir } from '../../../runtime/testing/fixtures.ts';
import { LookupService } from '../../../server/lookups/store/index.ts';
import { getNodeType } from '../../../nodes/registry.ts';
import type { ErpConnector } from '../../../nodes/erp/contract.ts';
import { createSandboxErp, type SandboxErp } from '../../../nodes/erp/index.ts';
import type { SandboxDump } from '../../../nodes/erp/sandbox/index.ts';
import { createShopifyConnection, startShopifySandbox, type SandboxStore, type Scenario, type ShopifyClient } from '../../../nodes/shopify/index.ts';
import { installSandboxLookups } from '../../../server/lookups/seed.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import type { NodeServices } from '../../../runtime/node-api.ts';

export const TEMPLATES = fileURLToPath(new URL('../', import.meta.url));
export const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/shopify/', import.meta.url));

export const scenario = (name: string) => readFileSync(`${SCENARIOS}${name}`, 'utf8');
export const template = (id: string) =>
  JSON.parse(readFileSync(`${TEMPLATES}${id}.json`, 'utf8')) as Record<string, any> & { id: string; nodes: Array<Record<string, any>> };

export interface Harness {
  rt: Runtime;
  lookups: LookupService;
  erp: ErpConnector;
  store: SandboxStore | null;
  /** Installs a template (optionally changed first) as a published, active flow. */
  install(id: string, change?: (doc: ReturnType<typeof template>) => void): Promise<void>;
  /** Ingests one event for a flow, drains the queue, and returns the run. */
  run(flowId: string, payload: unknown, topic?: string): Promise<RunRecord>;
  replay(runId: string): Promise<RunRecord>;
  close(): Promise<void>;
}

export async function startHarness(opts: { erp?: ErpConnector; shop?: boolean | Scenario; shopify?: ShopifyClient } = {}): Promise<Harness> {
  const tmp = tempDir('ledgerline-templates-');
  const sandbox = createSandbox({ processes: 1 });
  const erp: ErpConnector = opts.erp ?? (createSandboxErp() as SandboxErp);
  const store = opts.shop ? await startShopifySandbox({ port: 0, ...(typeof opts.shop === 'object' ? { seed: opts.shop } : {}) }) : null;
  const shopify =
    opts.shopify ??
    (store
      ? createShopifyConnection({ shopDomain: store.shopDomain, endpoint: store.url, auth: { kind: 'access-token', accessToken: store.accessToken } })
      : null);
  const services: NodeServices = {};
  const rt = await testRuntime({
    dataDir: tmp.dir,
    lookup: getNodeType,
    sandbox,
    services,
    worker: { pollMs: 2 },
    connection: async (kind, id) => {
      if (kind === 'erp' && id === 'sandbox-erp') return erp;
      if (kind === 'shopify' && id === 'sandbox-shop' && shopify) return shopify;
      throw new Error(`no ${kind} connection "${id}" in this test`);
    },
  });
  const lookups = new LookupService(rt.store);
  services.lookups = lookups;
  await installSandboxLookups(lookups);
  rt.start();
  const finished = async (runId: string) => {
    await rt.drain(120_000);
    return rt.runs.get(runId);
  };
  return {
    rt,
    lookups,
    erp,
    store,
    async install(id, change) {
      const doc = template(id);
      change?.(doc);
      await rt.flows.create({ ...doc, id });
      await rt.flows.publish(id, { activate: true });
    },
    async run(flowId, payload, topic) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const event = topic ? { body, headers: { 'X-Shopify-Topic': topic } } : body;
      const { runIds } = await rt.queue.ingest({
        source: 'manual',
        payload: event,
        targets: [{ flowId, version: (await rt.flows.get(flowId)).activeVersion! }],
      });
      return finished(onlyRun(runIds, flowId));
    },
    async replay(runId) {
      return finished((await rt.runs.replay(runId)).runId);
    },
    async close() {
      await rt.close();
      await sandbox.close();
      await store?.stop();
      await erp.close();
      tmp.cleanup();
    },
  };
}

/** The run an ingest for one flow queued; a clear failure when it queued none (say, a duplicate event). */
export function onlyRun(runIds: readonly string[], flowId: string): string {
  const [runId] = runIds;
  if (runId === undefined) throw new Error(`the event queued no run for flow "${flowId}"`);
  return runId;
}

/** One table of the sandbox ERP's dump (typed: a renamed table fails to compile, so a "none posted" check cannot pass on it). */
export function erpTable(erp: SandboxErp, table: keyof SandboxDump): unknown[] {
  return erp.admin.dump()[table];
}

export const stepOf = (run: RunRecord, nodeId: string) => run.steps.find((s) => s.nodeId === nodeId);
export const outputOf = <T = any>(run: RunRecord, nodeId: string) => stepOf(run, nodeId)?.output as T;

/**
 * Shopify's published order examples are voided, cancelled test orders (the payment gate skips them). This is the same
 * payload as a live, paid order, for the cases that exercise posting. JSON text is edited so 18-digit ids stay exact.
 */
export function asPaidOrder(raw: string, status = 'paid'): string {
  const out = raw
    .replace(/"financial_status":\s*"[a-z_]+"/, `"financial_status": "${status}"`)
    .replace(/"cancelled_at":\s*"[^"]*"/, '"cancelled_at": null')
    .replace(/"cancel_reason":\s*"[^"]*"/, '"cancel_reason": null')
    .replace(/"test":\s*true/, '"test": false');
  if (!out.includes(`"financial_status": "${status}"`)) throw new Error('asPaidOrder: the payload has no financial_status');
  return out;
}
