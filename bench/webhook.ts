// Webhook ingress load: signed Shopify orders/create deliveries posted over loopback keep-alive connections to a
// server running in a second process (`ledgerline serve`), each verified + deduplicated + stored + enqueued.
// Usage: node --no-node-snapshot --import tsx bench/webhook.ts [--seconds 8] [--rounds 2] [--concurrency 10,50] [--runs]
//   --runs   an active shopify.trigger flow consumes every event (the worker runs while we load); default off:
//            ingress only (events stored, no flow wants them).
//   --server-root DIR   run the server of another checkout (built: its own dist/), e.g. the commit before a change.
//   --backlog N   instead of the rounds: a web-only server (`serve --role web`, no worker) with an active flow is sent
//            N deliveries at the highest concurrency, so N runs wait queued; reports its RSS every N/10 deliveries.
// The peer: a bare node:http server in its own process that reads each body and answers 200, storing nothing. Per
// concurrency level, rounds alternate peer / Ledgerline (--seconds each), so machine load hits both alike; the table
// gives each one's figures and the ratios. Ledgerline runs from dist/ when it is current (see bin/ledgerline.js).
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuTicks, rssMb } from './proc-cpu.ts';
import { serverLaunch } from './server-flags.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '10,50' },
    runs: { type: 'boolean', default: false },
    backlog: { type: 'string' },
    // Another checkout's server (its own dist/), for a before/after pair in one sitting.
    'server-root': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const levels = values.concurrency!.split(',').map(Number);
const backlog = values.backlog === undefined ? 0 : Number(values.backlog);
const root = join(import.meta.dirname, '..');
const template = readFileSync(join(root, '..', 'shared', 'fixtures', 'shopify', 'webhook-2026-04.orders.create.json'), 'utf8');
const SECRET = 'shpss_bench_secret_0123456789abcdef';
// Every delivery is a distinct body (its own note): the same signed body under new ids is refused as a replay.
let seq = 0;
const nextBody = () => template.replace('"note": null', `"note": "bench ${++seq}"`);

const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-bench-'));
const server = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    // e.g. BENCH_SERVER_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 (heap snapshots in the repo root on kill -USR2)
    ...serverLaunch(values['server-root'] ?? root).flags,
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    'bin/ledgerline.js',
    'serve',
    ...(backlog ? ['--role', 'web'] : []),
  ],
  {
    cwd: values['server-root'] ?? root,
    env: {
      ...process.env,
      ...serverLaunch(values['server-root'] ?? root).env,
      // Figures of the sources run through tsx would be no figures of the server: refuse a stale dist/.
      LEDGERLINE_REQUIRE_BUILD: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_ADMIN_PASSWORD: 'bench-admin-pw',
      LEDGERLINE_SANDBOX: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let out = '';
let logLines = 0;
const base = await new Promise<string>((ok, fail) => {
  const timer = setTimeout(() => fail(new Error('server did not start')), 60_000);
  server.stdout!.on('data', (d: Buffer) => {
    // The server logs one line per request: count them, keep only the start-up text.
    if (out.length < 100_000) out += d;
    logLines += d.toString().split('\n').length - 1;
    const listening = /"url":"(http:[^"]+)"/.exec(out)?.[1];
    if (listening) clearTimeout(timer), ok(listening);
  });
});

// The peer: nothing but Node's HTTP server reading the body and answering.
const peer = spawn(
  process.execPath,
  [
    '-e',
    `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"ok":true}'); }); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const peerPort = await new Promise<string>((ok) => peer.stdout!.once('data', (d: Buffer) => ok(d.toString().trim())));
interface Target {
  name: string;
  host: string;
  port: string;
  pid: number;
}
const bareHttp: Target = { name: 'bare node:http', host: '127.0.0.1', port: peerPort, pid: peer.pid! };
const ledgerline: Target = { name: 'Ledgerline', host: new URL(base).hostname, port: new URL(base).port, pid: server.pid! };
const targets = [bareHttp, ledgerline];

async function api(method: string, path: string, token: string | null, payload?: unknown) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, any>>;
}
const { token } = await api('POST', '/api/auth/login', null, { email: 'admin@localhost', password: 'bench-admin-pw' });
await api('POST', '/api/connections', token, {
  id: 'shop',
  kind: 'shopify',
  provider: 'shopify',
  name: 'Bench shop',
  config: { shopDomain: 'bench.myshopify.com' },
  secrets: { webhookSecret: SECRET },
});
if (values.runs || backlog) {
  await api('POST', '/api/flows', token, {
    schemaVersion: 1,
    id: 'orders',
    name: 'orders',
    nodes: [{ id: 't', type: 'shopify.trigger', position: { x: 0, y: 0 }, config: { connection: 'shop', topic: 'orders/create' } }],
    edges: [],
  });
  await api('POST', '/api/flows/orders/publish', token, { message: 'bench' });
  await api('POST', '/api/flows/orders/activate', token, {});
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
function deliver(to: Target): Promise<number> {
  const body = nextBody();
  const hmac = createHmac('sha256', SECRET).update(body).digest('base64');
  return new Promise((ok, fail) => {
    const req = http.request(
      {
        host: to.host,
        port: to.port,
        method: 'POST',
        path: '/webhooks/shopify/shop',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-shopify-hmac-sha256': hmac,
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'bench.myshopify.com',
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode!));
      },
    );
    // A keep-alive socket the server closed as it was reused (its idle timeout passed while the other target was
    // loaded): sent again on a fresh socket, as Node's documentation advises for `reusedSocket`, not a failed run.
    req.on('error', (e: NodeJS.ErrnoException) => (req.reusedSocket && e.code === 'ECONNRESET' ? deliver(to).then(ok, fail) : fail(e)));
    req.end(body);
  });
}

async function load(to: Target, concurrency: number, ms: number) {
  const lat: number[] = [];
  let errors = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const status = await deliver(to);
        lat.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  return { lat, errors };
}

/** CPU time (user + system) a process has used, in ms: a steadier cost per request than throughput on a shared machine. */
const cpuMs = (pid: number) => (cpuTicks(pid) * 1000) / 100;
const loadNow = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
// The WAL file's size, sampled every 100 ms while Ledgerline is loaded: background checkpoints must keep it bounded.
let maxWalMb = 0;
const walSampler = setInterval(() => {
  try {
    maxWalMb = Math.max(maxWalMb, statSync(join(dataDir, 'ledgerline.db-wal')).size / 2 ** 20);
  } catch {
    // no WAL yet
  }
}, 100);

if (backlog) {
  // A backlog that nobody drains: does the server's memory grow with the runs waiting?
  const c = Math.max(...levels);
  // RSS, and the V8 heap in use as the server's /metrics reports it (live objects and garbage not yet collected).
  const heapMb = async () => {
    const m = await (await fetch(`${base}/metrics`)).text();
    return Math.round(Number(/ledgerline_nodejs_heap_size_used_bytes (\d+)/.exec(m)?.[1] ?? 0) / 2 ** 20);
  };
  const samples: { delivered: number; rssMb: number; heapMb?: number }[] = [{ delivered: 0, rssMb: rssMb(server.pid!), heapMb: await heapMb() }];
  let sent = 0;
  let errors = 0;
  const step = Math.ceil(backlog / 10);
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (sent < backlog) {
        const k = ++sent;
        if ((await deliver(ledgerline)) !== 200) errors++;
        if (k % step === 0) samples.push({ delivered: k, rssMb: rssMb(server.pid!), heapMb: await heapMb() });
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 2000));
  samples.push({ delivered: sent, rssMb: rssMb(server.pid!), heapMb: await heapMb() });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const queued = Number(/ledgerline_queue_depth\{state="queued"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  console.log(JSON.stringify({ backlog, errors, queued, maxWalMb, samples }));
  console.log(
    `backlog ${backlog}: ${queued} runs queued; server RSS ${samples.map((x) => x.rssMb).join(' → ')} MB, V8 heap used ${samples.map((x) => x.heapMb).join(' → ')} MB; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  clearInterval(walSampler);
  agent.destroy();
  peer.kill('SIGTERM');
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(errors ? 1 : 0);
}

for (const t of targets) await load(t, Math.max(...levels), 3000); // warm-up: JIT, SQLite pages, connection pool
const results: Record<string, unknown>[] = [];
let maxRss = 0;
for (const c of levels) {
  const acc = new Map(targets.map((t) => [t.name, { lat: [] as number[], errors: 0, cpu: 0, ms: 0, loads: [] as number[], rss: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 ? [...targets].reverse() : targets) {
      const a = acc.get(t.name)!;
      a.loads.push(loadNow());
      const cpu0 = cpuMs(t.pid);
      const r = await load(t, c, seconds * 1000);
      a.cpu += cpuMs(t.pid) - cpu0;
      a.ms += seconds * 1000;
      a.lat.push(...r.lat);
      a.errors += r.errors;
      a.rss = Math.max(a.rss, rssMb(t.pid));
      if (t.pid === server.pid) maxRss = Math.max(maxRss, a.rss);
    }
  }
  for (const t of targets) {
    const a = acc.get(t.name)!;
    const lat = a.lat.sort((x, y) => x - y);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    results.push({
      target: t.name,
      concurrency: c,
      requests: lat.length,
      perSecond: Math.round(lat.length / (a.ms / 1000)),
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      max: lat[lat.length - 1],
      errors: a.errors,
      cpuMsPerRequest: a.cpu / lat.length,
      rssMb: a.rss,
      load: `${Math.min(...a.loads).toFixed(1)}–${Math.max(...a.loads).toFixed(1)}`,
    });
  }
}
const metrics = await (await fetch(`${base}/metrics`)).text();
const accepted = Number(/ledgerline_webhooks_total\{source="shopify",result="accepted"\} (\d+)/.exec(metrics)?.[1] ?? 0);
const commits = Number(/ledgerline_ingest_commits_total (\d+)/.exec(metrics)?.[1] ?? 0);
const depth = /ledgerline_queue_depth\{state="queued"\} (\d+)/.exec(metrics)?.[1];
console.log(
  JSON.stringify(
    {
      runs: values.runs,
      seconds,
      rounds,
      accepted,
      commits,
      deliveriesPerCommit: commits ? +(accepted / commits).toFixed(2) : null,
      queuedAtEnd: Number(depth ?? 0),
      logLines,
      results,
    },
    null,
    2,
  ),
);
console.log(
  '\n| server | concurrency | req/s | p50 ms | p90 ms | p99 ms | max ms | non-200 | server CPU ms/req | server RSS | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|',
);
type R = {
  target: string;
  concurrency: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  cpuMsPerRequest: number;
  rssMb: number;
  load: string;
};
for (const r of results as R[])
  console.log(
    `| ${r.target} | ${r.concurrency} | ${r.perSecond} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.errors} | ${r.cpuMsPerRequest.toFixed(3)} | ${r.rssMb} MB | ${r.load} |`,
  );
console.log('\n| concurrency | Ledgerline / bare: req/s | Ledgerline / bare: CPU per request |\n|---|---|---|');
const resultOf = (t: Target, c: number) => (results as R[]).find((r) => r.target === t.name && r.concurrency === c)!;
for (const c of levels) {
  const bare = resultOf(bareHttp, c);
  const ll = resultOf(ledgerline, c);
  console.log(`| ${c} | ${(ll.perSecond / bare.perSecond).toFixed(2)} | ${(ll.cpuMsPerRequest / bare.cpuMsPerRequest).toFixed(2)}x |`);
}
console.log(
  `Ledgerline max RSS ${maxRss} MB; largest WAL ${maxWalMb.toFixed(1)} MB; deliveries per commit ${commits ? (accepted / commits).toFixed(2) : '-'}; load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
clearInterval(walSampler);
agent.destroy();
peer.kill('SIGTERM');
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
