// Sandboxed code cost per call vs the same function in plain JS, for a 50-line Shopify order.
// Run: node --no-node-snapshot --import tsx bench/sandbox.ts   (figures and method: bench/README.md, "Sandbox")
import { readFileSync } from 'node:fs';
import { createSandbox, JsonText } from '../runtime/sandbox/index.ts';

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

// eslint-disable-next-line no-new-func -- the same source, compiled in the host for the plain-JS baseline
const plain = new Function('input', `'use strict';\n${MAPPING}`) as (input: unknown) => unknown;
const EXPRESSIONS = [
  'input.name', 'input.email', 'input.currency', 'input.total_price', 'input.line_items.length',
  'input.line_items[0].sku', 'input.customer && input.customer.id', 'input.financial_status === "paid"',
  'input.tags.split(",").map(t => t.trim())', 'input.shipping_address && input.shipping_address.country_code',
];
const plainExprs = EXPRESSIONS.map((e) => new Function('input', `'use strict'; return (${e});`) as (i: unknown) => unknown);

async function time(label: string, n: number, fn: (i: number) => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i); // warm-up (JIT, compile caches)
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    rounds.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  rounds.sort((a, b) => a - b);
  const us = rounds[2];
  console.log(`${label.padEnd(64)} ${us.toFixed(1).padStart(8)} µs/call`);
  return us;
}

async function concurrent(label: string, n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await Promise.all(Array.from({ length: width * 4 }, (_, i) => fn(i)));
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < n) await fn(next++); }));
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(64)} ${us.toFixed(1).padStart(8)} µs/call`);
  return us;
}

const N = Number(process.env.BENCH_N) || 2000;
const orderObj = JSON.parse(ORDER_TEXT);
console.log(`order: ${fixture.line_items.length} lines, ${ORDER_TEXT.length} chars of JSON; output ${JSON.stringify(plain(orderObj)).length} chars`);
const r: Record<string, number> = {};
// Plain-JS baselines. Input texts are fresh strings each call so nothing is cached by V8 between calls.
const texts = Array.from({ length: 64 }, (_, i) => ORDER_TEXT.replace('"name":"#', `"name":"#${i}`));
r.plainCompute = await time('plain JS: object in, object out (compute only)', N * 5, () => plain(orderObj));
r.plainPersist = await time('plain JS: object in, JSON.stringify out (persisted step)', N * 5, () => JSON.stringify(plain(orderObj)));
r.plainText = await time('plain JS: JSON text in (parse), JSON text out (stringify)', N, (i) => JSON.stringify(plain(JSON.parse(texts[i % 64]))));

const sb = createSandbox({ processes: 2 });
const call = (input: unknown) => sb.run({ nodeId: 'bench', kind: 'function', source: MAPPING, vars: { input } });
r.cold = await time('sandbox: fresh JsonText each call, json out (sequential)', N, (i) => call(new JsonText(texts[i % 64])).then((x) => x.json));
r.coldObj = await time('sandbox: plain object var (host stringifies it), json out', N, () => call(orderObj).then((x) => x.json));
const resident = new JsonText(ORDER_TEXT);
r.resident = await time('sandbox: resident JsonText (same instance), json out (sequential)', N, () => call(resident).then((x) => x.json));
r.coldParallel = await concurrent('sandbox: fresh JsonText, 8 in flight over 2 processes', N * 2, 8, (i) => call(new JsonText(texts[i % 64])).then((x) => x.json));
r.residentParallel = await concurrent('sandbox: resident JsonText, 8 in flight over 2 processes', N * 2, 8, () => call(resident).then((x) => x.json));
r.plainBatch = await time(`plain JS: ${EXPRESSIONS.length} expressions over one parsed order`, N, (i) => { const o = JSON.parse(texts[i % 64]); return plainExprs.map((f) => f(o)); });
r.batch = await time(`sandbox: runBatch of ${EXPRESSIONS.length} expressions, fresh JsonText`, N, (i) => sb.runBatch({ nodeId: 'bench', vars: { input: new JsonText(texts[i % 64]) }, expressions: EXPRESSIONS }));
r.batchResident = await time(`sandbox: runBatch of ${EXPRESSIONS.length} expressions, resident JsonText`, N, () => sb.runBatch({ nodeId: 'bench', vars: { input: resident }, expressions: EXPRESSIONS }));
r.plainExprObj = await time(`plain JS: ${EXPRESSIONS.length} expressions over an in-memory order, JSON out`, N * 5, () => JSON.stringify(plainExprs.map((f) => f(orderObj))));
const MUTATING = MAPPING.replace('const ship =', 'input.line_items.sort((a, b) => a.id - b.id);\nconst ship =');
r.residentMutating = await time('sandbox: resident JsonText, code that sorts input in place', N, () => sb.run({ nodeId: 'bench', kind: 'function', source: MUTATING, vars: { input: resident } }).then((x) => x.json));
const noop = new JsonText('{"a":1}');
r.noop = await time('sandbox: round trip floor (return 1, tiny input)', N, () => sb.run({ nodeId: 'bench', kind: 'function', source: 'return 1', vars: { input: noop } }).then((x) => x.json));
await sb.close();

const ratio = (a: number, b: number) => (a / b).toFixed(2) + 'x';
console.log('\nratios (sandbox / plain):');
console.log(`  cold sequential vs plain text-in/text-out      ${ratio(r.cold, r.plainText)}`);
console.log(`  cold sequential vs plain object-in/json-out    ${ratio(r.cold, r.plainPersist)}`);
console.log(`  cold sequential vs plain compute only          ${ratio(r.cold, r.plainCompute)}`);
console.log(`  resident sequential vs plain object-in/json-out ${ratio(r.resident, r.plainPersist)}`);
console.log(`  cold 8-in-flight vs plain text-in/text-out     ${ratio(r.coldParallel, r.plainText)}`);
console.log(`  resident 8-in-flight vs plain object-in/json-out ${ratio(r.residentParallel, r.plainPersist)}`);
console.log(`  batch of ${EXPRESSIONS.length} vs plain parse + ${EXPRESSIONS.length} expressions     ${ratio(r.batch, r.plainBatch)}`);
console.log(`  resident batch vs plain ${EXPRESSIONS.length} expressions over an object  ${ratio(r.batchResident, r.plainExprObj)}`);
console.log(`  resident, input-mutating code vs plain text-in/text-out ${ratio(r.residentMutating, r.plainText)}`);
