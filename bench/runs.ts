// Runs per second through the 5-node flow of issue 2 (manual -> code -> branch -> code -> code), persistence on.
// Usage: node --no-node-snapshot --import tsx bench/runs.ts [runs=3000] [concurrency=16] [sandboxProcesses=2]
import { createRuntime } from '../runtime/index.ts';
import { createSandbox } from '../runtime/sandbox/index.ts';
import { getNodeType } from '../nodes/registry.ts';
import { flow, tempDir } from '../runtime/testing/fixtures.ts';

const [runs = 3000, concurrency = 16, processes = 2] = process.argv.slice(2).map(Number);
const tmp = tempDir('ledgerline-bench-');
const sandbox = createSandbox({ processes });
const rt = createRuntime({ dataDir: tmp.dir, lookup: getNodeType, sandbox, worker: { concurrency, pollMs: 5 } });

await rt.flows.create(
  flow(
    'bench',
    [
      { id: 'start', type: 'trigger.manual' },
      { id: 'total', type: 'core.code', config: { code: 'return { id: input.id, total: input.lines.reduce((s, l) => s + l.qty * l.price, 0) }' } },
      { id: 'big', type: 'core.branch', config: { condition: 'input.total > 100' } },
      { id: 'tag', type: 'core.code', config: { code: "return { ...input, tag: 'big' }" } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: flow code, a template literal for the sandbox to run
      { id: 'shape', type: 'core.code', config: { code: 'return { ref: `SO-${input.id}`, amount: input.total, tag: input.tag }' } },
    ],
    ['start->total', 'total->big', 'big:true->tag', 'tag->shape'],
  ),
);
const { version } = await rt.flows.publish('bench', { activate: true });
const event = (i: number) => ({ id: i, lines: Array.from({ length: 5 }, (_, j) => ({ sku: `SKU-${j}`, qty: 1 + (j % 3), price: 20 + j })) });

// Warm the sandbox and the statement caches so the figure is steady-state.
await rt.queue.ingest({ source: 'bench', payload: event(-1), targets: [{ flowId: 'bench', version }] });
rt.start();
await rt.drain();

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await rt.store.exclusive(() => {
  for (let i = 0; i < runs; i++) rt.queue.ingestSqlite({ source: 'bench', payload: event(i), targets: [{ flowId: 'bench', version }] });
});
const enqueued = performance.now();
await rt.drain(600_000);
const t1 = performance.now();
const cpu = process.cpuUsage(cpu0);
const ok = (rt.store.sqlite.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status = 'succeeded'`).get() as { n: number }).n - 1;
const steps = (rt.store.sqlite.prepare(`SELECT COUNT(*) AS n FROM steps`).get() as { n: number }).n;
console.log(
  JSON.stringify({
    runs,
    succeeded: ok,
    concurrency,
    sandboxProcesses: processes,
    enqueueMs: Math.round(enqueued - t0),
    runsPerSecond: Math.round((runs / (t1 - enqueued)) * 1000),
    // CPU of the engine's process per run (the sandbox children excluded): steadier than wall time on a shared machine.
    mainCpuMsPerRun: Math.round(((cpu.user + cpu.system) / 1000 / runs) * 1000) / 1000,
    stepsPersisted: steps,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  }),
);
await rt.close();
await sandbox.close();
tmp.cleanup();
