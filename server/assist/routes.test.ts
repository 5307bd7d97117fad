import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { testServer, type TestServer } from '../testing.ts';
import { AssistException, SuggestResponse } from './routes.ts';

let t: TestServer;
beforeAll(async () => {
  t = await testServer({ withRoles: true });
});
afterAll(async () => t?.close());

const bc = JSON.parse(readFileSync(new URL('../../nodes/core/assist/fixtures/business-central-sales-order.schema.json', import.meta.url), 'utf8'));

describe('/api/assist', () => {
  it('suggests Shopify sources for a target schema, as the CLI does', async () => {
    const r = await t.json('POST', '/api/assist/suggest-mapping', { token: t.tokens.consultant, body: { target: bc } });
    expect(r.status).toBe(200);
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => SuggestResponse.parse(r.body)).not.toThrow();
    const byTarget = Object.fromEntries(r.body.targets.map((x: any) => [x.target, x.candidates]));
    expect(byTarget.currencyCode[0]).toMatchObject({ path: 'order.currency' });
    expect(byTarget['salesOrderLines[].lineObjectNumber'][0].path).toBe('order.lineItems[].sku');
    expect(r.body.lists).toEqual({ salesOrderLines: 'order.lineItems' });
  });

  it('answers 400 naming the problem for an unreadable target', async () => {
    const r = await t.json('POST', '/api/assist/suggest-mapping', {
      token: t.tokens.consultant,
      body: { target: { type: 'object', properties: { a: { $ref: '#/nope' } } } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/target schema a: \$ref #\/nope does not resolve/);
  });

  it('gives an exception its triage', async () => {
    const { id } = await t.server.deps.exceptions.raise({
      type: 'erp-unreachable',
      key: 'tryton',
      title: 'tryton ERP did not answer',
      links: { flowId: 'order-to-erp', runId: 'r1', nodeId: 'post' },
      data: {
        error: { message: 'connect ECONNREFUSED 127.0.0.1:8000', class: 'transient', code: 'ERP_UNAVAILABLE', details: { erp: 'tryton' } },
        stepType: 'erp.post-sales-order',
      },
    });
    const r = await t.json('GET', `/api/assist/exceptions/${id}`, { token: t.tokens.operator });
    expect(r.status).toBe(200);
    expect(() => AssistException.parse(r.body)).not.toThrow();
    // r1 is no run of this store: there is nothing a retry could replay, so none is offered.
    expect(r.body.triage).toMatchObject({ category: 'erp-unavailable', action: null });
    expect(r.body.triage.evidence).toContain('error ERP_UNAVAILABLE (transient) in a erp.post-sales-order step');
    expect(r.body.lookups).toBeNull();
    expect((await t.json('GET', '/api/assist/exceptions/nope', { token: t.tokens.operator })).status).toBe(404);
  });
});
