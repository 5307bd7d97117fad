import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from './start.ts';

async function rpc(url: string, method: string, params: unknown[], headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id: 1, method, params }),
  });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as { result?: unknown; error?: unknown }) : await res.text() };
}

describe('startTryton (live trytond from Debian packages)', () => {
  let t: StartedTryton;
  beforeAll(async () => {
    t = await startTryton();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the built database on loopback with the company, warehouses and SKUs', async () => {
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const version = await rpc(t.url, 'common.server.version', []);
    expect((version.body as { result: string }).result).toMatch(/^6\.0\./);
    const login = await rpc(`${t.url}${t.database}/`, 'common.db.login', [t.user, { password: t.password }, 'en']);
    const [uid, session] = (login.body as { result: [number, string] }).result;
    const auth = { authorization: `Session ${Buffer.from(`${t.user}:${uid}:${session}`).toString('base64')}` };
    const prefs = await rpc(`${t.url}${t.database}/`, 'model.res.user.get_preferences', [true, {}], auth);
    const ctx = (prefs.body as { result: Record<string, unknown> }).result;
    expect(ctx.company).toBe(t.ids.company);
    const wh = await rpc(
      `${t.url}${t.database}/`,
      'model.stock.location.search_read',
      [[['type', '=', 'warehouse']], 0, null, [['code', 'ASC']], ['code'], ctx],
      auth,
    );
    expect((wh.body as { result: Array<{ code: string }> }).result.map((w) => w.code)).toEqual(['WH', 'WH2']);
    const warehouse = t.ids.warehouses.WH;
    if (!warehouse) throw new Error('the Tryton fixture has no warehouse WH');
    const p = await rpc(
      `${t.url}${t.database}/`,
      'model.product.product.search_read',
      [[['code', '=', 'IPOD2008GREEN']], 0, null, null, ['code', 'quantity'], { ...ctx, locations: [warehouse.id] }],
      auth,
    );
    expect((p.body as { result: Array<{ quantity: number }> }).result[0]?.quantity).toBe(100);
    console.info('tryton timings', t.timings);
  });

  it('answers a wrong password with an HTTP 401 (not JSON)', async () => {
    const bad = await rpc(`${t.url}${t.database}/`, 'common.db.login', [t.user, { password: 'wrong' }, 'en']);
    expect(bad.status).toBe(401);
  });

  it('stops cleanly and a second server starts from the cache in seconds', async () => {
    const t2 = await startTryton();
    expect(t2.timings.snapshotSource).toBe('cached');
    expect(t2.timings.totalMs).toBeLessThan(15_000);
    expect(t2.url).not.toBe(t.url);
    await t2.stop();
    await expect(fetch(t2.url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
