import { describe, expect, it } from 'vitest';
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
