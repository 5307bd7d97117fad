// /api/docs: a readable page over the OpenAPI document, served offline by the server itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing.ts';

let t: TestServer;
beforeAll(async () => {
  t = await testServer({ withRoles: true });
});
afterAll(() => t.close());

describe('/api/docs', () => {
  it('serves the viewer page and its script (same origin, so the CSP allows it); the page holds no data, the document is fetched with the session', async () => {
    const page = await t.req('GET', '/api/docs', { token: t.tokens.viewer });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="/api/docs/viewer.js"></script>');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script: the CSP forbids it
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await t.req('GET', '/api/docs/viewer.js', { token: t.tokens.viewer });
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toContain("fetch('/api/openapi.json'");
  });
});
