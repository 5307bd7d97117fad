// ERP connectors: sandbox ERP throughput (memory and file) and live Tryton latencies.
//   node --no-node-snapshot --import tsx bench/erp.ts [sandboxOrders] [trytonOrders]   (sandboxOrders 0: Tryton only)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { order } from '../nodes/erp/contract-suite.ts';
import { createSandboxErp } from '../nodes/erp/sandbox/index.ts';
import { createTrytonConnector } from '../nodes/erp/tryton/connector.ts';
import { startTryton } from '../scripts/tryton/start.ts';

const sandboxN = Number(process.argv[2] ?? 5000);
const trytonN = Number(process.argv[3] ?? 30);
const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  if (v === undefined) throw new Error('no timings to take a percentile of');
  return v;
};

async function sandbox(label: string, dataDir?: string) {
  const erp = createSandboxErp({ dataDir });
  erp.admin.setStock('IPOD2008GREEN', 'WH', '100000000');
  erp.admin.setStock('MUG-BLACK', 'WH', '100000000');
  const inputs = Array.from({ length: sandboxN }, () => order());
  const t0 = performance.now();
  await Promise.all(inputs.map((i) => erp.createSalesOrder(i)));
  const ms = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(inputs.slice(0, 1000).map((i) => erp.createSalesOrder(i)));
  const dupMs = performance.now() - t1;
  console.log(
    `sandbox ERP (${label}): ${sandboxN} orders in ${ms.toFixed(0)} ms = ${((sandboxN / ms) * 1000).toFixed(0)} orders/s; idempotent re-post ${((1000 / dupMs) * 1000).toFixed(0)}/s`,
  );
  await erp.close();
}

if (sandboxN > 0) {
  await sandbox('memory');
  const dir = mkdtempSync(join(tmpdir(), 'bench-erp-'));
  await sandbox('file, WAL', dir);
  rmSync(dir, { recursive: true, force: true });
}

const t = await startTryton();
console.log(`tryton: startTryton ${t.timings.totalMs} ms (snapshot ${t.timings.snapshotSource} ${t.timings.snapshotMs} ms, start ${t.timings.startMs} ms)`);
const erp = createTrytonConnector({ url: t.url, database: t.database, user: t.user, password: t.password });
await erp.listWarehouses();
const lat: number[] = [];
const inputs = Array.from({ length: trytonN }, () => order());
// This process's CPU is the connector's own (JSON-RPC encoding, HTTP, decoding); trytond's is its own process's.
const cpu0 = process.cpuUsage();
for (const i of inputs) {
  const s = performance.now();
  await erp.createSalesOrder(i);
  lat.push(performance.now() - s);
}
const cpu = process.cpuUsage(cpu0);
const re: number[] = [];
for (const i of inputs.slice(0, 10)) {
  const s = performance.now();
  await erp.createSalesOrder(i);
  re.push(performance.now() - s);
}
const ship: number[] = [];
for (const i of inputs.slice(0, 10)) {
  const s = performance.now();
  await erp.shipSalesOrder!(i.externalId, { trackingNumber: 'T' });
  ship.push(performance.now() - s);
}
console.log(
  `tryton createSalesOrder (3 lines, create+quote+confirm+read back): p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, ${(1000 / (lat.reduce((a, b) => a + b) / lat.length)).toFixed(2)} orders/s`,
);
console.log(`tryton connector: ${((cpu.user + cpu.system) / 1000 / trytonN).toFixed(2)} ms of this process's CPU per createSalesOrder`);
console.log(`tryton idempotent re-post p50 ${pct(re, 50).toFixed(0)} ms; shipSalesOrder p50 ${pct(ship, 50).toFixed(0)} ms`);
await t.stop();
