// The store deleted or overwritten under a running server: nothing more is acknowledged, /readyz fails, the log
// says so, and a restart refuses to quietly start a new, empty store.
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MASTER_KEY, noSandbox, testServer, type TestServer } from './testing.ts';
import { createServer, StartupError } from './app.ts';
import { STORE_FILE } from '../runtime/store/db.ts';
import { describeSqliteOnly, passDatabaseUrl } from '../runtime/testing/pass.ts';

const SECRET = 'shpss_store_watch_secret_0123456789';
const order = readFileSync(new URL('../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');
let t: TestServer;
afterEach(() => t?.close());

const deliver = (n: number) => {
  const body = order.replace('"note": null', `"note": "delivery ${n}"`);
  return t.req('POST', '/webhooks/shopify/shop1', {
    raw: body,
    headers: {
      'content-type': 'application/json',
      'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Shop-Domain': 'shop1.myshopify.com',
      'X-Shopify-API-Version': '2026-04',
      'X-Shopify-Webhook-Id': randomUUID(),
      'X-Shopify-Event-Id': randomUUID(),
    },
  });
};

async function start() {
  t = await testServer({ start: false });
  await t.server.deps.connections.create({
    id: 'shop1',
    kind: 'shopify',
    provider: 'shopify',
    name: 'Shop',
    config: { shopDomain: 'shop1.myshopify.com' },
    secrets: { webhookSecret: SECRET },
  });
  expect((await deliver(0)).status).toBe(200);
  expect((await t.req('GET', '/readyz')).status).toBe(200);
}

describeSqliteOnly('the store lost under a running server', 'its file deleted or overwritten under the server', () => {
  for (const how of ['deleted', 'overwritten (database and WAL)'] as const) {
    it(`${how}: webhooks and writes answer 503 instead of being acknowledged and lost; /readyz fails; the log says so; a restart refuses`, async () => {
      await start();
      const path = join(t.dir, STORE_FILE);
      if (how === 'deleted') for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
      else
        for (const f of [path, `${path}-wal`]) {
          const fd = openSync(f, 'r+');
          writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
          closeSync(fd);
        }
      const codes: number[] = [];
      for (let i = 1; i <= 100; i++) codes.push((await deliver(i)).status);
      expect(new Set(codes)).toEqual(new Set([503]));
      const write = await t.json('POST', '/api/flows', { token: t.tokens.owner, body: { schemaVersion: 1, id: 'x', name: 'x', nodes: [], edges: [] } });
      expect([503, 401]).toContain(write.status); // the token itself may be unreadable now; never a 2xx
      const ready = await t.json('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.problem).toMatch(how === 'deleted' ? /was deleted/ : /was overwritten/);
      expect(t.logs.join('')).toMatch(/"level":60.*STORE LOST/);
      await t.server.close();
      // Restarting on that data dir (in a new process, as a restart is: this one still holds the lost file's
      // SQLite state): a clear refusal, never a fresh empty store with a new first admin.
      // (The wal-index this process still maps would let the child read through it; a restarted server has none.)
      rmSync(`${path}-shm`, { force: true });
      const storeModule = new URL('../runtime/store/db.ts', import.meta.url).href;
      const said = execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(storeModule)}); try { m.openStore(${JSON.stringify(t.dir)}); console.log('OPENED'); } catch (e) { console.log(e.name + ': ' + e.message); }`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(said).toMatch(how === 'deleted' ? /^StoreOpenError: .*is missing, but .* says a store .* lived here/ : /^StoreOpenError: .*is damaged/);
    });
  }
});

describe('start-up settings said plainly', () => {
  it('a short LEDGERLINE_ADMIN_PASSWORD says what is required', async () => {
    t = await testServer();
    await t.close();
    const dir = join(t.dir, 'fresh');
    const databaseUrl = await passDatabaseUrl(dir, { unmigrated: true });
    const e = await createServer({
      dataDir: dir,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: { LEDGERLINE_ADMIN_PASSWORD: 'short', LEDGERLINE_MASTER_KEY: MASTER_KEY },
      sandbox: noSandbox,
      designerDir: null,
      templatesDir: null,
      sandboxMode: false,
      start: false,
      defaultMetrics: false,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StartupError);
    expect((e as Error).message).toMatch(/LEDGERLINE_ADMIN_PASSWORD must have at least 8 characters \(it has 5\)/);
  });
});
