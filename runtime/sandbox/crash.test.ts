// A sandbox process that dies (V8 abort, OOM kill, kill -9) fails only its calls in flight; the pool replaces it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox, SandboxError, type SandboxPool } from './index.ts';

let sb: SandboxPool;
beforeAll(() => {
  sb = createSandbox({ processes: 1 });
});
afterAll(() => sb.close());

it('fails calls in flight with a crash error naming the node, then serves again from a new process', async () => {
  await sb.run({ nodeId: 'warm', kind: 'expression', source: '1', vars: {} });
  const inflight = sb.run({ nodeId: 'victim', kind: 'function', source: 'for (;;);', vars: {}, timeoutMs: 20_000 });
  const queued = sb.run({ nodeId: 'bystander', kind: 'expression', source: '2', vars: {} });
  // A 20 s call runs in the long lane's process (started for it): kill the process that holds it.
  let pid = -1;
  for (let i = 0; i < 100 && pid < 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    pid = sb.stats().find((c) => c.inflight > 0 && c.lane === 'long')?.pid ?? -1;
  }
  await new Promise((r) => setTimeout(r, 200));
  process.kill(pid, 'SIGKILL');
  const e = await inflight.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SandboxError);
  expect(e).toMatchObject({ nodeId: 'victim', kind: 'crash' });
  expect((e as Error).message).toMatch(/^victim: the sandbox process died \(signal SIGKILL\)/);
  // The call queued behind it on the same process is failed too (it may have been delivered already).
  await queued.then(
    (r) => expect(r.value).toBe(2),
    (err) => expect(err).toMatchObject({ nodeId: 'bystander', kind: 'crash' }),
  );

  const after = await sb.run({ nodeId: 'next', kind: 'function', source: 'return input * 2', vars: { input: 21 } });
  expect(after.value).toBe(42);
  expect(sb.pids()).not.toContain(pid);
});

it('rejects calls after close', async () => {
  const other = createSandbox({ processes: 1 });
  await other.close();
  await expect(other.run({ nodeId: 'late', kind: 'expression', source: '1', vars: {} })).rejects.toMatchObject({ kind: 'crash', nodeId: 'late' });
});

it('answers a quick call without waiting for a slow call that follows it to the same process', async () => {
  const t0 = Date.now();
  // Submitted in the same turn, so both travel in one IPC message, quick first.
  const quick = sb.run({ nodeId: 'quick', kind: 'expression', source: '"done"', vars: {} }).then((r) => ({ r, ms: Date.now() - t0 }));
  const slow = sb.run({ nodeId: 'slow', kind: 'function', source: 'for (;;);', vars: {}, timeoutMs: 1500 }).catch((e: SandboxError) => e);
  const { r, ms } = await quick;
  expect(r.value).toBe('done');
  expect(ms).toBeLessThan(1000);
  expect((await slow) as SandboxError).toMatchObject({ kind: 'timeout', nodeId: 'slow' });
});

it('kills a sandbox process that stops answering (frozen) and fails its call with a timeout', async () => {
  await sb.run({ nodeId: 'warm', kind: 'expression', source: '1', vars: {} });
  const [pid] = sb.pids();
  if (pid === undefined) throw new Error('the warm-up call left no sandbox process');
  process.kill(pid, 'SIGSTOP'); // the process is alive but answers nothing, like one stuck outside the isolate
  const e = await sb.run({ nodeId: 'stuck', kind: 'expression', source: '1', vars: {}, timeoutMs: 200 }).catch((err: unknown) => err);
  expect(e).toMatchObject({ nodeId: 'stuck', kind: 'timeout' });
  expect((e as Error).message).toMatch(/stopped answering; it was killed/);
  expect((await sb.run({ nodeId: 'next', kind: 'expression', source: '3', vars: {} })).value).toBe(3);
  expect(sb.pids()[0]).not.toBe(pid);
});
