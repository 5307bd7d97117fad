import { readFileSync } from 'node:fs';
import { classifyFailedRun } from '../../server/exceptions/store/classify.ts';
// refund-to-credit-memo, fulfilment-to-shopify and inventory-to-shopify through the real runtime, the sandbox ERP
// and the Shopify sandbox store (a faithful fake of the Admin GraphQL API, seeded with this file's own catalogue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxErp } from '../../nodes/erp/index.ts';
import type { Scenario } from '../../nodes/shopify/index.ts';
import { tipAndDutiesRefund, withDuties, withTip } from './testing/charges.ts';
import { onlyRun, outputOf, scenario, startHarness, stepOf, type Harness, FIXTURES, asPaidOrder, template } from './testing/harness.ts';

const SHOP: Scenario = {
  shop: { name: 'Template test shop', currency: 'GBP' },
  locations: [
    { id: 24826418, name: 'Leeds warehouse' },
    { id: 487838322, name: 'London shop' },
  ],
  products: [
    { id: 9101, title: 'T-Shirt Red', variants: [{ id: 91011, title: 'M', sku: 'TSHIRT-RED-M', price: '19.99', inventoryItemId: 910111 }] },
    { id: 9102, title: 'Black Mug', variants: [{ id: 91021, sku: 'MUG-BLACK', price: '12.00', inventoryItemId: 910211 }] },
    // The same SKU on a second product: Shopify allows it, the stock push must not guess.
    { id: 9103, title: 'Black Mug Gift Box', variants: [{ id: 91031, sku: 'MUG-BLACK', price: '18.00', inventoryItemId: 910311 }] },
  ],
  inventory: [
    { inventoryItemId: 910111, locationId: 24826418, available: 5 },
    { inventoryItemId: 910111, locationId: 487838322, available: 1 },
    { inventoryItemId: 910211, locationId: 24826418, available: 9 },
    { inventoryItemId: 910311, locationId: 24826418, available: 2 },
  ],
};

let h: Harness;
const erp = () => h.erp as SandboxErp;
const UK = 'gid://shopify/Order/7100000001';

beforeAll(async () => {
  h = await startHarness({ shop: SHOP });
  await h.install('order-to-erp');
  await h.install('refund-to-credit-memo', (doc) => {
    const settled = doc.nodes.find((n) => n.id === 'settled')!;
    settled.config.pendingRetryMs = 20;
    settled.retry = { maxAttempts: 20, initialDelayMs: 20, maxDelayMs: 50 };
  });
  await h.install('fulfilment-to-shopify');
  await h.install('inventory-to-shopify');
  await h.install('order-cancelled-to-erp');
  h.store!.createOrder(scenario('uk-vat-inclusive-discount.orders-paid.json'));
  const posted = await h.run('order-to-erp', scenario('uk-vat-inclusive-discount.orders-paid.json'));
  expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
}, 120_000);
afterAll(async () => h?.close());

const stockOf = (sku: string, wh = 'WH') =>
  (erp().admin.dump().stock as Array<{ sku: string; warehouse: string; onHand: string }>).find((s) => s.sku === sku && s.warehouse === wh)?.onHand as string;

describe('refund-to-credit-memo', () => {
  it('a partial refund with restock credits the refunded line (VAT-inclusive, as invoiced) and puts the goods back', async () => {
    const raw = scenario('uk-vat-inclusive-discount.refund-restock.json');
    h.store!.createRefund(raw);
    const before = stockOf('TSHIRT-RED-M');
    const run = await h.run('refund-to-credit-memo', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const memo = outputOf(run, 'post');
    expect(memo).toMatchObject({ externalId: 'gid://shopify/Refund/7200000001', orderExternalId: UK, restock: true, currency: 'GBP', created: true });
    expect(memo.lines).toEqual([{ sku: 'TSHIRT-RED-M', quantity: '1', unitPrice: '17.99', taxCode: 'UK-VAT-20', net: '14.99', taxAmount: '3.00' }]);
    expect(memo.totals).toEqual({ net: '14.99', tax: '3.00', gross: '17.99' });
    expect(Number(stockOf('TSHIRT-RED-M')) - Number(before)).toBe(1);
  });

  it('a partial refund without restock credits the line and leaves stock alone', async () => {
    const raw = scenario('uk-vat-inclusive-discount.refund-no-restock.json');
    h.store!.createRefund(raw);
    const before = stockOf('MUG-BLACK');
    const run = await h.run('refund-to-credit-memo', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'post')).toMatchObject({ restock: false, totals: { net: '9.00', tax: '1.80', gross: '10.80' } });
    expect(stockOf('MUG-BLACK')).toBe(before);
  });

  it('a shipping-only refund credits the shipping with its VAT', async () => {
    const raw = scenario('uk-vat-inclusive-discount.refund-shipping-only.json');
    h.store!.createRefund(raw);
    const run = await h.run('refund-to-credit-memo', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const memo = outputOf(run, 'post');
    expect(memo.lines).toEqual([]);
    expect(memo.shipping).toEqual([{ description: 'Shipping refund: Royal Mail Tracked 48', net: '3.50', taxCode: 'UK-VAT-20', taxAmount: '0.70' }]);
    expect(memo.totals.gross).toBe('4.20');
  });

  it('one refund restocking at two locations (and one line not at all) puts each line back at its own location', async () => {
    // The UK order again as order 7100000099 (own line ids), refunded: a T-shirt restocked at Leeds (WH), a T-shirt at
    // the London shop (WH2), the mug not restocked. One memo, three lines, each restocked where Shopify says.
    const o = JSON.parse(scenario('uk-vat-inclusive-discount.orders-paid.json'));
    const lineIds = new Map<number, number>(o.line_items.map((l: { id: number }, i: number) => [l.id, 71000000990 + i]));
    const order = {
      ...o,
      id: 7100000099,
      admin_graphql_api_id: 'gid://shopify/Order/7100000099',
      name: '#UK99',
      order_number: 9099,
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
    const mugLine = order.line_items.find((l: { sku: string }) => l.sku === 'MUG-BLACK');
    const tShirtLine = order.line_items.find((l: { sku: string }) => l.sku === 'TSHIRT-RED-M');
    const gbp = (a: string) => ({ shop_money: { amount: a, currency_code: 'GBP' }, presentment_money: { amount: a, currency_code: 'GBP' } });
    const refund = {
      ...r,
      id: 7200000099,
      admin_graphql_api_id: 'gid://shopify/Refund/7200000099',
      order_id: 7100000099,
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
    const before = { wh: stockOf('TSHIRT-RED-M'), wh2: stockOf('TSHIRT-RED-M', 'WH2') ?? '0', mug: stockOf('MUG-BLACK') };
    const run = await h.run('refund-to-credit-memo', JSON.stringify(refund));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'post')).toMatchObject({ externalId: 'gid://shopify/Refund/7200000099', restock: true, totals: { gross: '46.78' } });
    expect(Number(stockOf('TSHIRT-RED-M')) - Number(before.wh)).toBe(1);
    expect(Number(stockOf('TSHIRT-RED-M', 'WH2')) - Number(before.wh2)).toBe(1);
    expect(stockOf('MUG-BLACK')).toBe(before.mug);
  });

  it("a refund of a line, the customer's tip and the import duties credits the tip and duties as the order posted them (TIP, DUTY): memo = cash", async () => {
    const order = JSON.parse(withDuties(withTip(scenario('uk-vat-inclusive-discount.orders-paid.json'), '3.00'), '4.00'));
    h.store!.createOrder(order);
    const posted = await h.run('order-to-erp', JSON.stringify(order));
    expect(posted.status, JSON.stringify(posted.error)).toBe('succeeded');
    expect(outputOf(posted, 'read-back').lines.map((l: { sku: string }) => l.sku)).toEqual(expect.arrayContaining(['TIP', 'DUTY']));
    const r = JSON.parse(scenario('uk-vat-inclusive-discount.refund-restock.json'));
    const refund = tipAndDutiesRefund(r, order, { id: 7200001851, goods: [{ ...r.refund_line_items[0], id: 72000018511 }], duties: '4.00', cash: '24.99' });
    h.store!.createRefund(refund);
    const before = { shirts: stockOf('TSHIRT-RED-M'), tips: stockOf('TIP') };
    const run = await h.run('refund-to-credit-memo', JSON.stringify(refund));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'settled').shopify).toMatchObject({ lines: '17.99', tips: '3.00', duties: '4.00', gross: '24.99', cash: '24.99' });
    const memo = outputOf(run, 'post');
    expect(memo.lines.map((l: { sku: string; net: string; taxAmount: string }) => [l.sku, l.net, l.taxAmount])).toEqual([
      ['TSHIRT-RED-M', '14.99', '3.00'],
      ['TIP', '3.00', '0.00'],
      ['DUTY', '4.00', '0.00'],
    ]);
    expect(memo.totals).toEqual({ net: '21.99', tax: '3.00', gross: '24.99' });
    expect(Number(stockOf('TSHIRT-RED-M')) - Number(before.shirts)).toBe(1);
    expect(stockOf('TIP')).toBe(before.tips);
  });

  it('a pending refund waits (no memo, step retried) and posts once Shopify reports the refund transaction settled', async () => {
    const raw = scenario('uk-vat-inclusive-discount.refund-pending.json');
    h.store!.createRefund(raw);
    const { runIds } = await h.rt.queue.ingest({
      source: 'manual',
      payload: raw,
      targets: [{ flowId: 'refund-to-credit-memo', version: (await h.rt.flows.get('refund-to-credit-memo')).activeVersion! }],
    });
    const runId = onlyRun(runIds, 'refund-to-credit-memo');
    const refundId = 'gid://shopify/Refund/7200000004';
    const deadline = Date.now() + 20_000;
    while ((stepOf(await h.rt.runs.get(runId), 'settled')?.attempts ?? 0) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const waiting = await h.rt.runs.get(runId);
    expect(waiting.status).not.toBe('failed');
    expect(stepOf(waiting, 'settled')).toMatchObject({ status: 'retrying' });
    expect((stepOf(waiting, 'settled')!.error as { code: string }).code).toBe('REFUND_PENDING');
    expect(stepOf(waiting, 'post')).toBeUndefined();
    expect((erp().admin.dump().creditMemos as Array<{ externalId: string }>).some((m) => m.externalId === refundId)).toBe(false);
    // The gateway settles the refund: Shopify's order now shows the transaction as a success.
    const refund = h.store!.state.orders.get(UK)!.refunds.find((r) => r.id === refundId)!;
    refund.transactions = refund.transactions.map((t) => ({ ...t, status: 'SUCCESS' }));
    await h.rt.drain(20_000);
    const done = await h.rt.runs.get(runId);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(stepOf(done, 'settled')!.attempts).toBeGreaterThanOrEqual(2);
    expect(outputOf(done, 'post')).toMatchObject({ externalId: refundId, totals: { gross: '17.99' } });
  });

  it('a refund whose transaction failed posts nothing and fails with REFUND_FAILED', async () => {
    const r = JSON.parse(scenario('uk-vat-inclusive-discount.refund-pending.json'));
    r.id = 7200000005;
    r.admin_graphql_api_id = 'gid://shopify/Refund/7200000005';
    r.transactions[0].status = 'failure';
    h.store!.createRefund(JSON.stringify(r));
    const run = await h.run('refund-to-credit-memo', JSON.stringify(r));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'settled', code: 'REFUND_FAILED', class: 'permanent' });
  });
});

describe('fulfilment-to-shopify', () => {
  it('pushes the next ERP shipment with tracking and notifies the customer; the cursor moves on, so a second run pushes nothing', async () => {
    const shipped = await erp().shipSalesOrder!(UK, { trackingNumber: 'RM123456785GB', carrier: 'Royal Mail' });
    const run = await h.run('fulfilment-to-shopify', {});
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'push')).toMatchObject({ erpFulfilmentId: shipped.number, orderId: UK, alreadyDone: false });
    const f = [...h.store!.state.fulfillments.values()].filter((x) => x.orderId === UK);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ notifyCustomer: true, tracking: [{ company: 'Royal Mail', number: 'RM123456785GB' }] });
    expect(f[0]!.lines.map((l) => [l.sku, l.quantity]).sort()).toEqual([
      ['MUG-BLACK', 1],
      ['TSHIRT-RED-M', 3],
    ]);
    const next = await h.run('fulfilment-to-shopify', {});
    expect(next.status).toBe('succeeded');
    expect(stepOf(next, 'push')!.status).toBe('skipped');
  });
});

describe('inventory-to-shopify', () => {
  it('pushes ERP available less safety stock and reports a SKU two Shopify products share, naming both, without crashing', async () => {
    const run = await h.run('inventory-to-shopify', {});
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'push', code: 'INVENTORY_PROBLEMS' });
    const details = (
      run.error as {
        details: { pushed: Array<{ sku: string; locationId: string; to: number }>; problems: Array<{ code: string; sku: string; message: string }> };
      }
    ).details;
    const dup = details.problems.find((p) => p.code === 'DUPLICATE_SKU')!;
    expect(dup.sku).toBe('MUG-BLACK');
    expect(dup.message).toMatch(
      /^SKU MUG-BLACK is used by 2 Shopify variants: Black Mug.* \(gid:\/\/shopify\/ProductVariant\/91021\), Black Mug Gift Box.* \(gid:\/\/shopify\/ProductVariant\/91031\)$/,
    );
    const erpTee = (await h.erp.getStock({ skus: ['TSHIRT-RED-M'] })).map((s) => [s.warehouse, Number(s.available)]);
    const want = Object.fromEntries(
      erpTee.map(([w, q]) => [w === 'WH' ? 'gid://shopify/Location/24826418' : 'gid://shopify/Location/487838322', Math.max(0, (q as number) - 2)]),
    );
    expect(Object.fromEntries(details.pushed.filter((p) => p.sku === 'TSHIRT-RED-M').map((p) => [p.locationId, p.to]))).toEqual(want);
  });
});

describe('refunds checked before booking (issue 11)', () => {
  const fixture = (f: string) => readFileSync(`${FIXTURES}${f}`, 'utf8');
  const withAccount = async (id: string, account: string) => {
    const doc = template('refund-to-credit-memo');
    const settled = doc.nodes.find((n) => n.id === 'settled')!;
    settled.config.pendingRetryMs = 20;
    settled.retry = { maxAttempts: 20, initialDelayMs: 20, maxDelayMs: 50 };
    doc.nodes.find((n) => n.id === 'post')!.config.differenceAccount = account;
    await h.rt.flows.create({ ...doc, id } as never);
    await h.rt.flows.publish(id, { activate: true });
  };

  it("regression: REST refund 509562969 (lines 391.33 + Shopify's tax 7.96, cash 209.00) is raised, not booked as 391.33 + 23.48; with a difference account it books Shopify's tax, the cash, and restocks at the refund line's location", async () => {
    const order = asPaidOrder(JSON.stringify(JSON.parse(fixture('rest-2026-07.order.single.json')).order));
    h.store!.createOrder(order);
    expect((await h.run('order-to-erp', order)).status).toBe('succeeded');
    const refund = JSON.stringify(JSON.parse(fixture('rest-2026-07.orders.refund.single.json')).refund);
    h.store!.createRefund(refund);
    const raised = await h.run('refund-to-credit-memo', refund);
    expect(raised.status).toBe('failed');
    expect(raised.error).toMatchObject({ nodeId: 'post', code: 'REFUND_CASH_MISMATCH', details: { lines: '399.29', cash: '209.00', difference: '-190.29' } });
    expect(classifyFailedRun(raised)).toMatchObject({ type: 'refund-cash-mismatch' });
    expect((erp().admin.dump().creditMemos as any[]).some((m) => m.externalId === 'gid://shopify/Refund/509562969')).toBe(false);

    await withAccount('refund-goodwill', '6200');
    const before = stockOf('IPOD2008BLACK', 'WH2');
    const run = await h.run('refund-goodwill', refund);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const memo = outputOf(run, 'post');
    expect(memo.lines.map((l: any) => [l.sku, l.net, l.taxCode, l.taxAmount])).toEqual([
      ['IPOD2008BLACK', '195.66', 'US-STATE-6', '3.98'],
      ['IPOD2008GREEN', '195.67', 'US-STATE-6', '3.98'],
    ]);
    expect(memo.adjustments).toEqual([{ description: 'Refund difference: cash 209.00 vs lines 399.29', amount: '-190.29', account: '6200' }]);
    expect(memo.totals).toEqual({ net: '201.04', tax: '7.96', gross: '209.00' });
    expect(Number(stockOf('IPOD2008BLACK', 'WH2')) - Number(before)).toBe(1); // location 487838322 → WH2, not the order's WH
  });

  it('regression: the refunds/create example (lines 414.95 against an invoice of 404.95, cash 85.00) is raised, not posted', async () => {
    const order = asPaidOrder(fixture('webhook-2026-04.orders.paid.json'));
    h.store!.createOrder(order);
    expect((await h.run('order-to-erp', order)).status).toBe('succeeded');
    // The fixture's order_id was rounded by a JSON.parse (see its README): the docs' order is …508, as the order's GID says.
    const refund = fixture('webhook-2026-04.refunds.create.json').replaceAll('820982911946154500', '820982911946154508');
    h.store!.createRefund(refund);
    const run = await h.run('refund-goodwill', refund);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'CREDIT_EXCEEDS_INVOICE', details: { memo: '414.95', remaining: '404.95' } });
    expect(classifyFailedRun(run)).toMatchObject({ type: 'credit-exceeds-invoice' });
    const plain = await h.run('refund-to-credit-memo', refund);
    expect(plain.error).toMatchObject({ code: 'CREDIT_EXCEEDS_INVOICE' });
    expect(erp().admin.dump().creditMemos as any[]).not.toContainEqual(expect.objectContaining({ number: expect.anything(), gross: '414.95' }));
  });
  it('a B2B order on net terms returned before it is paid: no cash goes back, the memo takes the mug (10.80) off what the buyer owes; once paid in full, the same is raised', async () => {
    const raw = scenario('uk-b2b-net-terms.orders-create.json');
    h.store!.createOrder(raw);
    expect((await h.run('order-to-erp', raw, 'orders/create')).status).toBe('succeeded');
    // The mug returned on the buyer's unpaid invoice (68.97): Shopify refunds it with no transaction, nothing was paid.
    const mugReturn = (id: number, at: string) => {
      const r = JSON.parse(scenario('uk-vat-inclusive-discount.refund-no-restock.json'));
      const line = { ...r.refund_line_items[0].line_item, id: 71000000101, admin_graphql_api_id: 'gid://shopify/LineItem/71000000101' };
      return JSON.stringify({
        ...r,
        id,
        admin_graphql_api_id: `gid://shopify/Refund/${id}`,
        order_id: 7100000010,
        created_at: at,
        processed_at: at,
        refund_line_items: [{ ...r.refund_line_items[0], id: id * 10, line_item_id: 71000000101, line_item: line }],
        transactions: [],
      });
    };
    const unpaid = mugReturn(7200000010, '2026-03-10T09:00:00+00:00');
    h.store!.createRefund(unpaid);
    const before = await h.run('refund-to-credit-memo', unpaid);
    expect(before.status, JSON.stringify(before.error)).toBe('succeeded');
    expect(outputOf(before, 'settled').shopify).toMatchObject({ gross: '10.80', cash: '0.00', paid: '0.00' });
    expect(outputOf(before, 'post')).toMatchObject({ externalId: 'gid://shopify/Refund/7200000010', totals: { gross: '10.80' } });
    expect(outputOf(before, 'post').adjustments ?? []).toEqual([]);
    expect(await erp().creditable!('gid://shopify/Order/7100000010')).toMatchObject({ invoiced: '68.97', credited: '10.80' });

    // Paid in full, then a second return with no cash back: store credit or goodwill, which finance decides.
    h.store!.updateOrder('gid://shopify/Order/7100000010', { financial_status: 'paid', payment_gateway_names: ['shopify_payments'] });
    const after = mugReturn(7200000011, new Date(Date.now() + 60_000).toISOString());
    h.store!.createRefund(after);
    const raised = await h.run('refund-to-credit-memo', after);
    expect(raised.status).toBe('failed');
    expect(raised.error).toMatchObject({ nodeId: 'post', code: 'REFUND_CASH_MISMATCH', details: { lines: '10.80', cash: '0.00' } });
  });
});

describe('manual-payments-to-erp', () => {
  it('settles the invoice of an order paid by cash on delivery when Shopify marks it paid; an order paid by card is left to its payout', async () => {
    await h.install('manual-payments-to-erp', (doc) => {
      doc.nodes.find((n) => n.id === 'receipt')!.retry = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 };
    });
    // The US order again as order 7100000077 (the ERP company books in dollars), collected in cash by the carrier.
    const o = JSON.parse(scenario('us-state-county-shipping-tax.orders-paid.json'));
    const lineIds = new Map<number, number>(o.line_items.map((l: { id: number }, i: number) => [l.id, 71000000770 + i]));
    const cod = JSON.stringify({
      ...o,
      id: 7100000077,
      admin_graphql_api_id: 'gid://shopify/Order/7100000077',
      name: '#US77',
      order_number: 9077,
      gateway: 'Cash on Delivery (COD)',
      payment_gateway_names: ['Cash on Delivery (COD)'],
      line_items: o.line_items.map((l: { id: number }) => ({
        ...l,
        id: lineIds.get(l.id),
        admin_graphql_api_id: `gid://shopify/LineItem/${lineIds.get(l.id)}`,
      })),
      fulfillments: [],
    });
    h.store!.createOrder(cod);
    expect((await h.run('order-to-erp', cod)).status).toBe('succeeded');
    const run = await h.run('manual-payments-to-erp', cod);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const out = outputOf(run, 'receipt');
    expect(out).toMatchObject({ orderId: '7100000077', gateways: ['Cash on Delivery (COD)'], created: true });
    expect(out.settlement.items).toEqual([expect.objectContaining({ kind: 'invoice', status: 'settled', settledAmount: out.amount, invoiceStatus: 'paid' })]);
    // The same event again books nothing more.
    expect(outputOf(await h.run('manual-payments-to-erp', cod), 'receipt')).toMatchObject({ created: false });

    const card = await h.run('manual-payments-to-erp', scenario('uk-vat-inclusive-discount.orders-paid.json'));
    expect(card).toMatchObject({ status: 'skipped', skipped: { nodeId: 'receipt', code: 'NOT_MANUAL_PAYMENT' } });
  });
});

describe('order-cancelled-to-erp asks Shopify before cancelling (issue 17)', () => {
  it('a signed orders/paid body replayed as orders/cancelled is skipped (Shopify says not cancelled), the ERP order stays open; the real cancellation goes through', async () => {
    const paid = scenario('us-state-county-shipping-tax.orders-paid.json');
    const id = 'gid://shopify/Order/7100000002';
    h.store!.createOrder(paid);
    expect((await h.run('order-to-erp', paid)).status).toBe('succeeded');

    const replay = await h.run('order-cancelled-to-erp', paid, 'orders/cancelled');
    expect(replay.status).toBe('skipped');
    expect(replay.skipped).toMatchObject({ code: 'STATE_NOT_CONFIRMED', details: { expected: 'cancelled', orderId: id, shopify: { cancelledAt: null } } });
    expect(stepOf(replay, 'cancel')).toBeUndefined();
    expect((await h.erp.getSalesOrder(id))!.status).not.toBe('cancelled');

    h.store!.updateOrder(id, { cancelled_at: '2026-03-03T08:00:00+00:00', cancel_reason: 'customer' });
    const real = await h.run('order-cancelled-to-erp', scenario('us-state-county-shipping-tax.orders-cancelled.json'), 'orders/cancelled');
    expect(real.status, JSON.stringify(real.error)).toBe('succeeded');
    expect(outputOf(real, 'confirm').confirmed).toMatchObject({ state: 'cancelled', cancelledAt: '2026-03-03T08:00:00Z' });
    expect(outputOf(real, 'cancel')).toMatchObject({ status: 'cancelled', reference: '#5002' });
  });
});
