import { describe, expect, it } from 'vitest';
import { NodeError } from '../../../runtime/node-api.ts';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { postSalesOrderNode } from './post-sales-order.ts';
import { run } from './test-context.ts';

describe('erp.post-sales-order', () => {
  const erp = createSandboxErp();
  const cfg = { connection: 'erp-main' };

  it('posts the order and outputs it as read back; a re-run creates nothing', async () => {
    const input = order();
    const out = await run(postSalesOrderNode, cfg, erp, input);
    expect(out).toMatchObject({ externalId: input.externalId, created: true, totals: { net: '410.00', tax: '39.80', gross: '449.80' } });
    expect(Object.keys(out)).toEqual(expect.arrayContaining(Object.keys(postSalesOrderNode.sampleOutput)));
    const again = await run(postSalesOrderNode, cfg, erp, input);
    expect(again).toEqual({ ...out, created: false });
    expect(erp.admin.dump().salesOrders.filter((o) => (o as { externalId: string }).externalId === input.externalId)).toHaveLength(1);
  });

  it('fails permanently naming the node and the unknown SKU', async () => {
    const e = await run(postSalesOrderNode, cfg, erp, order({ lines: [{ sku: 'GHOST-1', quantity: '1', unitPrice: '5.00' }] })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NodeError);
    expect(e).toMatchObject({ errorClass: 'permanent', code: 'SKU_NOT_FOUND', details: { skus: ['GHOST-1'], nodeId: 'n1', erp: 'sandbox' } });
    expect((e as Error).message).toMatch(/^node n1: Sandbox ERP: SKU not found .*GHOST-1/);
  });

  it('keeps the ERP outage transient so the runtime retries', async () => {
    erp.admin.simulateOutage('down');
    try {
      await expect(run(postSalesOrderNode, cfg, erp, order())).rejects.toMatchObject({ errorClass: 'transient', code: 'ERP_UNAVAILABLE' });
    } finally {
      erp.admin.simulateOutage(null);
    }
  });

  it('rejects a connection that is not an ERP and a config without connection', async () => {
    await expect(run(postSalesOrderNode, cfg, { hello: 1 }, order())).rejects.toMatchObject({ code: 'BAD_CONNECTION' });
    expect(() => postSalesOrderNode.config.parse({})).toThrow();
  });
});
