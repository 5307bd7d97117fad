import { describe, expect, it } from 'vitest';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { SEED } from '../sandbox/db.ts';
import { readStockNode } from './read-stock.ts';
import { run } from './test-context.ts';

describe('erp.read-stock', () => {
  const erp = createSandboxErp();
  it('reads available per SKU and warehouse as whole quantities, listing unknown SKUs', async () => {
    await erp.createSalesOrder(order({ lines: [{ sku: 'MUG-BLACK', quantity: '4', unitPrice: '12.00' }], shipping: [] }));
    const out = await run(readStockNode, { connection: 'erp-main', warehouses: ['WH'] }, erp, { skus: ['MUG-BLACK', 'NOPE'] });
    expect(out).toEqual({ levels: [{ sku: 'MUG-BLACK', warehouse: 'WH', onHand: '60', available: '56', quantity: 56 }], missing: ['NOPE'] });
  });
  it('reads every stocked item in every warehouse when no SKU is given', async () => {
    const out = await run(readStockNode, { connection: 'erp-main' }, erp, undefined);
    const goods = SEED.items.filter((i) => i[2] === 'goods').length;
    expect(goods).toBe(21); // the Tryton test company's 9 goods plus the sandbox store demo shop's 12
    expect(out.levels.length).toBe(goods * 2); // services excluded
    expect(out.levels.some((l) => l.sku === 'SHIPPING')).toBe(false);
  });
  it("changesOnly reads just the SKUs the ERP's change feed names since the last run, and advances its cursor", async () => {
    const feed = createSandboxErp();
    const state = new Map<string, unknown>();
    const first = await run(readStockNode, { connection: 'erp-main', changesOnly: true }, feed, undefined, state);
    expect(first.changes).toMatchObject({ since: null, hasMore: false });
    expect(first.levels.length).toBeGreaterThan(0); // the first read starts from the beginning of the feed
    const none = await run(readStockNode, { connection: 'erp-main', changesOnly: true }, feed, undefined, state);
    expect(none.levels).toEqual([]);
    expect(none.changes!.cursor).toBe(first.changes!.cursor);
    await feed.createSalesOrder(
      order({ externalId: 'gid://shopify/Order/delta-1', lines: [{ sku: 'MUG-BLACK', quantity: '2', unitPrice: '12.00' }], shipping: [] }),
    );
    feed.admin.setStock('TSHIRT-RED-M', 'WH2', '77');
    const delta = await run(readStockNode, { connection: 'erp-main', changesOnly: true }, feed, undefined, state);
    expect([...new Set(delta.levels.map((l) => l.sku))].sort()).toEqual(['MUG-BLACK', 'TSHIRT-RED-M']);
    expect(delta.levels.find((l) => l.sku === 'TSHIRT-RED-M' && l.warehouse === 'WH2')!.quantity).toBe(77);
    expect(Number(delta.changes!.cursor)).toBeGreaterThan(Number(first.changes!.cursor));
  });
  it('changesOnly on a connector without a change feed fails naming what is missing', async () => {
    const erp2 = createSandboxErp();
    const noFeed = { ...erp2, stockChanges: undefined };
    await expect(run(readStockNode, { connection: 'erp-main', changesOnly: true }, noFeed, undefined)).rejects.toThrow(/no stock change feed/);
  });
});
