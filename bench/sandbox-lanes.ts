// Latency of trivial code-node calls while other flows' code hangs (issue 17: no head-of-line blocking).
// Run: node --no-node-snapshot --import tsx bench/sandbox-lanes.ts [calls=200]   (figures: bench/README.md, "Sandbox lanes")
// BENCH_SANDBOX_DIR=/path/to/other/runtime/sandbox measures another checkout's sandbox the same way.
const dir = process.env.BENCH_SANDBOX_DIR ?? '../runtime/sandbox';
const { createSandbox } = (await import(`${dir}/index.ts`)) as typeof import('../runtime/sandbox/index.ts');
type Pool = ReturnType<typeof createSandbox>;

const calls = Number(process.argv[2] ?? 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function trivial(sb: Pool, n: number, budgetMs: number): Promise<number[]> {
  const ms: number[] = [];
  const end = Date.now() + budgetMs;
  for (let i = 0; i < n && Date.now() < end; i++) {
    const t0 = performance.now();
    await sb.run({ nodeId: `trivial-${i}`, kind: 'function', source: 'return { n: input.n + 1 }', vars: { input: { n: i } } });
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}
const pct = (s: number[], p: number) => s[Math.max(0, Math.ceil(s.length * p) - 1)];

async function scenario(label: string, hangs: number, hangTimeoutMs: number): Promise<void> {
  const sb = createSandbox({ processes: 2 });
  await trivial(sb, 20, 60_000);
  const spinning = Array.from({ length: hangs }, (_, i) =>
    sb.run({ nodeId: `hang-${i}`, kind: 'function', source: 'for (;;) {}', vars: {}, timeoutMs: hangTimeoutMs }).catch(() => undefined),
  );
  await sleep(hangs ? 500 : 0);
  // Measured only while the hangs still run (bounded by their timeout): after it, there is nothing left to wait behind.
  const ms = await trivial(sb, calls, hangs ? hangTimeoutMs - 700 : 60_000);
  const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1)).padStart(8);
  console.log(`${label.padEnd(48)} n=${String(ms.length).padStart(4)} p50 ${f(pct(ms, 0.5))} p99 ${f(pct(ms, 0.99))} max ${f(ms[ms.length - 1])} ms`);
  void spinning;
  await sb.close();
}

console.log(`sandbox: ${dir}; trivial calls one after another, 2 quick processes; load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
await scenario('no hangs', 0, 0);
await scenario('4 hangs at a 30 s timeout (long lane)', 4, 30_000);
await scenario('4 hangs at a 2 s timeout (quick lane)', 4, 2_000);
