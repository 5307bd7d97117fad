import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../../../runtime/node-api.ts';
import { orderFromRest } from '../../shopify/convert-rest.ts';
import { parseJsonLossless } from '../../shopify/lossless-json.ts';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { postSalesOrderNode } from './post-sales-order.ts';
import { nodeContext, run } from './test-context.ts';

describe('erp.post-sales-order', () => {
  const erp = createSandboxErp();
  // These post sales orders that come from no Shopify order: nothing to verify against.
  const cfg = { connection: 'erp-main', verify: false };

  it("checks the ERP's totals against the Shopify order unless told not to: a mapping that drops the tax books nothing", async () => {
    const text = readFileSync(new URL('../../../flows/templates/scenarios/uk-vat-inclusive-discount.orders-paid.json', import.meta.url), 'utf8');
    const shopify = orderFromRest(parseJsonLossless(text.replaceAll('450789469', '7100008888')));
    // What a mapping built field by field may post: SKUs, quantities and prices, no tax codes, no shipping.
    const input = order({
      externalId: shopify.id,
      currency: 'GBP',
      lines: shopify.lineItems.map((l) => ({ sku: l.sku!, quantity: String(l.quantity), unitPrice: l.unitPrice.shop.amount })),
      shipping: [],
    });
    const ctx = { ...nodeContext(postSalesOrderNode, { connection: 'erp-main' }, erp), trigger: { order: shopify } };
    const e = await Promise.resolve(postSalesOrderNode.execute(ctx, input)).catch((x: unknown) => x);
    expect(e).toMatchObject({ errorClass: 'permanent', code: 'TOTALS_MISMATCH', details: { draft: true } });
    expect(await erp.getSalesOrder(shopify.id)).toMatchObject({ status: 'draft' });

    // No Shopify order in the run (a manual or generic webhook trigger): says so and how to go on, posts nothing.
    const other = order();
    const none = await run(postSalesOrderNode, { connection: 'erp-main' }, erp, other).catch((x: unknown) => x);
    expect(none).toMatchObject({ errorClass: 'permanent', code: 'INVALID_INPUT' });
    expect((none as Error).message).toMatch(/^node n1: verify \(on by default\) needs the Shopify order at trigger "order" .* turn verify off/);
    expect(await erp.getSalesOrder(other.externalId)).toBeNull();
  });

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
