// A month of Shopify Payments for tests: six orders, two partial refunds, card fees, a fee-correction adjustment,
// a rolling reserve held then released, in two payouts; plus the ERP documents that go with them. Amounts are
// chosen so the ERP (10 % sales tax per line) computes the same gross as Shopify charged.
import { Decimal } from 'decimal.js';
import type { CreditMemoInput, SalesOrderInput } from '../../erp/contract.ts';
import type { Scenario } from '../../shopify/index.ts';

interface OrderSpec {
  id: number;
  date: string;
  sku: string;
  qty: number;
  price: string;
  fee: string;
  payout: number;
}
interface RefundSpec {
  id: number;
  txId: number;
  orderId: number;
  date: string;
  qty: number;
  payout: number;
}

export const ORDERS: OrderSpec[] = [
  { id: 5001, date: '2026-11-03', sku: 'TSHIRT-RED-M', qty: 2, price: '20.00', fee: '1.58', payout: 7001 },
  { id: 5002, date: '2026-11-03', sku: 'MUG-BLACK', qty: 1, price: '12.00', fee: '0.68', payout: 7001 },
  { id: 5003, date: '2026-11-04', sku: 'MUG-BLACK', qty: 3, price: '12.00', fee: '1.45', payout: 7001 },
  { id: 5004, date: '2026-11-15', sku: 'CASE-LEATHER-PREM', qty: 1, price: '49.00', fee: '1.81', payout: 7002 },
  { id: 5005, date: '2026-11-16', sku: 'SKU2006-001', qty: 2, price: '19.99', fee: '1.51', payout: 7002 },
  { id: 5006, date: '2026-11-17', sku: 'SKU2006-020', qty: 1, price: '24.00', fee: '1.04', payout: 7002 },
];

export const REFUNDS: RefundSpec[] = [
  { id: 6001, txId: 6101, orderId: 5001, date: '2026-11-05', qty: 1, payout: 7001 },
  { id: 6002, txId: 6102, orderId: 5005, date: '2026-11-18', qty: 1, payout: 7002 },
];

const TAX = new Decimal('0.10');
const r2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
export const orderGross = (o: OrderSpec) => {
  const net = new Decimal(o.price).times(o.qty);
  return r2(net.plus(r2(net.times(TAX))));
};
export const refundGross = (r: RefundSpec) => {
  const o = ORDERS.find((x) => x.id === r.orderId)!;
  const net = new Decimal(o.price).times(r.qty);
  return r2(net.plus(r2(net.times(TAX))));
};

interface Tx {
  id: number;
  type: string;
  amount: Decimal;
  fee: Decimal;
  date: string;
  sourceType: string;
  sourceId: number | null;
  orderId: number | null;
  orderTx: number | null;
  reason: string | null;
  payout: number;
}

function transactions(): Tx[] {
  const txs: Tx[] = [];
  for (const o of ORDERS)
    txs.push({
      id: 9000 + o.id,
      type: 'charge',
      amount: orderGross(o),
      fee: new Decimal(o.fee),
      date: `${o.date}T12:00:00Z`,
      sourceType: 'charge',
      sourceId: 8000 + o.id,
      orderId: o.id,
      orderTx: 8000 + o.id,
      reason: null,
      payout: o.payout,
    });
  for (const r of REFUNDS)
    txs.push({
      id: 9000 + r.id,
      type: 'refund',
      amount: refundGross(r).neg(),
      fee: new Decimal(0),
      date: `${r.date}T09:30:00Z`,
      sourceType: 'refund',
      sourceId: r.txId,
      orderId: r.orderId,
      orderTx: r.txId,
      reason: null,
      payout: r.payout,
    });
  txs.push({
    id: 9901,
    type: 'credit',
    amount: new Decimal('1.25'),
    fee: new Decimal(0),
    date: '2026-11-06T02:00:00Z',
    sourceType: 'adjustment',
    sourceId: 9951,
    orderId: null,
    orderTx: null,
    reason: 'fee_refund',
    payout: 7001,
  });
  txs.push({
    id: 9902,
    type: 'reserve',
    amount: new Decimal('-40.00'),
    fee: new Decimal(0),
    date: '2026-11-06T02:00:00Z',
    sourceType: 'reserved_funds',
    sourceId: 9952,
    orderId: null,
    orderTx: null,
    reason: null,
    payout: 7001,
  });
  txs.push({
    id: 9903,
    type: 'reserve',
    amount: new Decimal('40.00'),
    fee: new Decimal(0),
    date: '2026-11-19T02:00:00Z',
    sourceType: 'reserved_funds',
    sourceId: 9953,
    orderId: null,
    orderTx: null,
    reason: null,
    payout: 7002,
  });
  return txs;
}

export const PAYOUTS = [
  { id: 7001, date: '2026-11-08' },
  { id: 7002, date: '2026-11-22' },
];

export function payoutNet(payoutId: number): Decimal {
  return transactions()
    .filter((t) => t.payout === payoutId)
    .reduce((a, t) => a.plus(t.amount).minus(t.fee), new Decimal(0));
}

export function shopifyScenario(): Scenario {
  const txs = transactions();
  const orders = ORDERS.map((o) => {
    const net = new Decimal(o.price).times(o.qty);
    const tax = r2(net.times(TAX));
    return {
      id: o.id,
      admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
      name: `#${o.id}`,
      created_at: `${o.date}T11:58:00Z`,
      updated_at: `${o.date}T11:58:00Z`,
      currency: 'USD',
      presentment_currency: 'USD',
      financial_status: 'paid',
      taxes_included: false,
      subtotal_price: net.toFixed(2),
      total_tax: tax.toFixed(2),
      total_price: orderGross(o).toFixed(2),
      payment_gateway_names: ['shopify_payments'],
      line_items: [
        {
          id: o.id * 10 + 1,
          sku: o.sku,
          name: o.sku,
          title: o.sku,
          quantity: o.qty,
          price: o.price,
          tax_lines: [{ title: 'Sales tax', rate: 0.1, price: tax.toFixed(2) }],
        },
      ],
    };
  });
  const refunds = REFUNDS.map((r) => {
    const o = ORDERS.find((x) => x.id === r.orderId)!;
    return {
      id: r.id,
      order_id: r.orderId,
      created_at: `${r.date}T09:29:00Z`,
      note: 'partial refund',
      refund_line_items: [
        {
          id: r.id * 10 + 1,
          line_item_id: o.id * 10 + 1,
          quantity: r.qty,
          restock_type: 'return',
          subtotal: new Decimal(o.price).times(r.qty).toFixed(2),
          total_tax: '0.00',
        },
      ],
      transactions: [
        { id: r.txId, kind: 'refund', status: 'success', amount: refundGross(r).toFixed(2), gateway: 'shopify_payments', created_at: `${r.date}T09:29:00Z` },
      ],
    };
  });
  const sum = (xs: Tx[], f: (t: Tx) => Decimal) => xs.reduce((a, t) => a.plus(f(t)), new Decimal(0)).toFixed(2);
  const payouts = PAYOUTS.map((p) => {
    const mine = txs.filter((t) => t.payout === p.id);
    const of = (types: string[]) => mine.filter((t) => types.includes(t.type));
    return {
      id: p.id,
      status: 'paid',
      date: p.date,
      currency: 'USD',
      amount: payoutNet(p.id).toFixed(2),
      summary: {
        charges_gross_amount: sum(of(['charge']), (t) => t.amount),
        charges_fee_amount: sum(of(['charge']), (t) => t.fee),
        refunds_gross_amount: sum(of(['refund']), (t) => t.amount),
        refunds_fee_amount: sum(of(['refund']), (t) => t.fee),
        adjustments_gross_amount: sum(of(['credit', 'debit', 'adjustment']), (t) => t.amount),
        adjustments_fee_amount: '0.00',
        reserved_funds_gross_amount: sum(of(['reserve']), (t) => t.amount),
        reserved_funds_fee_amount: '0.00',
        retried_payouts_gross_amount: '0.00',
        retried_payouts_fee_amount: '0.00',
      },
    };
  });
  const balanceTransactions = txs.map((t) => ({
    id: t.id,
    type: t.type,
    test: false,
    payout_id: t.payout,
    payout_status: 'paid',
    currency: 'USD',
    amount: t.amount.toFixed(2),
    fee: t.fee.toFixed(2),
    net: t.amount.minus(t.fee).toFixed(2),
    source_id: t.sourceId,
    source_type: t.sourceType,
    source_order_id: t.orderId,
    source_order_transaction_id: t.orderTx,
    processed_at: t.date,
    adjustment_order_transactions: [],
    adjustment_reason: t.reason,
  }));
  return { shop: { name: 'Reconciliation month', currency: 'USD' }, orders, refunds, payouts, balanceTransactions };
}

export function erpOrder(o: OrderSpec, override: Partial<{ price: string; qty: number }> = {}): SalesOrderInput {
  return {
    externalId: String(o.id),
    reference: `#${o.id}`,
    currency: 'USD',
    date: o.date,
    warehouse: 'WH',
    customer: { externalId: `cust-${o.id}`, name: `Customer ${o.id}`, address: { street: '1 Main St', city: 'Springfield', zip: '12345' } },
    lines: [{ sku: o.sku, quantity: String(override.qty ?? o.qty), unitPrice: override.price ?? o.price, taxCodes: ['US-SALES-10'] }],
  };
}

export function erpMemo(r: RefundSpec): CreditMemoInput {
  const o = ORDERS.find((x) => x.id === r.orderId)!;
  return {
    externalId: String(r.id),
    orderExternalId: String(r.orderId),
    date: r.date,
    currency: 'USD',
    restock: true,
    lines: [{ sku: o.sku, quantity: String(r.qty), unitPrice: o.price, taxCodes: ['US-SALES-10'] }],
  };
}
