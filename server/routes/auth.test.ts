import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ loginAttempts: { max: 3, windowMs: 60_000 } });
});
afterEach(() => t.close());

const login = (body: unknown, headers: Record<string, string> = {}) => t.req('POST', '/api/auth/login', { body, headers });

describe('auth', () => {
  it('logs in with a session cookie (httpOnly, SameSite=Strict) usable for reads, and logs out', async () => {
    const res = await login(ADMIN);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'owner' });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ll_session=lls_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = cookie.split(';')[0];
    const me = await t.json('GET', '/api/me', { headers: { cookie: jar } });
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'owner' });
    expect((await t.json('GET', '/api/me', { token: body.token })).status).toBe(200);
    await t.req('POST', '/api/auth/logout', { headers: { cookie: jar, 'content-type': 'application/json' } });
    expect((await t.json('GET', '/api/me', { headers: { cookie: jar } })).status).toBe(401);
    expect((await t.json('GET', '/api/me', { token: body.token })).status).toBe(401);
  });

  it('refuses cross-site cookie-authenticated writes (CSRF) but accepts same-origin ones', async () => {
    const jar = (await login(ADMIN)).headers.get('set-cookie')!.split(';')[0];
    const flowBody = { id: 'x', name: 'x', nodes: [], edges: [] };
    const cross = await t.req('POST', 'http://localhost/api/flows', { body: flowBody, headers: { cookie: jar, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe('csrf');
    const site = await t.req('POST', 'http://localhost/api/flows', { body: flowBody, headers: { cookie: jar, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    const form = await t.req('POST', 'http://localhost/api/flows', { raw: 'id=x', headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(403);
    const same = await t.req('POST', 'http://localhost/api/flows', { body: flowBody, headers: { cookie: jar, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' } });
    expect(same.status).toBe(201);
  });

  it('rate limits failed logins per client and email, without telling which emails exist', async () => {
    const wrong = await login({ email: ADMIN.email, password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    const unknown = await login({ email: 'nobody@example.com', password: 'wrong-password' });
    expect(await unknown.json()).toEqual(await wrong.json().catch(() => ({ error: { code: 'invalid_credentials', message: 'wrong email or password' } })));
    await login({ email: ADMIN.email, password: 'wrong-password' });
    await login({ email: ADMIN.email, password: 'wrong-password' });
    const limited = await login(ADMIN);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rejects a bad bearer token with 401 and sets security headers', async () => {
    const r = await t.req('GET', '/api/me', { token: 'llt_not-a-token' });
    expect(r.status).toBe(401);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('manages users and API tokens (shown once, stored hashed), and disabling a user ends access', async () => {
    const admin = t.tokens.owner;
    const u = await t.json('POST', '/api/users', { token: admin, body: { email: 'Op@Example.com', role: 'operator', password: 'operations-pw-1' } });
    expect(u.status).toBe(201);
    expect(u.body).toMatchObject({ email: 'op@example.com', role: 'operator', disabled: false });
    expect(JSON.stringify(u.body)).not.toContain('operations-pw-1');
    const tok = await t.json('POST', '/api/tokens', { token: admin, body: { name: 'ci', userId: u.body.id } });
    expect(tok.status).toBe(201);
    expect(tok.body.token).toMatch(/^llt_/);
    const list = await t.json('GET', '/api/tokens', { token: admin });
    expect(JSON.stringify(list.body)).not.toContain(tok.body.token);
    const stored = t.server.runtime.store.sqlite.prepare('SELECT token_hash FROM api_tokens WHERE id = ?').get(tok.body.id) as { token_hash: string };
    expect(stored.token_hash).not.toContain(tok.body.token);
    expect((await t.json('GET', '/api/me', { token: tok.body.token })).body.role).toBe('operator');
    await t.json('PUT', `/api/users/${u.body.id}`, { token: admin, body: { disabled: true } });
    expect((await t.json('GET', '/api/me', { token: tok.body.token })).status).toBe(401);
    const audit = (await t.json('GET', '/api/audit', { token: admin })).body.entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.create', 'token.create', 'user.update']));
    expect(JSON.stringify(audit)).not.toContain('operations-pw-1');
  });
});
