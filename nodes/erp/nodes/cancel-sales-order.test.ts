import { describe, expect, it } from 'vitest';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { cancelSalesOrderNode } from './cancel-sales-order.ts';
import { run } from './test-context.ts';

describe('erp.cancel-sales-order', () => {
  const erp = createSandboxErp();
  it('cancels an open order, twice harmlessly, and refuses a shipped one', async () => {
    const a = order();
    await erp.createSalesOrder(a);
    expect((await run(cancelSalesOrderNode, { connection: 'erp-main' }, erp, { externalId: a.externalId })).status).toBe('cancelled');
    expect((await run(cancelSalesOrderNode, { connection: 'erp-main' }, erp, { externalId: a.externalId })).status).toBe('cancelled');
    const b = order();
    await erp.createSalesOrder(b);
    await erp.shipSalesOrder!(b.externalId, {});
    await expect(run(cancelSalesOrderNode, { connection: 'erp-main' }, erp, { externalId: b.externalId })).rejects.toMatchObject({
      code: 'CANNOT_CANCEL',
      errorClass: 'permanent',
    });
    await expect(run(cancelSalesOrderNode, { connection: 'erp-main' }, erp, {} as { externalId: string })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
