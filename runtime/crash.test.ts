import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from './index.ts';
import { coreNodes } from '../nodes/core/index.ts';
import { sinkNode } from './testing/crash-worker.ts';
import { flow, tempDir } from './testing/fixtures.ts';
import type { Sandbox } from './sandbox/types.ts';

const EVENTS = 2000;
const tmp = tempDir('ledgerline-crash-');
afterAll(() => tmp.cleanup());

function startWorker(dataDir: string, sinkPath: string): ChildProcess {
  return fork(new URL('./testing/crash-worker.ts', import.meta.url).pathname, [dataDir, sinkPath], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

async function waitFor(cond: () => boolean, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('crash recovery', () => {
  it(`completes all ${EVENTS} events exactly once after the worker is killed with SIGKILL mid-way`, async () => {
    const dataDir = join(tmp.dir, 'data');
    const sinkPath = join(tmp.dir, 'sink.db');
    const types = [...coreNodes, sinkNode(sinkPath)];
    const unused: Sandbox = { run: () => Promise.reject(new Error('unused')), runBatch: () => Promise.reject(new Error('unused')), close: async () => {} };
    const setup = createRuntime({ dataDir, lookup: (t) => types.find((x) => x.type === t), sandbox: unused });
    await setup.flows.create(
      flow(
        'crash',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'calc', type: 'core.code', config: { code: 'return { seq: input.seq, doubled: input.seq * 2 }' } },
          { id: 'sink', type: 'test.sink', idempotencyKey: 'trigger.seq' },
        ],
        ['t->calc', 'calc->sink'],
      ),
    );
    const { version } = await setup.flows.publish('crash', { activate: true });
    await setup.store.exclusive(() => {
      for (let seq = 0; seq < EVENTS; seq++)
        setup.queue.ingestSqlite({ source: 'crash-test', dedupKey: String(seq), payload: { seq }, targets: [{ flowId: 'crash', version }] });
    });
    await setup.close();

    const db = new Database(join(dataDir, 'ledgerline.db'));
    db.pragma('busy_timeout = 5000');
    const done = () => count(db, `SELECT COUNT(*) AS n FROM runs WHERE status = 'succeeded'`);

    const first = startWorker(dataDir, sinkPath);
    await waitFor(() => done() >= EVENTS / 4, 120_000, 'the first worker to get going');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = done();
    expect(atKill).toBeLessThan(EVENTS);

    const second = startWorker(dataDir, sinkPath);
    try {
      await waitFor(() => done() === EVENTS, 180_000, 'all runs to succeed after the restart');
    } finally {
      second.kill('SIGKILL');
    }

    expect(count(db, `SELECT COUNT(*) AS n FROM events WHERE source = 'crash-test'`)).toBe(EVENTS);
    expect(count(db, `SELECT COUNT(*) AS n FROM runs`)).toBe(EVENTS);
    expect(count(db, `SELECT COUNT(*) AS n FROM runs WHERE status != 'succeeded'`)).toBe(0);
    expect(count(db, `SELECT COUNT(*) AS n FROM steps WHERE status = 'succeeded'`)).toBe(EVENTS * 3);

    const sink = new Database(sinkPath, { readonly: true });
    // Every event's side effect exists exactly once.
    expect(count(sink, `SELECT COUNT(*) AS n FROM effects`)).toBe(EVENTS);
    // Only steps in flight at the kill ran again (at most the worker's concurrency), and those runs know it.
    const repeated = sink.prepare(`SELECT key, COUNT(*) AS n FROM executions GROUP BY key HAVING n > 1`).all() as { key: string; n: number }[];
    expect(repeated.length).toBeLessThanOrEqual(8);
    for (const r of repeated) expect(r.n).toBe(2);
    const ran = count(sink, `SELECT COUNT(*) AS n FROM executions`);
    expect(ran).toBe(EVENTS + repeated.length);
    sink.close();
    db.close();
  }, 360_000);
});
