// erp.await-refund against a stand-in Shopify that answers RefundContext: a multi-currency order (shop GBP, customer
// USD) and refund transactions in the statuses Shopify reports.
import { describe, expect, it } from 'vitest';
import type { RefundContextQuery } from '../../shopify/admin-types.generated.ts';
import type { ShopifyRefund, ShopifyTransaction } from '../../shopify/types.ts';
import { awaitRefundNode, type AwaitRefundOutput } from './await-refund.ts';
import { nodeContext } from './test-context.ts';

type Order = NonNullable<RefundContextQuery['order']>;
type Tx = Order['refunds'][number]['transactions']['nodes'][number];
type Money = Tx['amountSet']['shopMoney'];

const REFUND = 'gid://shopify/Refund/1';
const ORDER = 'gid://shopify/Order/1';
const gbp = (a: string) => ({ amount: a, currencyCode: 'GBP' as const });
const usd = (a: string) => ({ amount: a, currencyCode: 'USD' as const });

const tx = (id: number, status: string, shop: Money = gbp('12.00'), presentment: Money = usd('15.00')): Tx => ({
  id: `gid://shopify/OrderTransaction/${id}`,
  kind: 'REFUND',
  status: status as Tx['status'],
  gateway: 'shopify_payments',
  processedAt: '2026-03-05T09:00:00Z',
  test: false,
  parentTransaction: null,
  amountSet: { shopMoney: shop, presentmentMoney: presentment },
});

type OrderTx = Order['transactions'][number];
/** A payment on the order (a sale, a capture), in shop money. */
const paidTx = (amount: string, kind: OrderTx['kind'] = 'SALE', status: OrderTx['status'] = 'SUCCESS'): OrderTx => ({
  kind,
  status,
  amountSet: { shopMoney: { amount } },
});

// Paid at checkout, unless a test says otherwise.
const order = (refunds: Order['refunds'], transactions: OrderTx[] = [paidTx('40.00')]): Order => ({
  id: ORDER,
  name: '#1001',
  currencyCode: 'GBP',
  taxesIncluded: true,
  shippingAddress: { countryCodeV2: 'US', provinceCode: 'NY' },
  lineItems: { nodes: [{ id: 'gid://shopify/LineItem/1', sku: 'MUG-BLACK', isGiftCard: false, taxLines: [] }] },
  shippingLines: { nodes: [] },
  transactions,
  refunds,
});

// The refunds/create payload: one mug, GBP 12.00 in the shop's books, USD 15.00 on the customer's card.
const hook = (transactions: ShopifyTransaction[] = []): ShopifyRefund => ({
  id: REFUND,
  orderId: ORDER,
  createdAt: '2026-03-05T09:00:00Z',
  processedAt: null,
  note: null,
  settled: false,
  raw: null,
  refundLineItems: [
    {
      id: 'gid://shopify/RefundLineItem/1',
      lineItemId: 'gid://shopify/LineItem/1',
      sku: 'MUG-BLACK',
      quantity: 1,
      restockType: 'NO_RESTOCK',
      restocked: false,
      locationId: null,
      subtotal: { shop: gbp('12.00'), presentment: usd('15.00') },
      totalTax: { shop: gbp('0.00'), presentment: usd('0.00') },
      isTip: false,
    },
  ],
  refundShippingLines: [],
  orderAdjustments: [],
  duties: null,
  transactions,
});

async function settle(o: Order, refund = hook()): Promise<AwaitRefundOutput> {
  const client = { request: async () => ({ data: { order: o } }) };
  // The ERP test context, its one connection being this Shopify stand-in.
  const ctx = { ...nodeContext(awaitRefundNode, { shopifyConnection: 'shop' }, null), connection: async <T>() => client as T };
  return (await awaitRefundNode.execute(ctx, { refund })) as AwaitRefundOutput;
}

describe('erp.await-refund', () => {
  it("counts the cash in the shop's currency (shopMoney), the presentment amount only as `refunded`", async () => {
    const out = await settle(order([{ id: REFUND, transactions: { nodes: [tx(11, 'SUCCESS')] } }]));
    expect(out.shopify).toMatchObject({ gross: '12.00', cash: '12.00' });
    expect(out.refunded).toEqual({ amount: '15.00', currency: 'USD', transactions: 1 });
  });

  it("waits when Shopify does not list the refund yet and the webhook's transactions are in another currency", async () => {
    const fromHook: ShopifyTransaction = {
      id: 'gid://shopify/OrderTransaction/12',
      kind: 'REFUND',
      status: 'SUCCESS',
      gateway: 'shopify_payments',
      amount: usd('15.00'),
      parentId: null,
      processedAt: null,
      test: false,
    };
    await expect(settle(order([]), hook([fromHook]))).rejects.toMatchObject({
      errorClass: 'transient',
      code: 'REFUND_PENDING',
      details: { currency: 'USD', shopCurrency: 'GBP' },
    });
    // In the shop's own currency the webhook's amount is shop money.
    const same = await settle(order([]), hook([{ ...fromHook, amount: gbp('12.00') }]));
    expect(same.shopify.cash).toBe('12.00');
  });

  it.each(['AWAITING_RESPONSE', 'UNKNOWN', 'PENDING', 'SOMETHING_NEW'])('waits on a %s refund transaction, naming the status', async (status) => {
    const e = await settle(order([{ id: REFUND, transactions: { nodes: [tx(13, status)] } }])).catch((x: unknown) => x);
    expect(e).toMatchObject({ errorClass: 'transient', code: 'REFUND_PENDING', details: { statuses: [status] } });
    expect((e as Error).message).toContain(status);
  });

  it('still fails a refund whose transactions failed, and passes one that succeeded beside a failed attempt', async () => {
    await expect(settle(order([{ id: REFUND, transactions: { nodes: [tx(14, 'FAILURE')] } }]))).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'REFUND_FAILED',
    });
    const out = await settle(order([{ id: REFUND, transactions: { nodes: [tx(15, 'ERROR'), tx(16, 'SUCCESS')] } }]));
    expect(out.shopify.cash).toBe('12.00');
  });

  it('gives the cash per gateway: a part put back on a gift card is no Shopify Payments money, yet the memo credits all of it', async () => {
    const giftCard = { ...tx(17, 'SUCCESS', gbp('4.00'), usd('5.00')), gateway: 'gift_card' };
    const card = tx(18, 'SUCCESS', gbp('8.00'), usd('10.00'));
    const out = await settle(order([{ id: REFUND, transactions: { nodes: [giftCard, card] } }]));
    expect(out.shopify).toMatchObject({ gross: '12.00', cash: '12.00', cashByGateway: { gift_card: '4.00', shopify_payments: '8.00' } });
    // From the webhook alone (Shopify does not list the refund yet), in the shop's currency.
    const hooked = (t: Tx): ShopifyTransaction => ({ ...t, amount: t.amountSet.shopMoney, parentId: null });
    const early = await settle(order([]), hook([hooked(giftCard), hooked(card)]));
    expect(early.shopify.cashByGateway).toEqual({ gift_card: '4.00', shopify_payments: '8.00' });
  });

  it('gives a refunded tip and the refunded duties as figures of their own, in the gross, and never restocks a tip', async () => {
    const tip = {
      ...hook().refundLineItems[0]!,
      id: 'gid://shopify/RefundLineItem/2',
      lineItemId: 'gid://shopify/LineItem/2',
      sku: null,
      restockType: 'RETURN',
      restocked: true,
      subtotal: { shop: gbp('2.00'), presentment: usd('2.50') },
      isTip: true,
    };
    const refund = { ...hook(), refundLineItems: [...hook().refundLineItems, tip], duties: { shop: gbp('1.50'), presentment: usd('1.90') } };
    const out = await settle(order([{ id: REFUND, transactions: { nodes: [tx(19, 'SUCCESS', gbp('15.50'), usd('19.40'))] } }]), refund);
    expect(out.shopify).toMatchObject({ lines: '12.00', tips: '2.00', duties: '1.50', gross: '15.50', cash: '15.50' });
    expect(out.restock).toBe(false);
    expect(out.refund.refundLineItems.map((l) => l.isTip)).toEqual([false, true]);
  });

  it("splits a yen refund's tax over the line's tax lines in whole yen (¥101 as 67 + 34), never in sen", async () => {
    const jpy = (a: string) => ({ amount: a, currencyCode: 'JPY' as const });
    const taxLines = [
      { title: 'National', rate: 0.078, priceSet: { shopMoney: jpy('156'), presentmentMoney: jpy('156') } },
      { title: 'Local', rate: 0.022, priceSet: { shopMoney: jpy('78'), presentmentMoney: jpy('78') } },
    ];
    const o = {
      ...order([{ id: REFUND, transactions: { nodes: [tx(21, 'SUCCESS', jpy('1111'), jpy('1111'))] } }]),
      currencyCode: 'JPY' as const,
      taxesIncluded: false,
      lineItems: { nodes: [{ id: 'gid://shopify/LineItem/1', sku: 'MUG-BLACK', isGiftCard: false, taxLines }] },
    };
    const line = {
      ...hook().refundLineItems[0]!,
      subtotal: { shop: jpy('1010'), presentment: jpy('1010') },
      totalTax: { shop: jpy('101'), presentment: jpy('101') },
    };
    const out = await settle(o as Order, { ...hook(), refundLineItems: [line] });
    const split = out.refund.refundLineItems[0]!.taxLines.map((t) => t.price.shop.amount);
    expect(split).toEqual(['67.00', '34.00']);
    expect(out.shopify).toMatchObject({ lines: '1010.00', lineTax: '101.00', gross: '1111.00', cash: '1111.00' });
  });

  it("gives what the customer has paid: successful sales and captures, less the cash of the order's other refunds", async () => {
    const earlier = { id: 'gid://shopify/Refund/0', transactions: { nodes: [tx(9, 'SUCCESS', gbp('10.00'))] } };
    const out = await settle(
      order(
        [earlier, { id: REFUND, transactions: { nodes: [tx(11, 'SUCCESS')] } }],
        [
          paidTx('40.00'),
          paidTx('15.00', 'AUTHORIZATION'),
          paidTx('5.00', 'CAPTURE', 'FAILURE'),
          // The buyer settling the rest of the invoice later: paid too.
          paidTx('28.00'),
        ],
      ),
    );
    expect(out.shopify.paid).toBe('58.00');
  });

  it('gives 0.00 paid for an order on payment terms refunded before any payment, whose refund returns no cash', async () => {
    const out = await settle(order([{ id: REFUND, transactions: { nodes: [] } }], []));
    expect(out.shopify).toMatchObject({ gross: '12.00', cash: '0.00', paid: '0.00' });
  });
});
