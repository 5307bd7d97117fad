// The designer's files at `/`: assets with their types and long caching, index.html for client routes, and nothing
// outside the build folder or under the API's paths.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { designerStatic } from './static.ts';

const tmp = tempDir('ledgerline-static-');
afterAll(() => tmp.cleanup());

const dist = join(tmp.dir, 'dist');
mkdirSync(join(dist, 'assets'), { recursive: true });
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Ledgerline</title>');
writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the build');

const app = new Hono();
app.use('*', designerStatic(dist)!);
app.get('/api/thing', (c) => c.json({ api: true }));
app.notFound((c) => c.text('not found', 404));

describe('designer static files', () => {
  it('serves assets with their type, hashed ones cached for good, the rest revalidated', async () => {
    const js = await app.request('/assets/app-1234.js');
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    expect(await js.text()).toBe('console.log(1)');
    const svg = await app.request('/favicon.svg');
    expect([svg.headers.get('content-type'), svg.headers.get('cache-control')]).toEqual(['image/svg+xml; charset=utf-8', 'no-cache']);
    const head = await app.request('/assets/app-1234.js', { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '14']);
  });

  it('answers client routes with index.html, a missing asset with 404, and leaves the API alone', async () => {
    for (const p of ['/', '/flows/abc/edit', '/finance/payouts']) {
      const r = await app.request(p);
      expect([p, r.status, r.headers.get('cache-control')]).toEqual([p, 200, 'no-cache']);
      expect(await r.text()).toContain('<title>Ledgerline</title>');
    }
    expect((await app.request('/assets/missing.js')).status).toBe(404);
    expect(await (await app.request('/api/thing')).json()).toEqual({ api: true });
    expect((await app.request('/api/nothing')).status).toBe(404);
    expect((await app.request('/assets/app-1234.js', { method: 'POST' })).status).toBe(404);
  });

  it('never serves a file outside the build folder', async () => {
    for (const p of ['/../secret.txt', '/assets/..%2F..%2Fsecret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..\\secret.txt']) {
      const r = await app.request(`http://x${p}`);
      expect(await r.text(), p).not.toContain('outside the build');
    }
  });

  it('is off when the designer is not built', () => {
    expect(designerStatic(join(tmp.dir, 'nothing'))).toBeNull();
  });
});
