// /api/auth/login, /api/auth/logout, /api/me.
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Deps } from '../deps.ts';
import { HttpError, apiRoute, currentUser, json, jsonBody, router, z } from '../api/http.ts';
import { Me } from '../api/schemas.ts';
import { LoginLimiter, SESSION_COOKIE } from '../auth/middleware.ts';
import type { User } from '../auth/users.ts';

const me = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role });

function clientAddress(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function authRouter(d: Deps) {
  const app = router();
  const limiter = new LoginLimiter(d.options.loginAttempts.max, d.options.loginAttempts.windowMs, d.now);

  app.openapi(
    apiRoute(null, {
      method: 'post',
      path: '/auth/login',
      tags: ['auth'],
      description: 'Sets the `ll_session` cookie (httpOnly, SameSite=Strict) and returns the same session token for Bearer use. Rate limited per client and email.',
      request: jsonBody(z.object({ email: z.string().min(1), password: z.string().min(1) })),
      responses: { 200: json(z.object({ token: z.string(), user: Me })), 401: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Wrong email or password'), 429: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Too many attempts') },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const key = `${clientAddress(c)}|${email.trim().toLowerCase()}`;
      const wait = limiter.retryAfter(key);
      if (wait > 0) {
        c.header('Retry-After', String(Math.ceil(wait / 1000)));
        throw new HttpError(429, 'rate_limited', `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
      }
      const r = await d.users.login(email, password);
      if (!r) {
        limiter.fail(key);
        d.log.warn({ email: email.trim().toLowerCase() }, 'login failed');
        throw new HttpError(401, 'invalid_credentials', 'wrong email or password');
      }
      limiter.succeed(key);
      setCookie(c, SESSION_COOKIE, r.token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        expires: new Date(r.expiresAt),
      });
      d.audit.record(r.user.email, 'auth.login', `user:${r.user.email}`);
      return c.json({ token: r.token, user: me(r.user) }, 200);
    },
  );

  app.openapi(
    apiRoute('me', { method: 'post', path: '/auth/logout', tags: ['auth'], responses: { 200: json(z.object({ ok: z.boolean() })) } }),
    (c) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      const token = bearer ?? getCookie(c, SESSION_COOKIE);
      if (token) d.users.logout(token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true }, 200);
    },
  );

  app.openapi(apiRoute('me', { method: 'get', path: '/me', tags: ['auth'], responses: { 200: json(Me) } }), (c) => c.json(me(currentUser(c)), 200));

  return app;
}
