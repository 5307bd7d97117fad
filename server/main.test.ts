import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Serving } from './main.ts';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { noSandbox } from './testing.ts';
import { sqliteOf } from './testing.ts';

describe('serve() on an empty data dir', () => {
  let s: Serving;
  const tmp = tempDir('ledgerline-serve-');
  const logs: string[] = [];
  let printed: { email: string; generatedPassword?: string } | undefined;

  beforeAll(async () => {
    const dist = join(tmp.dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root">designer</div>');
    writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    s = await serve({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(tmp.dir, 'data'),
      env: {},
      sandbox: noSandbox,
      designerDir: dist,
      handleSignals: false,
      log: pino({}, new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) })),
      onFirstAdmin: (a) => (printed = a),
      defaultMetrics: false,
    });
  });
  afterAll(async () => {
    await s.close();
    tmp.cleanup();
  });

  it('is healthy, in sandbox mode, with the sandbox connections', async () => {
    const h = await (await fetch(`${s.url}/healthz`)).json();
    expect(h).toEqual({ ok: true, version: expect.any(String), sandboxMode: true });
    expect((await s.server.deps.connections.list()).map((c) => c.id).sort()).toEqual(['sandbox-erp', 'sandbox-shop']);
    expect((await s.server.deps.connections.secretsOf('sandbox-shop')).webhookSecret).toMatch(/^shpss_/);
  });

  it('creates the first admin with a generated password, handed out once and never logged', async () => {
    expect(printed?.email).toBe('admin@localhost');
    expect(printed?.generatedPassword).toBeTruthy();
    expect(logs.join('')).not.toContain(printed!.generatedPassword!);
    const login = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: printed!.generatedPassword }),
    });
    expect(login.status).toBe(200);
  });

  it('serves the designer with an SPA fallback, and logs one line per request', async () => {
    const root = await fetch(`${s.url}/`);
    expect(await root.text()).toContain('designer');
    expect(root.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await (await fetch(`${s.url}/flows/abc/edit`)).text()).toContain('designer');
    const asset = await fetch(`${s.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${s.url}/assets/missing.js`)).status).toBe(404);
    const api = await fetch(`${s.url}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('not_found');
    expect(logs.some((l) => l.includes('"path":"/flows/abc/edit"') && l.includes('"msg":"request"'))).toBe(true);
  });

  it('documents every route it serves in /api/openapi.json', async () => {
    const doc = await (await fetch(`${s.url}/api/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries<object>(doc.paths)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${p}`);
    const served = s.server.app.routes
      .filter((r) => r.method !== 'ALL' && r.path !== '/api/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(40);
    for (const r of served) expect(documented, r).toContain(r);
  });

  it('answers Shopify deliveries from the node:http listener like the Hono route: stored, counted, secured', async () => {
    const { createHmac } = await import('node:crypto');
    const secret = (await s.server.deps.connections.secretsOf('sandbox-shop')).webhookSecret as string;
    const body = JSON.stringify({ id: 820982911946154500, admin_graphql_api_id: 'gid://shopify/Order/820982911946154500', name: '#9999', note: 'listener' });
    const headers = {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-shop-domain': 'ledgerline-sandbox.myshopify.com',
      'x-shopify-api-version': '2026-04',
      'x-shopify-webhook-id': 'wh-listener',
      'x-shopify-event-id': 'ev-listener',
    };
    const ok = await fetch(`${s.url}/webhooks/shopify/sandbox-shop`, {
      method: 'POST',
      headers: { ...headers, 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64') },
      body,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, duplicate: false });
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(sqliteOf(s.server.runtime).prepare(`SELECT COUNT(*) AS n FROM events WHERE dedup_key = 'ev-listener'`).get()).toEqual({ n: 1 });
    const forged = await fetch(`${s.url}/webhooks/shopify/sandbox-shop`, {
      method: 'POST',
      headers: { ...headers, 'x-shopify-event-id': 'ev-forged', 'x-shopify-hmac-sha256': createHmac('sha256', 'not-the-secret').update(body).digest('base64') },
      body,
    });
    expect(forged.status).toBe(401);
    expect((await fetch(`${s.url}/webhooks/shopify/nobody`, { method: 'POST', headers, body })).status).toBe(404);
    const big = await fetch(`${s.url}/webhooks/shopify/sandbox-shop`, { method: 'POST', headers, body: 'x'.repeat(5 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/ledgerline_http_request_seconds_count\{method="POST",route="\/webhooks\/shopify\/:connectionId",status="200"\} 1/);
    expect(text).toMatch(/ledgerline_webhooks_total\{source="shopify",result="accepted"\} 1/);
    expect(text).toMatch(/ledgerline_webhooks_total\{source="shopify",result="too_large"\} 1/);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    for (const name of [
      'ledgerline_runs_total',
      'ledgerline_queue_depth',
      'ledgerline_step_duration_seconds',
      'ledgerline_webhooks_total',
      'ledgerline_sandbox_calls_total',
    ])
      expect(text).toContain(name);
  });
});

describe('ledgerline serve (process)', () => {
  it('starts, becomes healthy and stops cleanly on SIGTERM', async () => {
    const tmp = tempDir('ledgerline-proc-');
    const child = spawn(process.execPath, ['bin/ledgerline.js', 'serve'], {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LEDGERLINE_DATA_DIR: tmp.dir,
        LEDGERLINE_ADMIN_PASSWORD: 'process-admin-pw',
        LEDGERLINE_SANDBOX: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no listening line:\n${out}`)), 60_000);
      child.stdout.on('data', () => {
        const m = /"url":"(http:[^"]+)"/.exec(out);
        if (m) clearTimeout(timer), ok(m[1]!);
      });
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const code = await new Promise<number | null>((ok) => {
      child.on('exit', (c) => ok(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toContain('process-admin-pw');
    tmp.cleanup();
  }, 90_000);
});
