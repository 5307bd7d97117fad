// A refund split between a gift card and the card, end to end through the shipped templates on the sandbox ERP and
// the Shopify sandbox store: order A sells a 5.00 gift card (with a mug), order B (a mug, 13.20) is paid 5.00 by that
// gift card and 8.20 by card, then refunded in full — Shopify puts 5.00 back on the gift card and 8.20 on the card.
// The payout carries the two charges and the card refund only (−8.20). The credit memo credits B's invoice in full
// (13.20); the refund flow re-issues the gift-card part as liability, so the payout ties and is posted and settled,
// receivable and clearing end at zero, and 2300 holds the gift card's 5.00 again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../runtime/runs.ts';
import { trialBalance } from '../../server/finance/trial-balance.ts';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import type { PayoutReconciliation } from './types.ts';
import { defined, nth } from './testing/defined.ts';
import { loadMonth, startTemplates, type TemplatesWorld } from './testing/month.ts';

type Json = Record<string, any>;
const clone = <T>(x: T): T => structuredClone(x);
const bag = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });

// The scenario month's gift-card order (a gift card and mugs, paid by gift card and card) is the shape both orders copy.
const month = loadMonth();
const BASE = defined(
  month.orders.find((o) => o.line_items.some((l: Json) => l.gift_card)),
  'the gift-card order of the scenario month',
);
const BASE_REFUND = nth(month.refunds, 0, 'a refund of the scenario month');

function order(id: number, day: string, card: string | null, payments: Array<[gateway: string, amount: string, txId: number]>): Json {
  const o = clone(BASE);
  const at = `2026-03-${day}T10:00:00+00:00`;
  const [gift, mug] = [BASE.line_items.find((l: Json) => l.gift_card), BASE.line_items.find((l: Json) => !l.gift_card)];
  const mugLine = {
    ...clone(mug),
    id: id * 10 + 1,
    admin_graphql_api_id: `gid://shopify/LineItem/${id * 10 + 1}`,
    quantity: 1,
    current_quantity: 1,
    fulfillable_quantity: 1,
    tax_lines: [{ ...clone(mug.tax_lines[0]), price: '1.20', price_set: bag('1.20') }],
  };
  const cardLine = card && {
    ...clone(gift),
    id: id * 10,
    admin_graphql_api_id: `gid://shopify/LineItem/${id * 10}`,
    name: `Gift Card $${card}`,
    title: `Gift Card $${card}`,
    price: card,
    price_set: bag(card),
  };
  const subtotal = (12 + Number(card ?? 0)).toFixed(2);
  const total = (13.2 + Number(card ?? 0)).toFixed(2);
  Object.assign(o, {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    order_number: id,
    created_at: at,
    processed_at: at,
    updated_at: at,
    payment_gateway_names: payments.map(([g]) => g),
    line_items: cardLine ? [cardLine, mugLine] : [mugLine],
    transactions: payments.map(([gateway, amount, txId]) => ({ id: txId, kind: 'sale', status: 'success', gateway, amount, currency: 'USD' })),
    refunds: [],
  });
  for (const [k, v] of Object.entries({
    subtotal_price: subtotal,
    current_subtotal_price: subtotal,
    total_line_items_price: subtotal,
    total_price: total,
    current_total_price: total,
    total_tax: '1.20',
    current_total_tax: '1.20',
    total_outstanding: '0.00',
  })) {
    o[k] = v;
    o[`${k}_set`] = bag(v);
  }
  return o;
}

// A: a 5.00 gift card and a mug, paid by card. B: a mug paid 5.00 by that gift card and 8.20 by card.
const A = order(7300000001, '02', '5.00', [['shopify_payments', '18.20', 7300000011]]);
const B = order(7300000002, '03', null, [
  ['gift_card', '5.00', 7300000021],
  ['shopify_payments', '8.20', 7300000022],
]);
const REFUND_ID = 7300000101;
const CARD_REFUND_TX = 7300000103;
const refundTx = (id: number, gateway: string, amount: string) => ({
  ...clone(BASE_REFUND.transactions[0]),
  id,
  admin_graphql_api_id: `gid://shopify/OrderTransaction/${id}`,
  order_id: B.id,
  gateway,
  amount,
  created_at: '2026-03-05T09:00:00+00:00',
  processed_at: '2026-03-05T09:00:00+00:00',
});
// B refunded in full (13.20): Shopify returns each payment to where it came from.
const REFUND = {
  ...clone(BASE_REFUND),
  id: REFUND_ID,
  admin_graphql_api_id: `gid://shopify/Refund/${REFUND_ID}`,
  order_id: B.id,
  created_at: '2026-03-05T09:00:00+00:00',
  processed_at: '2026-03-05T09:00:00+00:00',
  refund_line_items: [{ ...clone(BASE_REFUND.refund_line_items[0]), id: REFUND_ID * 10, line_item_id: B.line_items[0].id, line_item: clone(B.line_items[0]) }],
  transactions: [refundTx(7300000102, 'gift_card', '5.00'), refundTx(CARD_REFUND_TX, 'shopify_payments', '8.20')],
};

const PAYOUT = 7300000801;
const bt = (id: number, type: string, amount: string, fee: string, orderId: number, orderTx: number, at: string) => ({
  id,
  type,
  test: false,
  payout_id: PAYOUT,
  payout_status: 'paid',
  currency: 'USD',
  amount,
  fee,
  net: (Number(amount) - Number(fee)).toFixed(2),
  source_id: id + 50,
  source_type: type,
  source_order_id: orderId,
  source_order_transaction_id: orderTx,
  processed_at: at,
  adjustment_order_transactions: [],
  adjustment_reason: null,
});
// Shopify Payments carries the card parts only: the gift card's 5.00 is no card money either way.
const BALANCE_TRANSACTIONS = [
  bt(7300000901, 'charge', '18.20', '0.83', A.id, 7300000011, '2026-03-02T10:00:00Z'),
  bt(7300000902, 'charge', '8.20', '0.54', B.id, 7300000022, '2026-03-03T10:00:00Z'),
  bt(7300000903, 'refund', '-8.20', '0.00', B.id, CARD_REFUND_TX, '2026-03-05T09:00:00Z'),
];
const PAYOUTS = [
  {
    id: PAYOUT,
    status: 'paid',
    date: '2026-03-06',
    currency: 'USD',
    amount: '16.83',
    summary: {
      charges_gross_amount: '26.40',
      charges_fee_amount: '1.37',
      refunds_gross_amount: '-8.20',
      refunds_fee_amount: '0.00',
      adjustments_gross_amount: '0.00',
      adjustments_fee_amount: '0.00',
      reserved_funds_gross_amount: '0.00',
      reserved_funds_fee_amount: '0.00',
      retried_payouts_gross_amount: '0.00',
      retried_payouts_fee_amount: '0.00',
    },
  },
];

let erp: SandboxErp;
let world: TemplatesWorld;
const runs = { orders: [] as RunRecord[], refund: [] as RunRecord[], payouts: [] as RunRecord[] };

beforeAll(async () => {
  erp = createSandboxErp();
  world = await startTemplates(
    erp,
    { shop: { name: 'Gift card refund', currency: 'USD' }, orders: [A, B], refunds: [REFUND], payouts: PAYOUTS, balanceTransactions: BALANCE_TRANSACTIONS },
    { drainMs: 120_000, prefix: 'ledgerline-giftcard-refund-' },
  );
  const { send } = world;
  for (const o of [A, B]) runs.orders.push(...(await send('orders/paid', o, ['order-to-erp', 'gift-card-liability'])));
  runs.refund = await send('refunds/create', REFUND, ['refund-to-credit-memo']);
  // A second run finds the payout already posted and settled: nothing twice.
  for (let i = 0; i < 2; i++) runs.payouts.push(...(await send('', null, ['payout-reconciliation'])));
}, 300_000);

afterAll(async () => {
  await world?.close();
  await erp?.close();
});

const step = (run: RunRecord, nodeId: string) => run.steps.find((s) => s.nodeId === nodeId);

describe('a refund split between gift card and card', () => {
  it('credits the invoice in full and re-issues the gift-card part as liability, one journal per refund', () => {
    for (const r of [...runs.orders, ...runs.refund]) expect([r.flowId, r.status, JSON.stringify(r.error ?? null)]).toEqual([r.flowId, 'succeeded', 'null']);
    const run = nth(runs.refund, 0, 'refund run');
    expect(step(run, 'post')?.output).toMatchObject({ externalId: `gid://shopify/Refund/${REFUND_ID}` });
    expect(step(run, 'settled')?.output).toMatchObject({ shopify: { cash: '13.20', cashByGateway: { gift_card: '5.00', shopify_payments: '8.20' } } });
    expect(step(run, 'post-gift-card-journal')?.output).toMatchObject({
      externalId: `giftcard-refund:${REFUND_ID}`,
      created: true,
      totals: { debit: '5.00', credit: '5.00' },
    });
  });

  it('ties the payout (card refund −8.20 = memo 13.20 less 5.00 back on the gift card), posts and settles it', async () => {
    for (const r of runs.payouts) expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    const recs = runs.payouts.flatMap((r) => (step(r, 'reconcile')?.output as { reconciliations?: PayoutReconciliation[] } | undefined)?.reconciliations ?? []);
    const rec = defined(
      recs.find((r) => r.payoutId === String(PAYOUT)),
      'the reconciliation of the payout',
    );
    expect([rec.status, rec.erpVariance, rec.shopifyVariance]).toEqual(['balanced', '0.00', '0.00']);
    expect(rec.items.filter((i) => i.status !== 'matched').map((i) => [i.status, i.bucket, i.delta])).toEqual([]);
    const refund = defined(
      rec.items.find((i) => i.bucket === 'refund'),
      'the refund item',
    );
    expect([refund.shopifyAmount, refund.erpAmount, refund.refundId]).toEqual(['-8.20', '-8.20', String(REFUND_ID)]);
    const posted = runs.payouts.flatMap((r) => (step(r, 'post-journal')?.output as { journals?: Array<{ externalId: string }> } | undefined)?.journals ?? []);
    expect(posted.map((j) => j.externalId)).toEqual([String(PAYOUT)]);

    const tb = await trialBalance(erp, '2026-03', { receivable: '1100', clearing: '1190' });
    expect(tb.balanced).toBe(true);
    expect(tb.checks).toEqual({ receivable: { account: '1100', closing: '0.00' }, clearing: { account: '1190', closing: '0.00' } });
    // 2300: 5.00 sold on A, released by B's redemption, re-issued by B's refund: the customer's card holds 5.00 again.
    expect(tb.accounts.find((a) => a.account === '2300')).toMatchObject({ debits: '5.00', credits: '10.00', closing: '-5.00' });
    expect(tb.openReceivables).toEqual([]);
    expect(world.sink.open()).toEqual([]);
  });
});
