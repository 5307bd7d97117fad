// core.map per call on a 50-line Shopify order: built-in mappings (host, no sandbox) vs the same fields as
// sandboxed expressions (one runBatch per call). Run: node --no-node-snapshot --import tsx bench/map.ts [calls]
// Figures and method: bench/README.md, "Mapping".
import { createSandbox, JsonText } from '../runtime/sandbox/index.ts';
import { compileCached } from '../nodes/core/mapping/compile.ts';
import { runMap } from '../nodes/core/mapping/engine.ts';
import { mapConfigSchema, type FieldInput, type MapConfig } from '../nodes/core/mapping/config.ts';
import { shopifyOrderToSalesOrder } from '../nodes/core/mapping/examples.ts';
import { taxedOrder } from '../nodes/lookup/testing.ts';

const calls = Number(process.argv[2] ?? 2000);

const order = taxedOrder({ giftCard: false });
const base = order.lineItems;
order.lineItems = Array.from(
  { length: 50 },
  (_, i) => ({ ...base[i % base.length], id: `gid://shopify/LineItem/${i + 1}`, sku: `SKU-${i}`, taxCodes: ['US-KY', 'US-KY-JEF'] }) as (typeof base)[number],
);
(order as unknown as { warehouse: string }).warehouse = 'WH-WEB';
for (const s of order.shippingLines) (s as unknown as { taxCodes: string[] }).taxCodes = ['US-KY'];
const text = JSON.stringify(order);

const builtins = mapConfigSchema.parse(shopifyOrderToSalesOrder);
// The same output, every line field an expression (what a consultant would write without the built-ins).
const expr = (e: string): FieldInput['source'] => ({ kind: 'expr', expr: e });
const expressions = mapConfigSchema.parse({
  fields: [
    ...shopifyOrderToSalesOrder.fields.filter((f) => f.target !== 'lines'),
    {
      target: 'lines',
      source: {
        kind: 'each',
        path: 'lineItems',
        filter: [{ expr: '!item.isGiftCard' }],
        fields: [
          { target: 'sku', source: expr('item.sku.trim()') },
          { target: 'quantity', source: expr('String(item.quantity)') },
          { target: 'unitPrice', source: expr('item.unitPrice.shop.amount') },
          { target: 'discount', source: expr('item.totalDiscount.shop.amount') },
          { target: 'taxCodes', source: expr('item.taxCodes'), required: false },
          { target: 'description', source: expr('item.name.slice(0, 120)') },
        ],
      },
    },
  ],
});

const sandbox = createSandbox({ processes: 2 });

async function measure(label: string, config: MapConfig, n: number, concurrency = 1) {
  const plan = compileCached(config);
  const one = async () => {
    const input = JSON.parse(text);
    const r = await runMap(compileCached(config), input, { nodeId: 'map', sandbox, rawInput: new JsonText(text) });
    const problem = r.problems[0];
    if (problem) throw new Error(problem.message);
    return r;
  };
  for (let i = 0; i < Math.min(200, n); i++) await one(); // warm-up (JIT, isolate compile caches)
  const lat: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        await one();
        lat.push(performance.now() - s);
      }
    }),
  );
  const total = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]?.toFixed(3) ?? '-';
  console.log(
    `${label.padEnd(34)} sites=${String(plan.sites.length).padStart(2)} calls=${n} conc=${concurrency}  mean ${(total / n).toFixed(3)} ms/call  p50 ${q(0.5)}  p99 ${q(0.99)}  ${(n / (total / 1000)).toFixed(0)} calls/s`,
  );
}

console.log(`node ${process.version}, 50-line order (${text.length} bytes of JSON), includes JSON.parse of the input per call`);
{
  for (let i = 0; i < 200; i++) JSON.parse(text);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) JSON.parse(text);
  console.log(`${'JSON.parse of the input alone'.padEnd(34)} mean ${((performance.now() - t0) / calls).toFixed(3)} ms/call`);
}
await measure('built-ins (host only)', builtins, calls);
await measure('expressions (one runBatch)', expressions, Math.ceil(calls / 2));
await measure('expressions, 16 in flight', expressions, Math.ceil(calls / 2), 16);
await sandbox.close();
