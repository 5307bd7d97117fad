// A paid order whose webhooks never reached Ledgerline, on a real server in sandbox mode: the orphaned-order check
// raises it with nothing to retry; triage proposes fetching it; an operator does, which runs the flows that take
// orders/paid (the ERP gets its sales order) and the next check resolves the exception. A second fetch queues nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Serving } from '../main.ts';
import { orderPayload } from '../sandbox/payloads.ts';
import type { SandboxStore } from '../../nodes/shopify/index.ts';

let s: Serving;
let dir: string;
let owner = '';
let operator = '';
let client = '';
const PASSWORD = 'fetch-order-pw-1';

async function call<T = any>(method: string, path: string, as: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${as}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

async function login(email: string) {
  const r = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  return ((await r.json()) as { token: string }).token;
}

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs the orphaned-order check now and waits for it to finish. */
async function check() {
  const { body } = await call('POST', '/api/flows/monitor-orphaned-orders/run-now', operator);
  await until(async () => {
    const r = (await call('GET', `/api/runs/${body.runId}`, operator)).body;
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, 'the orphaned-order check');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-fetch-order-'));
  s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    designerDir: null,
    handleSignals: false,
    log: pino({ level: 'silent' }),
    env: { ...process.env, LEDGERLINE_ADMIN_EMAIL: 'owner@example.com', LEDGERLINE_ADMIN_PASSWORD: PASSWORD },
  });
  owner = await login('owner@example.com');
  for (const role of ['operator', 'client']) {
    expect((await call('POST', '/api/users', owner, { email: `${role}@example.com`, role, password: PASSWORD })).status).toBe(201);
  }
  operator = await login('operator@example.com');
  client = await login('client@example.com');
  for (let i = 0; i < 150 && !(await call('GET', '/api/sandbox', owner).catch(() => ({ body: { ready: false } }))).body.ready; i++)
    await new Promise((r) => setTimeout(r, 200));
}, 120_000);

afterAll(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fetching an orphaned order from Shopify', () => {
  it('runs the flows that take paid orders for an order whose webhooks never came, and the check resolves it', async () => {
    const shop = s.server.sandbox!.store as SandboxStore;
    // The shop's webhooks go nowhere: the order is paid in Shopify and Ledgerline never hears of it.
    shop.setWebhookTarget(undefined);
    const order = orderPayload('paid-order', 90, new Date(Date.now() - 60 * 60_000));
    shop.createOrder(order.body);

    await check();
    const { items } = (await call('GET', '/api/exceptions?type=orphaned-order&state=unresolved', operator)).body;
    const exc = items.find((e: any) => e.links.shopify === order.gid);
    expect(exc, JSON.stringify(items)).toMatchObject({ retryable: false, links: { shopifyName: order.name } });
    const triage = (await call('GET', `/api/assist/triage?ids=${exc.id}`, operator)).body.triage[exc.id];
    expect(triage.action).toEqual({ kind: 'fetch-order', label: 'Fetch the order from Shopify and run it', params: { exceptionId: exc.id } });
    expect(triage.nextStep).toMatch(/webhook never came/);

    // A client cannot; an operator can.
    expect((await call('POST', `/api/exceptions/${exc.id}/fetch-order`, client)).status).toBe(403);
    const fetched = await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator);
    expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
    expect(fetched.body.order).toEqual({ id: order.gid, name: order.name });
    expect(fetched.body.queued.map((q: any) => q.flowId).sort()).toEqual(['gift-card-liability', 'order-to-erp']);
    const run = await until(async () => {
      const r = (await call('GET', `/api/runs/${fetched.body.queued.find((q: any) => q.flowId === 'order-to-erp').runId}`, operator)).body;
      return ['succeeded', 'failed', 'skipped'].includes(r.status) ? r : undefined;
    }, 'the fetched order to post');
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.keys).toMatchObject({ shopifyOrderId: order.gid, shopifyOrderName: order.name, shopifyDedupKey: `paid:${order.gid}` });

    // Fetched again before the check: every flow has it, nothing is queued twice.
    const again = await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator);
    expect(again.body).toMatchObject({ queued: [], already: expect.arrayContaining(['order-to-erp', 'gift-card-liability']) });

    await check();
    expect((await call('GET', `/api/exceptions/${exc.id}`, operator)).body).toMatchObject({ state: 'resolved', autoResolved: true });
    expect((await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator)).status).toBe(409);
    const { entries } = (await call('GET', '/api/audit?limit=1000', owner)).body;
    expect(entries.filter((e: any) => e.action === 'exception.fetch-order').map((e: any) => e.details?.order)).toEqual([order.name, order.name]);
  }, 120_000);
});
