// Payout reconciliation at scale, through the real runtime: P payouts of T balance transactions each (charges,
// refunds, fee-type transactions), 1 % of charges missing in the sandbox ERP and 1 % at a wrong amount (each
// concentrated in 1 % of the payouts, so the rest balance and are journaled), reconciled by
// trigger.manual -> finance.reconcile-payouts -> erp.post-journal; then the same reconcile again with everything posted
// (idle: nothing kept in state, nothing re-reconciled). Wall, CPU, peak RSS and the node's own phases are reported.
// Separately, shopify.payouts against the sandbox store (GraphQL pagination and calculated cost, plan plus) on a sample,
// with the cost points it spent per transaction.
// Two paths for the transactions (one per process, so each has its own peak RSS): `inline`, every transaction in the
// run's input as before issue 19's streaming; `stored`, written into the payout rows page by page (100 a page, the
// reader's own code and encoding, as shopify.payouts does) and the run's input carrying a reference per payout.
//   node --no-node-snapshot --import tsx bench/reconcile.ts [payouts=1000] [perPayout=1000] [shopifySamplePayouts=5] [inline|stored=stored] [process|http=process]
// The last: the sandbox ERP in this process (its SQLite reads on this thread, in the figures), or in its own process
// reached over HTTP as a real ERP is (its reads on the other core, its answers parsed here).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type SqliteRuntime } from '../runtime/index.ts';
import type { Logger } from '../runtime/node-api.ts';
import type { Sandbox } from '../runtime/sandbox/types.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { createSandboxErp } from '../nodes/erp/index.ts';
import type { ErpConnector } from '../nodes/erp/contract.ts';
import { createSandboxErpClient } from '../nodes/erp/sandbox/http-client.ts';
import { erpNodes } from '../nodes/erp/index.ts';
import { financeNodes } from '../nodes/finance/index.ts';
import { MemorySink } from '../nodes/finance/testing/memory-sink.ts';
import { payoutOf, seedErpDocs, type SeedDoc, type TxSpec } from '../nodes/finance/testing/bulk.ts';
import { createShopifyConnection, shopifyNodes, startShopifySandbox } from '../nodes/shopify/index.ts';
import type { ShopifyPayout } from '../nodes/shopify/types.ts';
import type { NodeContext } from '../runtime/node-api.ts';
import { loadSalesOrders } from '../nodes/finance/erp-docs.ts';
import { refundIdsByTransaction } from '../nodes/finance/refunds.ts';
import { shopifyScenario, ORDERS } from '../nodes/finance/testing/scenario-month.ts';
import { DOCUMENTS } from '../nodes/shopify/index.ts';
import { encodeTransactionRow, rowId } from '../nodes/shopify/payout-rows.ts';
import { StepPayoutRows } from '../runtime/reconciliation/payout-rows.ts';

const P = Number(process.argv[2] ?? 1000);
const T = Number(process.argv[3] ?? 1000);
const SAMPLE = Number(process.argv[4] ?? 5);
const PATH = (process.argv[5] ?? 'stored') as 'inline' | 'stored';
if (PATH !== 'inline' && PATH !== 'stored') throw new Error(`path must be inline or stored, got ${PATH}`);
/** Where the sandbox ERP runs: in this process, or in its own process over HTTP (where a real ERP is). */
const ERP_AT = (process.argv[6] ?? 'process') as 'process' | 'http';
if (ERP_AT !== 'process' && ERP_AT !== 'http') throw new Error(`the ERP runs in this process or over http, got ${ERP_AT}`);
const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const peakMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const day = (p: number) => new Date(Date.UTC(2026, 0, 1) + Math.floor((p * 365) / P) * 86_400_000).toISOString().slice(0, 10);
const price = (p: number, i: number) => `${(5 + ((p * 7919 + i * 104729) % 20000) / 100).toFixed(2)}`;

/** Payout p: charges with their invoice, every 20th a refund with its credit memo (keyed by the order transaction), every 50th a shipping label. */
function build(p: number): { txs: TxSpec[]; docs: SeedDoc[] } {
  const txs: TxSpec[] = [];
  const docs: SeedDoc[] = [];
  const d = day(p);
  const missing = p % 100 === 1; // 1 % of payouts: 10 % of their charges missing in the ERP (1 % of all charges...)
  const wrong = p % 100 === 2; //   ...and 1 % at a wrong amount, overall
  for (let i = 0; i < T; i++) {
    const id = `${p}${String(i).padStart(6, '0')}`;
    const order = `${p * 1_000_000 + i}`;
    if (i % 50 === 49) {
      txs.push({ id, type: 'SHIPPING_LABEL', amount: '-4.50', date: `${d}T10:00:00Z` });
      continue;
    }
    if (i % 20 === 19) {
      const orderTx = `${id}9`;
      txs.push({ id, type: 'REFUND', amount: `-${price(p, i)}`, fee: '0.00', order, orderTx, date: `${d}T11:00:00Z` });
      docs.push({ kind: 'credit-memo', externalId: orderTx, date: d, gross: price(p, i) });
      continue;
    }
    txs.push({ id, type: 'CHARGE', amount: price(p, i), fee: '0.59', order, date: `${d}T09:00:00Z` });
    if (missing && i % 10 === 0) continue;
    docs.push({ kind: 'invoice', externalId: order, date: d, gross: wrong && i % 10 === 0 ? (Number(price(p, i)) + 1).toFixed(2) : price(p, i) });
  }
  return { txs, docs };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
console.log(`load average at start (1 / 5 / 15 min): ${load()} on ${(await import('node:os')).cpus().length} CPUs`);
/** CPU (user + system) and wall of `fn`: CPU is the figure to compare on a shared machine, wall is shown for reference. */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

const phases: Array<[number, string, Record<string, unknown>]> = [];
let t0 = performance.now();
const log: Logger = {
  debug() {},
  info: (o, m) => {
    if (typeof o === 'object' && (o as { nodeId?: string }).nodeId) phases.push([performance.now() - t0, m ?? '', o as Record<string, unknown>]);
  },
  warn: (o, m) => console.warn('warn', m, JSON.stringify(o).slice(0, 300)),
  error: (o, m) => console.error('error', m, JSON.stringify(o).slice(0, 300)),
};

function runtimeFor(dir: string, erp: () => ErpConnector, extra: (kind: string, id: string) => unknown = () => undefined): SqliteRuntime {
  const types = [...coreNodes, ...erpNodes, ...financeNodes, ...shopifyNodes];
  return createRuntime({
    dataDir: dir,
    log,
    lookup: (t) => types.find((x) => x.type === t),
    sandbox: noSandbox,
    worker: { pollMs: 2 },
    // The inbox as the server's store answers it (`openKeys`): a run clears the few open keys its matches resolve.
    services: { exceptions: new MemorySink({ listsOpenKeys: true }) },
    maxOutputBytes: 64 * 1024 * 1024,
    connection: async (kind, id) => (kind === 'erp' ? erp() : extra(kind, id)),
  });
}

// ---- reconcile through the runtime -------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'bench-recon-'));
const erp = createSandboxErp({ dataDir: join(dir, 'erp') });
let erpConnector: ErpConnector = erp;
const rt = runtimeFor(join(dir, 'rt'), () => erpConnector);
// As the server runs its store (server/app.ts): WAL checkpoints on the store's background thread, not inside commits.
rt.store.checkpointInBackground?.();
await rt.flows.create({
  schemaVersion: 1,
  id: 'recon',
  name: 'bench',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'reconcile', type: 'finance.reconcile-payouts', position: { x: 0, y: 0 }, config: { connection: 'sandbox-erp', dateToleranceDays: 3 } },
    { id: 'post-journal', type: 'erp.post-journal', position: { x: 0, y: 0 }, config: { connection: 'sandbox-erp' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'reconcile' },
    { id: 'e2', source: 'reconcile', sourceHandle: 'balanced', target: 'post-journal' },
  ],
} as never);
const { version } = await rt.flows.publish('recon', { message: 'bench', activate: true });

let seedMs = performance.now();
let docsN = 0;
const payouts: ShopifyPayout[] = [];
// Stored: the pages shopify.payouts would write, through the same row store and encoding, timed on their own.
const rows = new StepPayoutRows(rt.store, 'recon').scope('sandbox-shop');
let writeCpu = 0;
for (let p = 1; p <= P; p++) {
  const { txs, docs } = build(p);
  docsN += seedErpDocs(erp, docs);
  const payout = payoutOf(String(p), `${day(p)}T00:00:00Z`, txs);
  if (PATH === 'inline') {
    payouts.push(payout);
    continue;
  }
  const c0 = process.cpuUsage();
  const w = await rows.begin(payout.legacyId);
  for (let i = 0; i < payout.balanceTransactions.length; i += 100)
    await w.write(payout.balanceTransactions.slice(i, i + 100).map((t) => ({ id: rowId(t), data: encodeTransactionRow(t) })));
  const days = payout.balanceTransactions.map((t) => t.processedAt.slice(0, 10)).sort();
  payouts.push({
    ...payout,
    balanceTransactions: [],
    stored: { scope: 'sandbox-shop', ...(await w.finish()), from: days[0] ?? null, to: days[days.length - 1] ?? null },
  });
  const c = process.cpuUsage(c0);
  writeCpu += (c.user + c.system) / 1000;
}
seedMs = performance.now() - seedMs;
console.log(
  `path: ${PATH}. setup: ${P} payouts × ${T} transactions = ${P * T}, ${docsN} ERP documents seeded in ${(seedMs / 1000).toFixed(1)} s; heap ${mb(process.memoryUsage().heapUsed)} MB; peak RSS so far ${peakMb()} MB`,
);
if (PATH === 'stored') {
  const size = rt.store.sqlite.prepare(`SELECT SUM(count) AS n, COUNT(*) AS pages, SUM(length(data)) AS bytes FROM recon_balance_pages`).get() as {
    n: number;
    pages: number;
    bytes: number;
  };
  console.log(
    `  payout rows written page by page (100 a page, as shopify.payouts does): ${size.n} rows in ${size.pages} pages, ${mb(size.bytes)} MB of row text, CPU ${(writeCpu / 1000).toFixed(2)} s (${((writeCpu * 1000) / Math.max(1, size.n)).toFixed(1)} µs a transaction)`,
  );
}
// The ERP in its own process on the file just seeded (WAL: both connections read it).
let erpProcess: ChildProcess | null = null;
if (ERP_AT === 'http') {
  erpProcess = spawn(
    process.execPath,
    ['--no-node-snapshot', '--import', 'tsx', 'nodes/erp/sandbox/http-main.ts', '--file', join(dir, 'erp', 'sandbox-erp.sqlite')],
    {
      cwd: join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    erpProcess!.stdout!.on('data', (c: Buffer) => {
      const m = /"url":"(http:[^"]+)"/.exec((out += c.toString()));
      if (m) ok(m[1]!);
    });
    erpProcess!.once('exit', (code) => fail(new Error(`the sandbox ERP process exited (${code}) before it listened`)));
  });
  erpConnector = createSandboxErpClient({ url });
  process.once('exit', () => erpProcess?.kill('SIGKILL'));
}
console.log(`sandbox ERP: ${ERP_AT === 'http' ? 'in its own process, over HTTP' : 'in this process'}`);
rt.start();

/** BENCH_PROFILE=DIR: a CPU profile of each run (node:inspector), written as DIR/reconcile-<n>.cpuprofile. */
const profileDir = process.env.BENCH_PROFILE;
let profiles = 0;
async function profiled<T>(fn: () => Promise<T>): Promise<T> {
  if (!profileDir) return fn();
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await s.post('Profiler.stop');
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, `reconcile-${++profiles}.cpuprofile`), JSON.stringify(profile));
    s.disconnect();
  }
}

async function runOnce(label: string, payload: unknown) {
  phases.length = 0;
  const rss0 = peakMb();
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  const { runIds } = await profiled(async () => {
    const queued = await rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId: 'recon', version }] });
    await rt.drain(3_600_000);
    return queued;
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const [runId] = runIds;
  if (!runId) throw new Error('the manual trigger started no run');
  const run = await rt.runs.get(runId);
  const out = run.steps.find((s) => s.nodeId === 'reconcile')?.output as
    | { payoutIds?: string[]; pending?: string[]; exceptions?: unknown[]; items?: string }
    | undefined;
  const stepRow = rt.store.sqlite.prepare(`SELECT length(output) AS n FROM steps WHERE run_id = ? AND node_id = 'reconcile'`).get(runId) as
    | { n: number }
    | undefined;
  const state = rt.store.sqlite.prepare(`SELECT COALESCE(SUM(length(value)), 0) AS n FROM flow_state WHERE flow_id = 'recon'`).get() as { n: number };
  const settle = rt.store.sqlite
    .prepare(`SELECT COUNT(*) AS rows, COALESCE(SUM(length(data)), 0) AS n FROM recon_settlements WHERE flow_id = 'recon'`)
    .get() as { rows: number; n: number };
  console.log(
    `\n${label}: run ${run.status}${run.error ? ` ${JSON.stringify(run.error).slice(0, 300)}` : ''} — wall ${(wall / 1000).toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${peakMb()} MB (before ${rss0} MB)`,
  );
  const input = rt.store.sqlite.prepare(`SELECT length(e.payload) AS n FROM runs r JOIN events e ON e.id = r.event_id WHERE r.id = ?`).get(runId) as {
    n: number;
  };
  console.log(`  run input (event payload) ${(input.n / 1024).toFixed(0)} KB`);
  console.log(
    `  journals ${out?.payoutIds?.length ?? 0}, pending ${out?.pending?.length ?? 0}, exceptions ${out?.exceptions?.length ?? 0}, items listed: ${out?.items}; reconcile step output ${mb(stepRow?.n ?? 0)} MB; flow state ${(state.n / 1024).toFixed(1)} KB; settlements kept in recon_settlements: ${settle.rows} (${mb(settle.n)} MB)`,
  );
  let last = 0;
  for (const [at, msg, o] of phases) {
    const { runId: _r, flowId: _f, ...rest } = o;
    console.log(`  +${((at - last) / 1000).toFixed(2).padStart(6)} s  (${(at / 1000).toFixed(2)} s) ${msg} ${JSON.stringify(rest).slice(0, 160)}`);
    last = at;
  }
}

await runOnce(`reconcile ${P * T} transactions across ${P} payouts (first run: backlog)`, { payouts });
// The same payouts again (as a 'since' cursor that did not move would give them): all posted or pending.
await runOnce('the same payouts again (posted ones skipped, pending ones re-reconciled)', { payouts });
await runOnce('nothing new (only pending payouts from the records)', {});
// ---- before / after in this run: sales orders of charges without an invoice (one getSalesOrder each vs findSalesOrders)
if (PATH === 'inline') {
  const ids = payouts
    .slice(0, Math.max(1, Math.ceil(10_000 / T)))
    .flatMap((p) => p.balanceTransactions.filter((t) => t.type === 'CHARGE').map((t) => t.sourceOrderId!.split('/').pop()!))
    .slice(0, 10_000);
  // Half of them as sales orders in the ERP (a draft-invoice ERP), half unknown: both cost a lookup.
  const customer = Number((await erp.upsertCustomer({ externalId: 'bench-customer', name: 'Bench' })).document.id);
  for (const id of ids.filter((_, i) => i % 2 === 0).slice(0, 2_000)) {
    erp.db
      .prepare(
        `INSERT OR IGNORE INTO sales_orders (external_id, number, reference, customer_id, currency, date, status, warehouse_id, net, tax, gross, created_at) VALUES (?, ?, ?, ?, 'USD', '2026-01-01', 'open', (SELECT MIN(id) FROM warehouses), '10.00', '0.00', '10.00', '2026-01-01')`,
      )
      .run(id, `SO-${id}`, `#${id}`, customer);
  }
  const oneByOne = { ...erp, findSalesOrders: undefined };
  const before = await measure(() => loadSalesOrders(oneByOne, ids));
  const after = await measure(() => loadSalesOrders(erp, ids));
  if (before.value.size !== after.value.size) throw new Error(`sales order lookups differ: ${before.value.size} vs ${after.value.size}`);
  console.log(
    `\nsales orders for ${ids.length} charges without an invoice (${after.value.size} found), sandbox ERP: before (getSalesOrder each, in sequence) CPU ${before.cpuMs.toFixed(0)} ms, wall ${before.wallMs.toFixed(0)} ms; ` +
      `after (findSalesOrders, ${Math.ceil(ids.length / 2_000)} call(s)) CPU ${after.cpuMs.toFixed(0)} ms, wall ${after.wallMs.toFixed(0)} ms; CPU ratio after ÷ before ${(after.cpuMs / before.cpuMs).toFixed(3)}`,
  );
}
await rt.close();
if (erpProcess) {
  await erpConnector.close();
  erpProcess.kill('SIGTERM');
}
await erp.close();
payouts.length = 0;

// ---- before / after in this run: refund ids of refund transactions, read from the sandbox store ----------------
if (PATH === 'inline') {
  const store = await startShopifySandbox({ seed: shopifyScenario(), plan: 'standard' });
  const client = createShopifyConnection({ shopDomain: store.shopDomain, endpoint: store.url, auth: { kind: 'access-token', accessToken: store.accessToken } });
  const ids = ORDERS.map((o) => `gid://shopify/Order/${o.id}`);
  let s0 = { ...store.stats };
  const before = await measure(async () => {
    for (const id of ids) await client.request(DOCUMENTS.REFUNDS_FOR_ORDER, { id });
  });
  const b = { requests: store.stats.requests - s0.requests, points: store.stats.costCharged - s0.costCharged };
  s0 = { ...store.stats };
  const ctx = { nodeId: 'bench', connection: async () => client } as unknown as NodeContext;
  const after = await measure(() => refundIdsByTransaction(ctx, 'shop', ids));
  const a = { requests: store.stats.requests - s0.requests, points: store.stats.costCharged - s0.costCharged };
  const per = (x: { points: number }) => x.points / ids.length;
  console.log(
    `\nrefund ids of ${ids.length} orders (sandbox store, Shopify's calculated cost): before (REFUNDS_FOR_ORDER each) ${b.requests} requests, ${b.points} points (${per(b).toFixed(1)} an order), CPU ${before.cpuMs.toFixed(0)} ms; ` +
      `after (nodes(ids:) batched) ${a.requests} request(s), ${a.points} points (${per(a).toFixed(1)} an order), CPU ${after.cpuMs.toFixed(0)} ms`,
  );
  console.log(
    `  per 1,000 refunded orders: before ${(per(b) * 1000).toFixed(0)} points = ${((per(b) * 1000) / 100).toFixed(0)} s of a standard bucket's restore (100/s), ${(per(b)).toFixed(0)} s on Plus; ` +
      `after ${(per(a) * 1000).toFixed(0)} points = ${((per(a) * 1000) / 100).toFixed(0)} s standard, ${per(a).toFixed(1)} s Plus; ratio ${(per(a) / per(b)).toFixed(3)}`,
  );
  await store.stop();
}
console.log(`load average at end (1 / 5 / 15 min): ${load()}`);

// ---- shopify.payouts against the sandbox store, on a sample ------------------------------------------------------
if (SAMPLE > 0) {
  const sample = Array.from({ length: SAMPLE }, (_, k) => build(k + 1));
  const rest = (t: TxSpec, p: number) => ({
    id: Number(t.id),
    type: t.type.toLowerCase(),
    test: false,
    payout_id: p,
    payout_status: 'paid',
    currency: 'USD',
    amount: t.amount,
    fee: t.fee ?? '0.00',
    net: (Number(t.amount) - Number(t.fee ?? 0)).toFixed(2),
    source_id: Number(t.id),
    source_type: t.type === 'REFUND' ? 'refund' : t.type === 'CHARGE' ? 'charge' : 'adjustment',
    source_order_id: t.order ? Number(t.order) : null,
    source_order_transaction_id: t.orderTx ? Number(t.orderTx) : null,
    processed_at: t.date,
    adjustment_order_transactions: [],
    adjustment_reason: null,
  });
  const store = await startShopifySandbox({
    plan: 'plus',
    seed: {
      shop: { name: 'bench', currency: 'USD' },
      orders: [],
      refunds: [],
      payouts: sample.map((s, k) => ({
        id: k + 1,
        status: 'paid',
        date: day(k + 1),
        currency: 'USD',
        amount: payoutOf(String(k + 1), day(k + 1), s.txs).net.amount,
        summary: {},
      })),
      balanceTransactions: sample.flatMap((s, k) => s.txs.map((t) => rest(t, k + 1))),
    } as never,
  });
  const client = createShopifyConnection({ shopDomain: store.shopDomain, endpoint: store.url, auth: { kind: 'access-token', accessToken: store.accessToken } });
  const erp2 = createSandboxErp();
  const rt2 = runtimeFor(
    join(dir, 'rt2'),
    () => erp2,
    (kind) => (kind === 'shopify' ? client : undefined),
  );
  await rt2.flows.create({
    schemaVersion: 1,
    id: 'fetch',
    name: 'fetch',
    nodes: [
      { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
      { id: 'payouts', type: 'shopify.payouts', position: { x: 0, y: 0 }, config: { connection: 'sandbox-shop' } },
    ],
    edges: [{ id: 'e1', source: 'start', target: 'payouts' }],
  } as never);
  const v2 = (await rt2.flows.publish('fetch', { message: 'bench', activate: true })).version;
  rt2.start();
  const cpu0 = process.cpuUsage();
  const s0 = performance.now();
  const { runIds } = await rt2.queue.ingest({ source: 'manual', payload: {}, targets: [{ flowId: 'fetch', version: v2 }] });
  await rt2.drain(3_600_000);
  const ms = performance.now() - s0;
  const cpu = process.cpuUsage(cpu0);
  const [fetchRunId] = runIds;
  if (!fetchRunId) throw new Error('the manual trigger started no run');
  const run = await rt2.runs.get(fetchRunId);
  const n = ((run.steps.find((s) => s.nodeId === 'payouts')?.output as { payouts?: ShopifyPayout[] })?.payouts ?? []).reduce(
    (a, p) => a + (p.stored?.count ?? p.balanceTransactions.length),
    0,
  );
  const perTx = store.stats.costCharged / Math.max(1, n);
  console.log(
    `\nshopify.payouts (sandbox store, plan plus: bucket 20,000, 1,000 points/s): ${SAMPLE} payouts, ${n} transactions, run ${run.status} in ${(ms / 1000).toFixed(2)} s ` +
      `(CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), ${store.stats.requests} requests, ${store.stats.throttled} throttled, ${store.stats.costCharged} cost points = ${perTx.toFixed(2)} per transaction`,
  );
  console.log(
    `  at that cost, ${P * T} transactions are ${(P * T * perTx).toFixed(0)} points: ≥ ${((P * T * perTx) / 1000).toFixed(0)} s of Shopify's rate limit on Plus (1,000 points/s), ≥ ${((P * T * perTx) / 100).toFixed(0)} s on a standard plan`,
  );
  await rt2.close();
  await store.stop();
}
rmSync(dir, { recursive: true, force: true });
