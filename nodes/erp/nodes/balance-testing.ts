// Test support for erp.balance-sales-order followed by erp.post-sales-order, on any ERP connector (sandbox or Tryton).
import { Decimal } from 'decimal.js';
import type { NodeType } from '../../../runtime/node-api.ts';
import type { ErpConnector, SalesOrderInput } from '../contract.ts';
import { balanceSalesOrderNode } from './balance-sales-order.ts';
import { postSalesOrderNode } from './post-sales-order.ts';
import type { OrderFigures } from './shopify-figures.ts';
import { nodeContext } from './test-context.ts';

/**
 * Shopify's figures for `so`'s lines (discounts allocated per line, no shipping) with the given total and tax, in the
 * order's currency.
 */
export function shopifyFigures(so: SalesOrderInput, total: string, tax: string): OrderFigures {
  const bag = (amount: string) => ({ shop: { amount, currencyCode: so.currency } });
  return {
    id: so.externalId,
    name: so.reference,
    currency: so.currency,
    total: bag(total),
    totalTax: bag(tax),
    totalDiscounts: bag(so.lines.reduce((a, l) => a.plus(l.discount ?? '0'), new Decimal(0)).toFixed(2)),
    lineItems: so.lines.map((l) => ({
      quantity: Number(l.quantity),
      unitPrice: bag(l.unitPrice),
      totalDiscount: bag(l.discount ?? '0.00'),
      isGiftCard: false,
    })),
    shippingLines: [],
  };
}

/** Balance, then post with verify: a draft checked against Shopify's figures, confirmed only when equal. */
export async function balanceAndPost(erp: ErpConnector, so: SalesOrderInput, shopify: OrderFigures) {
  const exec = async <C, I, O>(node: NodeType<C, I, O>, config: unknown, input: I) =>
    (await node.execute({ ...nodeContext(node, config, erp), trigger: { order: shopify } }, input)) as O;
  const balanced = await exec(balanceSalesOrderNode, {}, so);
  const posted = await exec(postSalesOrderNode, { connection: 'erp-main' }, balanced);
  return { balanced, posted };
}
