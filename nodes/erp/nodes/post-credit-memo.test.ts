import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../runtime/runs.ts';
import { classifyFailedRun } from '../../../server/exceptions/store/classify.ts';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { postCreditMemoNode } from './post-credit-memo.ts';
import { run } from './test-context.ts';

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
  const amountOnly = async () => {
    const o = order();
    await erp.createSalesOrder(o);
    return {
      externalId: `gid://shopify/Refund/${o.externalId}`,
      orderExternalId: o.externalId,
      date: o.date,
      restock: false,
      lines: [],
      shopify: { gross: '0.00', cash: '10.00', adjustments: '-10.00' },
    };
  };
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
