// Helpers for tests that run `ledgerline serve --role …` as real processes on one data dir: start one and wait for
// its listening line, read its JSON log, send signed Shopify order webhooks as Shopify would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const WEBHOOK_SECRET = 'shpss_roles_test_0123456789abcdef';

export interface Proc {
  role: string;
  child: ChildProcess;
  url: string;
  /** Everything it logged so far (JSON lines). */
  out: () => string;
  lines: () => Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startProc(role: string, dataDir: string, env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, ['--no-node-snapshot', 'bin/ledgerline.js', 'serve', '--role', role], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_ADMIN_PASSWORD: 'roles-admin-pw',
      LEDGERLINE_SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${role} did not start:\n${out.slice(-3000)}`)), 90_000);
    const check = () => {
      const found = /"url":"(http:[^"]+)"/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        ok(found);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((e) => fail(new Error(`${role} exited (${e.code ?? e.signal}) before listening:\n${out.slice(-3000)}`)));
  });
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  return { role, child, url, out: () => out, lines, exited };
}

const template = readFileSync(join(ROOT, '..', 'shared', 'fixtures', 'shopify', 'webhook-2026-04.orders.paid.json'), 'utf8');

/** A distinct paid order (Shopify's published orders/paid example with its own id, GID and name). */
export function paidOrder(n: number): { gid: string; body: string } {
  const id = 7_000_000_000_000 + n;
  const gid = `gid://shopify/Order/${id}`;
  const body = template
    .replace('"id": 820982911946154500,', `"id": ${id},`)
    .replace('"gid://shopify/Order/820982911946154508"', `"${gid}"`)
    .replace('"name": "#9999"', `"name": "#R${n}"`)
    .replace('"financial_status": "voided"', '"financial_status": "paid"')
    .replace('"test": true', '"test": false')
    .replace('"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null')
    .replace('"cancel_reason": "customer"', '"cancel_reason": null');
  if (!body.includes(gid)) throw new Error('the fixture changed: the order GID was not replaced');
  return { gid, body };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Where a delivery goes and how it is signed: by default the default workspace's sandbox store. */
export interface DeliveryTarget {
  /** The webhook path, e.g. `/webhooks/shopify/:workspace/:connection`. */
  path: string;
  secret: string;
  shopDomain: string;
}
const SANDBOX_TARGET: DeliveryTarget = { path: '/webhooks/shopify/sandbox-shop', secret: WEBHOOK_SECRET, shopDomain: 'ledgerline-sandbox.myshopify.com' };

/** Connection failures of deliveries so far, by error code. */
export const deliveryErrors = new Map<string, number>();

/**
 * POSTs a signed orders/paid delivery; resolves with the status (0 when the connection failed). `ids`: the delivery's
 * webhook and event ids, the same on a retry (as Shopify's), new ones by default.
 */
export function deliverOrder(
  baseUrl: string,
  body: string,
  to: DeliveryTarget = SANDBOX_TARGET,
  ids: { webhookId: string; eventId: string } = { webhookId: randomUUID(), eventId: randomUUID() },
): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((ok) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: to.path,
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-shopify-hmac-sha256': createHmac('sha256', to.secret).update(body).digest('base64'),
          'x-shopify-topic': 'orders/paid',
          'x-shopify-shop-domain': to.shopDomain,
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': ids.webhookId,
          'x-shopify-event-id': ids.eventId,
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? e.message;
      deliveryErrors.set(code, (deliveryErrors.get(code) ?? 0) + 1);
      ok(0);
    });
    req.end(body);
  });
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; 0 once it is gone). */
export function cpuMs(p: Proc): number {
  try {
    const f = readFileSync(`/proc/${p.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The time of the first log line with this message. */
export const logTime = (p: Proc, msg: string) => p.lines().find((l) => l.msg === msg)?.time as number | undefined;

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
