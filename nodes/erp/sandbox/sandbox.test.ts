import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { erpContractSuite, order } from '../contract-suite.ts';
import { createSandboxErp, type SandboxErp } from './index.ts';

const erp = createSandboxErp();
afterAll(() => erp.close());

erpContractSuite('sandbox ERP', () => erp);

describe('sandbox ERP specifics', () => {
  it('rejects a duplicate SKU like a real ERP', () => {
    expect(() => erp.admin.addItem({ sku: 'MUG-BLACK', name: 'Another mug' })).toThrow(expect.objectContaining({ code: 'DUPLICATE_SKU' }));
    expect(erp.admin.addItem({ sku: 'NEW-SKU-1', name: 'New thing', unitPrice: '5' })).toMatchObject({ sku: 'NEW-SKU-1', unitPrice: '5.00' });
  });

  it('a sandbox made before orders carried payment terms gets the column and the terms, and keeps its orders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-erp-terms-'));
    try {
      const old = new Database(join(dir, 'sandbox-erp.sqlite'));
      old.exec(`CREATE TABLE sales_orders (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, number TEXT NOT NULL, reference TEXT NOT NULL,
        customer_id INTEGER NOT NULL, currency TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL, warehouse_id INTEGER NOT NULL,
        net TEXT NOT NULL, tax TEXT NOT NULL, gross TEXT NOT NULL, created_at TEXT NOT NULL)`);
      old.close();
      const again = createSandboxErp({ dataDir: dir });
      try {
        const o = order({ paymentTerms: 'Net 60' });
        expect((await again.createSalesOrder(o)).document.paymentTerms).toBe('Net 60');
        expect((await again.listPaymentTerms!()).map((t) => t.name)).toContain('Due on receipt');
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('posts invoices and credit memos to a balanced double-entry ledger', async () => {
    const input = order();
    await erp.createSalesOrder(input);
    const today = input.date;
    const lines = (await erp.listLedger({ from: today, to: today })).filter((l) => l.source.externalId === input.externalId);
    expect(lines.map((l) => [l.account, l.debit, l.credit])).toEqual([
      ['1100', '449.80', '0.00'],
      ['4000', '0.00', '410.00'],
      ['2100', '0.00', '39.80'],
    ]);
    const all = await erp.listLedger({ from: '2000-01-01', to: '2999-12-31' });
    const debit = all.reduce((a, l) => a + Math.round(Number(l.debit) * 100), 0);
    const credit = all.reduce((a, l) => a + Math.round(Number(l.credit) * 100), 0);
    expect(debit).toBe(credit);
  });

  it('posts a memo of adjustments only (an amount-only refund): receivable credited against the adjustment account', async () => {
    const input = order();
    await erp.createSalesOrder(input);
    const refundId = `r-adj-${input.externalId}`;
    const memo = await erp.createCreditMemo({
      externalId: refundId,
      orderExternalId: input.externalId,
      date: input.date,
      restock: false,
      lines: [],
      adjustments: [{ description: 'Amount-only refund: cash 10.00', amount: '10.00', account: '6200' }],
    });
    expect(memo.document).toMatchObject({ lines: [], shipping: [], totals: { net: '10.00', tax: '0.00', gross: '10.00' } });
    expect(memo.document.adjustments).toEqual([{ description: 'Amount-only refund: cash 10.00', amount: '10.00', account: '6200' }]);
    const lines = (await erp.listLedger({ from: input.date, to: input.date })).filter((l) => l.source.externalId === refundId);
    expect(lines.map((l) => [l.account, l.debit, l.credit])).toEqual([
      ['1100', '0.00', '10.00'],
      ['6200', '10.00', '0.00'],
    ]);
  });

  it('simulated outages: down is transient and writes nothing; a timeout is ambiguous and a retry finds the document', async () => {
    const input = order();
    erp.admin.simulateOutage('down');
    await expect(erp.createSalesOrder(input)).rejects.toMatchObject({ errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
    erp.admin.simulateOutage(null);
    expect(await erp.getSalesOrder(input.externalId)).toBeNull();
    erp.admin.simulateOutage('timeout');
    await expect(erp.createSalesOrder(input)).rejects.toMatchObject({ errorClass: 'ambiguous', code: 'ERP_TIMEOUT' });
    erp.admin.simulateOutage(null);
    const retry = await erp.createSalesOrder(input);
    expect(retry.created).toBe(false);
    expect(erp.admin.dump().salesOrders.filter((o) => (o as { externalId: string }).externalId === input.externalId)).toHaveLength(1);
  });

  it("refuses journals and settlements in a currency other than its company's, naming both, and posts nothing", async () => {
    const eur = createSandboxErp({ currency: 'EUR' });
    expect(await eur.companyCurrency!()).toBe('EUR');
    const journal = {
      externalId: 'P-USD-1',
      date: '2026-11-30',
      description: 'USD payout',
      currency: 'USD',
      lines: [
        { account: '1000', debit: '10.00' },
        { account: '1190', credit: '10.00' },
      ],
    };
    await expect(eur.postJournal(journal)).rejects.toMatchObject({
      code: 'CURRENCY_MISMATCH',
      errorClass: 'permanent',
      details: { currency: 'USD', companyCurrency: 'EUR' },
    });
    await expect(
      eur.settleReceivables!({
        externalId: 'P-USD-1',
        date: '2026-11-30',
        description: 'x',
        currency: 'USD',
        accounts: { receivable: '1100', clearing: '1190', disputes: '6200' },
        items: [],
      }),
    ).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' });
    expect(await eur.listLedger({ from: '2026-11-01', to: '2026-11-30' })).toEqual([]);
    expect((await eur.postJournal({ ...journal, currency: 'EUR' })).created).toBe(true);
  });

  it('persists in a data dir across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-erp-'));
    let a: SandboxErp | undefined;
    try {
      a = createSandboxErp({ dataDir: dir });
      const input = order();
      await a.createSalesOrder(input);
      // Readable by its owner alone, as the data dir's other files (it was 0644).
      for (const f of ['sandbox-erp.sqlite', 'sandbox-erp.sqlite-wal', 'sandbox-erp.sqlite-shm']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
      await a.close();
      a = createSandboxErp({ dataDir: dir });
      expect((await a.getSalesOrder(input.externalId))?.totals.gross).toBe('449.80');
      expect((await a.listWarehouses()).length).toBe(2); // not seeded twice
    } finally {
      await a?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
