import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing.ts';
import { rawRows } from '../../runtime/testing/raw.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true });
});
afterEach(() => t.close());

const SECRET = 'shpat_super_secret_value_123456';

describe('/api/connections', () => {
  it('stores secrets write-only: never in responses, audit or the database in clear', async () => {
    const tok = t.tokens.consultant;
    const created = await t.json('POST', '/api/connections', {
      token: tok,
      body: {
        id: 'shop',
        kind: 'shopify',
        provider: 'shopify',
        name: 'Main shop',
        config: { shopDomain: 'main.myshopify.com' },
        secrets: { accessToken: SECRET },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'shop',
      kind: 'shopify',
      provider: 'shopify',
      name: 'Main shop',
      config: { shopDomain: 'main.myshopify.com' },
      hasSecret: true,
    });
    const list = await t.json('GET', '/api/connections', { token: tok });
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    const upd = await t.json('PUT', '/api/connections/shop', { token: tok, body: { name: 'Renamed', secrets: { webhookSecret: 'whsec_other_secret_987' } } });
    expect(upd.body.name).toBe('Renamed');
    expect(await t.server.deps.connections.secretsOf('shop')).toEqual({ accessToken: SECRET, webhookSecret: 'whsec_other_secret_987' });
    const audit = await t.json('GET', '/api/audit', { token: t.tokens.owner });
    expect(audit.body.entries.filter((e: { action: string }) => e.action.startsWith('connection.'))).toHaveLength(2);
    expect(JSON.stringify(audit.body)).not.toContain(SECRET);
    expect(JSON.stringify(audit.body)).not.toContain('whsec_other_secret_987');
    const rows = await rawRows(t.server.runtime.store, 'SELECT * FROM connections');
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    expect((await t.json('POST', '/api/connections', { token: tok, body: { id: 'shop', kind: 'erp', provider: 'sandbox', name: 'x' } })).status).toBe(409);
    const bad = await t.json('POST', '/api/connections', { token: tok, body: { id: 'x', kind: 'crm', provider: 'p', name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0].path).toBe('$.kind');
    expect((await t.json('DELETE', '/api/connections/shop', { token: tok })).status).toBe(200);
    expect((await t.json('GET', '/api/connections/shop', { token: tok })).status).toBe(404);
  });

  it('tests a connection against the real sandbox ERP and reports a broken one without leaking secrets', async () => {
    const tok = t.tokens.owner;
    await t.json('POST', '/api/connections', {
      token: tok,
      body: { id: 'erp', kind: 'erp', provider: 'sandbox', name: 'Sandbox ERP', config: { file: `${t.dir}/erp.sqlite` } },
    });
    const ok = await t.json('POST', '/api/connections/erp/test', { token: tok });
    expect(ok.body.ok).toBe(true);
    expect(ok.body.message).toMatch(/warehouse/);
    // One client per connection, reused by every run.
    const client = await t.server.deps.connections.resolve('erp', 'erp');
    expect(client).toBe(await t.server.deps.connections.resolve('erp', 'erp'));
    await expect(t.server.deps.connections.resolve('shopify', 'erp')).rejects.toThrow(/is a erp connection/);
    await t.json('POST', '/api/connections', {
      token: tok,
      body: { id: 'noshop', kind: 'shopify', provider: 'shopify', name: 'x', config: {}, secrets: { accessToken: SECRET } },
    });
    const broken = await t.json('POST', '/api/connections/noshop/test', { token: tok });
    expect(broken.body.ok).toBe(false);
    expect(broken.body.message).toMatch(/shopDomain/);
    expect(broken.body.message).not.toContain(SECRET);
  });
});
