// `ledgerline serve --role web|worker|scheduler` as real processes on one data dir (real SQLite, the sandbox ERP the
// server provisions, signed Shopify webhooks): web ×2, worker ×3, scheduler ×2 under a few hundred orders while a
// worker and the leading scheduler are killed -9; then workers draining on SIGTERM.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.ts';
import { getNodeType } from '../nodes/registry.ts';
import { flow, tempDir } from '../runtime/testing/fixtures.ts';
import { noSandbox } from './testing.ts';
import { cpuMs, deliverOrder, logTime, paidOrder, startProc, waitFor, type Proc } from './testing/processes.ts';

const ORDERS = 300;
const LEASE_MS = 3000; // scheduler lease and run lease: a dead process's work resumes within seconds
const TICK_MS = 2000; // the cron flow fires every 2 s
const tmp = tempDir('ledgerline-roles-');
const dataDir = join(tmp.dir, 'data');
const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  tmp.cleanup();
});

async function start(role: string, env: Record<string, string> = {}): Promise<Proc> {
  const p = await startProc(role, dataDir, { LEDGERLINE_SCHEDULER_LEASE_MS: String(LEASE_MS), LEDGERLINE_RUN_LEASE_MS: String(LEASE_MS), ...env });
  procs.push(p);
  return p;
}

/** Flows the test adds from a process of its own, as the CLI or another server would. */
async function addFlows() {
  const rt = createRuntime({ dataDir, lookup: getNodeType, sandbox: noSandbox });
  await rt.flows.create(
    flow(
      'tick',
      [
        { id: 't', type: 'trigger.schedule', config: { cron: '*/2 * * * * *', timezone: 'UTC' } },
        { id: 'echo', type: 'core.code', config: { code: 'return input' } },
      ],
      ['t->echo'],
    ),
  );
  await rt.flows.publish('tick', { activate: true });
  // Two steps of ~3 s of CPU each in the sandbox: a run that is surely mid-way when its worker is told to stop.
  const busy = (label: string) => `const t = Date.now(); while (Date.now() - t < 3000) {} return { ...input, ${label}: true }`;
  await rt.flows.create(
    flow(
      'slow',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'a', type: 'core.code', config: { code: busy('a'), timeoutMs: 10_000 } },
        { id: 'b', type: 'core.code', config: { code: busy('b'), timeoutMs: 10_000 } },
      ],
      ['t->a', 'a->b'],
    ),
  );
  await rt.flows.publish('slow', { activate: true });
  return rt.close();
}

const db = () => {
  const d = new Database(join(dataDir, 'ledgerline.db'), { readonly: true });
  d.pragma('busy_timeout = 5000');
  return d;
};
describe('web ×2, worker ×3, scheduler ×2 on one data dir', () => {
  const web: Proc[] = [];
  let workers: Proc[] = [];
  let schedulers: Proc[] = [];

  it(`acknowledged orders each reach the ERP once while a worker and the leading scheduler are killed -9; crons fire once, without a gap`, async () => {
    // The first process provisions the fresh data dir (store, sandbox connections, templates); the others join it.
    web.push(await start('web'));
    await addFlows();
    const rest = await Promise.all([start('web'), start('worker'), start('worker'), start('worker'), start('scheduler'), start('scheduler')]);
    web.push(rest[0]);
    workers = rest.slice(1, 4);
    schedulers = rest.slice(4);
    for (const p of [...web, ...workers, ...schedulers]) {
      expect((await fetch(`${p.url}/healthz`)).status, p.role).toBe(200);
      expect(await (await fetch(`${p.url}/readyz`)).json(), p.role).toEqual({ ok: true });
    }
    // Workers and schedulers serve health only; web serves the API.
    expect((await fetch(`${workers[0]!.url}/api/openapi.json`)).status).toBe(404);
    expect((await fetch(`${web[1]!.url}/api/openapi.json`)).status).toBe(200);

    const store = db();
    const leader = () => {
      const l = store.prepare(`SELECT holder, term FROM leases WHERE name = 'scheduler'`).get() as { holder: string; term: number } | undefined;
      const s = l && schedulers.find((p) => l.holder.includes(`:${p.child.pid}:`));
      return s ? { proc: s, term: l.term } : undefined;
    };
    await waitFor(() => !!leader(), 10_000, 'a scheduler to lead');
    const first = leader()!;
    const follower = schedulers.find((s) => s !== first.proc)!;
    // Let the cron fire a few times under the first leader.
    await waitFor(
      () => (store.prepare(`SELECT COUNT(*) AS n FROM events WHERE source = 'schedule' AND dedup_key LIKE 'tick@%'`).get() as { n: number }).n >= 2,
      20_000,
      'the cron to fire',
    );

    const cpu0 = new Map([...web, ...workers].map((p) => [p, cpuMs(p)]));
    const acked: string[] = [];
    const refused: number[] = [];
    let next = 0;
    let killedLeaderAt = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ORDERS) {
          const n = next++;
          if (n === Math.floor(ORDERS / 3)) workers[0]!.child.kill('SIGKILL');
          if (n === Math.floor((2 * ORDERS) / 3)) {
            killedLeaderAt = Date.now();
            first.proc.child.kill('SIGKILL');
          }
          const { gid, body } = paidOrder(n);
          const status = await deliverOrder(web[n % 2]!.url, body);
          if (status === 200) acked.push(gid);
          else refused.push(status);
        }
      }),
    );
    const loadMs = Date.now() - t0;
    if (refused.length)
      console.error(
        web
          .map((w) =>
            w
              .lines()
              .filter((l) => (l.level as number) >= 40)
              .slice(0, 5)
              .map((l) => JSON.stringify(l))
              .join('\n'),
          )
          .join('\n'),
      );
    expect(refused).toEqual([]);
    expect(acked).toHaveLength(ORDERS);
    expect((await workers[0]!.exited).signal).toBe('SIGKILL');

    const erp = new Database(join(dataDir, 'sandbox-erp.sqlite'), { readonly: true });
    erp.pragma('busy_timeout = 5000');
    const posted = () =>
      new Map(
        (erp.prepare(`SELECT external_id AS id, COUNT(*) AS n FROM sales_orders GROUP BY external_id`).all() as { id: string; n: number }[]).map((r) => [
          r.id,
          r.n,
        ]),
      );
    try {
      await waitFor(() => acked.every((g) => posted().has(g)), 120_000, 'every acknowledged order to reach the ERP', 500);
    } catch (e) {
      const p = posted();
      const missing = acked.filter((g) => !p.has(g));
      const why = store.prepare(
        `SELECT r.id, r.status, r.error, r.lease_owner, r.lease_until, r.available_at FROM run_keys k JOIN runs r ON r.id = k.run_id WHERE k.key = 'shopifyOrderId' AND k.value = ?`,
      );
      console.error(JSON.stringify({ missing: missing.length, examples: missing.slice(0, 3).map((g) => ({ g, runs: why.all(g) })) }, null, 1).slice(0, 4000));
      throw e;
    }
    const drainedMs = Date.now() - t0;
    // CPU per order of each process kind (the killed worker's share is lost with it: a floor for workers).
    const perOrder = (ps: Proc[]) => +(ps.reduce((sum, p) => sum + cpuMs(p) - (cpu0.get(p) ?? 0), 0) / ORDERS).toFixed(2);
    const cpuPerOrderMs = { web: perOrder(web), workers: perOrder(workers.slice(1)) };
    const counts = posted();
    expect(acked.filter((g) => counts.get(g) !== 1)).toEqual([]);
    // …through exactly one run each, all succeeded (the runs of the killed worker resumed elsewhere).
    const runsOf = store.prepare(
      `SELECT k.value AS gid, COUNT(*) AS n, SUM(r.status = 'succeeded') AS ok FROM run_keys k JOIN runs r ON r.id = k.run_id
         WHERE k.key = 'shopifyOrderId' AND r.flow_id = 'order-to-erp' GROUP BY k.value`,
    );
    const runs = runsOf.all() as { gid: string; n: number; ok: number }[];
    let byGid = new Map(runs.map((r) => [r.gid, r]));
    // A run posts its sales order before its last steps commit: wait for the runs to finish, then count them.
    await waitFor(
      () => {
        byGid = new Map((runsOf.all() as typeof runs).map((r) => [r.gid, r]));
        return acked.every((g) => (byGid.get(g)?.ok ?? 0) >= 1);
      },
      60_000,
      'the runs of every order to finish',
      250,
    ).catch(() => undefined);
    const odd = acked.filter((g) => byGid.get(g)?.n !== 1 || byGid.get(g)?.ok !== 1);
    if (odd.length) {
      const why = store.prepare(
        `SELECT r.id, r.status, r.error, r.lease_owner, r.started_at, r.finished_at, (SELECT group_concat(s.node_id || ':' || s.status || ':' || s.attempts || ':' || COALESCE(s.error, ''), ' | ') FROM steps s WHERE s.run_id = r.id) AS steps FROM run_keys k JOIN runs r ON r.id = k.run_id WHERE k.key = 'shopifyOrderId' AND k.value = ?`,
      );
      console.error(
        JSON.stringify(
          odd.slice(0, 3).map((g) => ({ g, runs: why.all(g) })),
          null,
          1,
        ).slice(0, 4000),
      );
    }
    expect(odd).toEqual([]);

    // The follower took over within the lease (plus one renewal interval) of the leader's death.
    // The lease row turns over a moment before the new leader's log line reaches our pipe: wait for both.
    await waitFor(() => leader()?.proc === follower && logTime(follower, 'became leader') !== undefined, LEASE_MS * 3, 'the follower to lead');
    const tookOverAt = logTime(follower, 'became leader')!;
    const takeoverMs = tookOverAt - killedLeaderAt;
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + LEASE_MS / 3 + 1000);
    expect(leader()!.term).toBe(first.term + 1);

    // Let the new leader fire a few more times, then: every 2-second occurrence from the first to the last fired
    // once — none twice, none lost across the failover — and each started one run.
    await waitFor(() => Date.now() - tookOverAt > 3 * TICK_MS, 10_000, 'more ticks');
    // Only a leader arms schedules: the follower armed none before it led.
    const armedAt = follower
      .lines()
      .filter((l) => l.msg === 'schedule armed')
      .map((l) => l.time as number);
    expect(armedAt.length).toBeGreaterThan(0);
    expect(armedAt.every((t) => t >= tookOverAt)).toBe(true);
    const ticks = store
      .prepare(
        `SELECT e.dedup_key AS k, COUNT(r.id) AS runs FROM events e LEFT JOIN runs r ON r.event_id = e.id WHERE e.source = 'schedule' AND e.dedup_key LIKE 'tick@%' GROUP BY e.id ORDER BY e.dedup_key`,
      )
      .all() as { k: string; runs: number }[];
    const at = ticks.map((t) => Date.parse(t.k.slice('tick@'.length)));
    expect(new Set(at).size).toBe(at.length);
    expect(ticks.every((t) => t.runs === 1)).toBe(true);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.filter((g) => g !== TICK_MS)).toEqual([]);
    expect(at.some((t) => t > killedLeaderAt - LEASE_MS && t < tookOverAt)).toBe(true); // the failover window is covered
    const caughtUp = follower.lines().filter((l) => l.msg === 'schedule caught up after a leader change').length;

    console.log(
      JSON.stringify({ orders: ORDERS, loadMs, allInErpAfterMs: drainedMs, cpuPerOrderMs, takeoverMs, ticks: at.length, caughtUpByNewLeader: caughtUp }),
    );
    erp.close();
    store.close();
  }, 300_000);

  it('workers drain on SIGTERM: a run not finished in the grace period is released at once and resumed by another worker, nothing lost, exit 0', async () => {
    // The survivors from above are idle: SIGTERM ends them at once, with exit code 0.
    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    for (const w of workers.slice(1)) expect(await w.exited).toEqual({ code: 0, signal: null });

    // A worker whose run lease (60 s) would keep a dead worker's runs for a minute, with a 2 s grace period.
    const drainEnv = { LEDGERLINE_RUN_LEASE_MS: '60000', LEDGERLINE_DRAIN_GRACE_MS: '2000' };
    const a = await start('worker', drainEnv);
    // Another process (this test) enqueues: the worker finds the runs by polling the shared store.
    const rt = createRuntime({ dataDir, lookup: getNodeType, sandbox: noSandbox });
    const version = (await rt.flows.get('slow')).activeVersion as number;
    const ids: string[] = [];
    for (const i of [1, 2])
      ids.push((await rt.queue.ingest({ source: 'drain-test', dedupKey: String(i), payload: { i }, targets: [{ flowId: 'slow', version }] })).runIds[0]!);
    const run = (id: string) =>
      rt.store.sqlite.prepare(`SELECT status, lease_owner AS owner, lease_until AS until FROM runs WHERE id = ?`).get(id) as {
        status: string;
        owner: string | null;
        until: number | null;
      };
    await waitFor(() => ids.every((id) => run(id).owner?.endsWith(`:${a.child.pid}`)), 20_000, 'the worker to claim both runs');
    await new Promise((r) => setTimeout(r, 500));

    const termAt = Date.now();
    a.child.kill('SIGTERM');
    const exit = await a.exited;
    const exitMs = Date.now() - termAt;
    expect(exit).toEqual({ code: 0, signal: null });
    // Grace (2 s), then the steps in flight end (~3 s each) and the runs stop there: well before the 60 s lease.
    expect(exitMs).toBeLessThan(15_000);
    expect(a.out()).toContain('"msg":"released the leases of runs not finished in the grace period"');
    for (const id of ids) {
      expect(run(id)).toMatchObject({ status: 'running', until: 0 }); // released, not waiting out the lease
      // The step that finished during the drain was kept: the next worker does not run it again.
      expect(rt.store.sqlite.prepare(`SELECT status, attempts FROM steps WHERE run_id = ? AND node_id = 'a'`).get(id)).toEqual({
        status: 'succeeded',
        attempts: 1,
      });
    }

    const b = await start('worker', drainEnv);
    await waitFor(() => ids.every((id) => run(id).status === 'succeeded'), 30_000, 'the next worker to finish the released runs');
    expect(Date.now() - termAt).toBeLessThan(60_000);
    for (const id of ids) {
      const steps = rt.store.sqlite.prepare(`SELECT node_id AS node, attempts FROM steps WHERE run_id = ? ORDER BY node_id`).all(id);
      expect(steps).toEqual([
        { node: 'a', attempts: 1 },
        { node: 'b', attempts: 1 },
        { node: 't', attempts: 1 },
      ]);
    }
    await rt.close();

    // Web and scheduler processes stop cleanly too; the leader gives its lease up on the way out.
    b.child.kill('SIGTERM');
    const leaderLeft = schedulers.find((s) => s.child.exitCode === null && s.child.signalCode === null)!;
    leaderLeft.child.kill('SIGTERM');
    for (const p of [...web, b, leaderLeft]) p === b || p === leaderLeft || p.child.kill('SIGTERM');
    for (const p of [...web, b, leaderLeft]) expect(await p.exited, p.role).toEqual({ code: 0, signal: null });
    expect(leaderLeft.out()).toContain('"msg":"leadership released"');
  }, 180_000);
});
