// Issue 17, "Done when": the server is killed (SIGKILL) inside the ERP-post window (Tryton has created the sales
// order, the step has not committed) and restarted: Tryton holds exactly one sales order for the Shopify order. The
// restarted worker's post step finds the order under its claim and Tryton's reference instead of creating another.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../scripts/tryton/start.ts';
import { TrytonRpc } from '../../nodes/erp/tryton/rpc.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { scenario } from './testing/harness.ts';

let tryton: StartedTryton;
const tmp = tempDir('ledgerline-tryton-crash-');
const children: ChildProcess[] = [];
beforeAll(async () => {
  tryton = await startTryton();
}, 600_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await tryton?.stop();
  tmp.cleanup();
});

function worker(mode: 'crash' | 'resume', arg: string): ChildProcess {
  const cfg = JSON.stringify(tryton.login);
  const child = fork(new URL('./testing/tryton-crash-worker.ts', import.meta.url).pathname, [join(tmp.dir, 'data'), cfg, mode, arg], {
    execArgv: ['--no-node-snapshot', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}
function message<T>(child: ChildProcess, t: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${t}" from the worker within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { t: string }) => {
      if (m.t !== t) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code, signal) => reject(new Error(`the worker exited (${signal ?? code}) before "${t}"`)));
  });
}

it("SIGKILL between Tryton's answer and the post step's commit: after restart, one sales order in Tryton, the run succeeds", async () => {
  const order = JSON.parse(scenario('uk-vat-inclusive-discount.orders-paid.json'));
  order.id = 7100009901;
  order.admin_graphql_api_id = 'gid://shopify/Order/7100009901';
  order.name = '#9901';
  const reference = 'gid://shopify/Order/7100009901';
  const rpc = new TrytonRpc(tryton.login);
  const sales = () => rpc.model<number>('sale.sale', 'search_count', [[['reference', '=', reference]]]);
  expect(await sales()).toBe(0);

  const first = worker('crash', JSON.stringify(order));
  const { runId } = await message<{ runId: string }>(first, 'ingested', 120_000);
  await message(first, 'posted', 300_000);
  const exited = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await exited;
  // The window: Tryton has the order, confirmed (booked), and Ledgerline's store has no committed post step for it.
  expect(await sales()).toBe(1);
  const [booked] = await rpc.model<Array<{ state: string }>>('sale.sale', 'search_read', [[['reference', '=', reference]], 0, 2, null, ['state']]);
  expect(booked).toBeDefined();
  expect(booked!.state).not.toBe('draft');

  const second = worker('resume', runId);
  const done = await message<{ status: string; error: unknown; post: Array<{ status: string; output: any }> }>(second, 'finished', 300_000);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  const post = done.post.find((s) => s.status === 'succeeded')!;
  expect(post.output).toMatchObject({ externalId: reference });
  // The resumed step found the order Tryton already had (search by reference under the run's claim).
  expect(post.output.created).toBe(false);
  // Resumed, not posted again: Tryton still has exactly one sales order for the Shopify order, none lost.
  expect(await sales()).toBe(1);
  const [sale] = await rpc.model<Array<{ state: string; description: string }>>('sale.sale', 'search_read', [
    [['reference', '=', reference]],
    0,
    2,
    null,
    ['state', 'description'],
  ]);
  expect(sale?.description).toBe('#9901');
  expect(['confirmed', 'processing', 'done']).toContain(sale?.state);
  second.kill('SIGTERM');
}, 900_000);
