// Test harness for monitors: a real runtime with the exception inbox, the sandbox Shopify store and the sandbox ERP
// as its connections, and a clock the test can move.
import { readFileSync } from 'node:fs';
import type { Runtime } from '../../runtime/index.ts';
import { testRuntime } from '../../runtime/testing/runtime.ts';
import { flow, tempDir } from '../../runtime/testing/fixtures.ts';
import { createExceptionService, type ExceptionService } from '../../server/exceptions/store/index.ts';
import type { Sandbox, NodeType, NodeServices } from '../../runtime/node-api.ts';
import type { WorkerOptions } from '../../runtime/worker.ts';
import { nodeTypes } from '../registry.ts';

export const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};

export interface Harness {
  rt: Runtime;
  exceptions: ExceptionService;
  clock: { now: number };
  /** Runs a one-node monitor flow once (manual trigger) and returns the run. */
  check(type: string, config: Record<string, unknown>, flowId?: string): ReturnType<Runtime['runs']['get']>;
  close(): Promise<void>;
}

export async function harness(connections: Record<string, unknown>, opts: { extraTypes?: NodeType[]; worker?: WorkerOptions } = {}): Promise<Harness> {
  const tmp = tempDir();
  const clock = { now: Date.now() };
  const services: NodeServices = {};
  const types = [...nodeTypes, ...(opts.extraTypes ?? [])];
  const rt = await testRuntime({
    dataDir: tmp.dir,
    lookup: (t) => types.find((x) => x.type === t),
    sandbox: noSandbox,
    services,
    connection: async (kind, id) => {
      const c = connections[`${kind}:${id}`];
      if (!c) throw new Error(`no ${kind} connection ${id}`);
      return c;
    },
    worker: { pollMs: 5, ...opts.worker },
    now: () => clock.now,
  });
  const exceptions = createExceptionService(rt.store, rt, { now: () => clock.now });
  Object.assign(services, { exceptions, monitoring: exceptions.monitoring });
  rt.start();
  const published = new Map<string, { cfg: string; version: number }>();
  return {
    rt,
    exceptions,
    clock,
    async check(type, config, flowId = `check-${type.replace(/\W/g, '-')}`) {
      const doc = flow(
        flowId,
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'm', type, config },
        ],
        ['t->m'],
        { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } },
      );
      const cfg = JSON.stringify(config);
      const known = published.get(flowId);
      if (!known) await rt.flows.create(doc);
      else if (known.cfg !== cfg) await rt.flows.updateDraft(flowId, doc);
      if (!known || known.cfg !== cfg) published.set(flowId, { cfg, version: (await rt.flows.publish(flowId, { activate: true })).version });
      const { runIds } = await rt.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId, version: published.get(flowId)!.version }] });
      const [runId] = runIds;
      if (!runId) throw new Error(`monitor flow ${flowId}: ingest started no run`);
      const until = Date.now() + 30_000;
      for (;;) {
        const r = await rt.runs.get(runId);
        if (r.status === 'succeeded' || r.status === 'failed') return r;
        if (Date.now() > until) throw new Error(`monitor run ${runId} still ${r.status}`);
        await new Promise((res) => setTimeout(res, 5));
      }
    },
    async close() {
      exceptions.detach();
      await rt.close();
      tmp.cleanup();
    },
  };
}

/** Shopify's example order (REST, as webhooks deliver it) made into a live paid order of our catalogue. */
export function restOrder(n: number, o: { createdAt: number; financialStatus: string; sku: string; price: string }): Record<string, unknown> {
  const base = JSON.parse(readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8'));
  const order = (base.order ?? base) as Record<string, any>;
  const bag = (amount: string) => ({
    shop_money: { amount, currency_code: order.currency },
    presentment_money: { amount, currency_code: order.presentment_currency ?? order.currency },
  });
  const line = {
    ...order.line_items[0],
    price_set: bag(o.price),
    total_discount_set: bag('0.00'),
    id: 9_000_000 + n,
    admin_graphql_api_id: `gid://shopify/LineItem/${9_000_000 + n}`,
    sku: o.sku,
    quantity: 1,
    price: o.price,
    total_discount: '0.00',
    tax_lines: [],
    discount_allocations: [],
  };
  return {
    ...order,
    id: 7_000_000 + n,
    admin_graphql_api_id: `gid://shopify/Order/${7_000_000 + n}`,
    name: `#${5000 + n}`,
    order_number: 5000 + n,
    created_at: new Date(o.createdAt).toISOString(),
    updated_at: new Date(o.createdAt).toISOString(),
    processed_at: new Date(o.createdAt).toISOString(),
    financial_status: o.financialStatus,
    test: false,
    cancelled_at: null,
    cancel_reason: null,
    line_items: [line],
    shipping_lines: [],
    tax_lines: [],
    discount_codes: [],
    discount_applications: [],
    refunds: [],
    subtotal_price_set: bag(o.price),
    total_price_set: bag(o.price),
    current_total_price_set: bag(o.price),
    current_subtotal_price_set: bag(o.price),
    total_tax_set: bag('0.00'),
    current_total_tax_set: bag('0.00'),
    total_discounts_set: bag('0.00'),
    total_line_items_price_set: bag(o.price),
    total_shipping_price_set: bag('0.00'),
    subtotal_price: o.price,
    total_price: o.price,
    total_tax: '0.00',
    total_discounts: '0.00',
    current_total_price: o.price,
    taxes_included: false,
  };
}
