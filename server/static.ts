// Serves the built designer (designer/dist) at `/`, with index.html for client-side routes.
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { MiddlewareHandler } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const RESERVED = /^\/(api|webhooks|metrics|healthz)(\/|$)/;

export function designerStatic(root: string): MiddlewareHandler | null {
  if (!existsSync(join(root, 'index.html'))) return null;
  const base = normalize(root + sep);
  return async (c, next) => {
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || RESERVED.test(c.req.path)) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    let file = normalize(join(base, rel));
    if (!file.startsWith(base)) return next();
    const isFile = await stat(file).then((s) => s.isFile(), () => false);
    // Paths without an extension are the designer's own routes: hand them index.html.
    if (!isFile) {
      if (extname(rel)) return next();
      file = join(base, 'index.html');
    }
    const body = await readFile(file);
    const hashed = /\/assets\//.test(file);
    return c.body(body, 200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  };
}
