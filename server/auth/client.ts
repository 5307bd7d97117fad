// Facts about the calling client that a TLS-terminating proxy changes: its address and whether it used HTTPS.
// Only when the deployment says it is behind a proxy (LEDGERLINE_TRUST_PROXY) are the proxy's headers believed:
// otherwise any client could claim another address (and dodge the login throttle) with one header.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

export function trustProxyFromEnv(env: NodeJS.ProcessEnv): boolean {
  const v = (env.LEDGERLINE_TRUST_PROXY ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new Error(`LEDGERLINE_TRUST_PROXY must be 1/true or 0/false (got "${env.LEDGERLINE_TRUST_PROXY}")`);
}

/** The socket's peer address, or 'unknown' (in-process requests in tests have no socket). */
export function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The client's address: behind a trusted proxy, the last X-Forwarded-For entry (the one the proxy itself saw). */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    const last = xff
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .pop();
    if (last) return last;
  }
  return peerAddress(c);
}

/** Did the client reach us over HTTPS (directly, or at a trusted proxy that says so in X-Forwarded-Proto)? */
export function isHttps(c: Context, trustProxy: boolean): boolean {
  if (trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto) return proto === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}

export const isLoopback = (addr: string) => addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1' || addr.startsWith('127.');
