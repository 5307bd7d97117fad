import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing.ts';
import { PreviewResponse } from './mapping.ts';

let t: TestServer;
beforeAll(async () => {
  t = await testServer({ withRoles: true });
});
afterAll(async () => t?.close());

const config = {
  fields: [
    { target: 'reference', source: { kind: 'path', path: 'order.name' } },
    { target: 'lines', source: { kind: 'each', path: 'order.lineItems', fields: [{ target: 'sku', source: { kind: 'path', path: 'sku' } }] } },
  ],
};

describe('POST /api/mapping/preview', () => {
  it('maps a sample and traces where each target came from', async () => {
    const sample = { order: { name: '#1001', lineItems: [{ sku: 'A-1' }, { sku: 'B-2' }] } };
    const r = await t.json('POST', '/api/mapping/preview', { token: t.tokens.consultant, body: { config, sample } });
    expect(r.status).toBe(200);
    const body = r.body;
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => PreviewResponse.parse(body)).not.toThrow();
    expect(body.ok).toBe(true);
    expect(body.output).toEqual({ reference: '#1001', lines: [{ sku: 'A-1' }, { sku: 'B-2' }] });
    expect(body.fields).toContainEqual(expect.objectContaining({ target: 'lines[1].sku', source: 'order.lineItems[1].sku', value: 'B-2' }));
  });

  it('names the target and source path of a missing value', async () => {
    const r = await t.json('POST', '/api/mapping/preview', { token: t.tokens.client, body: { config, sample: { order: { lineItems: [] } } } });
    const body = r.body;
    expect(() => PreviewResponse.parse(body)).not.toThrow();
    expect(body.ok).toBe(false);
    expect(JSON.stringify(body.problems)).toContain('order.name');
  });

  it('runs no expression for the client role (consultant-only everywhere, preview included)', async () => {
    const withExpr = { fields: [{ target: 'x', source: { kind: 'expr', expr: '(() => { while (true) {} })()' } }] };
    const r = await t.json('POST', '/api/mapping/preview', { token: t.tokens.client, body: { config: withExpr, sample: {} } });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/consultants/);
    const nested = { fields: [{ target: 'x', source: { kind: 'path', path: 'a' }, transforms: [{ filter: [{ expr: 'true' }] }] }] };
    expect((await t.json('POST', '/api/mapping/preview', { token: t.tokens.client, body: { config: nested, sample: {} } })).status).toBe(403);
  });

  it('is not for finance users', async () => {
    expect((await t.json('POST', '/api/mapping/preview', { token: t.tokens.viewer, body: { config, sample: {} } })).status).toBe(403);
  });
});
