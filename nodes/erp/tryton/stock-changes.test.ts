// Live: Tryton's stock change feed (stock moves created or written since a cursor) against a real trytond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../../scripts/tryton/start.ts';
import { order } from '../contract-suite.ts';
import type { ErpConnector } from '../contract.ts';
import { createTrytonConnector } from './connector.ts';

let tryton: StartedTryton;
let erp: ErpConnector;

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector(tryton.login);
}, 240_000);
afterAll(async () => {
  await erp?.close();
  await tryton?.stop();
});

describe('tryton stockChanges', () => {
  it("names the SKUs whose moves changed after the cursor: a confirmed sale's SKUs, then nothing new", async () => {
    const start = await erp.stockChanges!({ since: null });
    expect(start.cursor).not.toBeNull();
    const quiet = await erp.stockChanges!({ since: start.cursor });
    // The cursor is inclusive (never misses a move of the same microsecond): at most the last moves again, no others.
    expect(quiet.skus.length).toBeLessThanOrEqual(start.skus.length);
    await erp.createSalesOrder(
      order({ externalId: 'gid://shopify/Order/stock-feed-1', lines: [{ sku: 'MUG-BLACK', quantity: '2', unitPrice: '12.00' }], shipping: [] }),
    );
    const after = await erp.stockChanges!({ since: quiet.cursor });
    expect(after.skus).toContain('MUG-BLACK');
    expect(after.cursor! > quiet.cursor!).toBe(true);
    const again = await erp.stockChanges!({ since: after.cursor });
    expect(again.skus).not.toContain('TSHIRT-RED-M');
    await expect(erp.stockChanges!({ since: 'not a date' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
