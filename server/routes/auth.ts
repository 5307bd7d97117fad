// /api/auth/login, /api/auth/logout, /api/me.
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Deps } from '../deps.ts';
import { HttpError, apiRoute, currentUser, json, jsonBody, router, z } from '../api/http.ts';
import { Me } from '../api/schemas.ts';
import { SESSION_COOKIE } from '../auth/middleware.ts';
import { AttemptWindow, HashGate } from '../auth/login-guard.ts';
import { clientAddress, isHttps } from '../auth/client.ts';
import type { User } from '../auth/users.ts';

const me = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role });

export function authRouter(d: Deps) {
  const app = router();
  const o = d.options.loginAttempts;
  const perEmail = new AttemptWindow(o.max, o.windowMs, d.now);
  const perAddress = new AttemptWindow(o.perAddressMax ?? o.max * 5, o.windowMs, d.now);
  const gate = new HashGate(o.hashConcurrency ?? 1, o.queuedPerAddress ?? 4);
  const setSession = (c: Context, r: { token: string; expiresAt: number }) =>
    setCookie(c, SESSION_COOKIE, r.token, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      // Behind a TLS-terminating proxy (LEDGERLINE_TRUST_PROXY) the request reaches us as http: its
      // X-Forwarded-Proto says what the browser used.
      secure: isHttps(c, d.options.trustProxy),
      expires: new Date(r.expiresAt),
    });
  const tooMany = (c: { header(n: string, v: string): void }, wait: number, what: string) => {
    c.header('Retry-After', String(Math.ceil(wait / 1000)));
    return new HttpError(429, 'rate_limited', `too many failed logins ${what}; try again in ${Math.ceil(wait / 1000)} s`);
  };

  app.openapi(
    apiRoute(null, {
      method: 'post',
      path: '/auth/login',
      tags: ['auth'],
      description:
        'Sets the `ll_session` cookie (httpOnly, SameSite=Strict) and returns the same session token for Bearer use. Rate limited per client and email.',
      request: jsonBody(z.object({ email: z.string().min(1), password: z.string().min(1) })),
      responses: {
        200: json(z.object({ token: z.string(), user: Me })),
        401: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Wrong email or password'),
        429: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Too many attempts'),
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const address = clientAddress(c, d.options.trustProxy);
      const key = `${address}|${email.trim().toLowerCase()}`;
      // Reserved before the password is checked: concurrent attempts count at once, not after their hash.
      const wait = perEmail.reserve(key);
      if (wait > 0) throw tooMany(c, wait, 'for this account');
      const waitAddress = perAddress.reserve(address);
      if (waitAddress > 0) {
        perEmail.release(key);
        throw tooMany(c, waitAddress, 'from this address');
      }
      let r: Awaited<ReturnType<typeof d.users.login>>;
      try {
        r = await d.users.login(email, password, { gate: (f) => gate.run(address, f) });
      } catch (e) {
        // Refused before any check (too many waiting): not an attempt.
        perEmail.release(key);
        perAddress.release(address);
        throw e;
      }
      if (!r) {
        d.log.warn({ email: email.trim().toLowerCase() }, 'login failed');
        throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
      }
      perEmail.clear(key);
      perAddress.release(address);
      setSession(c, r);
      // Signing in goes through any workspace (users are deployment-wide); its audit log, read by its members, gets
      // only its own members' sign-ins, or another workspace's users would show up there.
      if (await d.userScope.isMember(r.user.id)) await d.audit.record(r.user.email, 'auth.login', `user:${r.user.email}`);
      else d.log.info({ email: r.user.email }, 'signed in through a workspace they are not a member of');
      return c.json({ token: r.token, user: me(r.user) }, 200);
    },
  );

  app.openapi(apiRoute('me', { method: 'post', path: '/auth/logout', tags: ['auth'], responses: { 200: json(z.object({ ok: z.boolean() })) } }), async (c) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const token = bearer ?? getCookie(c, SESSION_COOKIE);
    if (token) await d.users.logout(token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true }, 200);
  });

  app.openapi(apiRoute('me', { method: 'get', path: '/me', tags: ['auth'], responses: { 200: json(Me) } }), (c) => c.json(me(currentUser(c)), 200));

  // Anyone signed in changes their own password, giving the current one (a left-open session alone cannot), rate
  // limited as a login. The change ends every session of the account; this one goes on under a new token.
  app.openapi(
    apiRoute('me', {
      method: 'post',
      path: '/auth/password',
      tags: ['auth'],
      description: 'Changes your own password. Every other session of the account ends; the response carries the new session token (and cookie).',
      request: jsonBody(z.object({ currentPassword: z.string().min(1), newPassword: z.string().min(8).max(1000) })),
      responses: {
        200: json(z.object({ token: z.string(), user: Me })),
        400: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'The current password is wrong, or the new one refused'),
        429: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Too many attempts'),
      },
    }),
    async (c) => {
      const user = currentUser(c);
      const { currentPassword, newPassword } = c.req.valid('json');
      const address = clientAddress(c, d.options.trustProxy);
      const key = `${address}|${user.email}`;
      const wait = perEmail.reserve(key);
      if (wait > 0) throw tooMany(c, wait, 'for this account');
      if (!(await d.users.checkPassword(user.id, currentPassword, (f) => gate.run(address, f)))) {
        throw new HttpError(400, 'wrong_password', 'the current password is not right: nothing changed');
      }
      perEmail.clear(key);
      if (newPassword === currentPassword) throw new HttpError(400, 'same_password', 'the new password is the current one: choose another');
      // The update ends every session of the account; this one goes on under a new one (no second hash to open it).
      const r = await d.users.openSession(await d.users.update(user.id, { password: newPassword }));
      setSession(c, r);
      await d.audit.record(user.email, 'auth.password-changed', `user:${user.email}`);
      return c.json({ token: r.token, user: me(r.user) }, 200);
    },
  );

  return app;
}
