// Runs the payout-reconciliation template through the real runtime against the Shopify sandbox store and an ERP
// connector (the sandbox ERP or Tryton), with an in-memory exception sink.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../../../runtime/index.ts';
import type { Sandbox } from '../../../runtime/node-api.ts';
import { tempDir } from '../../../runtime/testing/fixtures.ts';
import { testRuntime } from '../../../runtime/testing/runtime.ts';
import { coreNodes } from '../../core/index.ts';
import type { ErpConnector } from '../../erp/contract.ts';
import { erpNodes } from '../../erp/index.ts';
import { createShopifyConnection, shopifyNodes, startShopifySandbox, type SandboxStore, type Scenario } from '../../shopify/index.ts';
import { financeNodes } from '../index.ts';
import { MemorySink } from './memory-sink.ts';

export const TEMPLATE = fileURLToPath(new URL('../../../flows/templates/payout-reconciliation.json', import.meta.url));

const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('sandbox not used by this flow')),
  runBatch: async () => Promise.reject(new Error('sandbox not used by this flow')),
  close: async () => {},
};

export interface Harness {
  /** On this test pass's store (SQLite, or PostgreSQL on the PostgreSQL pass). */
  rt: Runtime;
  store: SandboxStore;
  sink: MemorySink;
  runOnce(): ReturnType<Runtime['runs']['get']>;
  close(): Promise<void>;
}

export async function startHarness(
  scenario: Scenario,
  erp: ErpConnector,
  opts: { sink?: boolean; patch?: (flow: Record<string, any>) => void; plan?: 'standard' | 'advanced' | 'plus' } = {},
): Promise<Harness> {
  const store = await startShopifySandbox({ seed: scenario, ...(opts.plan ? { plan: opts.plan } : {}) });
  const client = createShopifyConnection({ shopDomain: store.shopDomain, endpoint: store.url, auth: { kind: 'access-token', accessToken: store.accessToken } });
  const sink = new MemorySink();
  const tmp = tempDir('ledgerline-recon-');
  const types = [...coreNodes, ...shopifyNodes, ...erpNodes, ...financeNodes];
  const rt = await testRuntime({
    dataDir: tmp.dir,
    lookup: (t) => types.find((x) => x.type === t),
    sandbox: noSandbox,
    worker: { pollMs: 5 },
    services: opts.sink === false ? {} : { exceptions: sink },
    connection: async (kind, id) => {
      if (kind === 'shopify' && id === 'sandbox-shop') return client;
      if (kind === 'erp' && id === 'sandbox-erp') return erp;
      throw new Error(`no ${kind} connection ${id}`);
    },
  });
  const flow = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
  opts.patch?.(flow);
  await rt.flows.create(flow);
  const { version } = await rt.flows.publish(flow.id, { message: 'test', activate: true });
  rt.start();
  return {
    rt,
    store,
    sink,
    async runOnce() {
      const { runIds } = await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: flow.id, version }] });
      // A run posts and settles every balanced payout (a backlog at once): on live Tryton that can take minutes.
      await rt.drain(300_000);
      const [runId] = runIds;
      if (!runId) throw new Error('the manual trigger started no run');
      return rt.runs.get(runId);
    },
    async close() {
      await rt.close();
      await store.stop();
      tmp.cleanup();
    },
  };
}
