import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suggestMappingCommand } from './suggest-mapping.ts';

const FIXTURES = new URL('../../nodes/core/assist/fixtures/', import.meta.url).pathname;

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await suggestMappingCommand(args, { out: (s) => (out += s), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

describe('ledgerline suggest-mapping', () => {
  it('prints ranked candidates per target property of an ERP it has never seen', async () => {
    const r = await run(['--target', join(FIXTURES, 'odoo-sale-order.schema.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/order_line\[\]\.product_id\.default_code {2}\(code\)\n {2}1\. order\.lineItems\[\]\.sku +0\.\d\d {2}name matches/);
    expect(r.out).toMatch(/currency_id\.name {2}\(currency\)\n {2}1\. order\.currency /);
  });

  it('--json gives the candidates with confidence, reason and transforms, checked against --sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suggest-'));
    const sample = JSON.parse(readFileSync(new URL('../../nodes/shopify/samples/orders-paid.example.json', import.meta.url), 'utf8'));
    sample.currency = 'EUR';
    writeFileSync(join(dir, 'event.json'), JSON.stringify(sample));
    const r = await run(['--target', join(FIXTURES, 'business-central-sales-order.schema.json'), '--sample', join(dir, 'event.json'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const cur = j.targets.find((t: { target: string }) => t.target === 'currencyCode');
    expect(cur.candidates[0]).toMatchObject({ path: 'order.currency', sampleValue: 'EUR' });
    expect(cur.candidates[0].reason).toContain('sample "EUR" fits ^[A-Z]{3}$');
    const date = j.targets.find((t: { target: string }) => t.target === 'orderDate');
    expect(date.candidates[0].transforms).toEqual([{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }]);
  });

  it('exits 2 naming the problem for a missing option, file or bad schema', async () => {
    expect((await run([])).err).toMatch(/--target TARGET\.schema\.json is required/);
    const missing = await run(['--target', '/nonexistent/x.json']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toMatch(/cannot read target schema \/nonexistent\/x\.json: ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), 'suggest-'));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ type: 'object', properties: { a: { $ref: 'http://x/y' } } }));
    const bad = await run(['--target', join(dir, 't.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/target schema a: only local \$ref/);
    expect((await run(['--target', join(dir, 't.json'), '--source', 'erp.item'])).err).toMatch(/unknown --source "erp.item"/);
  });
});
