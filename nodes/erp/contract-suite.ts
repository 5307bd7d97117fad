// One behavioural suite every ERP that can run here must pass (Tryton live, sandbox ERP). Uses the shared
// catalogue: warehouses WH/WH2, tax codes US-SALES-10/UK-VAT-20, SKUs IPOD2008GREEN/TSHIRT-RED-M/MUG-BLACK,
// accounts 1000 (bank), 1190 (Shopify clearing), 6100 (fees).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/node-api.ts';
import { namesTerm, type ErpConnector, type SalesOrderInput, type StockLevel } from './contract.ts';

const today = () => new Date().toISOString().slice(0, 10);
const uid = () => randomUUID().slice(0, 8);

export function order(overrides: Partial<SalesOrderInput> = {}): SalesOrderInput {
  const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  return {
    externalId: id,
    reference: `#${id.slice(-5)}`,
    customer: { externalId: `cust-${uid()}`, name: 'Jane Doe', email: 'jane@example.com', address: { street: '1 Main St', city: 'Springfield', zip: '12345' } },
    currency: 'USD',
    date: today(),
    warehouse: 'WH',
    lines: [
      { sku: 'IPOD2008GREEN', quantity: '2', unitPrice: '199.00', discount: '10.00', taxCodes: ['US-SALES-10'] },
      { sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00', taxCodes: [] },
    ],
    shipping: [{ description: 'Standard Shipping', amount: '10.00', taxCodes: ['US-SALES-10'] }],
    ...overrides,
  };
}

async function expectErpError(p: Promise<unknown>, code: string, errorClass = 'permanent'): Promise<NodeError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(NodeError);
  expect((e as NodeError).code).toBe(code);
  expect((e as NodeError).errorClass).toBe(errorClass);
  return e as NodeError;
}

/** The stock of one SKU in one warehouse: getStock's only level for that pair. */
async function stockOf(erp: ErpConnector, sku: string, warehouse: string): Promise<StockLevel> {
  const [level] = await erp.getStock({ skus: [sku], warehouses: [warehouse] });
  if (!level) throw new Error(`getStock returned no level for ${sku} in ${warehouse}`);
  return level;
}

export function erpContractSuite(name: string, get: () => ErpConnector): void {
  describe(`${name}: ERP connector contract`, () => {
    it('lists warehouses and tax codes and finds items by SKU', async () => {
      const erp = get();
      const whs = await erp.listWarehouses();
      expect(whs.map((w) => w.code)).toEqual(expect.arrayContaining(['WH', 'WH2']));
      const taxes = await erp.listTaxCodes();
      expect(Number(taxes.find((t) => t.code === 'US-SALES-10')?.rate)).toBe(0.1);
      const items = await erp.findItems(['IPOD2008GREEN', 'NO-SUCH-SKU', 'MUG-BLACK']);
      expect(items.map((i) => i.sku).sort()).toEqual(['IPOD2008GREEN', 'MUG-BLACK']);
      expect(items.find((i) => i.sku === 'IPOD2008GREEN')).toMatchObject({ type: 'goods', unitPrice: '199.00', active: true });
    });

    it('searches active items by code or name, case-insensitively, by code and within the limit', async () => {
      const erp = get();
      if (!erp.searchItems) throw new Error(`${name} implements no searchItems: the lookup editor's item picker needs it`);
      const codes = async (text: string, limit = 50) => (await erp.searchItems!(text, limit)).map((i) => i.sku);
      const ipods = await codes('ipod2008');
      expect(ipods).toEqual(expect.arrayContaining(['IPOD2008BLACK', 'IPOD2008GREEN', 'IPOD2008RED']));
      expect(ipods).toEqual([...ipods].sort());
      expect(ipods.every((c) => c.startsWith('IPOD2008'))).toBe(true);
      expect(await codes('ipod2008', 2)).toEqual(ipods.slice(0, 2));
      expect(await codes('black mug')).toEqual(['MUG-BLACK']); // by name
      expect((await erp.searchItems('Black Mug', 5))[0]).toMatchObject({ sku: 'MUG-BLACK', name: 'Black Mug', active: true });
      // LIKE's own wildcards are text here, not patterns.
      expect(await codes('%')).toEqual([]);
      expect(await codes('no such item anywhere')).toEqual([]);
    });

    it('upserts a customer by external id', async () => {
      const erp = get();
      const ext = `cust-${uid()}`;
      const a = await erp.upsertCustomer({ externalId: ext, name: 'Ann Lee', email: 'ann@example.com' });
      expect(a.created).toBe(true);
      expect(a.document).toMatchObject({ externalId: ext, name: 'Ann Lee', email: 'ann@example.com' });
      const b = await erp.upsertCustomer({ externalId: ext, name: 'Ann Lee-Smith', phone: '+15551234567' });
      expect(b.created).toBe(false);
      expect(b.document).toMatchObject({ id: a.document.id, name: 'Ann Lee-Smith', email: 'ann@example.com', phone: '+15551234567' });
    });

    it('posts a sales order with taxes, discount, shipping and warehouse, idempotently, and reserves stock', async () => {
      const erp = get();
      const before = await stockOf(erp, 'IPOD2008GREEN', 'WH');
      const input = order();
      const first = await erp.createSalesOrder(input);
      expect(first.created).toBe(true);
      const o = first.document;
      expect(o).toMatchObject({ externalId: input.externalId, reference: input.reference, currency: 'USD', warehouse: 'WH', status: 'open', date: input.date });
      expect(o.number).not.toBe('');
      expect(o.customer.externalId).toBe(input.customer.externalId);
      expect(o.lines).toEqual([
        expect.objectContaining({
          sku: 'IPOD2008GREEN',
          quantity: '2',
          unitPrice: '199.00',
          discount: '10.00',
          taxCode: 'US-SALES-10',
          net: '388.00',
          taxAmount: '38.80',
          warehouse: 'WH',
        }),
        expect.objectContaining({ sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00', discount: '0.00', taxCode: null, net: '12.00', taxAmount: '0.00' }),
      ]);
      expect(o.shipping).toEqual([
        expect.objectContaining({ description: 'Standard Shipping', amount: '10.00', net: '10.00', taxAmount: '1.00', taxCode: 'US-SALES-10' }),
      ]);
      expect(o.totals).toEqual({ net: '410.00', tax: '39.80', gross: '449.80' });

      const again = await erp.createSalesOrder(input);
      expect(again.created).toBe(false);
      expect(again.document).toEqual(o);
      expect(await erp.getSalesOrder(input.externalId)).toEqual(o);

      const after = await stockOf(erp, 'IPOD2008GREEN', 'WH');
      expect(Number(after.onHand)).toBe(Number(before.onHand));
      expect(Number(after.available)).toBe(Number(before.available) - 2);
    });

    it("posts an order on the payment term it names (by the ERP's name, any case) and refuses one the ERP lacks", async () => {
      const erp = get();
      const input = order({ paymentTerms: 'net 30' });
      const o = (await erp.createSalesOrder(input)).document;
      // Due in 30 days, not on the ERP's default term: what every receivables aging and dunning run reads.
      expect(o.paymentTerms).toBe('Net 30');
      expect((await erp.getSalesOrder(input.externalId))?.paymentTerms).toBe('Net 30');
      expect((await erp.createSalesOrder(order())).document.paymentTerms).not.toBe('Net 30');
      const unknown = order({ paymentTerms: 'Net 31' });
      const e = await expectErpError(erp.createSalesOrder(unknown), 'PAYMENT_TERM_NOT_FOUND');
      expect(e.message).toContain('"Net 31"');
      expect(e.message).toContain('Net 30');
      expect(e.details).toMatchObject({ field: 'paymentTerms', value: 'Net 31' });
      expect(await erp.getSalesOrder(unknown.externalId)).toBeNull();
      // What a dry run checks a term against before anything is posted.
      const terms = await erp.listPaymentTerms?.();
      expect(terms?.some((t) => namesTerm(t, 'NET 30'))).toBe(true);
      expect(terms?.some((t) => namesTerm(t, 'Net 31'))).toBe(false);
    });

    it('converts tax-inclusive prices so the ERP totals equal the gross paid', async () => {
      const erp = get();
      const input = order({
        currency: 'USD',
        pricesIncludeTax: true,
        lines: [{ sku: 'TSHIRT-RED-M', quantity: '3', unitPrice: '24.00', discount: '6.00', taxCodes: ['UK-VAT-20'] }],
        shipping: [{ description: 'Royal Mail', amount: '4.80', taxCodes: ['UK-VAT-20'] }],
      });
      const { document: o } = await erp.createSalesOrder(input);
      expect(o.totals).toEqual({ net: '59.00', tax: '11.80', gross: '70.80' });
      expect(o.lines[0]).toMatchObject({ unitPrice: '24.00', discount: '6.00', net: '55.00', taxAmount: '11.00' });
    });

    it('applies stacked taxes (state + county) per line, rounded per tax', async () => {
      const erp = get();
      const { document: o } = await erp.createSalesOrder(
        order({ lines: [{ sku: 'SKU2006-001', quantity: '3', unitPrice: '19.99', taxCodes: ['US-STATE-6', 'US-COUNTY-1.5'] }], shipping: [] }),
      );
      // 59.97 × 6 % = 3.5982 -> 3.60; 59.97 × 1.5 % = 0.89955 -> 0.90
      expect(o.lines[0]).toMatchObject({ net: '59.97', taxAmount: '4.50', taxCode: 'US-COUNTY-1.5,US-STATE-6' });
      expect(o.totals).toEqual({ net: '59.97', tax: '4.50', gross: '64.47' });
    });

    it('rejects unknown SKUs, tax codes, warehouses and bad input permanently, creating nothing', async () => {
      const erp = get();
      const a = order({ lines: [{ sku: 'NOPE-123', quantity: '1', unitPrice: '1.00' }] });
      const e1 = await expectErpError(erp.createSalesOrder(a), 'SKU_NOT_FOUND');
      expect(e1.message).toContain('NOPE-123');
      expect(await erp.getSalesOrder(a.externalId)).toBeNull();
      const e2 = await expectErpError(
        erp.createSalesOrder(order({ lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '1.00', taxCodes: ['XX-99'] }] })),
        'TAX_CODE_NOT_FOUND',
      );
      expect(e2.message).toContain('XX-99');
      const e3 = await expectErpError(erp.createSalesOrder(order({ warehouse: 'ATLANTIS' })), 'WAREHOUSE_NOT_FOUND');
      expect(e3.message).toContain('ATLANTIS');
      const e4 = await expectErpError(erp.createSalesOrder(order({ lines: [{ sku: 'MUG-BLACK', quantity: 'abc', unitPrice: '1.00' }] })), 'INVALID_INPUT');
      expect(e4.message).toContain('lines[0].quantity');
    });

    it('ships an order and lists it as a fulfilment with lines, warehouse and tracking, after the cursor', async () => {
      const erp = get();
      const start = await erp.listFulfilments({ since: null, limit: 500 });
      let cursor = start.cursor;
      for (let page = start; page.hasMore; ) {
        page = await erp.listFulfilments({ since: cursor, limit: 500 });
        cursor = page.cursor;
      }
      const input = order({ warehouse: 'WH2', lines: [{ sku: 'TSHIRT-RED-M', quantity: '2', unitPrice: '20.00', taxCodes: ['US-SALES-10'] }], shipping: [] });
      await erp.createSalesOrder(input);
      const stockBefore = await stockOf(erp, 'TSHIRT-RED-M', 'WH2');
      const shipped = await erp.shipSalesOrder!(input.externalId, { trackingNumber: `1Z${uid()}` });
      const page = await erp.listFulfilments({ since: cursor, limit: 50 });
      const f = page.fulfilments.find((x) => x.externalOrderId === input.externalId);
      expect(f).toMatchObject({
        id: shipped.id,
        warehouse: 'WH2',
        lines: [{ sku: 'TSHIRT-RED-M', quantity: '2' }],
        tracking: { number: shipped.tracking.number },
      });
      expect(f!.tracking.number).toMatch(/^1Z/);
      const next = await erp.listFulfilments({ since: page.cursor, limit: 50 });
      expect(next.fulfilments.find((x) => x.id === shipped.id)).toBeUndefined();
      const stockAfter = await stockOf(erp, 'TSHIRT-RED-M', 'WH2');
      expect(Number(stockAfter.onHand)).toBe(Number(stockBefore.onHand) - 2);
      expect((await erp.getSalesOrder(input.externalId))!.status).toBe('fulfilled');
      await expectErpError(erp.cancelSalesOrder(input.externalId), 'CANNOT_CANCEL');
    });

    it('finds many sales orders at once by Shopify order id: the same heads getSalesOrder reads, unknown ids absent', async () => {
      const erp = get();
      if (!erp.findSalesOrders) return;
      const cancelled = order();
      const inputs = [order(), order({ lines: [{ sku: 'MUG-BLACK', quantity: '2', unitPrice: '12.00' }], shipping: [] }), cancelled];
      for (const i of inputs) await erp.createSalesOrder(i);
      await erp.cancelSalesOrder(cancelled.externalId);
      const ids = [...inputs.map((i) => i.externalId), `${Date.now()}404`];
      const heads = await erp.findSalesOrders(ids);
      expect(heads.map((h) => h.externalId).sort()).toEqual(inputs.map((i) => i.externalId).sort());
      for (const i of inputs) {
        const full = (await erp.getSalesOrder(i.externalId))!;
        expect(heads.find((h) => h.externalId === i.externalId)).toEqual({
          id: full.id,
          externalId: full.externalId,
          number: full.number,
          date: full.date,
          status: full.status,
          currency: full.currency,
          totals: full.totals,
        });
      }
      expect(heads.find((h) => h.externalId === cancelled.externalId)!.status).toBe('cancelled');
    });

    it('cancels an open order and releases its reservation', async () => {
      const erp = get();
      const input = order({ lines: [{ sku: 'MUG-BLACK', quantity: '3', unitPrice: '12.00' }], shipping: [] });
      const before = await stockOf(erp, 'MUG-BLACK', 'WH');
      await erp.createSalesOrder(input);
      const cancelled = await erp.cancelSalesOrder(input.externalId);
      expect(cancelled.status).toBe('cancelled');
      const after = await stockOf(erp, 'MUG-BLACK', 'WH');
      expect(after.available).toBe(before.available);
      const again = await erp.createSalesOrder(input);
      expect(again.created).toBe(false);
      expect(again.document.status).toBe('cancelled');
    });

    it('posts partial credit memos idempotently, with and without restock, and a shipping-only refund', async () => {
      const erp = get();
      const input = order({ lines: [{ sku: 'IPOD2008BLACK', quantity: '2', unitPrice: '199.00', taxCodes: ['US-SALES-10'] }] });
      await erp.createSalesOrder(input);
      await erp.shipSalesOrder!(input.externalId, { trackingNumber: 'TRACK-1' });
      const stock0 = await stockOf(erp, 'IPOD2008BLACK', 'WH');
      const refundId = `r${uid()}`;
      const memo = await erp.createCreditMemo({
        externalId: refundId,
        orderExternalId: input.externalId,
        date: today(),
        restock: false,
        lines: [{ sku: 'IPOD2008BLACK', quantity: '1', unitPrice: '199.00', taxCodes: ['US-SALES-10'] }],
      });
      expect(memo.created).toBe(true);
      expect(memo.document).toMatchObject({
        externalId: refundId,
        orderExternalId: input.externalId,
        restock: false,
        totals: { net: '199.00', tax: '19.90', gross: '218.90' },
      });
      expect(memo.document.lines).toEqual([
        expect.objectContaining({ sku: 'IPOD2008BLACK', quantity: '1', unitPrice: '199.00', net: '199.00', taxAmount: '19.90' }),
      ]);
      const again = await erp.createCreditMemo({
        externalId: refundId,
        orderExternalId: input.externalId,
        date: today(),
        restock: false,
        lines: [{ sku: 'IPOD2008BLACK', quantity: '1', unitPrice: '199.00', taxCodes: ['US-SALES-10'] }],
      });
      expect(again.created).toBe(false);
      expect(again.document.id).toBe(memo.document.id);
      expect((await stockOf(erp, 'IPOD2008BLACK', 'WH')).onHand).toBe(stock0.onHand);

      const back = await erp.createCreditMemo({
        externalId: `r${uid()}`,
        orderExternalId: input.externalId,
        date: today(),
        restock: true,
        lines: [{ sku: 'IPOD2008BLACK', quantity: '1', unitPrice: '199.00', taxCodes: ['US-SALES-10'] }],
      });
      expect(back.document.restock).toBe(true);
      expect(back.document.totals.gross).toBe('218.90');
      const stock1 = await stockOf(erp, 'IPOD2008BLACK', 'WH');
      expect(Number(stock1.onHand)).toBe(Number(stock0.onHand) + 1);

      const ship = await erp.createCreditMemo({
        externalId: `r${uid()}`,
        orderExternalId: input.externalId,
        date: today(),
        restock: false,
        lines: [],
        shipping: [{ description: 'Shipping refund', amount: '10.00', taxCodes: ['US-SALES-10'] }],
      });
      expect(ship.document.lines).toEqual([]);
      expect(ship.document.shipping).toEqual([expect.objectContaining({ net: '10.00', taxAmount: '1.00' })]);
      expect(ship.document.totals).toEqual({ net: '10.00', tax: '1.00', gross: '11.00' });

      await expectErpError(
        erp.createCreditMemo({
          externalId: `r${uid()}`,
          orderExternalId: 'no-such-order',
          date: today(),
          restock: false,
          lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '1.00' }],
        }),
        'SALES_ORDER_NOT_FOUND',
      );
    });

    it('posts a payout journal idempotently and reads the ledger back', async () => {
      const erp = get();
      const payout = `payout-${uid()}`;
      const input = {
        externalId: payout,
        date: today(),
        description: 'Shopify payout',
        lines: [
          { account: '1000', debit: '95.10', description: 'Bank deposit' },
          { account: '6100', debit: '4.90', description: 'Shopify fees' },
          { account: '1190', credit: '100.00', description: 'Clearing' },
        ],
      };
      const a = await erp.postJournal(input);
      expect(a.created).toBe(true);
      expect(a.document).toMatchObject({ externalId: payout, posted: true, totals: { debit: '100.00', credit: '100.00' }, description: 'Shopify payout' });
      const b = await erp.postJournal(input);
      expect(b).toEqual({ created: false, document: a.document });
      await expectErpError(
        erp.postJournal({
          ...input,
          externalId: `payout-${uid()}`,
          lines: [
            { account: '1000', debit: '1.00' },
            { account: '1190', credit: '2.00' },
          ],
        }),
        'UNBALANCED_JOURNAL',
      );
      await expectErpError(
        erp.postJournal({
          ...input,
          externalId: `payout-${uid()}`,
          lines: [
            { account: '9999', debit: '1.00' },
            { account: '1190', credit: '1.00' },
          ],
        }),
        'ACCOUNT_NOT_FOUND',
      );
      const ledger = await erp.listLedger({ from: today(), to: today(), accounts: ['1190'] });
      const line = ledger.find((l) => l.source.externalId === payout);
      expect(line).toMatchObject({ account: '1190', debit: '0.00', credit: '100.00', source: { type: 'journal', externalId: payout }, reconciled: false });
      expect(ledger.every((l) => l.account === '1190')).toBe(true);
    });
  });
}
