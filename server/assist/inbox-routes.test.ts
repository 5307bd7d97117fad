// The routes the inbox and the lookup editor use: triage of many exceptions at once, proposals per lookup table,
// and accepting a proposed row — which an operator may do, but only for a key the exception found missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../testing.ts';
import { AcceptResult, TableProposals, TriageBatch } from './routes.ts';

let t: TestServer;
let id = '';
beforeAll(async () => {
  t = await testServer({ withRoles: true });
  await t.server.deps.lookups.create({ name: 'tax-codes', keyColumns: [{ name: 'title' }, { name: 'rate', optional: true }], valueColumns: ['taxCode'] });
  id = (
    await t.server.deps.exceptions.raise({
      type: 'unmapped-tax-code',
      key: 'tax-codes:Ohio Resort Tax 0.07',
      title: 'Tax rate "Ohio Resort Tax 0.07" has no ERP tax code (table tax-codes)',
      data: {
        error: {
          message: 'no row',
          class: 'permanent',
          code: 'LOOKUP_MISSING',
          details: { table: 'tax-codes', scope: 'shared', missing: [{ key: { title: 'Ohio Resort Tax', rate: '0.07' } }] },
        },
        stepType: 'lookup.tax-code',
      },
    })
  ).id;
});
afterAll(async () => t?.close());

describe('assist routes for the inbox and the lookup editor', () => {
  it('triages a list of exceptions in one call, leaving unknown ids out', async () => {
    const r = await t.json('GET', `/api/assist/triage?ids=${id},exc_nope`, { token: t.tokens.viewer });
    expect(r.status).toBe(200);
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => TriageBatch.parse(r.body)).not.toThrow();
    expect(Object.keys(r.body.triage)).toEqual([id]);
    expect(r.body.triage[id]).toMatchObject({ category: 'missing-reference-data', action: { kind: 'add-lookup-row', params: { table: 'tax-codes' } } });
  });

  it('lists, per lookup table, the open exceptions missing a row in it', async () => {
    const r = await t.json('GET', '/api/assist/lookups/tax-codes/proposals', { token: t.tokens.client });
    expect(r.status).toBe(200);
    expect(() => TableProposals.parse(r.body)).not.toThrow();
    expect(r.body.proposals.map((p: any) => p.exceptionId)).toEqual([id]);
    // No flow, so no ERP to read lists from: said, not hidden.
    expect(r.body.proposals[0].lookups.note).toMatch(/no ERP connection/);
    expect((await t.json('GET', '/api/assist/lookups/locations/proposals', { token: t.tokens.client })).body.proposals).toEqual([]);
  });

  it('lets an operator accept a row for the missing key only', async () => {
    const other = await t.json('POST', `/api/assist/exceptions/${id}/accept`, {
      token: t.tokens.operator,
      body: { rows: [{ title: 'Sales Tax', rate: '0.10', taxCode: 'US-SALES-10' }] },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toMatch(
      /rows\[0\] .* is not for a key this exception found missing in tax-codes \(\{"title":"Ohio Resort Tax","rate":"0.07"\}\)/,
    );
    expect((await t.server.deps.lookups.rows({ name: 'tax-codes' })).rows).toEqual([]);
    expect(
      (await t.json('POST', `/api/assist/exceptions/${id}/accept`, { token: t.tokens.viewer, body: { rows: [{ title: 'Ohio Resort Tax', taxCode: 'X' }] } }))
        .status,
    ).toBe(403);

    const ok = await t.json('POST', `/api/assist/exceptions/${id}/accept`, {
      token: t.tokens.operator,
      body: { rows: [{ title: 'Ohio Resort Tax', rate: '0.070', taxCode: 'US-OH-RESORT-7' }] },
    });
    expect(ok.status).toBe(200);
    expect(() => AcceptResult.parse(ok.body)).not.toThrow();
    // A new table version on top of the empty first one; the refused attempt wrote none.
    expect(ok.body).toMatchObject({ table: 'tax-codes', version: { version: 2 } });
    expect((await t.server.deps.lookups.rows({ name: 'tax-codes' })).rows).toEqual([
      expect.objectContaining({ title: 'Ohio Resort Tax', taxCode: 'US-OH-RESORT-7' }),
    ]);
  });
});
