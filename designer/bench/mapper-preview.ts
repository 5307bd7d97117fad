// How live the mapper's preview feels: round trips of POST /api/mapping/preview for the order flow's mapping
// (5 top-level fields, a list of 4 with a lookup per line) against the real server on loopback.
// Run: npx tsx designer/bench/mapper-preview.ts
import { apiAs, startBackend } from '../e2e/backend.ts';
import { ORDER_FLOW, TAX_TABLE, orderFlow } from '../e2e/fixtures.ts';

const backend = await startBackend();
try {
  const api = await apiAs(backend.baseUrl, backend.adminEmail, backend.adminPassword);
  await api('POST', '/api/flows', orderFlow());
  await api('POST', '/api/lookups', TAX_TABLE);
  const catalog = await api<{ nodeTypes: Array<{ type: string; sampleOutput: { order: { lineItems: Array<Record<string, unknown>> } } }> }>(
    'GET',
    '/api/catalog',
  );
  const sample = structuredClone(catalog.nodeTypes.find((t) => t.type === 'shopify.trigger')!.sampleOutput);
  for (const l of sample.order.lineItems) l.taxLines = [{ title: 'VAT', rate: '0.2' }];
  const mapNode = orderFlow().nodes[1];
  if (!mapNode) throw new Error('orderFlow() has no second node (the map this bench previews)');
  const config = mapNode.config;
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t0 = performance.now();
    const r = await api<{ ok: boolean }>('POST', '/api/mapping/preview', { config, sample, flowId: ORDER_FLOW });
    if (!r.ok) throw new Error('preview did not map cleanly');
    if (i >= 20) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2); // 200 samples
  console.log(
    JSON.stringify({ calls: times.length, medianMs: q(0.5), p95Ms: q(0.95), maxMs: q(1), sampleBytes: JSON.stringify(sample).length, node: process.version }),
  );
} finally {
  await backend.stop();
}
