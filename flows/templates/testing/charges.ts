// Shopify orders the customer paid more for than their goods, shipping and tax (a tip, import duties), as Shopify
// sends them: for the template tests of orders and of their refunds.
import { Decimal } from 'decimal.js';

type Money = (amount: string) => { shop_money: { amount: string; currency_code: string }; presentment_money: { amount: string; currency_code: string } };

/**
 * The scenario as another order (its id moved by `offset`, its name suffixed: the file's other cases post the scenario
 * as it is) that the customer paid `amount` more for, `charge` putting that amount where Shopify puts it.
 */
export function chargedMore(raw: string, offset: number, suffix: string, amount: string, charge: (o: any, money: Money) => void): string {
  const o = JSON.parse(raw);
  o.id += offset;
  o.admin_graphql_api_id = `gid://shopify/Order/${o.id}`;
  o.name = `${o.name}-${suffix}`;
  const money: Money = (a) => ({
    shop_money: { amount: a, currency_code: o.currency },
    presentment_money: { amount: a, currency_code: o.presentment_currency },
  });
  charge(o, money);
  for (const k of ['total_price', 'current_total_price']) {
    const v = new Decimal(o[k]).plus(amount).toFixed(2);
    o[k] = v;
    o[`${k}_set`] = money(v);
  }
  return JSON.stringify(o);
}

/** Import duties the customer paid at checkout, as Shopify sends them: on the line, and the order's duty totals. */
export const withDuties = (raw: string, amount: string) =>
  chargedMore(raw, 950, 'D', amount, (o, money) => {
    o.line_items[0].duties = [
      {
        id: '2',
        harmonized_system_code: '520300',
        country_code_of_origin: 'CA',
        ...money(amount),
        tax_lines: [],
        admin_graphql_api_id: 'gid://shopify/Duty/2',
      },
    ];
    o.original_total_duties_set = money(amount);
    o.current_total_duties_set = money(amount);
  });

/**
 * A tip as Shopify sends one: a line item of its own (no product, variant or SKU, untaxed, marked by
 * `tip_payment_gateway`, present only on tips), and `total_tip_received`.
 */
export const withTip = (raw: string, amount: string) =>
  chargedMore(raw, 900, 'T', amount, (o, money) => {
    const id = o.id * 10 + 9;
    o.line_items.push({
      ...o.line_items[0],
      id,
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      name: 'Tip',
      title: 'Tip',
      sku: null,
      product_id: null,
      variant_id: null,
      product_exists: false,
      requires_shipping: false,
      taxable: false,
      gift_card: false,
      quantity: 1,
      current_quantity: 1,
      price: amount,
      price_set: money(amount),
      total_discount: '0.00',
      total_discount_set: money('0.00'),
      tax_lines: [],
      discount_allocations: [],
      tip_payment_gateway: 'shopify_payments',
      tip_payment_method: 'card',
    });
    o.total_tip_received = amount;
  });

/**
 * A refunds/create payload for `order` (one of the above) on the model of the scenario refund `base`: its own `id`,
 * the `goods` refund line items given, the order's tip line refunded whole, `duties` given back, and one successful
 * transaction returning `cash`, all in the order's shop currency.
 */
export function tipAndDutiesRefund(base: any, order: any, o: { id: number; goods: unknown[]; duties: string; cash: string }) {
  const money: Money = (a) => ({ shop_money: { amount: a, currency_code: order.currency }, presentment_money: { amount: a, currency_code: order.currency } });
  const tip = order.line_items.find((l: { tip_payment_gateway?: string }) => l.tip_payment_gateway);
  return {
    ...base,
    id: o.id,
    admin_graphql_api_id: `gid://shopify/Refund/${o.id}`,
    order_id: order.id,
    refund_line_items: [
      ...o.goods,
      {
        id: o.id * 10 + 9,
        quantity: 1,
        line_item_id: tip.id,
        line_item: tip,
        location_id: null,
        restock_type: 'no_restock',
        subtotal: Number(tip.price),
        subtotal_set: money(tip.price),
        total_tax: 0,
        total_tax_set: money('0.00'),
      },
    ],
    duties: [{ duty_id: order.id, amount_set: money(o.duties) }],
    total_duties_set: money(o.duties),
    transactions: base.transactions.map((t: Record<string, unknown>) => ({ ...t, id: o.id + 5, order_id: order.id, amount: o.cash })),
  };
}
