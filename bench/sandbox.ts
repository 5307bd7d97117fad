// Sandboxed code cost per call vs the same function in plain JS, for a 50-line Shopify order.
// Run: node --no-node-snapshot --import tsx bench/sandbox.ts   (figures and method: bench/README.md, "Sandbox")
import { readFileSync } from 'node:fs';
import { createSandbox, JsonText } from '../runtime/sandbox/index.ts';
import { cpuTicks } from './proc-cpu.ts';

const fixture = JSON.parse(readFileSync(new URL('../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8'));
const baseLines = fixture.line_items as Array<Record<string, unknown>>;
fixture.line_items = Array.from({ length: 50 }, (_, i) => ({ ...baseLines[i % baseLines.length], id: 1000 + i, sku: `SKU-${i}` }));
const ORDER_TEXT = JSON.stringify(fixture);

// A code node's body: Shopify order -> ERP sales order (header, customer, ship-to, lines, totals, tags).
// Money stays in integer cents / decimal strings (never floats).
const MAPPING = `
const cents = (s) => { const [w, f = ''] = String(s ?? '0').split('.'); return Number(w) * 100 + Number((f + '00').slice(0, 2)) * (w.startsWith('-') ? -1 : 1); };
const money = (c) => (c < 0 ? '-' : '') + Math.floor(Math.abs(c) / 100) + '.' + String(Math.abs(c) % 100).padStart(2, '0');
const ship = input.shipping_address || input.billing_address || {};
const customer = input.customer || {};
let net = 0, discount = 0;
const lines = input.line_items.map((li, i) => {
  const gross = cents(li.price) * li.quantity;
  const disc = cents(li.total_discount);
  net += gross - disc; discount += disc;
  return {
    lineNo: i + 1,
    sku: li.sku || ('SHOPIFY-' + li.variant_id),
    description: li.title + (li.variant_title ? ' / ' + li.variant_title : ''),
    quantity: li.quantity,
    unitPrice: li.price,
    discount: money(disc),
    lineTotal: money(gross - disc),
    taxable: li.taxable,
    taxes: (li.tax_lines || []).map((t) => ({ title: t.title, rate: String(t.rate), amount: t.price })),
  };
});
return {
  externalRef: 'shopify:' + input.id,
  orderNumber: input.name,
  orderDate: String(input.created_at).slice(0, 10),
  currency: input.currency,
  customer: { email: input.email || customer.email || null, name: [customer.first_name, customer.last_name].filter(Boolean).join(' ') || null },
  shipTo: { name: ship.name || null, street: [ship.address1, ship.address2].filter(Boolean).join(', '), city: ship.city || null, zip: ship.zip || null, country: ship.country_code || null },
  lines,
  totals: { net: money(net), discount: money(discount), tax: input.total_tax, total: input.total_price },
  tags: String(input.tags || '').split(',').map((t) => t.trim()).filter(Boolean),
};
`;

// The same source, compiled in the host for the plain-JS baseline.
const plain = new Function('input', `'use strict';\n${MAPPING}`) as (input: unknown) => unknown;
const EXPRESSIONS = [
  'input.name',
  'input.email',
  'input.currency',
  'input.total_price',
  'input.line_items.length',
  'input.line_items[0].sku',
  'input.customer && input.customer.id',
  'input.financial_status === "paid"',
  'input.tags.split(",").map(t => t.trim())',
  'input.shipping_address && input.shipping_address.country_code',
];
const plainExprs = EXPRESSIONS.map((e) => new Function('input', `'use strict'; return (${e});`) as (i: unknown) => unknown);

interface Case {
  key: string;
  label: string;
  /** Runs `n` calls; returns when all are done. */
  batch(n: number): Promise<void>;
  weight?: number;
}
const seq =
  (fn: (i: number) => unknown): Case['batch'] =>
  async (n) => {
    for (let i = 0; i < n; i++) await fn(i);
  };
const inFlight =
  (width: number, fn: (i: number) => Promise<unknown>): Case['batch'] =>
  async (n) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < n) await fn(next++);
      }),
    );
  };

const N = Number(process.env.BENCH_N) || 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 7;
const orderObj = JSON.parse(ORDER_TEXT);
// Fresh input strings each call, so nothing is cached by V8 (or by us) between calls.
const texts = Array.from({ length: 64 }, (_, i) => ORDER_TEXT.replace('"name":"#', `"name":"#${i}`));
const sb = createSandbox({ processes: 2 });
const call = (source: string, input: unknown) => sb.run({ nodeId: 'bench', kind: 'function', source, vars: { input } }).then((x) => x.json);
const resident = new JsonText(ORDER_TEXT);
const MUTATING = MAPPING.replace('const ship =', 'input.line_items.sort((a, b) => a.id - b.id);\nconst ship =');
const tiny = new JsonText('{"a":1}');

const cases: Case[] = [
  { key: 'plainCompute', label: 'plain JS: object in, object out (compute only)', batch: seq(() => plain(orderObj)), weight: 5 },
  { key: 'plainPersist', label: 'plain JS: object in, JSON text out (persisted step)', batch: seq(() => JSON.stringify(plain(orderObj))), weight: 5 },
  { key: 'plainText', label: 'plain JS: JSON text in (parse), JSON text out', batch: seq((i) => JSON.stringify(plain(JSON.parse(texts[i % 64]!)))) },
  { key: 'cold', label: 'sandbox: fresh JsonText each call, sequential', batch: seq((i) => call(MAPPING, new JsonText(texts[i % 64]!))) },
  { key: 'coldObj', label: 'sandbox: plain object var (host stringifies), sequential', batch: seq(() => call(MAPPING, orderObj)) },
  { key: 'resident', label: 'sandbox: resident JsonText (same instance), sequential', batch: seq(() => call(MAPPING, resident)) },
  { key: 'coldPar', label: 'sandbox: fresh JsonText, 8 in flight / 2 processes', batch: inFlight(8, (i) => call(MAPPING, new JsonText(texts[i % 64]!))) },
  { key: 'residentPar', label: 'sandbox: resident JsonText, 8 in flight / 2 processes', batch: inFlight(8, () => call(MAPPING, resident)) },
  { key: 'residentMut', label: 'sandbox: resident JsonText, code sorting input in place', batch: seq(() => call(MUTATING, resident)) },
  {
    key: 'plainExprText',
    label: `plain JS: parse + ${EXPRESSIONS.length} expressions, JSON out`,
    batch: seq((i) => {
      const o = JSON.parse(texts[i % 64]!);
      return JSON.stringify(plainExprs.map((f) => f(o)));
    }),
  },
  {
    key: 'plainExpr',
    label: `plain JS: ${EXPRESSIONS.length} expressions over an object, JSON out`,
    batch: seq(() => JSON.stringify(plainExprs.map((f) => f(orderObj)))),
    weight: 5,
  },
  {
    key: 'batchCold',
    label: `sandbox: runBatch of ${EXPRESSIONS.length}, fresh JsonText`,
    batch: seq((i) => sb.runBatch({ nodeId: 'bench', vars: { input: new JsonText(texts[i % 64]!) }, expressions: EXPRESSIONS })),
  },
  {
    key: 'batchResident',
    label: `sandbox: runBatch of ${EXPRESSIONS.length}, resident JsonText`,
    batch: seq(() => sb.runBatch({ nodeId: 'bench', vars: { input: resident }, expressions: EXPRESSIONS })),
  },
  { key: 'floor', label: 'sandbox: round-trip floor (return 1, tiny input)', batch: seq(() => call('return 1', tiny)) },
];

/** CPU time used so far by this process and the sandbox processes, in µs (children: /proc, 10 ms ticks). */
function cpuNow(): number {
  const own = process.cpuUsage();
  let children = 0;
  for (const pid of sb.pids()) {
    try {
      children += cpuTicks(pid) * 10_000; // ticks of 10 ms
    } catch {
      // a process that was replaced meanwhile: its time is lost, which only understates the sandbox cost
    }
  }
  return own.user + own.system + children;
}

for (const c of cases) await c.batch(200); // warm-up: JIT, compile caches, resident data
const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
const cpu = new Map<string, { us: number; calls: number }>(cases.map((c) => [c.key, { us: 0, calls: 0 }]));
// Rounds interleave every case, so load from other processes on this shared machine hits all of them alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const n = N * (c.weight ?? 1);
    const c0 = cpuNow();
    const t0 = process.hrtime.bigint();
    await c.batch(n);
    samples.get(c.key)!.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
    const acc = cpu.get(c.key)!;
    acc.us += cpuNow() - c0;
    acc.calls += n;
  }
}
await sb.close();

console.log(
  `order: ${fixture.line_items.length} lines, ${ORDER_TEXT.length} chars of JSON in, ${JSON.stringify(plain(orderObj)).length} chars out; ${ROUNDS} rounds x ${N} calls, median round`,
);
/** Per case: median wall time of a call over the rounds, and CPU time of a call over all rounds, both in µs. */
const perCall = new Map<string, { wall: number; cpu: number }>();
console.log(`${''.padEnd(60)} ${'wall'.padStart(8)}          ${'CPU (all processes)'}`);
for (const c of cases) {
  const v = samples.get(c.key)!.sort((a, b) => a - b);
  const wall = v[Math.floor(v.length / 2)];
  if (wall === undefined) throw new Error(`no rounds measured (BENCH_ROUNDS=${process.env.BENCH_ROUNDS})`);
  const acc = cpu.get(c.key)!;
  const m = { wall, cpu: acc.us / acc.calls };
  perCall.set(c.key, m);
  console.log(`${c.label.padEnd(60)} ${m.wall.toFixed(1).padStart(8)} µs/call ${m.cpu.toFixed(1).padStart(8)} µs/call`);
}
const ratio = (a: string, b: string) => {
  const x = perCall.get(a);
  const y = perCall.get(b);
  if (!x || !y) throw new Error(`no case "${x ? b : a}"`);
  return `${(x.wall / y.wall).toFixed(2)}x`.padStart(7) + ` wall ${`${(x.cpu / y.cpu).toFixed(2)}x`.padStart(7)} CPU`;
};
console.log('\nratios (sandbox / plain JS):');
console.log(`  cold, sequential          vs plain text-in/text-out      ${ratio('cold', 'plainText')}`);
console.log(`  cold, sequential          vs plain object-in/text-out    ${ratio('cold', 'plainPersist')}`);
console.log(`  cold, 8 in flight         vs plain text-in/text-out      ${ratio('coldPar', 'plainText')}`);
console.log(`  resident, sequential      vs plain object-in/text-out    ${ratio('resident', 'plainPersist')}`);
console.log(`  resident, 8 in flight     vs plain object-in/text-out    ${ratio('residentPar', 'plainPersist')}`);
console.log(`  resident, mutating code   vs plain text-in/text-out      ${ratio('residentMut', 'plainText')}`);
console.log(`  resident, sequential      vs plain compute only          ${ratio('resident', 'plainCompute')}`);
console.log(`  batch of ${EXPRESSIONS.length}, cold          vs plain parse + expressions   ${ratio('batchCold', 'plainExprText')}`);
console.log(`  batch of ${EXPRESSIONS.length}, resident      vs plain expressions on object ${ratio('batchResident', 'plainExpr')}`);
