// The Tryton-marked correctness cases on a live trytond (scripts/tryton): a UK VAT-inclusive order with an order-level
// discount code posts with net, tax and gross equal to Shopify's; partial refunds with and without restock and a
// shipping-only refund post credit notes that reverse exactly what was invoiced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTryton, type StartedTryton } from '../../scripts/tryton/start.ts';
import { createTrytonConnector } from '../../nodes/erp/index.ts';
import { TrytonRpc } from '../../nodes/erp/tryton/rpc.ts';
import type { Scenario } from '../../nodes/shopify/index.ts';
import { readFileSync } from 'node:fs';
import { tipAndDutiesRefund } from './testing/charges.ts';
import { FIXTURES, asPaidOrder, onlyRun, outputOf, scenario, startHarness, stepOf, template, type Harness } from './testing/harness.ts';
import { classifyFailedRun } from '../../server/exceptions/store/classify.ts';

const SHOP: Scenario = {
  shop: { name: 'Tryton test shop', currency: 'GBP' },
  locations: [
    { id: 24826418, name: 'Leeds warehouse' },
    { id: 487838322, name: 'London shop' },
  ],
  products: [],
  inventory: [],
};
let tryton: StartedTryton;
let h: Harness;
const UK = 'gid://shopify/Order/7100000001';

beforeAll(async () => {
  tryton = await startTryton();
  h = await startHarness({
    erp: createTrytonConnector({ ...tryton.login, postInvoices: true }),
    shop: SHOP,
  });
  await h.install('order-to-erp');
  await h.install('refund-to-credit-memo');
  await h.install('manual-payments-to-erp');
  h.store!.createOrder(scenario('uk-vat-inclusive-discount.orders-paid.json'));
}, 600_000);
afterAll(async () => {
  await h?.close();
  await tryton?.stop();
});

const stock = async (sku: string, wh = 'WH') => (await h.erp.getStock({ skus: [sku], warehouses: [wh] }))[0] ?? { onHand: '0' };

// Shopify's REST example order #1001, paid, dated this year: Tryton books an invoice on the order's date and has
// fiscal periods for last, this and next year only (scripts/tryton/setup.py); the example itself is from 2008.
const order1001 = () =>
  asPaidOrder(JSON.stringify(JSON.parse(readFileSync(`${FIXTURES}rest-2026-07.order.single.json`, 'utf8')).order)).replaceAll(
    '2008-01-10T',
    `${new Date().getUTCFullYear()}-01-10T`,
  );

describe('templates on Tryton', () => {
  it("UK VAT-inclusive prices with a 10 % discount code: Tryton totals equal Shopify's to the penny", async () => {
    const run = await h.run('order-to-erp', scenario('uk-vat-inclusive-discount.orders-paid.json'));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ externalId: UK, currency: 'GBP', totals: { net: '57.47', tax: '11.50', gross: '68.97' } });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([
      ['TSHIRT-RED-M', 'UK-VAT-20', '9.00'],
      ['MUG-BLACK', 'UK-VAT-20', '1.80'],
    ]);
  }, 120_000);

  it("regression: REST example order #1001 books Shopify's 11.94 tax as manual invoice tax lines, not 6 % × 587.00 = 35.22", async () => {
    const raw = order1001();
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ reference: '#1001', totals: { net: '587.00', tax: '11.94', gross: '598.94' } });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([
      ['IPOD2008GREEN', 'US-STATE-6', '3.98'],
      ['IPOD2008RED', 'US-STATE-6', '3.98'],
      ['IPOD2008BLACK', 'US-STATE-6', '3.98'],
    ]);
    // Posted after the UK order's invoice (2026-03-02) although dated 01-10: Tryton numbers invoices in date order, so
    // the late invoice keeps the order's date and is booked on the latest date already numbered.
    const ledger = (await h.erp.listLedger({ from: '2000-01-01', to: '2099-12-31' })).filter((l) => l.source.externalId === 'gid://shopify/Order/450789469');
    const side = (acc: string) =>
      ledger
        .filter((l) => l.account === acc)
        .reduce((a, l) => a + Number(l.credit) - Number(l.debit), 0)
        .toFixed(2);
    expect([side('2100'), side('4000'), side('1100')]).toEqual(['11.94', '587.00', '-598.94']);
    expect([...new Set(ledger.map((l) => l.date))]).toEqual(['2026-03-02']);
  }, 120_000);

  it('a tax difference against Shopify books nothing on Tryton: the sale stays a draft', async () => {
    const o = JSON.parse(order1001());
    Object.assign(o, { id: 450789470, admin_graphql_api_id: 'gid://shopify/Order/450789470', name: '#1001-B', total_tax: '12.00' });
    o.total_tax_set.shop_money.amount = '12.00';
    o.total_price_set.shop_money.amount = '599.00';
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'TOTALS_MISMATCH', details: { fields: ['tax', 'gross'], draft: true } });
    expect(stepOf(run, 'read-back')).toBeUndefined();
    expect(await h.erp.getSalesOrder('gid://shopify/Order/450789470')).toMatchObject({ status: 'draft', totals: { tax: '11.94' } });
  }, 120_000);

  it("10 concurrent runs of the same order create exactly one Tryton sale (business key claimed in Ledgerline's store first)", async () => {
    const o = JSON.parse(order1001());
    Object.assign(o, { id: 450789471, admin_graphql_api_id: 'gid://shopify/Order/450789471', name: '#1001-C' });
    const body = JSON.stringify(o);
    const version = (await h.rt.flows.get('order-to-erp')).activeVersion!;
    const runIds: string[] = [];
    for (let i = 0; i < 10; i++)
      runIds.push(
        onlyRun((await h.rt.queue.ingest({ source: 'manual', payload: body, targets: [{ flowId: 'order-to-erp', version }] })).runIds, 'order-to-erp'),
      );
    await h.rt.drain(240_000);
    const runs = await Promise.all(runIds.map((id) => h.rt.runs.get(id)));
    expect(
      runs.map((r) => r.status),
      JSON.stringify(runs.find((r) => r.status !== 'succeeded')?.error),
    ).toEqual(Array(10).fill('succeeded'));
    expect(runs.filter((r) => outputOf(r, 'post').created).length).toBe(1);
    expect(new Set(runs.map((r) => outputOf(r, 'read-back').number)).size).toBe(1);
    const rpc = new TrytonRpc(tryton.login);
    expect(await rpc.model<number>('sale.sale', 'search_count', [[['reference', '=', 'gid://shopify/Order/450789471']]])).toBe(1);
    // Some runs found the key held and waited (a transient CLAIMED_BY_OTHER_RUN, retried).
    expect(runs.some((r) => (r.steps.find((s) => s.nodeId === 'post')?.attempts ?? 1) > 1)).toBe(true);
  }, 300_000);

  it("a tip and import duties post as Tryton's TIP and DUTY service lines, and a refund of just them credits them back", async () => {
    const raw = scenario('uk-vat-inclusive-tip-duties.orders-paid.json');
    const order = JSON.parse(raw);
    h.store!.createOrder(raw);
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.totals).toEqual({ net: '64.97', tax: '11.50', gross: '76.47' });
    expect(so.lines.map((l: any) => [l.sku, l.net, l.taxAmount])).toEqual([
      ['TSHIRT-RED-M', '44.97', '9.00'],
      ['MUG-BLACK', '9.00', '1.80'],
      ['TIP', '3.00', '0.00'],
      ['DUTY', '4.50', '0.00'],
    ]);
    // Shopify refunds the tip and the duties alone: no goods come back.
    const r = JSON.parse(scenario('uk-vat-inclusive-discount.refund-no-restock.json'));
    const refund = tipAndDutiesRefund(r, order, { id: 7200000081, goods: [], duties: '4.50', cash: '7.50' });
    h.store!.createRefund(refund);
    const memo = await h.run('refund-to-credit-memo', JSON.stringify(refund));
    expect(memo.status, JSON.stringify(memo.error)).toBe('succeeded');
    expect(outputOf(memo, 'post')).toMatchObject({ restock: false, totals: { net: '7.50', tax: '0.00', gross: '7.50' } });
    expect(outputOf(memo, 'post').lines.map((l: any) => [l.sku, l.net])).toEqual([
      ['TIP', '3.00'],
      ['DUTY', '4.50'],
    ]);
  }, 300_000);

  it("a shop in yen: the order discount on no line is spread in whole yen, so Tryton's yen-rounded lines add up to Shopify's ¥2,000", async () => {
    const run = await h.run('order-to-erp', scenario('jpy-unallocated-discount.orders-paid.json'));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ currency: 'JPY', totals: { net: '2000.00', tax: '0.00', gross: '2000.00' } });
    expect(so.lines.map((l: any) => [l.sku, l.net])).toEqual([
      ['TSHIRT-RED-M', '666.00'],
      ['MUG-BLACK', '667.00'],
      ['SKU2006-020', '667.00'],
    ]);
  }, 120_000);

  it('partial refund with restock, one without, and a shipping-only refund', async () => {
    const before = await stock('TSHIRT-RED-M');
    const cases: Array<[string, { restock: boolean; totals: Record<string, string> }]> = [
      ['uk-vat-inclusive-discount.refund-restock.json', { restock: true, totals: { net: '14.99', tax: '3.00', gross: '17.99' } }],
      ['uk-vat-inclusive-discount.refund-no-restock.json', { restock: false, totals: { net: '9.00', tax: '1.80', gross: '10.80' } }],
      ['uk-vat-inclusive-discount.refund-shipping-only.json', { restock: false, totals: { net: '3.50', tax: '0.70', gross: '4.20' } }],
    ];
    for (const [file, want] of cases) {
      const raw = scenario(file);
      h.store!.createRefund(raw);
      const run = await h.run('refund-to-credit-memo', raw);
      expect(run.status, `${file}: ${JSON.stringify(run.error)}`).toBe('succeeded');
      expect(outputOf(run, 'post'), file).toMatchObject({ orderExternalId: UK, currency: 'GBP', ...want });
    }
    const after = await stock('TSHIRT-RED-M');
    expect(Number(after.onHand) - Number(before.onHand)).toBe(1);
  }, 300_000);

  // Refunds are dated today: Tryton numbers credit notes in date order, and the examples' own dates lie years back.
  const today = new Date().toISOString().slice(0, 10);
  const fixture = (f: string) => readFileSync(`${FIXTURES}${f}`, 'utf8');
  /**
   * The refund template with a difference account. Tryton takes only revenue-type accounts on customer credit-note
   * lines, so the difference goes to a revenue account (a contra-revenue "returns and allowances" in a real chart).
   */
  const goodwill = async () => {
    if ((await h.rt.flows.list()).some((f: { id: string }) => f.id === 'refund-goodwill')) return;
    const doc = template('refund-to-credit-memo');
    doc.nodes.find((n) => n.id === 'post')!.config.differenceAccount = '4000';
    await h.rt.flows.create({ ...doc, id: 'refund-goodwill' } as never);
    await h.rt.flows.publish('refund-goodwill', { activate: true });
  };
  const creditNotes = async (ref: string) => {
    const rpc = new TrytonRpc(tryton.login);
    return rpc.model<Array<{ state: string; total_amount: string }>>('account.invoice', 'search_read', [
      [['reference', '=', `refund:${ref}`]],
      0,
      null,
      null,
      ['state', 'total_amount'],
    ]);
  };

  it("regression live: REST refund 509562969 (lines 391.33 + Shopify's tax 7.96, cash 209.00) is raised and books nothing; with a difference account the credit note is the cash returned and the goods go back at WH2", async () => {
    h.store!.createOrder(order1001()); // posted to Tryton by the #1001 regression above
    const refund = JSON.stringify(JSON.parse(fixture('rest-2026-07.orders.refund.single.json')).refund).replaceAll(
      '2025-04-02T11:38:15-05:00',
      `${today}T11:38:15Z`,
    );
    h.store!.createRefund(refund);
    const raised = await h.run('refund-to-credit-memo', refund);
    expect(raised.status).toBe('failed');
    expect(raised.error).toMatchObject({ nodeId: 'post', code: 'REFUND_CASH_MISMATCH', details: { lines: '399.29', cash: '209.00', difference: '-190.29' } });
    expect(classifyFailedRun(raised)).toMatchObject({ type: 'refund-cash-mismatch' });
    expect(await creditNotes('gid://shopify/Refund/509562969')).toEqual([]);

    await goodwill();
    const before = { black: await stock('IPOD2008BLACK', 'WH2'), green: await stock('IPOD2008GREEN', 'WH2'), wh: await stock('IPOD2008BLACK') };
    const run = await h.run('refund-goodwill', refund);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const memo = outputOf(run, 'post');
    expect(memo.totals).toEqual({ net: '201.04', tax: '7.96', gross: '209.00' });
    expect(memo.lines.map((l: any) => [l.sku, l.taxAmount])).toEqual([
      ['IPOD2008BLACK', '3.98'],
      ['IPOD2008GREEN', '3.98'],
    ]);
    expect(await creditNotes('gid://shopify/Refund/509562969')).toEqual([{ id: expect.any(Number), state: 'posted', total_amount: '-209.00' }]);
    // Location 487838322 maps to WH2: the goods go back there, not to the order's WH.
    expect(Number((await stock('IPOD2008BLACK', 'WH2')).onHand) - Number(before.black.onHand)).toBe(1);
    expect(Number((await stock('IPOD2008GREEN', 'WH2')).onHand) - Number(before.green.onHand)).toBe(1);
    expect((await stock('IPOD2008BLACK')).onHand).toBe(before.wh.onHand);
  }, 300_000);

  it('regression live: the refunds/create example (lines 414.95 against an invoice of 404.95, cash 85.00) is raised, nothing posted', async () => {
    const order = asPaidOrder(fixture('webhook-2026-04.orders.paid.json')).replaceAll('2021-12-31T19:00:00-05:00', `${today}T10:00:00Z`);
    h.store!.createOrder(order);
    const posted = await h.run('order-to-erp', order);
    expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
    const refund = fixture('webhook-2026-04.refunds.create.json')
      .replaceAll('820982911946154500', '820982911946154508')
      .replaceAll('2021-12-31T19:00:00-05:00', `${today}T12:00:00Z`);
    h.store!.createRefund(refund);
    await goodwill();
    const run = await h.run('refund-goodwill', refund);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'CREDIT_EXCEEDS_INVOICE', details: { memo: '414.95', remaining: '404.95' } });
    expect(classifyFailedRun(run)).toMatchObject({ type: 'credit-exceeds-invoice' });
    expect(await creditNotes(JSON.parse(refund).admin_graphql_api_id)).toEqual([]);
  }, 300_000);

  it('one refund restocking at two warehouses (and a line not restocked): one credit note, each line back at its own warehouse', async () => {
    const o = JSON.parse(scenario('uk-vat-inclusive-discount.orders-paid.json'));
    const lineIds = new Map<number, number>(o.line_items.map((l: { id: number }, i: number) => [l.id, 71000000990 + i]));
    const order = {
      ...o,
      id: 7100000099,
      admin_graphql_api_id: 'gid://shopify/Order/7100000099',
      name: '#UK99',
      order_number: 9099,
      created_at: `${today}T09:00:00Z`,
      processed_at: `${today}T09:00:00Z`,
      line_items: o.line_items.map((l: { id: number }) => ({
        ...l,
        id: lineIds.get(l.id),
        admin_graphql_api_id: `gid://shopify/LineItem/${lineIds.get(l.id)}`,
      })),
    };
    delete order.fulfillments;
    h.store!.createOrder(order);
    const posted = await h.run('order-to-erp', JSON.stringify(order));
    expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
    const r = JSON.parse(scenario('uk-vat-inclusive-discount.refund-restock.json'));
    const shirt = r.refund_line_items[0];
    const tShirtLine = order.line_items.find((l: { sku: string }) => l.sku === 'TSHIRT-RED-M');
    const mugLine = order.line_items.find((l: { sku: string }) => l.sku === 'MUG-BLACK');
    const gbp = (a: string) => ({ shop_money: { amount: a, currency_code: 'GBP' }, presentment_money: { amount: a, currency_code: 'GBP' } });
    const refund = {
      ...r,
      id: 7200000099,
      admin_graphql_api_id: 'gid://shopify/Refund/7200000099',
      order_id: 7100000099,
      created_at: `${today}T13:00:00Z`,
      processed_at: `${today}T13:00:00Z`,
      refund_line_items: [
        { ...shirt, id: 72000000991, line_item_id: tShirtLine.id, line_item: tShirtLine, location_id: 24826418, restock_type: 'return' },
        { ...shirt, id: 72000000992, line_item_id: tShirtLine.id, line_item: tShirtLine, location_id: 487838322, restock_type: 'return' },
        {
          id: 72000000993,
          quantity: 1,
          line_item_id: mugLine.id,
          line_item: mugLine,
          location_id: null,
          restock_type: 'no_restock',
          subtotal: 10.8,
          subtotal_set: gbp('10.80'),
          total_tax: 1.8,
          total_tax_set: gbp('1.80'),
        },
      ],
      transactions: r.transactions.map((t: Record<string, unknown>) => ({ ...t, id: 7200000995, order_id: 7100000099, amount: '46.78' })),
    };
    h.store!.createRefund(refund);
    const before = { wh: await stock('TSHIRT-RED-M'), wh2: await stock('TSHIRT-RED-M', 'WH2'), mug: await stock('MUG-BLACK') };
    const run = await h.run('refund-to-credit-memo', JSON.stringify(refund));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'post')).toMatchObject({ restock: true, totals: { net: '38.98', tax: '7.80', gross: '46.78' } });
    expect(await creditNotes('gid://shopify/Refund/7200000099')).toEqual([{ id: expect.any(Number), state: 'posted', total_amount: '-46.78' }]);
    expect(Number((await stock('TSHIRT-RED-M')).onHand) - Number(before.wh.onHand)).toBe(1);
    expect(Number((await stock('TSHIRT-RED-M', 'WH2')).onHand) - Number(before.wh2.onHand)).toBe(1);
    expect((await stock('MUG-BLACK')).onHand).toBe(before.mug.onHand);
  }, 300_000);

  it('an order paid by cash on delivery: Tryton reads its invoice paid once manual-payments-to-erp books the receipt', async () => {
    // Order #1001 as it was paid, before the example's refunds (its current_* figures are after them).
    const o = JSON.parse(order1001());
    for (const k of Object.keys(o)) if (k.startsWith('current_')) delete o[k];
    const cod = JSON.stringify({
      ...o,
      refunds: [],
      line_items: o.line_items.map((l: { quantity: number }) => ({ ...l, current_quantity: l.quantity })),
      id: 450789477,
      admin_graphql_api_id: 'gid://shopify/Order/450789477',
      name: '#1077',
      order_number: 1077,
      gateway: 'Cash on Delivery (COD)',
      payment_gateway_names: ['Cash on Delivery (COD)'],
    });
    h.store!.createOrder(cod);
    const posted = await h.run('order-to-erp', cod);
    expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
    const run = await h.run('manual-payments-to-erp', cod);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'receipt')).toMatchObject({ amount: '598.94', created: true });
    expect(outputOf(run, 'receipt').settlement.items).toEqual([expect.objectContaining({ status: 'settled', settledAmount: '598.94', invoiceStatus: 'paid' })]);
    const ledger = (await h.erp.listLedger({ from: '2000-01-01', to: '2099-12-31', accounts: ['1000'] })).filter((l) => l.description?.includes('450789477'));
    expect(ledger.map((l) => [l.account, l.debit])).toEqual([['1000', '598.94']]);
  }, 120_000);

  it('an order on net terms, one item returned before payment, then paid by bank transfer: one receipt settles the invoice and the credit note, both paid in Tryton', async () => {
    // Order #1001 (USD, the company's currency) sold on net 30 terms and not yet paid.
    const o = JSON.parse(order1001());
    for (const k of Object.keys(o)) if (k.startsWith('current_')) delete o[k];
    const orderId = 450789421;
    const terms = JSON.parse(scenario('uk-b2b-net-terms.orders-create.json')).payment_terms;
    const unpaid = {
      ...o,
      id: orderId,
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      name: '#1021',
      order_number: 1021,
      financial_status: 'pending',
      gateway: null,
      payment_gateway_names: [],
      payment_terms: { ...terms, payment_schedules: [{ ...terms.payment_schedules[0], amount: '598.94', currency: 'USD' }] },
      refunds: [],
      line_items: o.line_items.map((l: { quantity: number }) => ({ ...l, current_quantity: l.quantity })),
    };
    h.store!.createOrder(JSON.stringify(unpaid));
    const posted = await h.run('order-to-erp', JSON.stringify(unpaid), 'orders/create');
    expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
    // One iPod (195.67 + 3.98 tax) comes back before the buyer pays: Shopify refunds it with no transaction.
    const example = o.refunds[0];
    const refundId = 509562921;
    const at = new Date().toISOString();
    const refund = {
      ...example,
      id: refundId,
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      order_id: orderId,
      created_at: at,
      processed_at: at,
      refund_line_items: [{ ...example.refund_line_items[1], id: refundId * 10 }],
      order_adjustments: [],
      transactions: [],
    };
    h.store!.createRefund(JSON.stringify(refund));
    const memo = await h.run('refund-to-credit-memo', JSON.stringify(refund));
    expect(memo.status, JSON.stringify(memo.error)).toBe('succeeded');
    // Then paid by bank transfer: the 399.29 Shopify says is owed after the return.
    const usd = (a: string) => ({ shop_money: { amount: a, currency_code: 'USD' }, presentment_money: { amount: a, currency_code: 'USD' } });
    const paid = JSON.stringify({
      ...unpaid,
      financial_status: 'paid',
      gateway: 'Bank Deposit',
      payment_gateway_names: ['Bank Deposit'],
      refunds: [refund],
      current_total_price: '399.29',
      current_total_price_set: usd('399.29'),
    });
    const run = await h.run('manual-payments-to-erp', paid);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'receipt')).toMatchObject({ amount: '399.29', created: true });
    expect(outputOf(run, 'receipt').settlement.items).toEqual([
      expect.objectContaining({ kind: 'invoice', status: 'settled', settledAmount: '598.94', invoiceStatus: 'paid' }),
      expect.objectContaining({ kind: 'credit-memo', status: 'settled', settledAmount: '199.65', invoiceStatus: 'paid' }),
    ]);
    expect(await creditNotes(`gid://shopify/Refund/${refundId}`)).toEqual([expect.objectContaining({ state: 'paid', total_amount: '-199.65' })]);
    // The bank account holds what came in: the invoice's 598.94 less the returned 199.65.
    const bank = (await h.erp.listLedger({ from: '2000-01-01', to: '2099-12-31', accounts: ['1000'] })).filter((l) =>
      new RegExp(`order ${orderId}|refund ${refundId}`).test(l.description ?? ''),
    );
    const net = bank.reduce((a, l) => a + Math.round(Number(l.debit) * 100) - Math.round(Number(l.credit) * 100), 0);
    expect(net).toBe(39929);
  }, 180_000);
});
