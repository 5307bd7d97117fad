// Many merchants on PostgreSQL as real processes: `ledgerline serve --role web` ×2, `--role worker` ×3 and
// `--role scheduler` ×2 with LEDGERLINE_DATABASE_URL on a throwaway database and one shared data dir; three
// workspaces made over the API as a user makes them (each its own Shopify connection and webhook secret, its own
// sandbox ERP, an order→ERP flow and a cron firing every 2 s); 5,000 signed order webhooks round-robin over the
// workspaces and the web processes while a worker and the leading scheduler are killed -9.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flow, tempDir } from '../runtime/testing/fixtures.ts';
import { pgUnavailable, throwawayDatabase, type ThrowawayDatabase } from '../runtime/testing/pg.ts';
import { pgSchemaOf } from '../runtime/store/pg-store.ts';
import { workspaceDir } from './workspaces/deployment.ts';
import { cpuMs, deliverOrder, deliveryErrors, paidOrder, startProc, waitFor, type DeliveryTarget, type Proc } from './testing/processes.ts';

const ORDERS = Number(process.env.LEDGERLINE_MANY_MERCHANTS_ORDERS ?? 5000);
const SENDERS = 12;
const LEASE_MS = 3000; // scheduler lease and run lease: a dead process's work resumes within seconds
const TICK_MS = 2000; // each workspace's cron fires every 2 s
const WORKSPACES: readonly string[] = ['north', 'south', 'west'];
const ADMIN = { email: 'owner@merchants.test', password: 'many-merchants-pw' };
const secretOf = (ws: string) => `shpss_${ws}_webhook_secret_0123456789`;
const targetOf = (ws: string): DeliveryTarget => ({ path: `/webhooks/shopify/${ws}/shop`, secret: secretOf(ws), shopDomain: `${ws}.myshopify.com` });

const unavailable = await pgUnavailable();
const tmp = tempDir('ledgerline-merchants-');
const dataDir = join(tmp.dir, 'data');
const procs: Proc[] = [];
let database: ThrowawayDatabase | undefined;

beforeAll(async () => {
  if (!unavailable) database = await throwawayDatabase();
});
afterAll(async () => {
  // LEDGERLINE_TEST_LOGS=dir keeps every process's log there (for a failure's post-mortem).
  const keep = process.env.LEDGERLINE_TEST_LOGS;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    for (const p of procs) writeFileSync(join(keep, `${p.role}-${p.child.pid}.log`), p.out());
  }
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await database?.drop();
  tmp.cleanup();
});

async function start(role: string): Promise<Proc> {
  const p = await startProc(role, dataDir, {
    LEDGERLINE_DATABASE_URL: database!.url,
    LEDGERLINE_SCHEDULER_LEASE_MS: String(LEASE_MS),
    LEDGERLINE_RUN_LEASE_MS: String(LEASE_MS),
    LEDGERLINE_ADMIN_EMAIL: ADMIN.email,
    LEDGERLINE_ADMIN_PASSWORD: ADMIN.password,
  });
  procs.push(p);
  return p;
}

/** The order→ERP flow of a workspace: its Shopify connection's orders/paid, mapped to a sales order, posted to its ERP. */
const ordersFlow = () =>
  flow(
    'orders',
    [
      { id: 'shopify', type: 'shopify.trigger', config: { connection: 'shop', topic: 'orders/paid' } },
      {
        id: 'sales-order',
        type: 'core.map',
        config: {
          fields: [
            { target: 'externalId', source: { kind: 'path', path: 'order.id' } },
            { target: 'reference', source: { kind: 'path', path: 'order.name' } },
            { target: 'currency', source: { kind: 'path', path: 'order.currency' } },
            { target: 'date', source: { kind: 'path', path: 'order.createdAt' }, transforms: [{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }] },
            { target: 'warehouse', source: { kind: 'const', value: 'WH' } },
            { target: 'customer.externalId', source: { kind: 'const', value: 'shopify-guest' } },
            { target: 'customer.name', source: { kind: 'const', value: 'Shopify guest' } },
            {
              target: 'lines',
              source: {
                kind: 'each',
                path: 'order.lineItems',
                fields: [
                  { target: 'sku', source: { kind: 'path', path: 'sku' } },
                  { target: 'quantity', source: { kind: 'path', path: 'quantity' }, transforms: [{ op: 'type', to: 'decimal' }] },
                  {
                    target: 'unitPrice',
                    source: { kind: 'path', path: 'unitPrice.shop.amount' },
                    transforms: [{ op: 'decimal', places: 2, rounding: 'half-up' }],
                  },
                ],
              },
            },
          ],
        },
      },
      // Lines only (no tax, shipping or discounts): a durability test, not the books' check.
      { id: 'post', type: 'erp.post-sales-order', config: { connection: 'erp', verify: false } },
    ],
    ['shopify->sales-order', 'sales-order->post'],
  );

const tickFlow = () =>
  flow(
    'tick',
    [
      { id: 't', type: 'trigger.schedule', config: { cron: '*/2 * * * * *', timezone: 'UTC' } },
      { id: 'm', type: 'core.map', config: { fields: [{ target: 'ticked', source: { kind: 'const', value: true } }] } },
    ],
    ['t->m'],
  );

/** Makes the workspaces over one web process's API, as their owner would. */
async function createWorkspaces(web: Proc) {
  const login = await fetch(`${web.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const api = async (path: string, body: unknown, workspace?: string) => {
    const r = await fetch(`${web.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(workspace ? { 'x-ledgerline-workspace': workspace } : {}) },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    expect(r.status, `${path} in ${workspace ?? 'the deployment'}: ${text}`).toBeLessThan(300);
  };
  for (const ws of WORKSPACES) {
    await api('/api/workspaces', { id: ws, name: `Brand ${ws}` });
    await api(
      '/api/connections',
      {
        id: 'shop',
        kind: 'shopify',
        provider: 'shopify',
        name: `Shop ${ws}`,
        config: { shopDomain: `${ws}.myshopify.com` },
        secrets: { webhookSecret: secretOf(ws), accessToken: `shpat_${ws}` },
      },
      ws,
    );
    await api('/api/connections', { id: 'erp', kind: 'erp', provider: 'sandbox', name: `ERP ${ws}`, config: { currency: 'USD' } }, ws);
    for (const doc of [ordersFlow(), tickFlow()]) {
      await api('/api/flows', doc, ws);
      await api(`/api/flows/${doc.id}/publish`, {}, ws);
      await api(`/api/flows/${doc.id}/activate`, {}, ws);
    }
  }
}

/** A query on one workspace's schema. */
const q = async <R>(ws: string, sql: string, params: unknown[] = []): Promise<R[]> =>
  (await database!.pool.query(sql.replaceAll('$S', `"${pgSchemaOf(ws)}"`), params)).rows as R[];

interface LeaseRow {
  holder: string;
  term: number;
  acquired_at: string;
}
const leaseOf = async (ws: string) => (await q<LeaseRow>(ws, `SELECT holder, term, acquired_at FROM $S.leases WHERE name = 'scheduler'`))[0];
const holds = (p: Proc, l: LeaseRow | undefined) => !!l && l.holder.includes(`:${p.child.pid}:`);

describe.skipIf(unavailable)('many merchants on PostgreSQL: web ×2, worker ×3, scheduler ×2, three workspaces', () => {
  it(`${ORDERS} acknowledged orders each reach their own workspace's ERP once while a worker and the leading scheduler are killed -9; crons fire once`, async () => {
    const setupAt = Date.now();
    // The first process provisions the store (the default workspace's schema, the first admin); the workspaces are
    // made over its API, then every other process opens them at its start.
    const web = [await start('web')];
    await createWorkspaces(web[0]!);
    // One scheduler first, so that it leads every workspace: the one killed below is the leader of all of them.
    const first = await start('scheduler');
    const started = await Promise.all([start('web'), start('worker'), start('worker'), start('worker')]);
    web.push(started[0]!);
    const workers = started.slice(1);
    await waitFor(
      async () => (await Promise.all(WORKSPACES.map(leaseOf))).every((l) => holds(first, l)),
      30_000,
      'the first scheduler to lead every workspace',
    );
    const second = await start('scheduler');
    for (const p of procs) expect(await (await fetch(`${p.url}/readyz`)).json(), p.role).toEqual({ ok: true });
    // Let every cron fire a couple of times under the first leader.
    const ticks = (ws: string) =>
      q<{ k: string; runs: number }>(
        ws,
        `SELECT e.dedup_key AS k, COUNT(r.id)::int AS runs FROM $S.events e LEFT JOIN $S.runs r ON r.event_id = e.id
          WHERE e.source = 'schedule' AND e.dedup_key LIKE 'tick@%' GROUP BY e.id, e.dedup_key ORDER BY e.dedup_key`,
      );
    await waitFor(async () => (await Promise.all(WORKSPACES.map(ticks))).every((t) => t.length >= 2), 30_000, 'every cron to fire');
    const setupMs = Date.now() - setupAt;

    const cpu0 = new Map(procs.map((p) => [p, cpuMs(p)]));
    const acked = new Map<string, string>(); // order GID → its workspace
    const refused: number[] = [];
    const retries: number[] = []; // the status of each delivery that was sent again
    let next = 0;
    let killedLeaderAt = 0;
    let victim: Proc | undefined;
    const termsAtKill = new Map<string, number>(); // the workspaces the killed scheduler led, with their lease's term then
    const killed = workers[Math.floor(Math.random() * workers.length)]!;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < ORDERS) {
          const n = next++;
          if (n === Math.floor(ORDERS / 3)) killed.child.kill('SIGKILL');
          if (n === Math.floor((2 * ORDERS) / 3)) {
            // The leader now: under load a lease can lapse and change hands between live schedulers before this.
            const leases = await Promise.all(WORKSPACES.map(leaseOf));
            const led = (p: Proc) => leases.filter((l) => holds(p, l)).length;
            victim = led(first) >= led(second) ? first : second;
            for (const [i, ws] of WORKSPACES.entries()) if (holds(victim, leases[i])) termsAtKill.set(ws, leases[i]!.term);
            killedLeaderAt = Date.now();
            victim.child.kill('SIGKILL');
          }
          const ws = WORKSPACES[n % WORKSPACES.length]!;
          const { gid, body } = paidOrder(n);
          // As Shopify does, a delivery not answered 200 (a refusal, or a connection cut under this load) is sent
          // again with the same ids: once stored, a retry must start nothing more.
          const ids = { webhookId: randomUUID(), eventId: randomUUID() };
          let status = 0;
          for (let attempt = 0; attempt < 5 && status !== 200; attempt++) {
            if (attempt) {
              retries.push(status);
              await new Promise((r) => setTimeout(r, 500 * attempt));
            }
            status = await deliverOrder(web[(n + attempt) % web.length]!.url, body, targetOf(ws), ids);
          }
          if (status === 200) acked.set(gid, ws);
          else refused.push(status);
        }
      }),
    );
    const ackedMs = Date.now() - t0;
    if (refused.length)
      console.error(
        web
          .flatMap((w) => w.lines().filter((l) => (l.level as number) >= 50))
          .slice(0, 6)
          .map((l) => JSON.stringify(l))
          .join('\n'),
      );
    expect(refused).toEqual([]);
    expect(acked.size).toBe(ORDERS);
    expect((await killed.exited).signal).toBe('SIGKILL');
    expect((await victim!.exited).signal).toBe('SIGKILL');
    const survivor = victim === first ? second : first;
    expect(termsAtKill.size).toBeGreaterThan(0);

    // Each workspace's sandbox ERP is its own file in its own data dir.
    const erps = new Map(
      WORKSPACES.map((ws) => {
        const erp = new Database(join(workspaceDir(dataDir, ws), 'sandbox-erp.sqlite'), { readonly: true });
        erp.pragma('busy_timeout = 5000');
        return [ws, erp] as const;
      }),
    );
    const posted = (ws: string) =>
      new Map(
        (erps.get(ws)!.prepare(`SELECT external_id AS id, COUNT(*) AS n FROM sales_orders GROUP BY external_id`).all() as { id: string; n: number }[]).map(
          (r) => [r.id, r.n],
        ),
      );
    const missing = () => {
      const now = new Map(WORKSPACES.map((ws) => [ws, posted(ws)]));
      return [...acked].filter(([gid, ws]) => !now.get(ws)!.has(gid));
    };
    try {
      await waitFor(() => missing().length === 0, 300_000, 'every acknowledged order to reach its ERP', 1000);
    } catch (e) {
      const left = missing();
      const examples = await Promise.all(
        left.slice(0, 3).map(async ([gid, ws]) => ({
          gid,
          ws,
          runs: await q(
            ws,
            `SELECT r.id, r.status, r.error, r.lease_owner, r.lease_until, r.available_at FROM $S.run_keys k JOIN $S.runs r ON r.id = k.run_id WHERE k.key = 'shopifyOrderId' AND k.value = $1`,
            [gid],
          ),
        })),
      );
      console.error(JSON.stringify({ missing: left.length, examples }, null, 1).slice(0, 4000));
      throw e;
    }
    const inErpMs = Date.now() - t0;
    const perOrder = (ps: Proc[]) => +(ps.reduce((sum, p) => sum + cpuMs(p) - (cpu0.get(p) ?? 0), 0) / ORDERS).toFixed(2);
    // The killed worker's share went with it: the workers' figure is a floor.
    const cpuPerOrderMs = { web: perOrder(web), workers: perOrder(workers.filter((w) => w !== killed)), scheduler: perOrder([survivor]) };

    // Exactly one sales order per acknowledged order in its own workspace's ERP, none in another's.
    const all = new Map(WORKSPACES.map((ws) => [ws, posted(ws)]));
    expect([...acked].filter(([gid, ws]) => all.get(ws)!.get(gid) !== 1)).toEqual([]);
    expect([...acked].filter(([gid, ws]) => WORKSPACES.some((other) => other !== ws && all.get(other)!.has(gid)))).toEqual([]);
    for (const ws of WORKSPACES) expect([...all.get(ws)!.keys()].filter((gid) => acked.get(gid) !== ws)).toEqual([]);

    // …each through exactly one run of its own workspace, succeeded (the killed worker's runs resumed elsewhere). A
    // run posts its sales order before its last step commits: wait for the runs to finish before counting them.
    const runsOf = (ws: string) =>
      q<{ gid: string; n: number; ok: number }>(
        ws,
        `SELECT k.value AS gid, COUNT(*)::int AS n, SUM(CASE WHEN r.status = 'succeeded' THEN 1 ELSE 0 END)::int AS ok
           FROM $S.run_keys k JOIN $S.runs r ON r.id = k.run_id WHERE k.key = 'shopifyOrderId' AND r.flow_id = 'orders' GROUP BY k.value`,
      );
    let runs = new Map<string, { n: number; ok: number }>();
    const readRuns = async () => {
      runs = new Map();
      for (const ws of WORKSPACES) for (const r of await runsOf(ws)) runs.set(`${ws} ${r.gid}`, r);
    };
    await waitFor(
      async () => {
        await readRuns();
        return [...acked].every(([gid, ws]) => (runs.get(`${ws} ${gid}`)?.ok ?? 0) >= 1);
      },
      60_000,
      'the runs of every order to finish',
      500,
    ).catch(() => undefined);
    expect([...acked].filter(([gid, ws]) => runs.get(`${ws} ${gid}`)?.n !== 1 || runs.get(`${ws} ${gid}`)?.ok !== 1)).toEqual([]);
    expect(runs.size).toBe(ORDERS);

    // The other scheduler took over every workspace the killed one led within the lease (plus one renewal interval
    // and slack) of its death, in a later term.
    await waitFor(async () => (await Promise.all(WORKSPACES.map(leaseOf))).every((l) => holds(survivor, l)), LEASE_MS * 3, 'the survivor to lead');
    const takeoverMs: Record<string, number> = {};
    for (const [ws, term] of termsAtKill) {
      const l = (await leaseOf(ws))!;
      expect(l.term).toBeGreaterThan(term);
      takeoverMs[ws] = Number(l.acquired_at) - killedLeaderAt;
    }
    expect(Math.max(...Object.values(takeoverMs))).toBeLessThanOrEqual(LEASE_MS + LEASE_MS / 3 + 1500);
    // Leases that lapsed under load between live schedulers (each a change of leader before the kill).
    const lapses = [first, second].reduce((n, p) => n + p.lines().filter((l) => l.msg === 'lost leadership').length, 0);

    // Let the new leader fire a few more times; then in every workspace each 2-second occurrence from the first to
    // the last fired once (none twice, none lost across the failover), each starting one run.
    const tookOverAt = killedLeaderAt + Math.max(...Object.values(takeoverMs));
    await waitFor(() => Date.now() - tookOverAt > 3 * TICK_MS, 10_000, 'more ticks');
    const fired: Record<string, number> = {};
    for (const ws of WORKSPACES) {
      const t = await ticks(ws);
      const at = t.map((x) => Date.parse(x.k.slice('tick@'.length)));
      fired[ws] = at.length;
      expect(new Set(at).size, ws).toBe(at.length);
      expect(
        t.filter((x) => x.runs !== 1),
        ws,
      ).toEqual([]);
      expect(
        at.slice(1).flatMap((a, i) => (a - at[i]! === TICK_MS ? [] : [[new Date(at[i]!).toISOString(), a - at[i]!]])),
        ws,
      ).toEqual([]);
      expect(
        at.some((a) => a > killedLeaderAt - LEASE_MS && a < tookOverAt),
        ws,
      ).toBe(true);
    }

    console.log(
      JSON.stringify({
        orders: ORDERS,
        senders: SENDERS,
        setupMs,
        ackedMs,
        inErpMs,
        ordersPerSecond: +((ORDERS * 1000) / inErpMs).toFixed(1),
        retried: retries.length,
        connectionErrors: Object.fromEntries(deliveryErrors),
        takeoverMs,
        leaseLapsesBeforeKill: lapses,
        cpuPerOrderMs,
        ticks: fired,
      }),
    );
    for (const erp of erps.values()) erp.close();
  }, 1_200_000);
});
