// Live: a real trytond from Debian packages, provisioned by scripts/tryton (one server for this file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../../../runtime/node-api.ts';
import { freePort } from '../../../scripts/tryton/server.ts';
import { startTryton, type StartedTryton } from '../../../scripts/tryton/start.ts';
import { erpContractSuite, order } from '../contract-suite.ts';
import type { ErpConnector } from '../contract.ts';
import { createTrytonConnector } from './connector.ts';
import { TrytonRpc } from './rpc.ts';
import { postJournalNode } from '../nodes/post-journal.ts';
import { postSalesOrderNode } from '../nodes/post-sales-order.ts';
import { readFulfilmentsNode } from '../nodes/read-fulfilments.ts';
import { readLedgerNode } from '../nodes/read-ledger.ts';
import { readStockNode } from '../nodes/read-stock.ts';
import { run } from '../nodes/test-context.ts';

let tryton: StartedTryton;
let erp: ErpConnector;

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector(tryton.login);
});
afterAll(async () => {
  await erp?.close();
  await tryton?.stop();
});

erpContractSuite('tryton (live)', () => erp);

describe('tryton specifics', () => {
  it('classifies a wrong password as a permanent auth error without leaking it', async () => {
    const bad = createTrytonConnector({ ...tryton.login, password: 'hunter2-wrong' });
    const e = (await bad.listWarehouses().catch((x: unknown) => x)) as NodeError;
    expect(e).toBeInstanceOf(NodeError);
    expect(e).toMatchObject({ errorClass: 'permanent', code: 'ERP_AUTH' });
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('hunter2');
  });

  it('classifies a refused connection as transient', async () => {
    const down = createTrytonConnector({ url: `http://127.0.0.1:${await freePort()}/`, database: 'x', user: 'admin', password: 'admin' });
    await expect(down.listWarehouses()).rejects.toMatchObject({ errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
  });

  it('keeps one request in flight per connection even when called concurrently', async () => {
    const results = await Promise.all(['IPOD2008GREEN', 'MUG-BLACK', 'TSHIRT-RED-M', 'SKU2006-001'].map((s) => erp.findItems([s])));
    expect(results.map((r) => r[0]?.sku)).toEqual(['IPOD2008GREEN', 'MUG-BLACK', 'TSHIRT-RED-M', 'SKU2006-001']);
    expect(erp.limits.concurrency).toBe(1);
  });

  it("refuses a payout journal or settlement in a currency other than the company's (CURRENCY_MISMATCH), posting nothing", async () => {
    expect(await erp.companyCurrency!()).toBe('USD');
    const day = new Date().toISOString().slice(0, 10);
    const id = `gbp-payout-${Date.now()}`;
    const e = (await erp
      .postJournal({
        externalId: id,
        date: day,
        description: 'GBP payout',
        currency: 'GBP',
        lines: [
          { account: '1000', debit: '10.00' },
          { account: '1190', credit: '10.00' },
        ],
      })
      .catch((x: unknown) => x)) as NodeError;
    expect(e).toMatchObject({ code: 'CURRENCY_MISMATCH', errorClass: 'permanent', details: { currency: 'GBP', companyCurrency: 'USD' } });
    expect(e.message).toMatch(/GBP.*USD/);
    expect((await erp.listLedger({ from: day, to: day })).some((l) => l.source.externalId === id)).toBe(false);
    await expect(
      erp.settleReceivables!({
        externalId: id,
        date: day,
        description: 'x',
        currency: 'GBP',
        accounts: { receivable: '1100', clearing: '1190', disputes: '6200' },
        items: [],
      }),
    ).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
  });

  // On 4000: Tryton's customer invoice lines take revenue accounts only (its domain refuses the expense account 6200).
  it('posts a credit note of adjustments only (an amount-only refund), idempotently', async () => {
    const input = order();
    await erp.createSalesOrder(input);
    const memo = {
      externalId: `r-adj-${input.externalId}`,
      orderExternalId: input.externalId,
      date: input.date,
      restock: false,
      lines: [],
      adjustments: [{ description: 'Amount-only refund: cash 10.00', amount: '10.00', account: '4000' }],
    };
    const first = await erp.createCreditMemo(memo);
    expect(first.created).toBe(true);
    expect(first.document).toMatchObject({ lines: [], shipping: [], totals: { net: '10.00', tax: '0.00', gross: '10.00' } });
    expect(first.document.adjustments).toEqual(memo.adjustments);
    const again = await erp.createCreditMemo(memo);
    expect(again).toMatchObject({ created: false, document: { id: first.document.id } });
  });

  it("invoices each order's billing address and ships to its shipping address, not the customer's first address", async () => {
    const rpc = new TrytonRpc(tryton.login);
    const customer = { externalId: `cust-addr-${Date.now()}`, name: 'Ann Lee', address: { street: '1 First St', city: 'Leeds', zip: 'LS1 1AA' } };
    const first = order({ customer, shipTo: { name: 'Ann Lee', street: '1 First St', city: 'Leeds', zip: 'LS1 1AA' } });
    // The same customer moved, and sends this one to her office.
    const second = order({
      customer: { ...customer, address: { street: '9 New Rd', city: 'York', zip: 'YO1 7HH' } },
      shipTo: { name: 'Ann at work', street: '5 Office Park', city: 'Hull', zip: 'HU1 2AA' },
    });
    const third = order({ customer, shipTo: { name: 'Ann at work', street: '5 Office Park', city: 'Hull', zip: 'HU1 2AA' } });
    // Moved again, and ships home: one new address serves both (read once, so the second must see the first's add).
    const bath = { street: '2 Spa Rd', city: 'Bath', zip: 'BA1 1AA' };
    const fourth = order({ customer: { ...customer, address: bath }, shipTo: { name: 'Ann Lee', ...bath } });
    const orders = [first, second, third, fourth];
    for (const o of orders) await erp.createSalesOrder(o);
    const sales = await rpc.model<Array<{ reference: string; invoice_address: number; shipment_address: number }>>('sale.sale', 'search_read', [
      [['reference', 'in', orders.map((o) => o.externalId)]],
      0,
      null,
      null,
      ['reference', 'invoice_address', 'shipment_address'],
    ]);
    const ids = [...new Set(sales.flatMap((x) => [x.invoice_address, x.shipment_address]))];
    const rows = await rpc.model<Array<{ id: number; name: string; street: string; city: string }>>('party.address', 'read', [ids, ['name', 'street', 'city']]);
    const where = (id: number) => rows.find((r) => r.id === id)!.city;
    const of = (o: { externalId: string }) => sales.find((x) => x.reference === o.externalId)!;
    expect(orders.map((o) => [where(of(o).invoice_address), where(of(o).shipment_address)])).toEqual([
      ['Leeds', 'Leeds'],
      ['York', 'Hull'],
      ['Leeds', 'Hull'],
      ['Bath', 'Bath'],
    ]);
    // An address already on the party is used again, not added twice: Leeds, York, Hull and Bath, one record each.
    expect(ids).toHaveLength(4);
    await rpc.close();
  });

  it('reads posted order invoices back in the ledger with the Shopify order id', async () => {
    const posting = createTrytonConnector({ ...tryton.login, postInvoices: true });
    const input = order();
    await posting.createSalesOrder(input);
    const today = new Date().toISOString().slice(0, 10);
    const ledger = await posting.listLedger({ from: today, to: today, accounts: ['1100'] });
    const line = ledger.find((l) => l.source.externalId === input.externalId);
    expect(line).toMatchObject({ account: '1100', debit: '449.80', credit: '0.00', source: { type: 'invoice' } });
    expect(line!.source.number).toMatch(/^INV\d{4}-/);
  });
});

describe('ERP nodes on live Tryton', () => {
  it('erp.post-sales-order posts once and erp.read-stock / erp.read-fulfilments / erp.post-journal / erp.read-ledger read it back', async () => {
    const cfg = { connection: 'erp-main' };
    const postCfg = { ...cfg, verify: false }; // a sales order of no Shopify order: nothing to verify against
    const input = order({ lines: [{ sku: 'CASE-LEATHER-PREM', quantity: '2', unitPrice: '49.00', taxCodes: ['US-STATE-6', 'US-COUNTY-1.5'] }], shipping: [] });
    const {
      levels: [was],
    } = await run(readStockNode, { ...cfg, warehouses: ['WH'] }, erp, { skus: ['CASE-LEATHER-PREM'] });
    expect(was).toBeDefined();
    const posted = await run(postSalesOrderNode, postCfg, erp, input);
    // Stacked state + county taxes, each rounded per line: 98.00 × 6 % = 5.88, × 1.5 % = 1.47
    expect(posted).toMatchObject({
      created: true,
      totals: { net: '98.00', tax: '7.35', gross: '105.35' },
      lines: [{ taxCode: 'US-COUNTY-1.5,US-STATE-6', taxAmount: '7.35' }],
    });
    expect((await run(postSalesOrderNode, postCfg, erp, input)).created).toBe(false);
    const after = await run(readStockNode, { ...cfg, warehouses: ['WH'] }, erp, { skus: ['CASE-LEATHER-PREM'] });
    expect(after.levels[0]?.quantity).toBe(was!.quantity - 2);

    const state = new Map<string, unknown>();
    await run(readFulfilmentsNode, { ...cfg, limit: 500 }, erp, {}, state);
    await erp.shipSalesOrder!(input.externalId, { trackingNumber: '1ZNODE' });
    const f = await run(readFulfilmentsNode, { ...cfg, limit: 500 }, erp, {}, state);
    expect(f.fulfilments.map((x) => [x.externalOrderId, x.tracking.number])).toContainEqual([input.externalId, '1ZNODE']);

    const day = new Date().toISOString().slice(0, 10);
    const payout = `node-payout-${Date.now()}`;
    await run(postJournalNode, cfg, erp, {
      externalId: payout,
      date: day,
      description: 'payout',
      lines: [
        { account: '1000', debit: '10.00' },
        { account: '1190', credit: '10.00' },
      ],
    });
    const ledger = await run(readLedgerNode, { ...cfg, accounts: ['1190'] }, erp, { from: day, to: day });
    expect(ledger.lines.some((l) => l.source.externalId === payout && l.credit === '10.00')).toBe(true);
    expect(ledger.accounts['1190']).toBeDefined();
  });
});
