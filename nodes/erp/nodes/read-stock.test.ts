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
});
