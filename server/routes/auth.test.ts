import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, MASTER_KEY, METRICS_TOKEN, testServer, type TestServer } from '../testing.ts';
import { rawRow, rawRows } from '../../runtime/testing/raw.ts';

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
    const [jar = ''] = cookie.split(';');
    const me = await t.json('GET', '/api/me', { headers: { cookie: jar } });
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'owner' });
    expect((await t.json('GET', '/api/me', { token: body.token })).status).toBe(200);
    await t.req('POST', '/api/auth/logout', { headers: { cookie: jar, 'content-type': 'application/json' } });
    expect((await t.json('GET', '/api/me', { headers: { cookie: jar } })).status).toBe(401);
    expect((await t.json('GET', '/api/me', { token: body.token })).status).toBe(401);
  });

  it('changes your own password given the current one: other sessions end, this one goes on with a new token', async () => {
    const first = await (await login(ADMIN)).json();
    const other = await (await login(ADMIN)).json();
    const change = (token: string, body: unknown) => t.json('POST', '/api/auth/password', { token, body });
    const wrong = await change(first.token, { currentPassword: 'not-the-password', newPassword: 'a-new-password-1' });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'wrong_password']);
    expect((await change(first.token, { currentPassword: ADMIN.password, newPassword: 'short' })).status).toBe(400);
    expect((await change(first.token, { currentPassword: ADMIN.password, newPassword: ADMIN.password })).body.error.code).toBe('same_password');
    expect((await login(ADMIN)).status).toBe(200); // nothing changed so far

    const ok = await change(first.token, { currentPassword: ADMIN.password, newPassword: 'a-new-password-1' });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ email: ADMIN.email });
    expect((await t.json('GET', '/api/me', { token: ok.body.token })).status).toBe(200);
    for (const old of [first.token, other.token]) expect((await t.json('GET', '/api/me', { token: old })).status).toBe(401);
    expect((await login(ADMIN)).status).toBe(401);
    expect((await login({ email: ADMIN.email, password: 'a-new-password-1' })).status).toBe(200);
    const audit = await t.json('GET', '/api/audit?limit=5', { token: ok.body.token });
    expect(JSON.stringify(audit.body)).toContain('auth.password-changed');
    expect(JSON.stringify(audit.body)).not.toContain('a-new-password-1');
  });

  it('refuses cross-site cookie-authenticated writes (CSRF) but accepts same-origin ones', async () => {
    const [jar = ''] = (await login(ADMIN)).headers.get('set-cookie')!.split(';');
    const flowBody = { id: 'x', name: 'x', nodes: [], edges: [] };
    const cross = await t.req('POST', 'http://localhost/api/flows', { body: flowBody, headers: { cookie: jar, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe('csrf');
    const site = await t.req('POST', 'http://localhost/api/flows', { body: flowBody, headers: { cookie: jar, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    const form = await t.req('POST', 'http://localhost/api/flows', {
      raw: 'id=x',
      headers: { cookie: jar, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(403);
    const same = await t.req('POST', 'http://localhost/api/flows', {
      body: flowBody,
      headers: { cookie: jar, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    });
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
    const stored = (await rawRow<{ token_hash: string }>(t.server.runtime.store, 'SELECT token_hash FROM api_tokens WHERE id = ?', tok.body.id))!;
    expect(stored.token_hash).not.toContain(tok.body.token);
    expect((await t.json('GET', '/api/me', { token: tok.body.token })).body.role).toBe('operator');
    await t.json('PUT', `/api/users/${u.body.id}`, { token: admin, body: { disabled: true } });
    expect((await t.json('GET', '/api/me', { token: tok.body.token })).status).toBe(401);
    const audit = (await t.json('GET', '/api/audit', { token: admin })).body.entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.create', 'token.create', 'user.update']));
    expect(JSON.stringify(audit)).not.toContain('operations-pw-1');
  });

  it('reserves each attempt before the password check: 30 concurrent wrong passwords, at most the limit are checked', async () => {
    await t.close();
    // A roomy hash queue, so the per-account limit (10) is what refuses the rest.
    t = await testServer({ loginAttempts: { max: 10, windowMs: 60_000, queuedPerAddress: 100, perAddressMax: 1000 } });
    const codes = await Promise.all(Array.from({ length: 30 }, () => login({ email: ADMIN.email, password: 'wrong-password' }).then((r) => r.status)));
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(10);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(20);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
  });

  it('throttles failed logins per address across emails', async () => {
    await t.close();
    t = await testServer({ loginAttempts: { max: 3, windowMs: 60_000, perAddressMax: 5 } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await login({ email: `guess${i}@example.com`, password: 'wrong-password' })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('answers a malformed Origin on a cookie-authenticated write with 403, not 500', async () => {
    const [jar = ''] = (await login(ADMIN)).headers.get('set-cookie')!.split(';');
    for (const origin of ['::::', 'http://', 'not a url']) {
      const r = await t.req('POST', 'http://localhost/api/flows', { body: { id: 'x', name: 'x', nodes: [], edges: [] }, headers: { cookie: jar, origin } });
      expect(r.status, origin).toBe(403);
      expect((await r.json()).error.code).toBe('csrf');
    }
  });

  it('sets the Secure cookie flag behind a TLS-terminating proxy only when LEDGERLINE_TRUST_PROXY says there is one', async () => {
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    expect((await login(ADMIN, proxied)).headers.get('set-cookie')).not.toMatch(/Secure/);
    await t.close();
    t = await testServer({
      env: { LEDGERLINE_ADMIN_EMAIL: ADMIN.email, LEDGERLINE_ADMIN_PASSWORD: ADMIN.password, LEDGERLINE_MASTER_KEY: MASTER_KEY, LEDGERLINE_TRUST_PROXY: '1' },
    });
    expect((await login(ADMIN, proxied)).headers.get('set-cookie')).toMatch(/; Secure/);
    expect((await login(ADMIN, { 'x-forwarded-proto': 'http' })).headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('API tokens: optional expiry, listed with it, revocable; disabling a user revokes theirs for good', async () => {
    const admin = t.tokens.owner;
    const u = await t.json('POST', '/api/users', { token: admin, body: { email: 'ci@example.com', role: 'viewer', password: 'viewer-pw-123' } });
    const short = await t.json('POST', '/api/tokens', { token: admin, body: { name: 'short', userId: u.body.id, expiresInDays: 1 } });
    const forever = await t.json('POST', '/api/tokens', { token: admin, body: { name: 'forever', userId: u.body.id } });
    expect(short.body.expiresAt).toBeGreaterThan(Date.now() + 86_000_000);
    expect(forever.body.expiresAt).toBeNull();
    const list = (await t.json('GET', '/api/tokens', { token: admin })).body.tokens;
    expect(list.find((x: { id: string }) => x.id === short.body.id)).toMatchObject({ name: 'short', expiresAt: short.body.expiresAt });
    expect((await t.json('GET', '/api/me', { token: short.body.token })).status).toBe(200);
    // Once expired, it no longer authenticates.
    await rawRows(t.server.runtime.store, 'UPDATE api_tokens SET expires_at = ? WHERE id = ?', Date.now() - 1, short.body.id);
    expect((await t.json('GET', '/api/me', { token: short.body.token })).status).toBe(401);
    expect((await t.json('DELETE', `/api/tokens/${short.body.id}`, { token: admin })).status).toBe(200);
    // Disabling the user revokes the rest; re-enabling does not bring them back.
    await t.json('PUT', `/api/users/${u.body.id}`, { token: admin, body: { disabled: true } });
    expect((await t.json('GET', '/api/tokens', { token: admin })).body.tokens.filter((x: { userId: string }) => x.userId === u.body.id)).toEqual([]);
    await t.json('PUT', `/api/users/${u.body.id}`, { token: admin, body: { disabled: false } });
    expect((await t.json('GET', '/api/me', { token: forever.body.token })).status).toBe(401);
  });

  it('/metrics needs LEDGERLINE_METRICS_TOKEN from anywhere but this machine', async () => {
    expect((await t.req('GET', '/metrics', { token: 'wrong' })).status).toBe(401);
    expect((await t.req('GET', '/metrics')).status).toBe(401);
    const ok = await t.req('GET', '/metrics', { token: METRICS_TOKEN });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('ledgerline_webhooks_total');
    await t.close();
    // Without a token configured: only loopback callers (an in-process request has no address, so it is refused).
    t = await testServer({ env: { LEDGERLINE_ADMIN_EMAIL: ADMIN.email, LEDGERLINE_ADMIN_PASSWORD: ADMIN.password, LEDGERLINE_MASTER_KEY: MASTER_KEY } });
    const refused = await t.req('GET', '/metrics');
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/LEDGERLINE_METRICS_TOKEN/);
  });
});
