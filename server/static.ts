// Serves the built designer (designer/dist) at `/` through @hono/node-server's serveStatic (MIME types, traversal
// and encoded-path guards, HEAD and ranges), with index.html for the designer's own client-side routes.
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler, Next } from 'hono';

const RESERVED = /^\/(api|webhooks|metrics|healthz|readyz)(\/|$)/;

export function designerStatic(dir: string): MiddlewareHandler | null {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) return null;
  const files = serveStatic({ root });
  const index = serveStatic({ path: join(root, 'index.html') });
  return async (c, next) => {
    if (RESERVED.test(c.req.path)) return next();
    let route = false;
    // Paths without an extension are the designer's own routes: they get index.html; a missing asset stays a 404.
    // (serveStatic hands back whatever its `next` returns, so the index response travels up through it.)
    const fallback = (async () => (extname(c.req.path) ? next() : ((route = true), index(c, next)))) as unknown as Next;
    const res = await files(c, fallback);
    // Vite names what it writes under assets/ by content hash: a changed file is a new URL, so it may be kept forever.
    if (res instanceof Response)
      res.headers.set('Cache-Control', !route && c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return res;
  };
}
