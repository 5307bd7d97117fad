// erp.balance-sales-order on the sandbox ERP: from 100 units on a line, quantity × the ERP's 4-decimal unit price can
// miss the line's net by cents; the untaxed rounding line makes the ERP's lines add up to Shopify's, Shopify's tax as given.
import { describe, expect, it } from 'vitest';
import { order } from '../contract-suite.ts';
import type { ErpSalesOrder, SalesOrderInput } from '../contract.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { balanceSalesOrderNode } from './balance-sales-order.ts';
import { balanceAndPost, shopifyFigures } from './balance-testing.ts';
import { postSalesOrderNode } from './post-sales-order.ts';
import type { OrderFigures } from './shopify-figures.ts';
import { nodeContext } from './test-context.ts';

/** The reviewer's order: 300 × 1.00 less 10.00 = 290.00, untaxed (0.9667 × 300 = 290.01). */
const bulk = (overrides: Partial<SalesOrderInput['lines'][number]> = {}): SalesOrderInput =>
  order({ lines: [{ sku: 'SKU2006-001', quantity: '300', unitPrice: '1.00', discount: '10.00', taxCodes: [], ...overrides }], shipping: [] });

const ROUNDING = 'Rounding difference (unit prices to 4 decimals)';

describe('erp.balance-sales-order: large quantities × 4-decimal unit prices (tax-exclusive)', () => {
  const erp = createSandboxErp();

  it('300 × 1.00 less 10.00 (290.00, untaxed) posts with net 290.00: an untaxed rounding line of −0.01', async () => {
    const so = bulk();
    const { balanced, posted } = await balanceAndPost(erp, so, shopifyFigures(so, '290.00', '0.00'));
    expect(balanced.rounding).toBe('-0.01');
    expect(balanced.shipping).toEqual([{ description: ROUNDING, amount: '0.00', discount: '0.01', taxCodes: [] }]);
    expect(posted.status).not.toBe('draft');
    expect(posted.totals).toEqual({ net: '290.00', tax: '0.00', gross: '290.00' });
    expect(posted.lines.map((l) => [l.sku, l.quantity, l.net])).toEqual([['SKU2006-001', '300', '290.01']]);
    expect(posted.shipping.map((s) => [s.description, s.net, s.taxAmount])).toEqual([[ROUNDING, '-0.01', '0.00']]);
  });

  it("keeps Shopify's tax as given (28.00, never recalculated on the ERP's 279.99) and adds a cent when the ERP books one less", async () => {
    // 300 × 1.00 less 20.00 = 280.00: 0.9333 × 300 = 279.99.
    const so = bulk({ discount: '20.00', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '28.00' }] });
    const { balanced, posted } = await balanceAndPost(erp, so, shopifyFigures(so, '308.00', '28.00'));
    expect(balanced.shipping).toEqual([{ description: ROUNDING, amount: '0.01', discount: '0.00', taxCodes: [] }]);
    expect(posted.totals).toEqual({ net: '280.00', tax: '28.00', gross: '308.00' });
    expect(posted.lines.map((l) => [l.net, l.taxAmount])).toEqual([['279.99', '28.00']]);
    expect(posted.shipping.map((s) => [s.net, s.taxAmount, s.taxCode])).toEqual([['0.01', '0.00', null]]);
  });

  it("adds the lines' misses up into one rounding line", async () => {
    const line = { sku: 'SKU2006-001', quantity: '300', unitPrice: '1.00', discount: '10.00', taxCodes: [] };
    const so = order({ lines: [line, { ...line, sku: 'SKU2006-020' }, { ...line, sku: 'MUG-BLACK', quantity: '2', unitPrice: '12.00', discount: '1.00' }] });
    const { balanced, posted } = await balanceAndPost(erp, { ...so, shipping: [] }, shopifyFigures({ ...so, shipping: [] }, '603.00', '0.00'));
    expect(balanced.rounding).toBe('-0.02');
    expect(posted.totals.net).toBe('603.00');
  });

  it('changes nothing for orders the ERP already books to the cent (below 100 units, or prices that divide exactly)', async () => {
    for (const so of [order({ shipping: [] }), bulk({ quantity: '99', discount: '10.00' }), bulk({ discount: '30.00' })]) {
      const balanced = await balanceSalesOrderNode.execute(
        { ...nodeContext(balanceSalesOrderNode, {}, erp), trigger: { order: shopifyFigures(so, '0.00', '0.00') } },
        so,
      );
      expect(balanced).toEqual({ ...so, spreadDiscount: '0.00', rounding: '0.00', tips: '0.00', duties: '0.00' });
    }
  });
});

describe('erp.balance-sales-order: large quantities with tax-inclusive prices', () => {
  it("3000 × 1.00 less 10.00 incl. Shopify's VAT 498.33: the ERP's 0.8306 × 3000 misses by 0.13, beyond maxRounding, and still balances", async () => {
    const erp = createSandboxErp();
    const so = {
      ...bulk({ quantity: '3000', taxCodes: ['UK-VAT-20'], taxes: [{ code: 'UK-VAT-20', amount: '498.33' }] }),
      pricesIncludeTax: true,
    };
    const { balanced, posted } = await balanceAndPost(erp, so, shopifyFigures(so, '2990.00', '498.33'));
    expect(balanced.shipping).toEqual([{ description: 'Rounding difference (tax-inclusive prices)', amount: '0.00', discount: '0.13', taxCodes: [] }]);
    expect(posted.totals).toEqual({ net: '2491.67', tax: '498.33', gross: '2990.00' });
  });
});

describe("erp.balance-sales-order: the customer's tip", () => {
  // Shopify's order: the goods line (20.00 + 2.00 tax) and a tip line item of 3.50 (no product, no SKU), total 25.50.
  const goods = order({ lines: [{ sku: 'SKU2006-001', quantity: '1', unitPrice: '20.00', discount: '0.00', taxCodes: ['US-SALES-10'] }], shipping: [] });
  const tipped = (): OrderFigures => {
    const f = shopifyFigures(goods, '25.50', '2.00');
    f.lineItems.push({
      quantity: 1,
      unitPrice: { shop: { amount: '3.50', currencyCode: 'USD' } },
      totalDiscount: { shop: { amount: '0.00' } },
      isGiftCard: false,
      isTip: true,
      name: 'Tip',
    });
    return f;
  };
  const balance = (config: object, figures: OrderFigures, erp = createSandboxErp()) =>
    balanceSalesOrderNode.execute({ ...nodeContext(balanceSalesOrderNode, config, erp), trigger: { order: figures } }, goods) as Promise<
      SalesOrderInput & { tips: string }
    >;

  it('with a tip item, posts each tip as an untaxed line of it, so the ERP order is what the customer paid (and the payout clears)', async () => {
    const erp = createSandboxErp();
    const balanced = await balance({ tipSku: 'TIP' }, tipped(), erp);
    expect(balanced.tips).toBe('3.50');
    expect(balanced.lines.slice(1)).toEqual([{ sku: 'TIP', quantity: '1', unitPrice: '3.50', discount: '0.00', taxCodes: [], description: 'Tip' }]);
    const posted = (await postSalesOrderNode.execute(
      { ...nodeContext(postSalesOrderNode, { connection: 'erp-main' }, erp), trigger: { order: tipped() } },
      balanced,
    )) as ErpSalesOrder;
    expect(posted.totals).toEqual({ net: '23.50', tax: '2.00', gross: '25.50' });
    expect(posted.lines.map((l) => [l.sku, l.net, l.taxAmount])).toEqual([
      ['SKU2006-001', '20.00', '2.00'],
      ['TIP', '3.50', '0.00'],
    ]);
  });

  it('a tip an edit removed is not posted; without a tip item the node leaves tips to the mapping, as before', async () => {
    const removed = tipped();
    removed.lineItems[1]!.postedQuantity = 0;
    expect((await balance({ tipSku: 'TIP' }, removed)).lines).toEqual(goods.lines);
    const untouched = await balance({}, tipped());
    expect(untouched.lines).toEqual(goods.lines);
    expect(untouched.tips).toBe('0.00');
  });
});

describe('erp.balance-sales-order: import duties paid at checkout', () => {
  // Delivered duty paid: 20.00 of goods + 2.00 tax + 7.00 of duties = 29.00, the duties in Shopify's total.
  const goods = order({ lines: [{ sku: 'SKU2006-001', quantity: '1', unitPrice: '20.00', discount: '0.00', taxCodes: ['US-SALES-10'] }], shipping: [] });
  const dutied = (duties: string | null): OrderFigures => ({
    ...shopifyFigures(goods, '29.00', '2.00'),
    totalDuties: duties === null ? null : { shop: { amount: duties, currencyCode: 'USD' } },
  });

  it('with a duties item, posts them as one untaxed line of it: the ERP order is what the customer paid', async () => {
    const erp = createSandboxErp();
    const ctx = (node: typeof balanceSalesOrderNode | typeof postSalesOrderNode, config: object) => ({
      ...nodeContext(node as typeof balanceSalesOrderNode, config, erp),
      trigger: { order: dutied('7.00') },
    });
    const balanced = (await balanceSalesOrderNode.execute(ctx(balanceSalesOrderNode, { dutySku: 'DUTY' }), goods)) as SalesOrderInput & { duties: string };
    expect(balanced.duties).toBe('7.00');
    expect(balanced.lines.slice(1)).toEqual([{ sku: 'DUTY', quantity: '1', unitPrice: '7.00', discount: '0.00', taxCodes: [], description: 'Import duties' }]);
    const posted = (await postSalesOrderNode.execute(ctx(postSalesOrderNode, { connection: 'erp-main' }) as never, balanced)) as ErpSalesOrder;
    expect(posted.totals).toEqual({ net: '27.00', tax: '2.00', gross: '29.00' });
  });

  it('no duties, or no duties item, changes nothing', async () => {
    for (const [config, figures] of [
      [{ dutySku: 'DUTY' }, dutied(null)],
      [{ dutySku: 'DUTY' }, dutied('0.00')],
      [{}, dutied('7.00')],
    ] as const) {
      const out = (await balanceSalesOrderNode.execute(
        { ...nodeContext(balanceSalesOrderNode, config, createSandboxErp()), trigger: { order: figures } },
        goods,
      )) as SalesOrderInput & { duties: string };
      expect([out.lines, out.duties]).toEqual([goods.lines, '0.00']);
    }
  });
});
