import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../runtime/runs.ts';
import { classifyFailedRun } from '../../../server/exceptions/store/classify.ts';
import { order } from '../contract-suite.ts';
import type { CreditMemoLineInput, ErpConnector } from '../contract.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { postCreditMemoNode } from './post-credit-memo.ts';
import { run } from './test-context.ts';

/** The memo input of a refund of `o`, posted to `erp` first: keyed by the order, dated as it. */
async function refundOf<M extends object>(erp: ErpConnector, memo: M, o = order()) {
  await erp.createSalesOrder(o);
  return { externalId: `gid://shopify/Refund/${o.externalId}`, orderExternalId: o.externalId, date: o.date, ...memo };
}

describe('erp.post-credit-memo', () => {
  const erp = createSandboxErp();
  it('posts a partial refund with restock once', async () => {
    const o = order();
    await erp.createSalesOrder(o);
    await erp.shipSalesOrder!(o.externalId, {});
    const input = {
      externalId: '509562969',
      orderExternalId: o.externalId,
      date: o.date,
      restock: true,
      lines: [{ sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxCodes: ['US-SALES-10'] }],
      shipping: [{ description: 'Shipping refund', amount: '10.00', taxCodes: ['US-SALES-10'] }],
    };
    const a = await run(postCreditMemoNode, { connection: 'erp-main' }, erp, input);
    expect(a).toMatchObject({ created: true, restock: true, totals: { net: '204.00', tax: '20.40', gross: '224.40' } });
    const b = await run(postCreditMemoNode, { connection: 'erp-main' }, erp, input);
    expect(b).toEqual({ ...a, created: false });
    expect((await erp.getStock({ skus: ['IPOD2008GREEN'], warehouses: ['WH'] }))[0]?.onHand).toBe('99');
  });
  // A goodwill refund of 10.00 with no goods and no shipping (Shopify: a refund_discrepancy order adjustment).
  const amountOnly = () => refundOf(erp, { restock: false, lines: [], shopify: { gross: '0.00', cash: '10.00', adjustments: '-10.00' } });
  it('books an amount-only refund as a memo of one adjustment line on the differenceAccount', async () => {
    const input = await amountOnly();
    const memo = await run(postCreditMemoNode, { connection: 'erp-main', check: true, differenceAccount: '6200' }, erp, input);
    expect(memo).toMatchObject({ created: true, lines: [], shipping: [], totals: { net: '10.00', tax: '0.00', gross: '10.00' } });
    expect(memo.adjustments).toEqual([{ description: 'Amount-only refund: cash 10.00', amount: '10.00', account: '6200' }]);
  });
  it('raises an amount-only refund for finance (REFUND_CASH_MISMATCH, naming refund and amount) without a differenceAccount', async () => {
    const input = await amountOnly();
    const e = await run(postCreditMemoNode, { connection: 'erp-main', check: true }, erp, input).catch((x: unknown) => x);
    expect(e).toMatchObject({
      errorClass: 'permanent',
      code: 'REFUND_CASH_MISMATCH',
      details: { externalId: input.externalId, cash: '10.00', amountOnly: true },
    });
    expect((e as Error).message).toMatch(new RegExp(`refund ${input.externalId}: an amount-only refund .* returned 10\\.00`));
    const err = e as { message: string; code: string; errorClass: string; details: Record<string, unknown> };
    const raised = classifyFailedRun({
      runId: 'run-1',
      flowId: 'refund-to-credit-memo',
      keys: { shopifyRefundId: input.externalId },
      steps: [{ nodeId: 'post', type: 'erp.post-credit-memo', status: 'failed' }],
      error: { message: err.message, class: err.errorClass, code: err.code, details: err.details, nodeId: 'post' },
    } as unknown as RunRecord);
    expect(raised).toMatchObject({ type: 'refund-cash-mismatch', key: `refund-to-credit-memo:${input.externalId}` });
  });
  it('fails permanently when the original order is not in the ERP', async () => {
    await expect(
      run(postCreditMemoNode, { connection: 'erp-main' }, erp, {
        externalId: 'r1',
        orderExternalId: 'missing',
        date: '2026-11-27',
        restock: false,
        lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '1.00' }],
      }),
    ).rejects.toMatchObject({ code: 'SALES_ORDER_NOT_FOUND', errorClass: 'permanent', details: { value: 'missing' } });
  });
});

// A refund that gives back a tip and import duties: neither is a product line of the mapping (the template leaves tip
// lines out), so only the configured items make the memo what Shopify returned.
describe('erp.post-credit-memo: refunded tips and import duties', () => {
  const erp = createSandboxErp();
  const refund = () =>
    refundOf(
      erp,
      {
        restock: true,
        lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00', taxCodes: [] }],
        shopify: { gross: '20.00', cash: '20.00', tips: '5.00', duties: '3.00' },
      },
      order({
        lines: [
          { sku: 'MUG-BLACK', quantity: '2', unitPrice: '12.00', taxCodes: [] },
          { sku: 'TIP', quantity: '1', unitPrice: '5.00', taxCodes: [] },
          { sku: 'DUTY', quantity: '1', unitPrice: '3.00', taxCodes: [] },
        ],
        shipping: [],
      }),
    );
  const items = { connection: 'erp-main', check: true, tipSku: 'TIP', dutySku: 'DUTY' };

  it('credits the tip and the duties as untaxed, unrestocked lines of their items, so memo and cash agree', async () => {
    const input = await refund();
    const memo = await run(postCreditMemoNode, items, erp, input);
    expect(memo).toMatchObject({ created: true, totals: { net: '20.00', tax: '0.00', gross: '20.00' } });
    expect(memo.lines.map((l) => [l.sku, l.quantity, l.unitPrice])).toEqual([
      ['MUG-BLACK', '1', '12.00'],
      ['TIP', '1', '5.00'],
      ['DUTY', '1', '3.00'],
    ]);
  });
  it('adds nothing when the refund returns no tip and no duties', async () => {
    const input = await refund();
    const memo = await run(postCreditMemoNode, items, erp, { ...input, shopify: { gross: '12.00', cash: '12.00', tips: '0.00', duties: '0.00' } });
    expect(memo.lines.map((l) => l.sku)).toEqual(['MUG-BLACK']);
  });
  it('without the items, books nothing and says which figure has no item (CREDIT_MEMO_MISMATCH)', async () => {
    const input = await refund();
    const e = await run(postCreditMemoNode, { connection: 'erp-main', check: true, dutySku: 'DUTY' }, erp, input).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'CREDIT_MEMO_MISMATCH', details: { memo: '15.00', shopify: '20.00' } });
    expect((e as Error).message).toContain('the refund returns tips of 5.00 and no tipSku is configured to credit them');
    expect((e as Error).message).not.toContain('duties of');
    expect(await erp.creditable!(input.orderExternalId)).toMatchObject({ credited: '0.00' });
  });
});

// A refunded line's unit price is Shopify's subtotal ÷ quantity to 4 decimals (the refund template): from 100 units
// the ERP's quantity × unit price can miss the subtotal by cents; the memo must still credit Shopify's amount.
describe('erp.post-credit-memo: large quantities × 4-decimal unit prices', () => {
  const erp = createSandboxErp();
  const refund = async (line: Omit<CreditMemoLineInput, 'sku' | 'quantity'>, shopify: { gross: string; cash: string }, pricesIncludeTax = false) => {
    const o = order({ lines: [{ sku: 'SKU2006-001', quantity: '300', unitPrice: '1.00', taxCodes: [] }], shipping: [], pricesIncludeTax });
    await erp.createSalesOrder(o);
    return {
      externalId: `gid://shopify/Refund/${o.externalId}`,
      orderExternalId: o.externalId,
      date: o.date,
      pricesIncludeTax,
      restock: true,
      lines: [{ sku: 'SKU2006-001', quantity: '150', ...line }],
      shopify,
    };
  };
  const check = { connection: 'erp-main', check: true };

  it('150 units refunded for 100.00 (0.6667 × 150 = 100.01) credit 100.00: 149 at 0.6667 and 1 at 0.66, all restocked', async () => {
    const input = await refund({ unitPrice: '0.6667', taxCodes: [] }, { gross: '100.00', cash: '100.00' });
    const onHand = async () => Number((await erp.getStock({ skus: ['SKU2006-001'], warehouses: ['WH'] }))[0]?.onHand);
    const before = await onHand();
    const memo = await run(postCreditMemoNode, check, erp, input);
    expect(memo.totals).toEqual({ net: '100.00', tax: '0.00', gross: '100.00' });
    // (the sandbox shows a memo line's unit price to the cent)
    expect(memo.lines.map((l) => [l.sku, l.quantity, l.net])).toEqual([
      ['SKU2006-001', '149', '99.34'],
      ['SKU2006-001', '1', '0.66'],
    ]);
    expect(await onHand()).toBe(before + 150);
    expect(memo.adjustments ?? []).toEqual([]);
  });

  it("keeps Shopify's refunded tax as given, whole on the line (the one unit untaxed)", async () => {
    const input = await refund(
      { unitPrice: '0.6667', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '10.00' }] },
      { gross: '110.00', cash: '110.00' },
    );
    const memo = await run(postCreditMemoNode, check, erp, input);
    expect(memo.totals).toEqual({ net: '100.00', tax: '10.00', gross: '110.00' });
    expect(memo.lines.map((l) => [l.quantity, l.net, l.taxAmount])).toEqual([
      ['149', '99.34', '10.00'],
      ['1', '0.66', '0.00'],
    ]);
  });

  it("tax-inclusive: 120.00 refunded incl. Shopify's 20.00 books 120.00 (the ERP's net 0.6667 × 150 would make it 120.01)", async () => {
    const input = await refund(
      { unitPrice: '0.8000', taxCodes: ['US-SALES-10'], taxes: [{ code: 'US-SALES-10', amount: '20.00' }] },
      { gross: '120.00', cash: '120.00' },
      true,
    );
    const memo = await run(postCreditMemoNode, check, erp, input);
    expect(memo.totals).toEqual({ net: '100.00', tax: '20.00', gross: '120.00' });
  });

  it('changes nothing when the ERP already books the refund to the cent', async () => {
    const input = await refund({ unitPrice: '0.6000', taxCodes: [] }, { gross: '90.00', cash: '90.00' });
    const memo = await run(postCreditMemoNode, check, erp, input);
    expect(memo.lines.map((l) => [l.quantity, l.unitPrice, l.net])).toEqual([['150', '0.60', '90.00']]);
  });

  it('still raises CREDIT_MEMO_MISMATCH, booking nothing, for more than unit prices can miss', async () => {
    const input = await refund({ unitPrice: '0.6667', taxCodes: [] }, { gross: '99.98', cash: '99.98' });
    await expect(run(postCreditMemoNode, check, erp, input)).rejects.toMatchObject({
      code: 'CREDIT_MEMO_MISMATCH',
      details: { memo: '100.01', shopify: '99.98' },
    });
    expect((await erp.creditable!(input.orderExternalId)).credited).toBe('0.00');
  });
});

// Goods returned before the customer paid for them (a B2B order on net terms): no cash goes back, the memo takes them
// off what the customer owes. The order's invoice is 449.80; the refund is one mug, 12.00.
describe('erp.post-credit-memo: refunds of goods not yet paid for', () => {
  const erp = createSandboxErp();
  const refund = (figures: { cash: string; paid?: string }) =>
    refundOf(erp, { restock: false, lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00', taxCodes: [] }], shopify: { gross: '12.00', ...figures } });
  const check = { connection: 'erp-main', check: true };
  const mismatch = (input: Awaited<ReturnType<typeof refund>>) =>
    run(postCreditMemoNode, check, erp, input).then(
      () => null,
      (e: unknown) => e,
    );

  it('books the memo with no cash returned on an order nothing was paid on: the receivable falls by 12.00', async () => {
    const input = await refund({ cash: '0.00', paid: '0.00' });
    const memo = await run(postCreditMemoNode, check, erp, input);
    expect(memo).toMatchObject({ created: true, totals: { gross: '12.00' } });
    expect(memo.adjustments ?? []).toEqual([]);
    expect(await erp.creditable!(input.orderExternalId)).toMatchObject({ invoiced: '449.80', credited: '12.00', remaining: '437.80' });
  });

  it('books it when what no cash returned fits in what was still owed (440.00 paid, 9.80 owed, 2.20 back)', async () => {
    const input = await refund({ cash: '2.20', paid: '440.00' });
    expect(await run(postCreditMemoNode, check, erp, input)).toMatchObject({ created: true, totals: { gross: '12.00' } });
  });

  it('still raises REFUND_CASH_MISMATCH, booking nothing, when more is kept back than was owed, or the order was paid in full', async () => {
    for (const figures of [{ cash: '0.00', paid: '440.00' }, { cash: '0.00', paid: '449.80' }, { cash: '0.00' }]) {
      const input = await refund(figures);
      expect(await mismatch(input), JSON.stringify(figures)).toMatchObject({ code: 'REFUND_CASH_MISMATCH', details: { lines: '12.00', cash: '0.00' } });
      expect((await erp.creditable!(input.orderExternalId)).credited).toBe('0.00');
    }
  });
});
