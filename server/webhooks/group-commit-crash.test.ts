// Group commit under SIGKILL: the server is killed while deliveries it has received wait for their commit. Those
// deliveries were never acknowledged (no 200), nothing of them is stored, Shopify's retry after the restart is
// accepted, and nothing acknowledged before the kill is lost or doubled. A real `ledgerline serve` process, a real
// SQLite store; the commit window is widened (LEDGERLINE_INGEST_BATCH_MS) so the kill lands inside it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../runtime/testing/fixtures.ts';

const SECRET = 'shpss_crash_test_secret_0123456789';
const bin = new URL('../../bin/ledgerline.js', import.meta.url).pathname;
const template = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');
const tmp = tempDir('ledgerline-group-crash-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmp.cleanup();
});

async function startServer(dataDir: string, batchMs: number): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [bin, 'serve'], {
    // The sources, not dist/: the test is about the code as it is now.
    env: {
      ...process.env,
      LEDGERLINE_FROM_SOURCE: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_ADMIN_PASSWORD: 'crash-admin-pw',
      LEDGERLINE_SANDBOX: '0',
      LEDGERLINE_INGEST_BATCH_MS: String(batchMs),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const base = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (out.length < 200_000) out += d;
      const m = /"url":"(http:[^"]+)"/.exec(out);
      if (m) clearTimeout(timer), ok(m[1]!);
    });
    child.once('exit', (code) => (clearTimeout(timer), fail(new Error(`server exited ${code}:\n${out}`))));
  });
  return { child, base };
}

async function api(base: string, method: string, path: string, token: string | null, payload?: unknown) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, any>>;
}

const bodyFor = (id: string) => template.replace('"note": null', `"note": "crash ${id}"`);

/** One delivery on its own connection: resolves with the status, or with the socket error when there was no answer. */
function deliver(base: string, id: string): Promise<{ status?: number; body?: Record<string, unknown>; error?: string }> {
  const url = new URL(base);
  const body = bodyFor(id);
  return new Promise((ok) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/webhooks/shopify/shop',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'crash.myshopify.com',
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': `wh-${id}`,
          'x-shopify-event-id': id,
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => ok({ status: res.statusCode, body: JSON.parse(text) }));
        res.on('error', (e) => ok({ error: e.message }));
      },
    );
    req.on('error', (e) => ok({ error: e.message }));
    req.end(body);
  });
}

async function awaitingCommit(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^ledgerline_webhooks_awaiting_commit (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('group commit and SIGKILL', () => {
  it('a delivery killed between receipt and commit was not acknowledged; its retry is accepted; nothing lost or doubled', async () => {
    const dataDir = join(tmp.dir, 'data');
    const first = await startServer(dataDir, 1500);
    const { token } = await api(first.base, 'POST', '/api/auth/login', null, { email: 'admin@localhost', password: 'crash-admin-pw' });
    await api(first.base, 'POST', '/api/connections', token, {
      id: 'shop',
      kind: 'shopify',
      provider: 'shopify',
      name: 'Crash shop',
      config: { shopDomain: 'crash.myshopify.com' },
      secrets: { webhookSecret: SECRET },
    });
    await api(first.base, 'POST', '/api/flows', token, {
      schemaVersion: 1,
      id: 'orders',
      name: 'orders',
      nodes: [{ id: 't', type: 'shopify.trigger', position: { x: 0, y: 0 }, config: { connection: 'shop', topic: 'orders/create' } }],
      edges: [],
    });
    await api(first.base, 'POST', '/api/flows/orders/publish', token, { message: 'crash test' });
    await api(first.base, 'POST', '/api/flows/orders/activate', token, {});

    // Acknowledged before the kill: five deliveries sharing a commit.
    const acked = ['ev-a1', 'ev-a2', 'ev-a3', 'ev-a4', 'ev-a5'];
    const ackedAnswers = await Promise.all(acked.map((id) => deliver(first.base, id)));
    for (const a of ackedAnswers) expect(a).toMatchObject({ status: 200, body: { duplicate: false, runs: 1 } });

    // Received, waiting for their commit, when the process is killed.
    const inFlight = ['ev-k1', 'ev-k2', 'ev-k3'];
    const pending = inFlight.map((id) => deliver(first.base, id));
    const until = Date.now() + 30_000;
    while ((await awaitingCommit(first.base)) < inFlight.length) {
      if (Date.now() > until) throw new Error('the deliveries never reached the commit queue');
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    for (const answer of await Promise.all(pending)) {
      expect(answer.status).toBeUndefined(); // no 200, no answer at all: Shopify will retry
      expect(answer.error).toBeTruthy();
    }
    const db = new Database(join(dataDir, 'ledgerline.db'), { readonly: true });
    const keys = () => (db.prepare(`SELECT dedup_key AS k FROM events ORDER BY dedup_key`).all() as { k: string }[]).map((r) => r.k);
    expect(keys()).toEqual([...acked].sort());

    // Restarted: Shopify retries the unacknowledged three (and, as it may, one it had an answer for).
    const second = await startServer(dataDir, 0);
    for (const id of inFlight) expect(await deliver(second.base, id)).toMatchObject({ status: 200, body: { duplicate: false, runs: 1 } });
    expect(await deliver(second.base, 'ev-a1')).toMatchObject({ status: 200, body: { duplicate: true, runs: 0 } });
    expect(keys()).toEqual([...acked, ...inFlight].sort());
    // Each event stored once with exactly the one run it starts.
    const perEvent = db.prepare(`SELECT e.dedup_key AS k, COUNT(r.id) AS runs FROM events e LEFT JOIN runs r ON r.event_id = e.id GROUP BY e.id`).all() as {
      k: string;
      runs: number;
    }[];
    expect(perEvent).toHaveLength(8);
    for (const e of perEvent) expect(e.runs).toBe(1);
    db.close();
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 180_000);
});
