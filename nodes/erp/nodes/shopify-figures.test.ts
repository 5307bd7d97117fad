// Shopify's figures with discounts allocated per line: nothing is left to spread, and a code on one line is posted on
// that line only (a spread would move part of it onto an untaxed line and change the taxable base and revenue per line).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NodeType } from '../../../runtime/node-api.ts';
import { orderFromRest } from '../../shopify/convert-rest.ts';
import { parseJsonLossless } from '../../shopify/lossless-json.ts';
import type { ShopifyOrder } from '../../shopify/types.ts';
import type { SalesOrderInput } from '../contract.ts';
import { order } from '../contract-suite.ts';
import { createSandboxErp } from '../sandbox/index.ts';
import { balanceSalesOrderNode } from './balance-sales-order.ts';
import { postSalesOrderNode } from './post-sales-order.ts';
import { unallocatedDiscount } from './shopify-figures.ts';
import { nodeContext } from './test-context.ts';

const FIXTURE = new URL('../../../../shared/fixtures/shopify/rest-2026-07.order.single.json', import.meta.url);
const published = () => (parseJsonLossless(readFileSync(FIXTURE, 'utf8')) as any).order;
const set = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
const money = (o: any, key: string, amount: string) => Object.assign(o, { [key]: amount, [`${key}_set`]: set(amount) });

/** Two IPods at 199.00: A taxed at 6 % with code A20 (20.00) allocated to it alone, B untaxed; Shopify's total_discount "0.00" on both. */
function codeOnOneLine(): ShopifyOrder {
  const o = published();
  const [a, b] = o.line_items;
  a.discount_allocations = [{ amount: '20.00', amount_set: set('20.00'), discount_application_index: 0 }];
  a.tax_lines = [{ title: 'State Tax', rate: 0.06, price: '10.74', price_set: set('10.74'), channel_liable: false }];
  Object.assign(b, { taxable: false, tax_lines: [], discount_allocations: [] });
  o.line_items = [a, b];
  o.shipping_lines = [];
  o.tax_lines = [{ title: 'State Tax', rate: 0.06, price: '10.74', price_set: set('10.74') }];
  o.discount_applications = [
    {
      target_type: 'line_item',
      type: 'discount_code',
      value: '20.0',
      value_type: 'fixed_amount',
      allocation_method: 'each',
      target_selection: 'entitled',
      code: 'A20',
    },
  ];
  o.discount_codes = [{ code: 'A20', amount: '20.00', type: 'fixed_amount' }];
  money(o, 'total_discounts', '20.00');
  money(o, 'total_line_items_price', '398.00');
  money(o, 'subtotal_price', '378.00');
  money(o, 'total_shipping_price', '0.00');
  money(o, 'total_tax', '10.74');
  money(o, 'total_price', '388.74');
  money(o, 'current_total_price', '388.74');
  money(o, 'current_total_tax', '10.74');
  o.id = 7100007201;
  o.admin_graphql_api_id = 'gid://shopify/Order/7100007201';
  return orderFromRest(o);
}

/** What the order-to-erp mapping makes of it: a line's discount is its totalDiscount, its tax Shopify's. */
function salesOrder(s: ShopifyOrder): SalesOrderInput {
  return order({
    externalId: s.id,
    reference: s.name,
    currency: s.currency,
    lines: s.lineItems.map((l) => ({
      sku: l.sku ?? '',
      quantity: String(l.quantity),
      unitPrice: l.unitPrice.shop.amount,
      discount: l.totalDiscount.shop.amount,
      taxCodes: l.taxLines.length ? ['US-STATE-6'] : [],
      taxes: l.taxLines.map((t) => ({ code: 'US-STATE-6', amount: t.price.shop.amount })),
    })),
    shipping: [],
  });
}

describe('discounts Shopify allocated per line', () => {
  it("Shopify's published REST order: TENOFF's 10.00 is all allocated (3.34/3.33/3.33), none left to spread", () => {
    const o = orderFromRest(published());
    expect(o.lineItems.map((l) => l.totalDiscount.shop.amount)).toEqual(['3.34', '3.33', '3.33']);
    expect(unallocatedDiscount(o).toFixed(2)).toBe('0.00');
  });

  it('a code allocated to one of two lines is posted on that line only: its net and tax, the untaxed line untouched', async () => {
    const shopify = codeOnOneLine();
    expect(unallocatedDiscount(shopify).toFixed(2)).toBe('0.00');
    const erp = createSandboxErp();
    const trigger = { order: shopify };
    const exec = async <C, I, O>(node: NodeType<C, I, O>, config: unknown, input: I) =>
      (await node.execute({ ...nodeContext(node, config, erp), trigger }, input)) as O;
    const balanced = await exec(balanceSalesOrderNode, {}, salesOrder(shopify));
    expect(balanced.spreadDiscount).toBe('0.00');
    // verify is on: the ERP's lines and totals are checked against the Shopify order before the order is confirmed.
    const posted = await exec(postSalesOrderNode, { connection: 'erp-main' }, balanced);
    expect(posted.lines.map((l) => [l.sku, l.discount, l.net, l.taxAmount])).toEqual([
      ['IPOD2008GREEN', '20.00', '179.00', '10.74'],
      ['IPOD2008RED', '0.00', '199.00', '0.00'],
    ]);
    expect(posted.totals).toEqual({ net: '378.00', tax: '10.74', gross: '388.74' });
  });
});
