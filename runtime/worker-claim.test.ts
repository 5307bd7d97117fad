// The worker's claims under a backlog: several runs per claim (one write transaction), each run still executed once,
// launched a run per turn; a lone run is claimed at once; runs claimed but not started when the worker stops go back
// to the queue at once. On both stores.
import { describe, expect, it } from 'vitest';
import { RunQueue, type IngestRequest } from './queue.ts';
import { Worker } from './worker.ts';
import { freshStores, testStores } from './testing/stores.ts';
import { silentLogger } from './index.ts';
import type { RunOutcome } from './executor.ts';

const order = (n: number): IngestRequest => ({
  source: 'shopify:main',
  dedupKey: `evt-${n}`,
  payload: { n },
  targets: [{ flowId: 'o2e', version: 1 }],
});

/** The queue, counting its claims and the runs each took. */
function counted(q: RunQueue) {
  const claims: number[] = [];
  const claim = q.claim.bind(q);
  q.claim = async (owner, limit, leaseMs) => {
    const got = await claim(owner, limit, leaseMs);
    claims.push(got.length);
    return got;
  };
  return claims;
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe.each(testStores())('Worker claims on $name', (kind) => {
  const fresh = freshStores(kind);

  it('under a backlog takes several runs per claim, and runs each once', async () => {
    const s = await fresh();
    const q = new RunQueue(s.store);
    for (let n = 1; n <= 60; n++) await q.ingest(order(n));
    const claims = counted(q);
    const ran: string[] = [];
    // Runs that take a few milliseconds each (as a run waiting on its ERP does), finishing at different times.
    const executor = {
      execute: async (run: { id: string }): Promise<RunOutcome> => {
        ran.push(run.id);
        await new Promise((r) => setTimeout(r, 2 + (ran.length % 5)));
        return 'succeeded';
      },
    };
    const worker = new Worker(q, executor, silentLogger, { concurrency: 16, pollMs: 10 });
    worker.start();
    await until(() => ran.length === 60);
    await worker.stop();
    expect(new Set(ran).size).toBe(60);
    const taking = claims.filter((n) => n > 0);
    // A claim per run before: 60. Now the first claim fills the 16 slots and later ones wait for 4 free.
    expect(taking[0]).toBe(16);
    expect(taking.length).toBeLessThanOrEqual(1 + Math.ceil(44 / 4));
    expect(taking.slice(1).every((n) => n >= 4 || n === taking.at(-1))).toBe(true);
  });

  it('claims a lone run at once, whatever is in flight', async () => {
    const s = await fresh();
    const q = new RunQueue(s.store);
    const started: string[] = [];
    const finish: Array<() => void> = [];
    const executor = {
      execute: (run: { id: string }) =>
        new Promise<RunOutcome>((resolve) => {
          started.push(run.id);
          finish.push(() => resolve('succeeded'));
        }),
    };
    const worker = new Worker(q, executor, silentLogger, { concurrency: 16, pollMs: 10 });
    worker.start();
    for (let n = 1; n <= 14; n++) {
      await q.ingest(order(n));
      await until(() => started.length === n);
    }
    // 14 in flight, 2 slots free (fewer than a batch): no backlog, so the next run starts without waiting for more.
    await q.ingest(order(15));
    await until(() => started.length === 15);
    for (const f of finish) f();
    await worker.stop();
  });

  it('gives back at once the runs it claimed but had not started when it stops', async () => {
    const s = await fresh();
    const twin = await s.twin();
    const q = new RunQueue(s.store);
    for (let n = 1; n <= 8; n++) await q.ingest(order(n));
    const started: string[] = [];
    const executor = {
      execute: async (run: { id: string }): Promise<RunOutcome> => {
        started.push(run.id);
        return 'succeeded';
      },
    };
    // claimPerTurn 1: the 8 claimed together start one per turn; stopped right after the first, the rest were waiting.
    const worker = new Worker(q, executor, silentLogger, { concurrency: 8, pollMs: 10, leaseMs: 600_000 });
    worker.start();
    await worker.stop();
    const left = 8 - started.length;
    // What it did not start, another process claims now, not after the 10-minute lease.
    const other = await new RunQueue(twin.store).claim('B', 8, 600_000);
    expect(other.length).toBe(left);
    expect(other.every((r) => !started.includes(r.id))).toBe(true);
  });
});
