// A shop in yen: every amount Shopify gives is whole, and so is every amount an ERP books (Tryton rounds a JPY line to
// its currency's 0 digits). What Ledgerline divides itself (an order discount spread over the lines) must be whole yen
// too, or the ERP's lines no longer add up to Shopify's total.
import { describe, expect, it } from 'vitest';
import { order } from '../contract-suite.ts';
import type { SalesOrderInput } from '../contract.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { balanceAndPost, shopifyFigures } from './balance-testing.ts';
import { spread } from './shopify-figures.ts';
import { Decimal } from 'decimal.js';

const yen = (lines: SalesOrderInput['lines']): SalesOrderInput => order({ currency: 'JPY', lines, shipping: [] });

/** Shopify's figures with `unallocated` of order discount counted in totalDiscounts but on no line. */
function withUnallocated(so: SalesOrderInput, total: string, tax: string, unallocated: string) {
  const f = shopifyFigures(so, total, tax);
  return { ...f, totalDiscounts: { shop: { amount: new Decimal(f.totalDiscounts.shop.amount).plus(unallocated).toFixed(0), currencyCode: 'JPY' } } };
}

describe('erp.balance-sales-order in a currency without minor units (JPY)', () => {
  const erp = createSandboxErp();

  it('spreads an order discount of ¥1,000 over three ¥1,000 lines as whole yen (333, 333, 334), and the ERP books ¥2,000', async () => {
    const line = { sku: 'MUG-BLACK', quantity: '1', unitPrice: '1000', taxCodes: [] };
    const so = yen([line, { ...line, sku: 'SKU2006-001' }, { ...line, sku: 'SKU2006-020' }]);
    const { balanced, posted } = await balanceAndPost(erp, so, withUnallocated(so, '2000', '0', '1000'));
    expect(balanced.spreadDiscount).toBe('1000.00');
    const discounts = balanced.lines.map((l) => l.discount);
    for (const d of discounts) expect(Number.isInteger(Number(d)), `discount ${d} is whole yen`).toBe(true);
    expect(discounts.map(Number).sort()).toEqual([333, 333, 334]);
    expect(balanced.rounding).toBe('0.00');
    expect(posted.status).not.toBe('draft');
    expect(posted.totals).toEqual({ net: '2000.00', tax: '0.00', gross: '2000.00' });
    for (const l of posted.lines) expect(Number.isInteger(Number(l.net)), `ERP line net ${l.net}`).toBe(true);
  });

  it("books a yen order's tax from the ERP's rate in whole yen: 10 % of ¥1,235 is ¥124, not ¥123.50", async () => {
    const so = yen([{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '1235', taxCodes: ['US-SALES-10'] }]);
    const { balanced, posted } = await balanceAndPost(erp, so, shopifyFigures(so, '1359', '124'));
    expect(balanced.rounding).toBe('0.00');
    expect(posted.status).not.toBe('draft');
    expect(posted.totals).toEqual({ net: '1235.00', tax: '124.00', gross: '1359.00' });
  });

  it('adds no sub-yen rounding line for 300 units at a price the 4-decimal unit price cannot hit to the cent', async () => {
    // 300 × ¥1 less ¥10 = ¥290; the ERP's 0.9667 × 300 = 290.01, which is ¥290 to the yen: nothing to balance.
    const so = yen([{ sku: 'SKU2006-001', quantity: '300', unitPrice: '1', discount: '10', taxCodes: [] }]);
    const { balanced, posted } = await balanceAndPost(erp, so, shopifyFigures(so, '290', '0'));
    expect(balanced.rounding).toBe('0.00');
    expect(balanced.shipping).toEqual([]);
    expect(posted.totals).toEqual({ net: '290.00', tax: '0.00', gross: '290.00' });
  });
});

describe('spread', () => {
  it('cuts parts to the minor unit it is given and they always add up', () => {
    const w = [1, 1, 1].map((n) => new Decimal(n));
    expect(spread(new Decimal('1000'), w, 0).map(String)).toEqual(['334', '333', '333']);
    expect(spread(new Decimal('10'), w, 2).map(String)).toEqual(['3.34', '3.33', '3.33']);
    expect(spread(new Decimal('1.001'), w, 3).map(String)).toEqual(['0.334', '0.334', '0.333']);
    for (let i = 0; i < 200; i++) {
      const weights = Array.from({ length: 1 + (i % 7) }, (_, k) => new Decimal(((i * 7919 + k * 104729) % 5000) + 1));
      const amount = new Decimal((i * 31337) % 100000);
      const parts = spread(amount, weights, 0);
      expect(parts.every((p) => p.isInteger())).toBe(true);
      expect(parts.reduce((a, p) => a.plus(p), new Decimal(0)).eq(amount)).toBe(true);
    }
  });
});
