// The deployment as `npm start` serves it: an existing single-merchant data dir keeps its users and flows as the
// default workspace, a further workspace gets its own cell, and webhooks reach the workspace named in their URL
// through main.ts's node:http fast path as well.
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Serving } from '../main.ts';
import { ADMIN, MASTER_KEY, METRICS_TOKEN, PASSWORD, flow, noSandbox, testServer, testShopifyTrigger } from '../testing.ts';
import { coreNodes } from '../../nodes/core/index.ts';
import { Calls, testNodes } from '../../runtime/testing/fixtures.ts';
import { workspaceCommand } from '../commands/workspace.ts';
import { rawCount } from '../../runtime/testing/raw.ts';
import { passDatabaseUrl } from '../../runtime/testing/pass.ts';

const SECRET = 'shpss_workspace_b_secret';
let s: Serving;
let dir = '';
let databaseUrl: string | undefined;
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  // A data dir from before workspaces: one merchant, a consultant and a published flow.
  const old = await testServer({ withRoles: true });
  await old.server.runtime.flows.create(flow('legacy', [{ id: 't', type: 'trigger.manual' }], []));
  await old.server.runtime.flows.publish('legacy', { message: 'v1' });
  await old.server.close();
  dir = old.dir;
  cleanup = () => old.close();
  // The PostgreSQL pass: the database the old server's data dir has (a data dir's store, on either pass).
  databaseUrl = await passDatabaseUrl(dir);
  s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    ...(databaseUrl ? { databaseUrl } : {}),
    env: { LEDGERLINE_MASTER_KEY: MASTER_KEY, LEDGERLINE_METRICS_TOKEN: METRICS_TOKEN },
    sandbox: noSandbox,
    sandboxMode: false,
    designerDir: null,
    templatesDir: null,
    handleSignals: false,
    nodeTypes: [...coreNodes, ...testNodes(new Calls()), testShopifyTrigger],
    log: pino({ level: 'warn' }, new Writable({ write: (_c, _e, cb) => cb() })),
    defaultMetrics: false,
  });
});
afterAll(async () => {
  await s?.close();
  await cleanup();
});

const login = async (email: string, password: string) => {
  const r = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
};
const api = (token: string, path: string, o: { workspace?: string; method?: string; body?: unknown } = {}) =>
  fetch(`${s.url}${path}`, {
    method: o.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(o.workspace ? { 'x-ledgerline-workspace': o.workspace } : {}) },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });

describe('an existing single-merchant data dir served as a deployment', () => {
  it('keeps its users, their roles and its flows as the default workspace', async () => {
    const token = await login('consultant@example.com', PASSWORD);
    const ws = (await (await api(token, '/api/workspaces')).json()) as { workspaces: { id: string; role: string }[]; owner: boolean };
    expect(ws).toMatchObject({ owner: false, workspaces: [{ id: 'default', role: 'consultant' }] });
    const flows = (await (await api(token, '/api/flows')).json()) as { flows: { id: string }[] };
    expect(flows.flows.map((f) => f.id)).toContain('legacy');
    expect([...s.deployment.cells().keys()]).toEqual(['default']);
  });

  it('creates a workspace in its own data dir and routes signed webhooks to it on the fast path', async () => {
    const owner = await login(ADMIN.email, ADMIN.password);
    const created = await api(owner, '/api/workspaces', { method: 'POST', body: { id: 'b', name: 'Brand B' } });
    expect(created.status).toBe(201);
    // Its own store: a SQLite file in its own folder, or its own schema of the database.
    if (databaseUrl) expect(s.deployment.cell('b')?.runtime.store).toMatchObject({ dialect: 'postgres', schema: 'ws_b' });
    else expect(existsSync(join(dir, 'workspaces', 'b', 'ledgerline.db'))).toBe(true);
    const conn = await api(owner, '/api/connections', {
      workspace: 'b',
      method: 'POST',
      body: {
        id: 'shop',
        kind: 'shopify',
        provider: 'shopify',
        name: 'Shop B',
        config: { shopDomain: 'b.myshopify.com' },
        secrets: { webhookSecret: SECRET, accessToken: 'shpat_b' },
      },
    });
    expect(conn.status).toBe(201);
    const B = s.deployment.cell('b')!;
    await B.runtime.flows.create(flow('orders', [{ id: 't', type: 'test.shopify-trigger', config: { connectionId: 'shop', topics: ['orders/create'] } }], []));
    await B.runtime.flows.publish('orders', { activate: true });

    const body = JSON.stringify({ id: 7, total_price: '1.00' });
    const deliver = (path: string) =>
      fetch(`${s.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'b.myshopify.com',
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
        },
        body,
      });
    const r = await deliver('/webhooks/shopify/b/shop');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, runs: 1 });
    // The default workspace has no such connection: its URL (no workspace) does not reach B.
    expect((await deliver('/webhooks/shopify/shop')).status).toBe(404);
    expect((await deliver('/webhooks/shopify/zz/shop')).status).toBe(404);
    const runs = await rawCount(s.deployment.defaultCell.runtime.store, 'SELECT COUNT(*) AS n FROM runs');
    expect(runs).toBe(0);

    // B's metrics carry its workspace label; the default's stay unlabelled.
    const metrics = async (workspace?: string) =>
      (
        await fetch(`${s.url}/metrics`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}`, ...(workspace ? { 'x-ledgerline-workspace': workspace } : {}) },
        })
      ).text();
    expect(await metrics('b')).toMatch(/ledgerline_runs_queued_total\{flow="orders",workspace="b"\} 1/);
    expect(await metrics()).not.toContain('workspace=');

    // Restarted, the deployment opens B again from the directory.
    await s.close();
    s = await serve({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: { LEDGERLINE_MASTER_KEY: MASTER_KEY },
      sandbox: noSandbox,
      sandboxMode: false,
      designerDir: null,
      templatesDir: null,
      handleSignals: false,
      log: pino({ level: 'warn' }, new Writable({ write: (_c, _e, cb) => cb() })),
      defaultMetrics: false,
      nodeTypes: [...coreNodes, testShopifyTrigger],
    });
    expect([...s.deployment.cells().keys()]).toEqual(['default', 'b']);
    const again = await login(ADMIN.email, ADMIN.password);
    const conns = (await (await api(again, '/api/connections', { workspace: 'b' })).json()) as { connections: { id: string }[] };
    expect(conns.connections.map((c) => c.id)).toEqual(['shop']);
  });

  it('serves a workspace the CLI created while it runs, without a restart', async () => {
    const out: string[] = [];
    // On the PostgreSQL pass the CLI finds the deployment's directory through the database URL, as an operator's would.
    const url = await passDatabaseUrl(dir);
    const env = url ? { LEDGERLINE_DATABASE_URL: url } : {};
    expect(await workspaceCommand(['create', 'cli-made', '--data-dir', dir], { out: (x) => out.push(x), err: (x) => out.push(x), env }), out.join('\n')).toBe(
      0,
    );
    const owner = await login(ADMIN.email, ADMIN.password);
    expect((await api(owner, '/api/flows', { workspace: 'cli-made' })).status).toBe(404);
    expect(await s.deployment.refresh()).toEqual(['cli-made']);
    const flows = await api(owner, '/api/flows', { workspace: 'cli-made' });
    expect(flows.status).toBe(200);
    expect(await flows.json()).toEqual({ flows: [] });
  });
});
