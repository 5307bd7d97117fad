// Live Tryton (unit prices to 4 decimals): from 100 units a line's quantity × unit price can miss Shopify's amount by
// cents. A sales order is balanced by an untaxed rounding line (erp.balance-sales-order), a credit memo by splitting
// its largest line (erp.post-credit-memo); both must then equal Shopify's figures to the cent, tax as given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../../scripts/tryton/start.ts';
import type { ErpConnector } from '../contract.ts';
import { createTrytonConnector } from '../tryton/connector.ts';
import { order } from '../contract-suite.ts';
import type { SalesOrderInput } from '../contract.ts';
import { balanceAndPost, shopifyFigures } from './balance-testing.ts';
import { postCreditMemoNode } from './post-credit-memo.ts';
import { run } from './test-context.ts';

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

/** 300 × 1.00 less 10.00 = 290.00 (0.9667 × 300 = 290.01). */
const bulk = (overrides: Partial<SalesOrderInput['lines'][number]> = {}): SalesOrderInput =>
  order({ lines: [{ sku: 'SKU2006-001', quantity: '300', unitPrice: '1.00', discount: '10.00', taxCodes: [], ...overrides }], shipping: [] });

describe('Tryton: large quantities × 4-decimal unit prices', () => {
  it('300 × 1.00 less 10.00 (290.00, untaxed) is confirmed with net 290.00: 300 × 0.9667 = 290.01 and a rounding line of −0.01', async () => {
    const so = bulk();
    const posted = (await balanceAndPost(erp, so, shopifyFigures(so, '290.00', '0.00'))).posted;
    expect(posted.status).not.toBe('draft');
    expect(posted.totals).toEqual({ net: '290.00', tax: '0.00', gross: '290.00' });
    expect(posted.lines.map((l) => [l.sku, l.quantity, l.net])).toEqual([['SKU2006-001', '300', '290.01']]);
    expect(posted.shipping.map((s) => [s.description, s.net, s.taxAmount])).toEqual([['Rounding difference (unit prices to 4 decimals)', '-0.01', '0.00']]);
  });

  it("with Shopify's tax (28.00 on 280.00, recorded as given): confirmed at 308.00", async () => {
    const so = bulk({ discount: '20.00', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '28.00' }] });
    const posted = (await balanceAndPost(erp, so, shopifyFigures(so, '308.00', '28.00'))).posted;
    expect(posted.totals).toEqual({ net: '280.00', tax: '28.00', gross: '308.00' });
    expect(posted.lines.map((l) => [l.net, l.taxAmount])).toEqual([['279.99', '28.00']]);
  });

  it("a refund of 150 units for 100.00 plus Shopify's 10.00 tax credits 110.00, restocked (return sale) or not (credit note)", async () => {
    for (const restock of [true, false]) {
      // An order the ERP books exactly without any rounding (270.00 / 300 = 0.9000): only the refund is at stake.
      const so = bulk({ discount: '30.00', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '27.00' }] });
      expect((await balanceAndPost(erp, so, shopifyFigures(so, '297.00', '27.00'))).posted.totals.gross).toBe('297.00');
      const memo = await run(postCreditMemoNode, { connection: 'erp-main', check: true }, erp, {
        externalId: `gid://shopify/Refund/${so.externalId}`,
        orderExternalId: so.externalId,
        date: so.date,
        restock,
        lines: [{ sku: 'SKU2006-001', quantity: '150', unitPrice: '0.6667', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '10.00' }] }],
        shopify: { gross: '110.00', cash: '110.00' },
      });
      expect(memo.totals, `restock ${restock}`).toEqual({ net: '100.00', tax: '10.00', gross: '110.00' });
      // (read back, a memo line's unit price is shown to the cent)
      expect(memo.lines.map((l) => [l.quantity, l.net, l.taxAmount])).toEqual([
        ['149', '99.34', '10.00'],
        ['1', '0.66', '0.00'],
      ]);
    }
  });
});
