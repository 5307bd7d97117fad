// Live: a real trytond from Debian packages, provisioned by scripts/tryton (one server for this file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../../../runtime/node-api.ts';
import { freePort } from '../../../scripts/tryton/server.ts';
import { startTryton, type StartedTryton } from '../../../scripts/tryton/start.ts';
import { erpContractSuite, order } from '../contract-suite.ts';
import type { ErpConnector } from '../contract.ts';
import { createTrytonConnector } from './connector.ts';

let tryton: StartedTryton;
let erp: ErpConnector;

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector({ url: tryton.url, database: tryton.database, user: tryton.user, password: tryton.password });
});
afterAll(async () => {
  await erp?.close();
  await tryton?.stop();
});

erpContractSuite('tryton (live)', () => erp);

describe('tryton specifics', () => {
  it('classifies a wrong password as a permanent auth error without leaking it', async () => {
    const bad = createTrytonConnector({ url: tryton.url, database: tryton.database, user: tryton.user, password: 'hunter2-wrong' });
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

  it('reads posted order invoices back in the ledger with the Shopify order id', async () => {
    const posting = createTrytonConnector({ url: tryton.url, database: tryton.database, user: tryton.user, password: tryton.password, postInvoices: true });
    const input = order();
    await posting.createSalesOrder(input);
    const today = new Date().toISOString().slice(0, 10);
    const ledger = await posting.listLedger({ from: today, to: today, accounts: ['1100'] });
    const line = ledger.find((l) => l.source.externalId === input.externalId);
    expect(line).toMatchObject({ account: '1100', debit: '449.80', credit: '0.00', source: { type: 'invoice' } });
    expect(line!.source.number).toMatch(/^INV\d{4}-/);
  });
});
