import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './testing.ts';
import { rawRows } from '../runtime/testing/raw.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ start: false });
});
afterEach(() => t.close());

describe('/readyz', () => {
  it('is ready on a store migrated as this version knows it, and not once a newer version has migrated it further', async () => {
    expect(await (await t.req('GET', '/readyz')).json()).toEqual({ ok: true });
    // The health-only app of worker and scheduler processes answers the same.
    expect((await t.server.healthApp.request('/readyz')).status).toBe(200);
    expect((await t.server.healthApp.request('/healthz')).status).toBe(200);
    expect((await t.server.healthApp.request('/api/openapi.json')).status).toBe(404);
    // What a newer build's process on the same data dir does at its start.
    await rawRows(t.server.runtime.store, `INSERT INTO __migrations (hash, created_at) VALUES ('newer', 9999999999999)`);
    const r = await t.req('GET', '/readyz');
    expect(r.status).toBe(503);
    // SQLite compares with the migrations it found at start; PostgreSQL with the ones this build knows.
    expect((await r.json()).problem).toMatch(
      t.server.runtime.store.dialect === 'sqlite' ? /migrated by a newer version since this process started \(__migrations/ : /a newer version migrated it/,
    );
    expect((await t.server.healthApp.request('/readyz')).status).toBe(503);
    expect((await t.req('GET', '/healthz')).status).toBe(200); // alive all the same
  });
});
