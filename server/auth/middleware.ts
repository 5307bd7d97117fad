// Who is calling: a Bearer token (API token or session token) or the `ll_session` cookie. Cookie-authenticated
// writes must come from our own origin (SameSite=Strict plus an Origin / Sec-Fetch-Site check) against CSRF.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../api/http.ts';
import { HttpError } from '../api/http.ts';
import type { Users } from './users.ts';

export const SESSION_COOKIE = 'll_session';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a request presents: its Bearer token when it has an Authorization header, else the session cookie. */
export function presentedToken(c: Context): { token: string | undefined; via: 'bearer' | 'cookie' } {
  const header = c.req.header('authorization');
  if (header) return { token: /^Bearer\s+(\S+)$/i.exec(header)?.[1], via: 'bearer' };
  return { token: getCookie(c, SESSION_COOKIE), via: 'cookie' };
}

export function authenticate(users: Users): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { token, via } = presentedToken(c);
    if (via === 'bearer') {
      const user = token ? await users.authenticate(token) : null;
      if (!user) throw new HttpError(401, 'unauthenticated', 'the Authorization header does not carry a valid token');
      c.set('user', user);
      c.set('via', 'bearer');
    } else {
      const user = token ? await users.authenticate(token) : null;
      if (user) {
        if (!SAFE.has(c.req.method)) checkSameOrigin(c.req.raw);
        c.set('user', user);
        c.set('via', 'cookie');
      }
    }
    await next();
  };
}

function checkSameOrigin(req: Request) {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'csrf', `cross-site request refused (Sec-Fetch-Site: ${site})`);
  const origin = req.headers.get('origin');
  if (origin && origin !== 'null') {
    const host = req.headers.get('host') ?? new URL(req.url).host;
    // URL.parse: a malformed Origin (`::::`) is not ours either, and must not throw (that answered 500).
    if (URL.parse(origin)?.host !== host) throw new HttpError(403, 'csrf', `cross-origin request refused (Origin ${JSON.stringify(origin.slice(0, 200))})`);
  } else if (!site && !req.headers.get('content-type')?.includes('application/json') && req.method !== 'DELETE') {
    // No browser provenance headers at all: only a JSON request (which a cross-site form cannot send) is accepted.
    throw new HttpError(403, 'csrf', 'cookie-authenticated writes must be JSON requests from this origin');
  }
}
