// Many merchants, many processes (issue 13): end-to-end orders/s with 1, 2 and 4 `ledgerline serve --role worker`
// processes behind one `--role web` process, on PostgreSQL (LEDGERLINE_DATABASE_URL, a throwaway database per level)
// and on SQLite (a data dir per level), the levels interleaved in one run so both stores see the same machine.
// Each level: the sandbox ERP in its own process over HTTP, the web process provisioning the store (sandbox mode: the
// order-to-erp template published), the workers joining it; signed orders/paid webhooks (a distinct order each) posted
// to the web process by `--concurrency` senders, held to at most `--backlog` orders acknowledged but not yet in the ERP
// (a closed loop on the whole pipeline, so the rate measured is what the workers sustain, not an ingest burst followed
// by a drain). Run processes from dist/: `npm run build` first.
// Usage: node --no-node-snapshot --import tsx bench/many-merchants.ts [--seconds 20] [--workers 1,2,4]
//          [--stores postgres,sqlite] [--rounds 1] [--concurrency 16] [--backlog 128] [--warm 150]
// Reports per level: orders/s (sales orders created in the ERP over the window), latency acknowledged → sales order
// (p50/p99: the ERP's created_at against the 200's arrival, one clock), CPU per order of the web process, the worker
// processes, the ERP process and PostgreSQL (backends of the level's database; its shared background processes apart),
// the CPU other work on the machine used meanwhile, and load average. Every acknowledged order must reach the ERP
// exactly once and its run succeed: counts are checked per level and failures reported (exit code 1).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { throwawayDatabase, type ThrowawayDatabase } from '../runtime/testing/pg.ts';
import { pgSchemaOf } from '../runtime/store/pg-store.ts';
import { deliverOrder, paidOrder, ROOT, startProc, type Proc } from '../server/testing/processes.ts';
import { cpuTicks } from './proc-cpu.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,2,4' },
    stores: { type: 'string', default: 'postgres,sqlite' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
    backlog: { type: 'string', default: '128' },
    warm: { type: 'string', default: '150' },
    // Also prints, per PostgreSQL level, each table's scans and row writes per order (pg_stat_user_tables).
    'pg-tables': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const workerCounts = values.workers.split(',').map(Number);
const stores = values.stores.split(',') as Array<'postgres' | 'sqlite'>;
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const backlog = Number(values.backlog);
const warmOrders = Number(values.warm);
const TICK_MS = 1000 / 100; // USER_HZ
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sandbox ERP in its own process, on a file of the level's data dir; resolves with it and its URL. */
async function startErp(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'nodes/erp/sandbox/http-main.ts', '--file', file, '--currency', 'GBP'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the sandbox ERP did not start')), 60_000);
    child.once('exit', (code) => fail(new Error(`the sandbox ERP exited (${code}) before it listened`)));
    child.stdout!.on('data', (d: Buffer) => {
      text += d;
      const m = /"url":"(http:[^"]+)"/.exec(text)?.[1];
      if (m) clearTimeout(timer), ok(m);
    });
  });
  return { child, url };
}

type PgKind = 'own' | 'background' | 'other';
/**
 * CPU of every `postgres` process, sampled from /proc every 250 ms so that backends which exit before the window
 * ends still count up to their last sample, and split by the process title: backends of the level's database, the
 * server's shared background processes (WAL writer, checkpointer, background writer, autovacuum: this level's work in
 * part, other databases' in part), and everything else (other databases' backends: other sessions on the machine).
 */
function pgSampler(database: string | undefined) {
  const seen = new Map<number, { first: number; last: number; kind: PgKind }>();
  let armed = false;
  const kindOf = (title: string): PgKind => {
    if (database && title.includes(` ${database} `)) return 'own';
    if (/: (checkpointer|background writer|walwriter|autovacuum|logical replication|stats)/.test(title)) return 'background';
    return 'other';
  };
  const sample = () => {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        const ticks = cpuTicks(pid);
        const s = seen.get(pid);
        if (s) s.last = ticks;
        else {
          const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
          // A process first seen after the window opened was born in it: all its CPU is the window's.
          seen.set(pid, { first: armed ? 0 : ticks, last: ticks, kind: kindOf(title) });
        }
      } catch {
        // gone between readdir and read
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      seen.clear();
      armed = false;
      sample();
      armed = true;
      timer = setInterval(sample, 250);
    },
    stop(): Record<PgKind, number> & { ownBackends: number } {
      clearInterval(timer);
      sample();
      const ms = { own: 0, background: 0, other: 0, ownBackends: 0 };
      for (const s of seen.values()) {
        ms[s.kind] += (s.last - s.first) * TICK_MS;
        if (s.kind === 'own') ms.ownBackends++;
      }
      return ms;
    },
  };
}

/** Busy and total CPU time of the whole machine so far (first line of /proc/stat), in ms. */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

const procCpuMs = (pid: number | undefined) => {
  try {
    return pid === undefined ? 0 : cpuTicks(pid) * TICK_MS;
  } catch {
    return 0;
  }
};

interface LevelResult {
  store: 'postgres' | 'sqlite';
  workers: number;
  windowS: number;
  /** From the end of the window until the last acknowledged order was in the ERP. */
  drainS: number;
  acked: number;
  non200: number;
  ordersPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  cpuMsPerOrder: { web: number; workers: number; erp: number; pgBackends: number; pgBackground: number };
  /** The level's database per order: transactions committed, rows read and written (pg_stat_database). */
  pgPerOrder?: Record<string, number>;
  /** Backends (connections) of the level's database seen during the window: the bench's own pool's included. */
  pgConnections: number;
  /** CPU the level's processes (and PostgreSQL's own backends) did not use: other sessions on the machine. */
  otherWorkCores: number;
  loadAverage: number[];
  checks: { runs: Record<string, Record<string, number>>; salesOrders: number; missing: number; duplicates: number; unexpected: number };
  failures: string[];
}

async function level(store: 'postgres' | 'sqlite', workers: number, firstOrder: number): Promise<LevelResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-bench-mm-'));
  const erpFile = join(dataDir, 'sandbox-erp.sqlite');
  let pg: ThrowawayDatabase | undefined;
  const procs: Proc[] = [];
  let erp: ChildProcess | undefined;
  try {
    if (store === 'postgres') pg = await throwawayDatabase();
    const started = await startErp(erpFile);
    erp = started.child;
    const env = {
      LEDGERLINE_SANDBOX_ERP_URL: started.url,
      ...(pg ? { LEDGERLINE_DATABASE_URL: pg.url } : {}),
    };
    // The web process provisions the fresh store (sandbox connections, templates); the workers join it.
    const web = await startProc('web', dataDir, env);
    procs.push(web);
    procs.push(...(await Promise.all(Array.from({ length: workers }, () => startProc('worker', dataDir, env)))));
    const workerProcs = procs.slice(1);

    const erpDb = new Database(erpFile, { readonly: true });
    erpDb.pragma('busy_timeout = 5000');
    const countSo = erpDb.prepare('SELECT COUNT(*) AS n FROM sales_orders');
    let inErp = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        inErp = (countSo.get() as { n: number }).n;
        await sleep(20);
      }
    })();

    const ackedAt = new Map<string, number>();
    let non200 = 0;
    let next = firstOrder;
    /** Posts orders with `concurrency` senders until `until`, keeping at most `backlog` acknowledged and not in the ERP. */
    const load = async (until: () => boolean) => {
      let inflight = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (!until()) {
            if (ackedAt.size + inflight - inErp >= backlog) {
              await sleep(5);
              continue;
            }
            const n = next++;
            const { body } = paidOrder(n);
            inflight++;
            const status = await deliverOrder(web.url, body);
            inflight--;
            if (status === 200) ackedAt.set(`#R${n}`, Date.now());
            else non200++;
          }
        }),
      );
    };
    // Runs not finished yet, by the runs_queue index (cheap enough to poll): a sales order is in the ERP a step or two
    // before its run is finished, and each order also starts gift-card-liability.
    const unfinished = await unfinishedRuns(store, dataDir, pg);
    /** Until every acknowledged order is in the ERP and every run finished. */
    const drain = async (timeoutMs: number) => {
      const until = Date.now() + timeoutMs;
      while (inErp < ackedAt.size && Date.now() < until) await sleep(50);
      while ((await unfinished.count()) > 0 && Date.now() < until) await sleep(50);
    };

    // Warm-up: JIT, pool connections, the sandbox isolates of every worker.
    const warmUntil = next + warmOrders;
    await load(() => next >= warmUntil);
    await drain(120_000);
    const warmAcked = ackedAt.size;
    const warmNon200 = non200;

    const cpuOf = (ps: Proc[]) => ps.reduce((a, p) => a + procCpuMs(p.child.pid), 0);
    const pgCpu = pgSampler(pg?.name);
    const s0 = pg ? (await sleep(1500), await pgStats(pg)) : undefined;
    const tables0 = pg && values['pg-tables'] ? await pgTableStats(pg) : undefined;
    pgCpu.start();
    const m0 = machineCpu();
    const c0 = { web: cpuOf([web]), workers: cpuOf(workerProcs), erp: procCpuMs(erp.pid) };
    const done0 = inErp;
    const t0 = performance.now();
    const windowEnd = t0 + seconds * 1000;
    await load(() => performance.now() >= windowEnd);
    const t1 = performance.now();
    // Orders/s counts sales orders created in the window; CPU is taken over the window and the drain of the last
    // (at most `backlog`) orders, so it is divided by every order acknowledged in the window.
    const doneInWindow = inErp - done0;
    const loadAverage = loadavg().map((x) => +x.toFixed(2));
    await drain(120_000);
    const c1 = { web: cpuOf([web]), workers: cpuOf(workerProcs), erp: procCpuMs(erp.pid) };
    const pgMs = pgCpu.stop();
    const m1 = machineCpu();
    const wallMs = performance.now() - t0;
    const drainS = +((performance.now() - t1) / 1000).toFixed(1);
    polling = false;
    await poller;

    const measured = ackedAt.size - warmAcked;
    const per = (ms: number) => +(ms / measured).toFixed(3);
    // PostgreSQL's statistics reach pg_stat_database within a second of a backend going idle.
    const s1 = pg ? (await sleep(1500), await pgStats(pg)) : undefined;
    if (pg && tables0) {
      const tables1 = await pgTableStats(pg);
      const rows: Record<string, Record<string, number>> = {};
      for (const [t, v] of Object.entries(tables1)) {
        const d = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, +((x - (tables0[t]?.[k] ?? 0)) / (ackedAt.size - warmAcked)).toFixed(2)]));
        if (Object.values(d).some((x) => x > 0)) rows[t] = d;
      }
      console.log(`${store} × ${workers}: per order, by table`);
      console.table(rows);
    }
    const pgPerOrder = s0 && s1 ? Object.fromEntries(Object.keys(s1).map((k) => [k, +((s1[k]! - s0[k]!) / measured).toFixed(1)])) : undefined;
    const oursMs = c1.web - c0.web + (c1.workers - c0.workers) + (c1.erp - c0.erp) + (pg ? pgMs.own + pgMs.background : 0);
    const otherWorkCores = +((m1.busy - m0.busy - oursMs) / wallMs).toFixed(2);

    // Exactly once: one sales order per acknowledged order, none for anything else, every run succeeded.
    const failures: string[] = [];
    const rows = erpDb.prepare('SELECT reference, created_at AS at FROM sales_orders').all() as Array<{ reference: string; at: string }>;
    erpDb.close();
    const byRef = new Map<string, number>();
    for (const r of rows) byRef.set(r.reference, (byRef.get(r.reference) ?? 0) + 1);
    const duplicates = [...byRef.values()].filter((n) => n > 1).length;
    const missing = [...ackedAt.keys()].filter((ref) => !byRef.has(ref)).length;
    const unexpected = [...byRef.keys()].filter((ref) => !ackedAt.has(ref)).length;
    await unfinished.close();
    const runs = await runCounts(store, dataDir, pg);
    const orderRuns = runs['order-to-erp'] ?? {};
    const totalRuns = Object.values(orderRuns).reduce((a, b) => a + b, 0);
    if (non200) failures.push(`${non200} deliveries not answered 200 (${warmNon200} in the warm-up)`);
    if (missing) failures.push(`${missing} acknowledged orders have no sales order`);
    if (duplicates) failures.push(`${duplicates} orders have more than one sales order`);
    if (unexpected) failures.push(`${unexpected} sales orders for orders never acknowledged`);
    if (totalRuns !== ackedAt.size) failures.push(`${totalRuns} order-to-erp runs for ${ackedAt.size} acknowledged orders`);
    for (const [flow, byStatus] of Object.entries(runs)) {
      const notDone = Object.entries(byStatus).filter(([status]) => status !== 'succeeded');
      if (notDone.length) failures.push(`${flow} runs not succeeded: ${JSON.stringify(Object.fromEntries(notDone))}`);
    }
    for (const p of procs) {
      const bad = p.lines().filter((l) => (l.level as number) >= 50);
      if (bad.length) failures.push(`${p.role} ${p.child.pid} logged ${bad.length} errors, first: ${JSON.stringify(bad[0]).slice(0, 400)}`);
    }

    const at = new Map(rows.map((r) => [r.reference, Date.parse(r.at)]));
    const lat: number[] = [];
    let i = 0;
    for (const [ref, acked] of ackedAt) if (i++ >= warmAcked && at.has(ref)) lat.push(at.get(ref)! - acked);
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? Number.NaN;

    return {
      store,
      workers,
      windowS: +((t1 - t0) / 1000).toFixed(1),
      drainS,
      acked: measured,
      non200,
      ordersPerSecond: Math.round(doneInWindow / ((t1 - t0) / 1000)),
      latencyMs: { p50: q(0.5), p99: q(0.99), max: lat.at(-1) ?? Number.NaN },
      cpuMsPerOrder: {
        web: per(c1.web - c0.web),
        workers: per(c1.workers - c0.workers),
        erp: per(c1.erp - c0.erp),
        pgBackends: per(pgMs.own),
        pgBackground: per(pgMs.background),
      },
      ...(pgPerOrder ? { pgPerOrder } : {}),
      pgConnections: pgMs.ownBackends,
      otherWorkCores,
      loadAverage,
      checks: { runs, salesOrders: rows.length, missing, duplicates, unexpected },
      failures,
    };
  } finally {
    await Promise.all(
      procs.map((p) => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
        return p.exited;
      }),
    );
    if (erp && erp.exitCode === null) {
      const gone = new Promise((r) => erp!.once('exit', r));
      erp.kill('SIGINT');
      await gone;
    }
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The level database's counters: commits, rollbacks, rows returned/fetched/inserted/updated/deleted, blocks written. */
async function pgStats(pg: ThrowawayDatabase): Promise<Record<string, number>> {
  const r = await pg.pool.query(
    `SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, blks_hit, blks_read
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Object.fromEntries(Object.entries(r.rows[0] as Record<string, string>).map(([k, v]) => [k, Number(v)]));
}

/** Per table of the workspace's schema: scans, rows read by sequential scans, row writes. */
async function pgTableStats(pg: ThrowawayDatabase): Promise<Record<string, Record<string, number>>> {
  const r = await pg.pool.query(
    `SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del
       FROM pg_stat_user_tables WHERE schemaname = $1`,
    [pgSchemaOf('default')],
  );
  const out: Record<string, Record<string, number>> = {};
  for (const row of r.rows as Array<Record<string, string>>) {
    const { relname, ...rest } = row;
    out[relname!] = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Number(v ?? 0)]));
  }
  return out;
}

async function unfinishedRuns(store: 'postgres' | 'sqlite', dataDir: string, pg: ThrowawayDatabase | undefined) {
  const query = `SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')`;
  if (store === 'postgres') {
    const text = query.replace('FROM runs', `FROM ${pgSchemaOf('default')}.runs`);
    return { count: async () => Number((await pg!.pool.query<{ n: string }>(text)).rows[0]!.n), close: async () => {} };
  }
  const db = new Database(join(dataDir, 'ledgerline.db'), { readonly: true });
  db.pragma('busy_timeout = 5000');
  const st = db.prepare(query);
  return { count: async () => (st.get() as { n: number }).n, close: async () => void db.close() };
}

/** Runs by flow and status: each order starts order-to-erp and, in a sandbox data dir, gift-card-liability too. */
async function runCounts(store: 'postgres' | 'sqlite', dataDir: string, pg: ThrowawayDatabase | undefined): Promise<Record<string, Record<string, number>>> {
  const query = 'SELECT flow_id AS flow, status, COUNT(*) AS n FROM runs GROUP BY flow_id, status';
  let rows: Array<{ flow: string; status: string; n: number | string }>;
  if (store === 'postgres') rows = (await pg!.pool.query(query.replace('FROM runs', `FROM ${pgSchemaOf('default')}.runs`))).rows;
  else {
    const db = new Database(join(dataDir, 'ledgerline.db'), { readonly: true });
    rows = db.prepare(query).all() as typeof rows;
    db.close();
  }
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.flow] ??= {})[r.status] = Number(r.n);
  return out;
}

/**
 * A level again when PostgreSQL refused a connection (max_connections is shared with whatever else uses the server:
 * each Ledgerline process opens a pool of up to 8 per workspace); any other error fails the level, not the run.
 */
async function levelWithRetries(store: 'postgres' | 'sqlite', workers: number, firstOrder: number): Promise<LevelResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await level(store, workers, firstOrder + attempt * 100_000);
    } catch (e) {
      const message = (e as Error).message;
      const refused = /too many clients/.test(message);
      console.error(`${store} × ${workers}, attempt ${attempt}: ${refused ? 'PostgreSQL refused a connection (too many clients)' : message.slice(0, 2000)}`);
      if (!refused || attempt >= 5) {
        return {
          store,
          workers,
          windowS: 0,
          drainS: 0,
          acked: 0,
          non200: 0,
          ordersPerSecond: Number.NaN,
          latencyMs: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
          cpuMsPerOrder: { web: Number.NaN, workers: Number.NaN, erp: Number.NaN, pgBackends: Number.NaN, pgBackground: Number.NaN },
          pgConnections: 0,
          otherWorkCores: Number.NaN,
          loadAverage: loadavg(),
          checks: { runs: {}, salesOrders: 0, missing: 0, duplicates: 0, unexpected: 0 },
          failures: [`the level did not run: ${message.split('\n')[0]}`],
        };
      }
      await sleep(20_000);
    }
  }
}

const results: LevelResult[] = [];
let order = 1;
for (let r = 0; r < rounds; r++) {
  for (const w of workerCounts) {
    // Interleaved: the two stores of one worker count back to back, which store goes first alternating.
    const pair = (r + workerCounts.indexOf(w)) % 2 === 0 ? stores : [...stores].reverse();
    for (const s of pair) {
      const res = await levelWithRetries(s, w, order);
      order += 1_000_000;
      results.push(res);
      console.log(JSON.stringify(res));
    }
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-GB') : '—');
console.log(
  '\n| store | workers | orders/s | p50 / p99 ms | web | workers | ERP | PG backends | PG background | other work (cores) | load avg | exactly once |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const x of results) {
  const c = x.cpuMsPerOrder;
  console.log(
    `| ${x.store} | ${x.workers} | ${fmt(x.ordersPerSecond)} | ${fmt(x.latencyMs.p50)} / ${fmt(x.latencyMs.p99)} | ${c.web} | ${c.workers} | ${c.erp} | ${
      x.store === 'postgres' ? c.pgBackends : '—'
    } | ${c.pgBackground} | ${x.otherWorkCores} | ${x.loadAverage[0]} | ${x.failures.length ? 'NO' : `yes (${fmt(x.acked)})`} |`,
  );
}
const failed = results.filter((x) => x.failures.length);
for (const x of failed) console.error(`${x.store} × ${x.workers}: ${x.failures.join('; ')}`);
process.exitCode = failed.length ? 1 : 0;
