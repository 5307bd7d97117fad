// The Tryton-marked correctness cases on a live trytond (scripts/tryton): a UK VAT-inclusive order with an order-level
// discount code posts with net, tax and gross equal to Shopify's; partial refunds with and without restock and a
// shipping-only refund post credit notes that reverse exactly what was invoiced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../scripts/tryton/start.ts';
import { createTrytonConnector } from '../../nodes/erp/index.ts';
import { TrytonRpc } from '../../nodes/erp/tryton/rpc.ts';
import type { Scenario } from '../../nodes/shopify/index.ts';
import { readFileSync } from 'node:fs';
import { FIXTURES, asPaidOrder, outputOf, scenario, startHarness, stepOf, type Harness } from './scenarios/harness.ts';

const SHOP: Scenario = { shop: { name: 'Tryton test shop', currency: 'GBP' }, locations: [{ id: 24826418, name: 'Leeds warehouse' }], products: [], inventory: [] };
let tryton: StartedTryton;
let h: Harness;
const UK = 'gid://shopify/Order/7100000001';

beforeAll(async () => {
  tryton = await startTryton();
  h = await startHarness({ erp: createTrytonConnector({ url: tryton.url, database: tryton.database, user: tryton.user, password: tryton.password, postInvoices: true }), shop: SHOP });
  h.install('order-to-erp');
  h.install('refund-to-credit-memo');
  h.store!.createOrder(scenario('uk-vat-inclusive-discount.orders-paid.json'));
}, 600_000);
afterAll(async () => {
  await h?.close();
  await tryton?.stop();
});

const stock = async (sku: string) => (await h.erp.getStock({ skus: [sku], warehouses: ['WH'] }))[0];

// Shopify's REST example order #1001, paid, dated this year: Tryton books an invoice on the order's date and has
// fiscal periods for last, this and next year only (scripts/tryton/setup.py); the example itself is from 2008.
const order1001 = () =>
  asPaidOrder(JSON.stringify(JSON.parse(readFileSync(`${FIXTURES}rest-2026-07.order.single.json`, 'utf8')).order)).replaceAll('2008-01-10T', `${new Date().getUTCFullYear()}-01-10T`);

describe('templates on Tryton', () => {
  it('UK VAT-inclusive prices with a 10 % discount code: Tryton totals equal Shopify\'s to the penny', async () => {
    const run = await h.run('order-to-erp', scenario('uk-vat-inclusive-discount.orders-paid.json'));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ externalId: UK, currency: 'GBP', totals: { net: '57.47', tax: '11.50', gross: '68.97' } });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([['TSHIRT-RED-M', 'UK-VAT-20', '9.00'], ['MUG-BLACK', 'UK-VAT-20', '1.80']]);
  }, 120_000);

  it("regression: REST example order #1001 books Shopify's 11.94 tax as manual invoice tax lines, not 6 % × 587.00 = 35.22", async () => {
    const raw = order1001();
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ reference: '#1001', totals: { net: '587.00', tax: '11.94', gross: '598.94' } });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([['IPOD2008GREEN', 'US-STATE-6', '3.98'], ['IPOD2008RED', 'US-STATE-6', '3.98'], ['IPOD2008BLACK', 'US-STATE-6', '3.98']]);
    // Posted after the UK order's invoice (2026-03-02) although dated 01-10: Tryton numbers invoices in date order, so
    // the late invoice keeps the order's date and is booked on the latest date already numbered.
    const ledger = (await h.erp.listLedger({ from: '2000-01-01', to: '2099-12-31' })).filter((l) => l.source.externalId === 'gid://shopify/Order/450789469');
    const side = (acc: string) => ledger.filter((l) => l.account === acc).reduce((a, l) => a + Number(l.credit) - Number(l.debit), 0).toFixed(2);
    expect([side('2100'), side('4000'), side('1100')]).toEqual(['11.94', '587.00', '-598.94']);
    expect([...new Set(ledger.map((l) => l.date))]).toEqual(['2026-03-02']);
  }, 120_000);

  it('a tax difference against Shopify books nothing on Tryton: the sale stays a draft', async () => {
    const o = JSON.parse(order1001());
    Object.assign(o, { id: 450789470, admin_graphql_api_id: 'gid://shopify/Order/450789470', name: '#1001-B', total_tax: '12.00' });
    o.total_tax_set.shop_money.amount = '12.00';
    o.total_price_set.shop_money.amount = '599.00';
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'TOTALS_MISMATCH', details: { fields: ['tax', 'gross'], draft: true } });
    expect(stepOf(run, 'read-back')).toBeUndefined();
    expect(await h.erp.getSalesOrder('gid://shopify/Order/450789470')).toMatchObject({ status: 'draft', totals: { tax: '11.94' } });
  }, 120_000);

  it('10 concurrent runs of the same order create exactly one Tryton sale (business key claimed in Ledgerline\'s store first)', async () => {
    const o = JSON.parse(order1001());
    Object.assign(o, { id: 450789471, admin_graphql_api_id: 'gid://shopify/Order/450789471', name: '#1001-C' });
    const body = JSON.stringify(o);
    const version = h.rt.flows.get('order-to-erp').activeVersion!;
    const runIds = Array.from({ length: 10 }, () => h.rt.queue.ingest({ source: 'manual', payload: body, targets: [{ flowId: 'order-to-erp', version }] }).runIds[0]);
    await h.rt.drain(240_000);
    const runs = runIds.map((id) => h.rt.runs.get(id));
    expect(runs.map((r) => r.status), JSON.stringify(runs.find((r) => r.status !== 'succeeded')?.error)).toEqual(Array(10).fill('succeeded'));
    expect(runs.filter((r) => outputOf(r, 'post').created).length).toBe(1);
    expect(new Set(runs.map((r) => outputOf(r, 'read-back').number)).size).toBe(1);
    const rpc = new TrytonRpc({ url: tryton.url, database: tryton.database, user: tryton.user, password: tryton.password });
    expect(await rpc.model<number>('sale.sale', 'search_count', [[['reference', '=', 'gid://shopify/Order/450789471']]])).toBe(1);
    // Some runs found the key held and waited (a transient CLAIMED_BY_OTHER_RUN, retried).
    expect(runs.some((r) => (r.steps.find((s) => s.nodeId === 'post')?.attempts ?? 1) > 1)).toBe(true);
  }, 300_000);

  it('partial refund with restock, one without, and a shipping-only refund', async () => {
    const before = await stock('TSHIRT-RED-M');
    const cases: Array<[string, { restock: boolean; totals: Record<string, string> }]> = [
      ['uk-vat-inclusive-discount.refund-restock.json', { restock: true, totals: { net: '14.99', tax: '3.00', gross: '17.99' } }],
      ['uk-vat-inclusive-discount.refund-no-restock.json', { restock: false, totals: { net: '9.00', tax: '1.80', gross: '10.80' } }],
      ['uk-vat-inclusive-discount.refund-shipping-only.json', { restock: false, totals: { net: '3.50', tax: '0.70', gross: '4.20' } }],
    ];
    for (const [file, want] of cases) {
      const raw = scenario(file);
      h.store!.createRefund(raw);
      const run = await h.run('refund-to-credit-memo', raw);
      expect(run.status, `${file}: ${JSON.stringify(run.error)}`).toBe('succeeded');
      expect(outputOf(run, 'post'), file).toMatchObject({ orderExternalId: UK, currency: 'GBP', ...want });
    }
    const after = await stock('TSHIRT-RED-M');
    expect(Number(after.onHand) - Number(before.onHand)).toBe(1);
  }, 300_000);
});
