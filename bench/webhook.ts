// Webhook ingress load: signed Shopify orders/create deliveries posted over loopback keep-alive connections to a
// server running in a second process (`ledgerline serve`), each verified + deduplicated + stored + enqueued.
// Usage: node --no-node-snapshot --import tsx bench/webhook.ts [--seconds 20] [--concurrency 10,50] [--runs]
//   --runs   an active shopify.trigger flow consumes every event (the worker runs while we load); default off:
//            ingress only (events stored, no flow wants them).
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '10,50' }, runs: { type: 'boolean', default: false } } });
const seconds = Number(values.seconds);
const levels = values.concurrency!.split(',').map(Number);
const root = join(import.meta.dirname, '..');
const template = readFileSync(join(root, '..', 'shared', 'fixtures', 'shopify', 'webhook-2026-04.orders.create.json'), 'utf8');
const SECRET = 'shpss_bench_secret_0123456789abcdef';
// Every delivery is a distinct body (its own note): the same signed body under new ids is refused as a replay.
let seq = 0;
const nextBody = () => template.replace('"note": null', `"note": "bench ${++seq}"`);

const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-bench-'));
const server = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []), 'bin/ledgerline.js', 'serve'], {
  cwd: root,
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LEDGERLINE_DATA_DIR: dataDir, LEDGERLINE_ADMIN_PASSWORD: 'bench-admin-pw', LEDGERLINE_SANDBOX: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
let logLines = 0;
const base = await new Promise<string>((ok, fail) => {
  const timer = setTimeout(() => fail(new Error('server did not start')), 60_000);
  server.stdout!.on('data', (d: Buffer) => {
    // The server logs one line per request: count them, keep only the start-up text.
    if (out.length < 100_000) out += d;
    logLines += d.toString().split('\n').length - 1;
    const m = /"url":"(http:[^"]+)"/.exec(out);
    if (m) (clearTimeout(timer), ok(m[1]));
  });
});
const url = new URL(base);

async function api(method: string, path: string, token: string | null, payload?: unknown) {
  const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: payload === undefined ? undefined : JSON.stringify(payload) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, any>>;
}
const { token } = await api('POST', '/api/auth/login', null, { email: 'admin@localhost', password: 'bench-admin-pw' });
await api('POST', '/api/connections', token, { id: 'shop', kind: 'shopify', provider: 'shopify', name: 'Bench shop', config: { shopDomain: 'bench.myshopify.com' }, secrets: { webhookSecret: SECRET } });
if (values.runs) {
  await api('POST', '/api/flows', token, { schemaVersion: 1, id: 'orders', name: 'orders', nodes: [{ id: 't', type: 'shopify.trigger', position: { x: 0, y: 0 }, config: { connection: 'shop', topic: 'orders/create' } }], edges: [] });
  await api('POST', '/api/flows/orders/publish', token, { message: 'bench' });
  await api('POST', '/api/flows/orders/activate', token, {});
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
function deliver(): Promise<number> {
  const body = nextBody();
  const hmac = createHmac('sha256', SECRET).update(body).digest('base64');
  return new Promise((ok, fail) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
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
    req.on('error', fail);
    req.end(body);
  });
}

async function load(concurrency: number, ms: number) {
  const lat: number[] = [];
  let errors = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const status = await deliver();
        lat.push(performance.now() - t0);
        if (status !== 200) errors++;
      }
    }),
  );
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { concurrency, requests: lat.length, perSecond: Math.round(lat.length / (ms / 1000)), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1], errors };
}

const rssOf = async () => {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
};

/** CPU time (user + system) the server process has used, in ms: load-independent cost per request. */
const cpuMs = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

await load(Math.max(...levels), 3000); // warm-up: JIT, SQLite pages, connection pool
const results = [];
for (const c of levels) {
  const cpu0 = cpuMs();
  const r = await load(c, seconds * 1000);
  results.push({ ...r, serverCpuMsPerRequest: (cpuMs() - cpu0) / r.requests, rssMb: await rssOf() });
}
const metrics = await (await fetch(`${base}/metrics`)).text();
const accepted = Number(/ledgerline_webhooks_total\{source="shopify",result="accepted"\} (\d+)/.exec(metrics)?.[1] ?? 0);
const depth = /ledgerline_queue_depth\{state="queued"\} (\d+)/.exec(metrics)?.[1];
console.log(JSON.stringify({ runs: values.runs, seconds, accepted, queuedAtEnd: Number(depth ?? 0), logLines, results }, null, 2));
console.log('\n| concurrency | req/s | p50 ms | p90 ms | p99 ms | max ms | non-200 | server CPU ms/req | server RSS |\n|---|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.concurrency} | ${r.perSecond} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.errors} | ${r.serverCpuMsPerRequest.toFixed(2)} | ${r.rssMb} MB |`);
console.log(`load average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
agent.destroy();
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
