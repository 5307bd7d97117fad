// CPU per ERP call on the client side: node's fetch (what the Tryton, NetSuite and Business Central connectors used),
// node:http with a keep-alive agent (what the sandbox ERP's client used) and core/http-transport.ts (undici's request
// API, what they all use now; Shopify's client through transportFetch), against one loopback JSON server in a second process, alternated in rounds.
// Usage: node --import tsx bench/erp-transport.ts [--calls 20000] [--rounds 3] [--concurrency 8]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTransport, transportFetch } from '../nodes/core/http-transport.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '8' } },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

// A sales order's size both ways (≈ 600 bytes), as the sandbox ERP's createSalesOrder takes and answers.
const serverCode = `
const http = require('node:http');
const reply = JSON.stringify({ result: { externalId: 'SO-1', created: true, lines: Array.from({ length: 4 }, (_, i) => ({ sku: 'SKU-' + i, quantity: 2, unitPrice: '19.99', amount: '39.98', taxCode: 'VAT20' })) } });
http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) }); res.end(reply); }); })
  .listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;
const server = spawn(process.execPath, ['-e', serverCode], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((ok) => server.stdout.once('data', (d: Buffer) => ok(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}/erp/createSalesOrder`;
const body = JSON.stringify([
  {
    externalId: '#1001',
    customer: 'C-1',
    currency: 'EUR',
    lines: Array.from({ length: 4 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 2, unitPrice: '19.99', taxCode: 'VAT20' })),
  },
]);

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const viaHttp = () =>
  new Promise<unknown>((ok, fail) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/erp/createSalesOrder',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
const viaFetch = async () => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
  return JSON.parse(await r.text());
};
const transport = createTransport({ connections: concurrency });
const viaTransport = async () =>
  JSON.parse((await transport.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, timeoutMs: 30_000 })).text);

// What the Shopify client hands @shopify/shopify-api: the transport answering with a Response.
const shopifyFetch = transportFetch(transport);
const viaTransportFetch = async () =>
  JSON.parse(await (await shopifyFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text());

const clients: Array<[string, () => Promise<unknown>]> = [
  ['fetch', viaFetch],
  ['node:http', viaHttp],
  ['transport (undici request)', viaTransport],
  ['transportFetch (a Response over the transport)', viaTransportFetch],
];
const drive = async (f: () => Promise<unknown>, n: number) => {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i++ < n) await f();
    }),
  );
};
for (const [, f] of clients) await drive(f, 3_000); // warm: JIT and sockets

const results = new Map<string, number[]>(clients.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of clients) {
    const c0 = process.cpuUsage();
    await drive(f, calls);
    const c = process.cpuUsage(c0);
    results.get(name)!.push((c.user + c.system) / calls);
  }
}
const transportUs = results.get('transport (undici request)')!;
console.log(`| client | client CPU µs per call (${rounds} rounds) | ÷ transport |`);
console.log('|---|---|---|');
for (const [name, us] of results) {
  const ratios = us.map((u, i) => (u / transportUs[i]!).toFixed(2));
  console.log(`| ${name} | ${us.map((u) => u.toFixed(1)).join(' / ')} | ${ratios.join(' / ')} |`);
}
console.log(
  `calls per round ${calls}, concurrency ${concurrency}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await transport.close();
agent.destroy();
server.kill();
