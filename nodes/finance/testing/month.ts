// The scenario month (flows/templates/scenarios/month) run through the shipped templates: order-to-erp and
// gift-card-liability on every orders/paid webhook, refund-to-credit-memo on every refunds/create, then the daily
// payout reconciliation until both payouts are posted and settled, against the sandbox ERP or live Tryton, with the
// Shopify sandbox store holding the same orders, refunds and payouts. Exceptions are collected in memory.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRuntime, type SqliteRuntime } from '../../../runtime/index.ts';
import { createSandbox } from '../../../runtime/sandbox/index.ts';
import { tempDir } from '../../../runtime/testing/fixtures.ts';
import { LookupService } from '../../../server/lookups/store/index.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import { getNodeType } from '../../registry.ts';
import type { ErpConnector } from '../../erp/contract.ts';
import { createShopifyConnection, startShopifySandbox, type SandboxStore } from '../../shopify/index.ts';
import { installSandboxLookups } from '../../../server/lookups/seed.ts';
import { MemorySink } from './memory-sink.ts';
import type { NodeServices } from '../../../runtime/node-api.ts';

const DIR = fileURLToPath(new URL('../../../flows/templates/', import.meta.url));
export const MONTH_DIR = `${DIR}scenarios/month/`;

export interface Month {
  kinds: Record<string, string>;
  orders: Array<Record<string, any>>;
  refunds: Array<Record<string, any>>;
  goodwillRefund: Record<string, any>;
  chargebackOrder: number;
  payouts: Array<Record<string, any>>;
  balanceTransactions: Array<Record<string, any>>;
}
export interface Expected {
  month: string;
  accounts: Array<{ account: string; opening: string; debits: string; credits: string; closing: string }>;
  receivableOpen: string;
  chargebackOrder: string;
}

export const loadMonth = () => JSON.parse(readFileSync(`${MONTH_DIR}month.json`, 'utf8')) as Month;
export const loadExpected = () => JSON.parse(readFileSync(`${MONTH_DIR}expected.json`, 'utf8')) as Expected;

export interface MonthRun {
  rt: SqliteRuntime;
  sink: MemorySink;
  store: SandboxStore;
  month: Month;
  /** Runs per Shopify object: order runs of both order flows, refund runs, payout runs. */
  orderRuns: Map<number, RunRecord[]>;
  refundRuns: RunRecord[];
  payoutRuns: RunRecord[];
  send(topic: string, body: unknown, flows: string[]): Promise<RunRecord[]>;
  close(): Promise<void>;
}

/** A runtime with the four finance templates published, the sandbox Shopify store seeded, and `erp` as sandbox-erp. */
export interface TemplatesWorld {
  rt: SqliteRuntime;
  sink: MemorySink;
  store: SandboxStore;
  /** One delivery of `topic` (none: a schedule's empty event) to `flows`, drained: their runs. */
  send(topic: string, body: unknown, flows: string[]): Promise<RunRecord[]>;
  close(): Promise<void>;
}

export async function startTemplates(
  erp: ErpConnector,
  seed: Record<string, unknown>,
  opts: { drainMs?: number; prefix?: string } = {},
): Promise<TemplatesWorld> {
  const tmp = tempDir(opts.prefix ?? 'ledgerline-templates-');
  const sandbox = createSandbox({ processes: 1 });
  const store = await startShopifySandbox({ port: 0, seed });
  const shopify = createShopifyConnection({
    shopDomain: store.shopDomain,
    endpoint: store.url,
    auth: { kind: 'access-token', accessToken: store.accessToken },
  });
  const sink = new MemorySink();
  const services: NodeServices = { exceptions: sink };
  const rt = createRuntime({
    dataDir: tmp.dir,
    lookup: getNodeType,
    sandbox,
    services,
    worker: { pollMs: 2 },
    connection: async (kind, id) => {
      if (kind === 'erp' && id === 'sandbox-erp') return erp;
      if (kind === 'shopify' && id === 'sandbox-shop') return shopify;
      throw new Error(`no ${kind} connection "${id}" in this test`);
    },
  });
  const lookups = new LookupService(rt.store);
  services.lookups = lookups;
  await installSandboxLookups(lookups);
  for (const id of ['order-to-erp', 'gift-card-liability', 'refund-to-credit-memo', 'payout-reconciliation']) {
    const doc = JSON.parse(readFileSync(`${DIR}${id}.json`, 'utf8'));
    await rt.flows.create({ ...doc, id });
    await rt.flows.publish(id, { activate: true });
  }
  rt.start();
  const drainMs = opts.drainMs ?? 600_000;
  return {
    rt,
    sink,
    store,
    async send(topic, body, flows) {
      const { runIds } = await rt.queue.ingest({
        source: 'manual',
        payload: topic ? { body: JSON.stringify(body), headers: { 'X-Shopify-Topic': topic } } : {},
        targets: await Promise.all(flows.map(async (flowId) => ({ flowId, version: (await rt.flows.get(flowId)).activeVersion! }))),
      });
      await rt.drain(drainMs);
      return Promise.all(runIds.map((r) => rt.runs.get(r)));
    },
    async close() {
      await rt.close();
      await sandbox.close();
      await store.stop();
      tmp.cleanup();
    },
  };
}

export async function runMonth(erp: ErpConnector, opts: { drainMs?: number } = {}): Promise<MonthRun> {
  const month = loadMonth();
  const world = await startTemplates(
    erp,
    {
      shop: { name: 'Scenario month', currency: 'USD' },
      orders: month.orders,
      refunds: [...month.refunds, month.goodwillRefund],
      payouts: month.payouts,
      balanceTransactions: month.balanceTransactions,
    },
    { ...opts, prefix: 'ledgerline-month-' },
  );
  const { rt, sink, store, send } = world;
  const orderRuns = new Map<number, RunRecord[]>();
  // Webhooks arrive in the order Shopify took the orders (Tryton numbers invoices strictly by date, too).
  const chronological = [...month.orders].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id - b.id);
  for (const o of chronological) orderRuns.set(o.id, await send('orders/paid', o, ['order-to-erp', 'gift-card-liability']));
  const refundRuns: RunRecord[] = [];
  for (const r of month.refunds) refundRuns.push(...(await send('refunds/create', r, ['refund-to-credit-memo'])));
  const payoutRuns: RunRecord[] = [];
  for (let i = 0; i < month.payouts.length + 1; i++) payoutRuns.push(...(await world.send('', null, ['payout-reconciliation'])));
  return {
    rt,
    sink,
    store,
    month,
    orderRuns,
    refundRuns,
    payoutRuns,
    send,
    close: () => world.close(),
  };
}
