import { fork } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../runtime/testing/fixtures.ts';
import { createSandboxErp } from './index.ts';

const tmp = tempDir('ledgerline-upsert-race-');
afterAll(() => tmp.cleanup());

type Outcome = { failed: number; errors: string[] };

/** Starts a worker; resolves once it is ready, with `go` to start it and `done` for what it reports. */
const worker = (file: string, count: number) =>
  new Promise<{ go: () => void; done: Promise<Outcome> }>((ready, reject) => {
    const child = fork(new URL('./testing/upsert-worker.ts', import.meta.url).pathname, [file, String(count)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const done = new Promise<Outcome>((resolve) => child.on('message', (m) => m !== 'ready' && resolve(m as Outcome)));
    child.once('message', () => ready({ go: () => child.send('go'), done }));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`upsert worker exited with ${code}`)));
  });

describe('sandbox ERP shared by worker processes', () => {
  it('upserts one customer from two processes at once without losing either call (an order’s created and paid runs)', async () => {
    const file = join(tmp.dir, 'sandbox-erp.sqlite');
    await createSandboxErp({ file }).close();
    const count = 1500;
    const workers = await Promise.all([worker(file, count), worker(file, count)]);
    for (const w of workers) w.go();
    const [a, b] = await Promise.all(workers.map((w) => w.done));
    expect({ a, b }).toEqual({ a: { failed: 0, errors: [] }, b: { failed: 0, errors: [] } });
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n).toBe(count);
    db.close();
  }, 60_000);
});
