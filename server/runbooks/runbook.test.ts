// Runbooks from the payout template (via the CLI on an empty data dir) and from a published flow with core.map and
// lookups whose rows are read from the real lookup store; plus the route.
import { afterEach, describe, expect, it } from 'vitest';
import { getNodeType } from '../../nodes/registry.ts';
import { FlowStore } from '../../runtime/flow-store.ts';
import { LookupService, TABLE_PRESETS } from '../lookups/store/index.ts';
import { openStore, type Store } from '../../runtime/store/db.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { runbookCommand } from '../commands/runbook.ts';
import { runbookRoutes } from './routes.ts';
import { RunbookSchema } from './schemas.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  tmp?.cleanup();
});

async function cli(args: string[]) {
  let out = '';
  const errs: string[] = [];
  const code = await runbookCommand(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => errs.push(s),
  });
  return { code, out, err: errs.join('\n') };
}

describe('ledgerline runbook', () => {
  it('writes the payout template runbook on an empty data dir, in business words', async () => {
    tmp = tempDir();
    const r = await cli(['payout-reconciliation', '--data-dir', tmp.dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('# Runbook: Shopify payout reconciliation');
    expect(r.out).toContain('On a schedule: At 06:00 (UTC time; cron `0 6 * * *`).');
    expect(r.out).toContain('| ERP | general ledger | writes |');
    expect(r.out).toMatch(/\| payout-variance \| finance \| .*its journal was not posted.* \| 1\. Open the payout report/);
    expect(r.out).toMatch(/\| payout-refund-unposted \| finance \|/);
    expect(r.out).toContain('Download the month-end payout report (CSV)');
    expect(r.out).not.toContain('## Mappings');

    const html = await cli(['payout-reconciliation', '--data-dir', tmp.dir, '--format', 'html']);
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out).toContain('<td>payout-variance</td><td>finance</td>');
  });

  it('documents a published flow with core.map and lookups as plain tables', async () => {
    tmp = tempDir();
    store = openStore(tmp.dir);
    const flows = new FlowStore(store, getNodeType);
    const lookups = new LookupService(store);
    await lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [{ title: 'GB VAT', rate: '0.2', taxCode: 'UK-VAT-20' }]);
    await flows.create({
      schemaVersion: 1,
      id: 'orders-uk',
      name: 'UK orders to the ERP',
      nodes: [
        { id: 't', type: 'shopify.trigger', position: { x: 0, y: 0 }, config: { connection: 'shop', topic: 'orders/paid' } },
        { id: 'tax', type: 'lookup.tax-code', name: 'Tax codes', position: { x: 1, y: 0 }, config: {} },
        {
          id: 'map',
          type: 'core.map',
          name: 'Order to sales order',
          position: { x: 2, y: 0 },
          config: {
            fields: [
              { target: 'reference', source: { kind: 'path', path: 'name' } },
              { target: 'warehouse', source: { kind: 'const', value: 'WH' } },
              {
                target: 'lines',
                source: {
                  kind: 'each',
                  path: 'lineItems',
                  fields: [{ target: 'sku', source: { kind: 'path', path: 'sku' }, transforms: [{ op: 'trim' }, { op: 'case', to: 'upper' }] }],
                },
              },
            ],
          },
        },
      ],
      edges: [
        { id: 'e1', source: 't', target: 'tax' },
        { id: 'e2', source: 'tax', target: 'map' },
      ],
    });
    await flows.publish('orders-uk', { activate: true });
    store.close();
    store = undefined;

    const r = await cli(['orders-uk', '--data-dir', tmp.dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('When Shopify sends `orders/paid`.');
    expect(r.out).toContain('| reference | Shopify field `name` |');
    expect(r.out).toContain('| warehouse | always "WH" |');
    expect(r.out).toContain('| lines[].sku | Shopify field `sku` (then trim, case) |');
    expect(r.out).toContain('### tax-codes');
    expect(r.out).toMatch(/\| GB VAT \| 0\.2 \|.*UK-VAT-20 \|/);
    expect(r.out).toMatch(/\| unmapped-tax-code \| finance \|/);
  });

  it('says clearly when the flow does not exist, and refuses bad usage', async () => {
    tmp = tempDir();
    expect(await cli(['no-such-flow', '--data-dir', tmp.dir])).toMatchObject({ code: 1, err: expect.stringContaining('no flow "no-such-flow"') });
    expect((await cli(['--data-dir', tmp.dir])).code).toBe(2);
    expect((await cli(['x', '--format', 'pdf'])).code).toBe(2);
  });
});

describe('runbook route', () => {
  it('serves Markdown, HTML and JSON, 404 for an unknown flow', async () => {
    tmp = tempDir();
    store = openStore(tmp.dir);
    const app = runbookRoutes({ flows: new FlowStore(store, getNodeType), lookups: new LookupService(store) });
    const md = await app.request('/payout-reconciliation');
    expect(md.headers.get('content-type')).toMatch(/markdown/);
    expect(await md.text()).toContain('## Regular checks');
    const json = (await (await app.request('/payout-reconciliation?format=json')).json()) as { exceptions: Array<{ type: string }> };
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => RunbookSchema.parse(json)).not.toThrow();
    expect(json.exceptions.map((e) => e.type)).toContain('payout-missing-in-erp');
    expect((await app.request('/nope')).status).toBe(404);
  });
});
