// The audit's findings from real lookup tables (runtime store) and hand-made catalogue/orders, and the CLI command
// end to end against the Shopify sandbox store and the sandbox ERP.
import { afterEach, describe, expect, it } from 'vitest';
import { getNodeType } from '../../nodes/registry.ts';
import { FlowStore } from '../../runtime/flow-store.ts';
import { LookupService, TABLE_PRESETS } from '../lookups/store/index.ts';
import { openStore, type Store } from '../../runtime/store/db.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { auditCommand } from '../commands/audit.ts';
import { auditIntegration, type AuditInput } from './audit.ts';
import { collectAudit, publishedFlows } from './collect.ts';
import { renderAudit } from './render.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  tmp?.cleanup();
});

const flowDoc = (id: string, nodes: Array<Record<string, unknown>>, edges: Array<[string, string]>) => ({
  schemaVersion: 1,
  id,
  name: `Flow ${id}`,
  nodes: nodes.map((n, i) => ({ position: { x: i * 100, y: 0 }, config: {}, ...n })),
  edges: edges.map(([s, t], i) => ({ id: `e${i}`, source: s, target: t })),
});

describe('auditIntegration', () => {
  it('finds catalogue, mapping and flow problems, each with an owner and a fix', async () => {
    tmp = tempDir();
    store = openStore(tmp.dir);
    const lookups = new LookupService(store);
    await lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [{ title: 'GB VAT', rate: '0.2', taxCode: 'UK-VAT-20' }]);
    await lookups.create({ name: 'locations', ...TABLE_PRESETS.locations }, [{ location: 'gid://shopify/Location/1', warehouse: 'WH' }]);
    await lookups.create({ name: 'payment-methods', ...TABLE_PRESETS['payment-methods'] }, [{ gateway: 'shopify_payments', paymentMethod: 'SHOPIFY' }]);
    const flows = new FlowStore(store, getNodeType);
    await flows.create(
      flowDoc(
        'orders',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'tax', type: 'lookup.tax-code' },
          { id: 'loc', type: 'lookup.location' },
        ],
        [
          ['t', 'tax'],
          ['tax', 'loc'],
        ],
      ),
    );
    await flows.publish('orders', { activate: true });

    const input: AuditInput = {
      variants: [
        { id: 'v1', sku: 'TEE-S', title: 'S', productId: 'p1', productTitle: 'Tee' },
        { id: 'v2', sku: 'TEE-S', title: 'Small', productId: 'p2', productTitle: 'Tee (old)' },
        { id: 'v3', sku: '', title: 'Default', productId: 'p3', productTitle: 'Gift wrap' },
        { id: 'v4', sku: 'MUG', title: 'Black', productId: 'p4', productTitle: 'Mug' },
      ],
      erpItems: [{ id: '1', sku: 'MUG', name: 'Mug', type: 'goods', unitPrice: '12.00', active: true }],
      erpStockedSkus: ['MUG', 'WHOLESALE-1'],
      orders: [
        {
          id: 'o1',
          name: '#1',
          gateways: ['shopify_payments'],
          country: 'GB',
          province: null,
          taxLines: [{ title: 'GB VAT', rate: '0.2' }],
          locations: [{ id: 'gid://shopify/Location/1', name: 'Leeds' }],
        },
        {
          id: 'o2',
          name: '#2',
          gateways: ['paypal'],
          country: 'DE',
          province: null,
          taxLines: [{ title: 'DE MwSt', rate: '0.19' }],
          locations: [{ id: 'gid://shopify/Location/2', name: 'Berlin' }],
        },
      ],
      flows: await publishedFlows(flows),
      // The tables as the collector opens them for the audit (missing ones undefined).
      lookup: (await collectAudit({ flows, lookups, nonIdempotent: () => false })).lookup,
      nonIdempotent: (t) => getNodeType(t)?.idempotent === false,
    };
    const r = auditIntegration(input, new Date('2026-11-27T00:00:00Z'));
    const got = r.findings.map((f) => [f.kind, f.subject, f.owner]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['duplicate-sku', 'TEE-S', 'ecommerce'],
        ['sku-missing-in-erp', 'TEE-S', 'ecommerce'],
        ['empty-sku', 'Gift wrap / Default', 'ecommerce'],
        ['unmapped-tax-rate', 'DE MwSt 0.19', 'finance'],
        ['unmapped-location', 'Berlin', 'operations'],
        ['gateway-without-payment-method', 'paypal', 'finance'],
        ['flow-without-monitor', 'orders', 'operations'],
        ['erp-item-not-in-shopify', 'WHOLESALE-1', 'ecommerce'],
      ]),
    );
    expect(r.findings.filter((f) => f.kind === 'erp-item-not-in-shopify').map((f) => f.subject)).toEqual(['WHOLESALE-1']);
    expect(got.find((f) => f[1] === 'MUG' || f[1] === 'GB VAT 0.2' || f[1] === 'Leeds' || f[1] === 'shopify_payments')).toBeUndefined();
    expect(r.summary).toMatchObject({ findings: r.findings.length, high: r.findings.filter((f) => f.severity === 'high').length });

    const md = renderAudit(r, 'md');
    expect(md).toContain('| high | finance | unmapped-tax-rate | DE MwSt 0.19 |');
    expect(renderAudit({ ...r, findings: [{ ...r.findings[0]!, subject: '<script>' }] }, 'html')).toContain('&lt;script&gt;');
  });
});

describe('ledgerline audit', () => {
  it('audits the sandbox shop against the sandbox ERP and exits 1 on high-severity findings', async () => {
    tmp = tempDir();
    let text = '';
    const code = await auditCommand(['--data-dir', tmp.dir, '--format', 'json'], {
      out: (s) => {
        text += s;
      },
      err: () => {},
    });
    const report = JSON.parse(text) as ReturnType<typeof auditIntegration>;
    expect(report.summary.variants).toBeGreaterThan(0);
    const kinds = new Set(report.findings.map((f) => f.kind));
    expect(kinds.has('duplicate-sku')).toBe(true); // the default sandbox catalogue plants DUP-1 twice
    expect(kinds.has('empty-sku')).toBe(true);
    // The sandbox ERP carries the sandbox shop's whole catalogue, so nothing is missing there.
    expect(kinds.has('sku-missing-in-erp')).toBe(false);
    // ...but it stocks two items the sandbox shop does not list: reported from the ERP's own stock, low severity.
    expect(report.findings.filter((f) => f.kind === 'erp-item-not-in-shopify').map((f) => [f.subject, f.severity])).toEqual([
      ['MUG-BLACK', 'low'],
      ['TSHIRT-RED-M', 'low'],
    ]);
    expect(code).toBe(1);
  }, 60_000);

  it('refuses bad arguments with exit code 2', async () => {
    const errs: string[] = [];
    expect(await auditCommand(['--format', 'pdf'], { out: () => {}, err: (s) => errs.push(s) })).toBe(2);
    expect(await auditCommand(['--connection', 'erp'], { out: () => {}, err: (s) => errs.push(s) })).toBe(2);
    expect(errs.join('\n')).toMatch(/--format must be md, html or json[\s\S]*--connection takes shopify=ID or erp=ID/);
  });
});

describe('audit route', () => {
  it('serves the report as JSON and Markdown', async () => {
    const { auditRoutes } = await import('./routes.ts');
    const app = auditRoutes({
      collect: async () => ({
        variants: [{ id: 'v', sku: null, title: 'T', productId: 'p', productTitle: 'P' }],
        erpItems: null,
        orders: [],
        flows: [],
        lookup: () => undefined,
        nonIdempotent: () => false,
      }),
    });
    const json = (await (await app.request('/')).json()) as { findings: Array<{ kind: string }> };
    // What the designer compiles against (the documented schema) is what the route sends.
    const { AuditReportSchema } = await import('./schemas.ts');
    expect(() => AuditReportSchema.parse(json)).not.toThrow();
    expect(json.findings.map((f) => f.kind)).toEqual(['empty-sku']);
    const md = await app.request('/?format=md');
    expect(md.headers.get('content-type')).toMatch(/markdown/);
    expect(await md.text()).toContain('empty-sku');
    expect((await app.request('/?format=pdf')).status).toBe(400);
  });
});
