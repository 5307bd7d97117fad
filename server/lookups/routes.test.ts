import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AnyStore } from '../../runtime/store/any-store.ts';
import { openTestStore } from '../../runtime/testing/pass.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { LookupService } from './store/index.ts';
import { lookupRoutes, LOOKUP_PERMISSIONS, type LookupPermission } from './routes.ts';

let tmp: ReturnType<typeof tempDir>;
let store: AnyStore;
let svc: LookupService;
let app: Hono;
const changes: string[] = [];

// Stands in for the server's role middleware: the role comes from a header, the permission table from routes.ts.
const authorize =
  (perm: LookupPermission): MiddlewareHandler =>
  async (c, next) => {
    const role = c.req.header('x-role') ?? '';
    if (!(LOOKUP_PERMISSIONS[perm] as readonly string[]).includes(role))
      return c.json({ error: { code: 'forbidden', message: `role "${role}" may not ${perm}` } }, 403);
    c.set('user' as never, { email: `${role}@shop.test` } as never);
    await next();
  };

beforeEach(async () => {
  tmp = tempDir();
  store = await openTestStore(tmp.dir);
  svc = new LookupService(store);
  changes.length = 0;
  app = new Hono().route(
    '/api/lookups',
    lookupRoutes(svc, { authorize, onChange: (e) => changes.push(`${e.action} ${e.name} v${e.version ?? '-'} by ${e.by}`) }),
  );
});
afterEach(async () => {
  await store.close();
  tmp.cleanup();
});

const req = (method: string, path: string, role: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(`/api/lookups${path}`, {
    method,
    headers: { 'x-role': role, ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('lookup API', () => {
  it('a consultant creates a table from a preset; a client edits rows; everyone reads', async () => {
    let r = await req('POST', '', 'consultant', { name: 'tax-codes', preset: 'tax-codes', rows: [{ title: 'VAT', rate: 0.2, taxCode: 'UK-STD' }] });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ name: 'tax-codes', scope: 'shared', version: 1, rowCount: 1, valueColumns: ['taxCode'] });
    expect((await req('POST', '', 'client', { name: 'other', preset: 'locations' })).status).toBe(403);

    r = await req('PATCH', '/shared/tax-codes/rows', 'client', { rows: [{ title: 'VAT', rate: '5%', taxCode: 'UK-RED' }], expectedVersion: 1 });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ version: 2, rowCount: 2, createdBy: 'client@shop.test' });

    r = await req('GET', '/shared/tax-codes', 'viewer');
    const got = (await r.json()) as { version: number; rows: Array<Record<string, string>> };
    expect(got.version).toBe(2);
    expect(got.rows.map((x) => x.taxCode)).toEqual(['UK-STD', 'UK-RED']);
    expect(((await (await req('GET', '/shared/tax-codes?version=1', 'operator')).json()) as { rows: unknown[] }).rows).toHaveLength(1);
    expect(((await (await req('GET', '', 'client')).json()) as { tables: Array<{ name: string }> }).tables.map((t) => t.name)).toEqual(['tax-codes']);
    expect(changes).toEqual(['lookup.create tax-codes v1 by consultant@shop.test', 'lookup.rows.upsert tax-codes v2 by client@shop.test']);
  });

  it('answers 409 for a stale expectedVersion, 422 naming row and column, 404 for an unknown table, 400 for a bad body', async () => {
    await req('POST', '', 'owner', { name: 'locations', preset: 'locations' });
    await req('PUT', '/shared/locations/rows', 'client', { rows: [{ location: '1', warehouse: 'A' }] });
    let r = await req('PUT', '/shared/locations/rows', 'client', { rows: [{ location: '1', warehouse: 'B' }], expectedVersion: 1 });
    expect(r.status).toBe(409);
    r = await req('PUT', '/shared/locations/rows', 'client', {
      rows: [
        { location: '1', warehouse: 'B' },
        { location: '', warehouse: 'C' },
      ],
    });
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({
      error: {
        code: 'invalid_lookup_data',
        message: 'invalid lookup data: row 2 column "location": key column is empty (only optional key columns may be left empty)',
        problems: [{ where: 'row 2', path: '$.rows[1].location', message: 'key column is empty (only optional key columns may be left empty)' }],
      },
    });
    expect((await req('GET', '/shared/nope', 'client')).status).toBe(404);
    r = await req('PUT', '/shared/locations/rows', 'client', { rows: 'x' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { problems: Array<{ path: string }> } }).error.problems[0]?.path).toBe('$.rows');
  });

  it('imports and exports CSV, lists versions and restores one', async () => {
    await req('POST', '', 'consultant', { name: 'payment-methods', scope: 'order-to-erp', preset: 'payment-methods' });
    let r = await req('PUT', '/order-to-erp/payment-methods/csv?mode=merge', 'client', 'gateway,paymentMethod\nshopify_payments,CARD\npaypal,PAYPAL\n', {
      'content-type': 'text/csv',
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ version: 2, rowCount: 2 });
    r = await req('GET', '/order-to-erp/payment-methods/csv', 'viewer');
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="order-to-erp-payment-methods.csv"');
    expect(await r.text()).toBe('gateway,paymentMethod\nshopify_payments,CARD\npaypal,PAYPAL\n');
    r = await req('PUT', '/order-to-erp/payment-methods/csv', 'client', 'gateway,method\nx,y\n', { 'content-type': 'text/csv' });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/row 1 column "method": unknown column/);
    expect((await req('PUT', '/order-to-erp/payment-methods/csv', 'client', 'a,b', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await req('PUT', '/order-to-erp/payment-methods/csv', 'viewer', 'gateway,paymentMethod\n', { 'content-type': 'text/csv' })).status).toBe(403);

    r = await req('POST', '/order-to-erp/payment-methods/versions/1/restore', 'client', {});
    expect(await r.json()).toMatchObject({ version: 3, rowCount: 0, message: 'restored version 1' });
    const versions = ((await (await req('GET', '/order-to-erp/payment-methods/versions', 'client')).json()) as { versions: Array<{ version: number }> })
      .versions;
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await req('DELETE', '/order-to-erp/payment-methods', 'client')).status).toBe(403);
    expect((await req('DELETE', '/order-to-erp/payment-methods', 'consultant')).status).toBe(200);
    expect((await req('GET', '/order-to-erp/payment-methods', 'consultant')).status).toBe(404);
  });
});
