// Slow clients cannot hold sockets: a webhook body that does not arrive in time, or headers that never finish.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type Serving } from './main.ts';
import { tempDir } from '../runtime/testing/fixtures.ts';

let s: Serving;
// Sandbox mode for its sandbox-shop connection: a webhook for an unknown connection is refused (404) before its body.
const tmp = tempDir('ledgerline-limits-');
beforeAll(async () => {
  s = await serve({
    port: 0,
    host: '127.0.0.1',
    dataDir: tmp.dir,
    env: { LEDGERLINE_ADMIN_PASSWORD: 'limits-admin-pw', LEDGERLINE_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') },
    sandboxMode: true,
    designerDir: null,
    templatesDir: null,
    handleSignals: false,
    log: (await import('pino')).default({ level: 'silent' }),
    limits: { webhookTimeoutMs: 1000, headersTimeoutMs: 1000, requestTimeoutMs: 2000 },
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
  tmp.cleanup();
});

/** Sends `text` and never finishes; resolves with how long the server kept the socket open. */
function slowClient(text: string): Promise<number> {
  const url = new URL(s.url);
  return new Promise((ok) => {
    const t0 = Date.now();
    const sock = net.connect(Number(url.port), url.hostname, () => sock.write(text));
    sock.on('data', () => undefined);
    sock.on('error', () => undefined);
    sock.on('close', () => ok(Date.now() - t0));
  });
}

it('closes a webhook request whose body does not arrive within LEDGERLINE_WEBHOOK_TIMEOUT_MS', async () => {
  const held = await slowClient(
    'POST /webhooks/shopify/sandbox-shop HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":',
  );
  expect(held).toBeGreaterThanOrEqual(900);
  expect(held).toBeLessThan(5000);
}, 20_000);

it('closes a connection whose headers never finish within the headers timeout (Node default: 60 s)', async () => {
  const held = await slowClient('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  expect(held).toBeLessThan(5000);
}, 20_000);
