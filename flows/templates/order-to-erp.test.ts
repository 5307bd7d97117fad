// order-to-erp (and its companions order-cancelled-to-erp, order-edited-to-erp) through the real runtime and the
// sandbox ERP: every correctness case of issue 6 that needs no Tryton. ERP totals are checked against the Shopify
// payload's own figures, to the cent.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFlow } from '../validate.ts';
import { compileMap } from '../../nodes/core/mapping/compile.ts';
import { runMap, type Condition, type Field } from '../../nodes/core/mapping/index.ts';
import { getNodeType } from '../../nodes/registry.ts';
import type { SandboxErp } from '../../nodes/erp/index.ts';
import { withDuties, withTip } from './testing/charges.ts';
import { FIXTURES, asPaidOrder, erpTable, outputOf, scenario, startHarness, stepOf, template, type Harness } from './testing/harness.ts';

let h: Harness;
const erp = () => h.erp as SandboxErp;
const shopifyTotals = (raw: string) => {
  const o = JSON.parse(raw);
  const tax = o.total_tax as string;
  return { currency: o.currency as string, gross: o.total_price as string, tax };
};
const netOf = (gross: string, tax: string) => new Decimal(gross).minus(tax);

beforeAll(async () => {
  h = await startHarness();
  for (const id of ['order-to-erp', 'order-cancelled-to-erp', 'order-edited-to-erp'])
    await h.install(id, (doc) => {
      // No Shopify API in this file: the edit check names line item ids instead of re-reading the order, and the
      // Shopify confirmation step is left out (it is tested with the sandbox store in shopify-templates.test.ts).
      if (id === 'order-edited-to-erp') delete doc.nodes.find((n) => n.id === 'check')!.config.shopifyConnection;
      withoutShopifyConfirmation(doc);
    });
}, 60_000);
afterAll(async () => h?.close());

function withoutShopifyConfirmation(doc: ReturnType<typeof template>): void {
  if (!doc.nodes.some((n) => n.id === 'confirm')) return;
  doc.nodes = doc.nodes.filter((n) => n.id !== 'confirm');
  doc.edges = doc.edges.filter((e: { target: string }) => e.target !== 'confirm');
  for (const e of doc.edges as Array<{ source: string }>) if (e.source === 'confirm') e.source = 'shopify';
}

describe('order templates', () => {
  it('validate against the installed node types', () => {
    for (const id of [
      'order-to-erp',
      'inventory-to-shopify',
      'fulfilment-to-shopify',
      'refund-to-credit-memo',
      'order-cancelled-to-erp',
      'order-edited-to-erp',
    ]) {
      const v = validateFlow(JSON.parse(readFileSync(new URL(`./${id}.json`, import.meta.url), 'utf8')), getNodeType);
      expect(v.problems, id).toEqual([]);
    }
  });
});

describe('order-to-erp on the sandbox ERP', () => {
  it("posts Shopify's published orders/paid example (as a paid order); an unallocated discount is spread so the ERP equals Shopify's total", async () => {
    const raw = asPaidOrder(readFileSync(`${FIXTURES}webhook-2026-04.orders.paid.json`, 'utf8'));
    const run = await h.run('order-to-erp', raw);
    expect(run.status).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({
      externalId: 'gid://shopify/Order/820982911946154508',
      reference: '#9999',
      currency: 'USD',
      warehouse: 'WH',
      customer: { name: 'John Smith' },
    });
    expect(so.totals).toEqual({ net: '404.95', tax: '0.00', gross: '404.95' });
    expect(outputOf(run, 'balance').spreadDiscount).toBe('10.00');
    expect(so.lines.map((l: any) => l.sku)).toEqual(['SKU2006-001', 'LENS-PROTECT-2YR', 'CASE-LEATHER-PREM', 'SKU2006-020', 'SKU2006-035']);
    // Posting the same webhook again creates nothing.
    const again = await h.run('order-to-erp', raw);
    expect(outputOf(again, 'post').created).toBe(false);
    expect(erpTable(erp(), 'salesOrders').filter((o: any) => o.reference === '#9999')).toHaveLength(1);
  });

  it("guest orders share the guest customer, which takes no guest's email or phone; a registered customer keeps its own email", async () => {
    const example = JSON.parse(asPaidOrder(readFileSync(`${FIXTURES}webhook-2026-04.orders.paid.json`, 'utf8')));
    // Small ids: a double holds them exactly (Shopify's are parsed losslessly by the product, not by this test).
    const order = (n: number, patch: Record<string, unknown>) =>
      JSON.stringify({ ...example, id: 7_100 + n, admin_graphql_api_id: `gid://shopify/Order/${7_100 + n}`, name: `#G${n}`, ...patch });
    for (const [n, email] of [
      [1, 'ann@example.com'],
      [2, 'bob@example.com'],
    ] as const)
      expect((await h.run('order-to-erp', order(n, { customer: null, email, phone: `+4470000000${n}` }))).status).toBe('succeeded');
    // The example's customer has an account email of its own (john@), which the order's contact email (jon@) does not replace.
    expect((await h.run('order-to-erp', order(3, {}))).status).toBe('succeeded');
    const customers = erpTable(erp(), 'customers') as Array<{ externalId: string; name: string; email: string | null; phone: string | null }>;
    expect(customers.filter((c) => c.externalId === 'shopify-guest').map((c) => [c.name, c.email, c.phone])).toEqual([['Shopify guest', null, null]]);
    expect(customers.find((c) => c.externalId === 'gid://shopify/Customer/115310627314723954')?.email).toBe('john@example.com');
    expect(erpTable(erp(), 'salesOrders').filter((o: any) => /^#G/.test(o.reference))).toHaveLength(3);
  });

  it('several tax lines per line item (state + county) and a taxed shipping line: every tax code posted, totals to the cent', async () => {
    const raw = scenario('us-state-county-shipping-tax.orders-paid.json');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    const want = shopifyTotals(raw);
    expect(so.totals).toEqual({ net: netOf(want.gross, want.tax).toFixed(2), tax: want.tax, gross: want.gross });
    expect(so.totals).toEqual({ net: '216.48', tax: '16.05', gross: '232.53' });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([
      ['SKU2006-001', 'US-COUNTY-1.5,US-STATE-6', '13.50'],
      ['SKU2006-020', 'US-COUNTY-1.5,US-STATE-6', '1.80'],
    ]);
    expect(so.shipping).toEqual([expect.objectContaining({ description: 'UPS Ground', taxCode: 'US-STATE-6', net: '12.50', taxAmount: '0.75' })]);
  });

  it("UK VAT-inclusive prices with an order-level discount code: Shopify's VAT taken as charged, so net = gross − VAT with no rounding line", async () => {
    const raw = scenario('uk-vat-inclusive-discount.orders-paid.json');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.totals).toEqual({ net: '57.47', tax: '11.50', gross: '68.97' });
    expect(so).toMatchObject({ currency: 'GBP', warehouse: 'WH' });
    expect(so.lines.map((l: any) => [l.sku, l.discount, l.taxCode, l.net, l.taxAmount])).toEqual([
      ['TSHIRT-RED-M', '6.00', 'UK-VAT-20', '44.97', '9.00'],
      ['MUG-BLACK', '1.20', 'UK-VAT-20', '9.00', '1.80'],
    ]);
    expect(so.shipping.map((s: any) => [s.description, s.net, s.taxAmount])).toEqual([['Royal Mail Tracked 48', '3.50', '0.70']]);
    expect(outputOf(run, 'balance').rounding).toBe('0.00');
  });

  it('presentment currency different from the shop currency: posts in the shop currency (GBP), not what the buyer saw (USD)', async () => {
    const raw = scenario('presentment-usd-shop-gbp.orders-paid.json');
    expect(JSON.parse(raw).total_price_set.presentment_money).toEqual({ amount: '36.25', currency_code: 'USD' });
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'read-back')).toMatchObject({ currency: 'GBP', totals: { net: '29.00', tax: '0.00', gross: '29.00' } });
  });

  it('a shop in yen: the order discount on no line is spread in whole yen (Shopify gives none smaller), and the ERP books ¥2,000', async () => {
    const raw = scenario('jpy-unallocated-discount.orders-paid.json');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'balance').lines.map((l: any) => l.discount)).toEqual(['334.00', '333.00', '333.00']);
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ currency: 'JPY', totals: { net: '2000.00', tax: '0.00', gross: '2000.00' } });
    expect(so.lines.map((l: any) => l.net)).toEqual(['666.00', '667.00', '667.00']);
  });

  it('a gift card bought is a liability, not a sales line; paying partly by gift card does not reduce revenue', async () => {
    const raw = scenario('gift-card-purchase-and-payment.orders-paid.json');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.lines.map((l: any) => l.sku)).toEqual(['TSHIRT-RED-M']);
    expect(so.totals).toEqual({ net: '16.67', tax: '3.33', gross: '20.00' });
    expect(so.verified).toEqual({ net: '16.67', tax: '3.33', gross: '20.00', giftCards: '50.00' });
    expect(so.warehouse).toBe('WH2'); // London shop location
    expect(JSON.parse(raw).payment_gateway_names).toEqual(['gift_card', 'shopify_payments']);
  });

  it("a customer's tip (Shopify's line item without product or SKU) posts as a line of the ERP's TIP item: the ERP order is what was paid", async () => {
    const raw = withTip(scenario('us-state-county-shipping-tax.orders-paid.json'), '5.00');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.totals).toEqual({ net: '221.48', tax: '16.05', gross: '237.53' });
    expect(so.totals.gross).toBe(JSON.parse(raw).total_price);
    expect(so.lines.map((l: any) => [l.sku, l.net, l.taxAmount])).toEqual([
      ['SKU2006-001', '179.98', '13.50'],
      ['SKU2006-020', '24.00', '1.80'],
      ['TIP', '5.00', '0.00'],
    ]);
    expect(outputOf(run, 'balance').tips).toBe('5.00');
  });

  it("the sales order's lines leave out only what is marked a tip: a line item without the flag (an order converted before it existed) stays", async () => {
    const fields = template('order-to-erp').nodes.find((n) => n.id === 'sales-order-fields')!.config.fields as Array<{
      target: string;
      source: { filter: Condition[] };
    }>;
    const { filter } = fields.find((f) => f.target === 'lines')!.source;
    const sku: Field = { target: 'sku', source: { kind: 'path', path: 'sku' }, transforms: [], required: true };
    const plan = compileMap({ fields: [{ target: 'skus', source: { kind: 'each', path: 'items', filter, fields: [sku] }, transforms: [], required: true }] });
    const items = [
      { sku: 'A', isGiftCard: false, isTip: false, postedQuantity: 1 },
      { sku: 'B', isGiftCard: false, postedQuantity: 1 },
      { sku: 'TIP?', isGiftCard: false, isTip: true, postedQuantity: 1 },
    ];
    const { output } = await runMap(plan, { items }, { nodeId: 'sales-order-fields' });
    expect((output.skus as Array<{ sku: string }>).map((l) => l.sku)).toEqual(['A', 'B']);
  });

  it("import duties paid at checkout (delivered duty paid) post as a line of the ERP's DUTY item: the ERP order is what was paid", async () => {
    const raw = withDuties(scenario('us-state-county-shipping-tax.orders-paid.json'), '7.00');
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.totals).toEqual({ net: '223.48', tax: '16.05', gross: '239.53' });
    expect(so.totals.gross).toBe(JSON.parse(raw).total_price);
    expect(so.lines.map((l: any) => [l.sku, l.net])).toEqual([
      ['SKU2006-001', '179.98'],
      ['SKU2006-020', '24.00'],
      ['DUTY', '7.00'],
    ]);
    expect(outputOf(run, 'balance').duties).toBe('7.00');
  });

  it('a line whose SKU the ERP does not know fails the post naming the SKU, and posts nothing', async () => {
    const run = await h.run('order-to-erp', scenario('unknown-sku.orders-paid.json'));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'SKU_NOT_FOUND', class: 'permanent' });
    expect((run.error as { message: string }).message).toContain('NOT-IN-ERP-1');
    expect(erpTable(erp(), 'salesOrders').some((o: any) => o.reference === '#5005')).toBe(false);
  });

  it('an unmapped tax rate fails the lookup step naming the key; after adding the row, the replay posts the order', async () => {
    const failed = await h.run('order-to-erp', scenario('unmapped-tax-rate.orders-paid.json'));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ nodeId: 'tax-codes', code: 'LOOKUP_MISSING' });
    expect((failed.error as { message: string }).message).toMatch(/lookup table "tax-codes" \(version 1\) has no row for title="Ohio Resort Tax", rate="0.07"/);
    erp().admin.addTaxCode('US-OH-RESORT-7', 'Ohio Resort Tax 7%', '0.07');
    await h.lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'Ohio Resort Tax', rate: '7%', taxCode: 'US-OH-RESORT-7' }], { by: 'client@shop' });
    const replay = await h.replay(failed.runId);
    expect(replay.status, JSON.stringify(replay.error)).toBe('succeeded');
    expect(outputOf(replay, 'read-back').totals).toEqual({ net: '12.00', tax: '0.84', gross: '12.84' });
  });

  it('an unmapped location fails naming the key; after adding the row, the replay posts to that warehouse', async () => {
    const failed = await h.run('order-to-erp', scenario('unmapped-location.orders-paid.json'));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({
      nodeId: 'warehouse',
      code: 'LOOKUP_MISSING',
      details: { table: 'locations', missing: [{ key: { location: 'gid://shopify/Location/99001' } }] },
    });
    expect((failed.error as { message: string }).message).toContain('has no row for location="gid://shopify/Location/99001"');
    await h.lookups.upsertRows({ name: 'locations' }, [{ location: 'gid://shopify/Location/99001', warehouse: 'WH2' }]);
    const replay = await h.replay(failed.runId);
    expect(replay.status, JSON.stringify(replay.error)).toBe('succeeded');
    expect(outputOf(replay, 'read-back').warehouse).toBe('WH2');
  });

  it("regression: REST example order #1001 posts Shopify's 11.94 tax (3 × 3.98), not 6 % × 587.00 = 35.22", async () => {
    const raw = asPaidOrder(JSON.stringify(JSON.parse(readFileSync(`${FIXTURES}rest-2026-07.order.single.json`, 'utf8')).order));
    const run = await h.run('order-to-erp', raw);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so).toMatchObject({ reference: '#1001', status: 'open', totals: { net: '587.00', tax: '11.94', gross: '598.94' } });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([
      ['IPOD2008GREEN', 'US-STATE-6', '3.98'],
      ['IPOD2008RED', 'US-STATE-6', '3.98'],
      ['IPOD2008BLACK', 'US-STATE-6', '3.98'],
    ]);
    // The books hold the same: the invoice entry credits tax 11.94.
    const entry = (erp().admin.dump().journalEntries as any[]).find(
      (e) => e.sourceType === 'invoice' && e.sourceExternalId === 'gid://shopify/Order/450789469',
    );
    const tax = (erp().admin.dump().ledgerLines as any[]).filter((l) => l.entryId === entry.id && l.account === '2100');
    expect(tax.map((l) => l.credit)).toEqual(['11.94']);
  });

  it('a totals difference fails the post before anything is booked: the draft is kept, TOTALS_MISMATCH (a finance exception) names it', async () => {
    const o = JSON.parse(scenario('us-state-county-shipping-tax.orders-paid.json'));
    o.id = 7100009999;
    o.admin_graphql_api_id = 'gid://shopify/Order/7100009999';
    o.total_tax = '16.06';
    o.total_tax_set.shop_money.amount = '16.06';
    o.total_price_set.shop_money.amount = '232.54';
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'TOTALS_MISMATCH', details: { fields: ['tax', 'gross'], draft: true } });
    expect((run.error as { message: string }).message).toMatch(
      /tax ERP 16\.05 vs Shopify 16\.06; gross ERP 232\.53 vs Shopify 232\.54; it is kept as a draft and nothing was booked/,
    );
    expect(stepOf(run, 'read-back')).toBeUndefined();
    const draft = await h.erp.getSalesOrder('gid://shopify/Order/7100009999');
    expect(draft).toMatchObject({ status: 'draft' });
    const dump = erp().admin.dump();
    expect((dump.journalEntries as any[]).some((e) => e.sourceExternalId === 'gid://shopify/Order/7100009999')).toBe(false);
    const { classifyFailedRun } = await import('../../server/exceptions/store/classify.ts');
    expect(classifyFailedRun(run)).toMatchObject({ type: 'erp-totals-mismatch', links: { erp: draft!.number } });
    // Shopify's figures corrected (an edit), the replay replaces the draft and books it once.
    o.total_tax = '16.05';
    o.total_tax_set.shop_money.amount = '16.05';
    o.total_price_set.shop_money.amount = '232.53';
    const fixed = await h.run('order-to-erp', JSON.stringify(o));
    expect(fixed.status, JSON.stringify(fixed.error)).toBe('succeeded');
    expect(outputOf(fixed, 'read-back')).toMatchObject({ status: 'open', number: draft!.number, totals: { tax: '16.05' } });
  });
});

describe('orders edited before they are posted', () => {
  // Placed unpaid (skipped by the gate), edited, then paid: posted as edited. Shopify's current_* figures leave out
  // the units edits removed; whether total_price does too is not documented, so both are tried.
  const moneySet = (amount: string) => ({ shop_money: { amount, currency_code: 'USD' }, presentment_money: { amount, currency_code: 'USD' } });
  const setMoney = (o: any, key: string, amount: string) => {
    o[key] = amount;
    o[`${key}_set`] = moneySet(amount);
  };
  const base = (id: number) => {
    const o = JSON.parse(scenario('us-state-county-shipping-tax.orders-paid.json'));
    o.id = id;
    o.admin_graphql_api_id = `gid://shopify/Order/${id}`;
    o.name = `#${id}`;
    return o;
  };
  const current = (o: any, subtotal: string, tax: string, total: string, alsoTotals: boolean) => {
    setMoney(o, 'current_subtotal_price', subtotal);
    setMoney(o, 'current_total_tax', tax);
    setMoney(o, 'current_total_price', total);
    if (alsoTotals) {
      setMoney(o, 'subtotal_price', subtotal);
      setMoney(o, 'total_tax', tax);
      setMoney(o, 'total_price', total);
    }
    return o;
  };
  /** SKU2006-020 removed: 2 × 89.99 + 13.50 tax + 12.50 + 0.75 shipping = 206.73. */
  const removed = (id: number, alsoTotals: boolean) => {
    const o = base(id);
    o.line_items[1].current_quantity = 0;
    return current(o, '179.98', '14.25', '206.73', alsoTotals);
  };

  for (const alsoTotals of [false, true]) {
    it(`a line removed by the edit is not posted, and the ERP equals the edited total (total_price ${alsoTotals ? 'edited too' : 'still the pre-edit one'})`, async () => {
      const id = alsoTotals ? 7100020002 : 7100020001;
      const run = await h.run('order-to-erp', JSON.stringify(removed(id, alsoTotals)));
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      const so = outputOf(run, 'read-back');
      expect(so.lines.map((l: any) => [l.sku, l.quantity])).toEqual([['SKU2006-001', '2']]);
      expect(so.totals).toEqual({ net: '192.48', tax: '14.25', gross: '206.73' });
    });
  }

  it("a line the edit shortened (2 → 1) posts 1 unit with its share of Shopify's tax", async () => {
    const o = base(7100020003);
    o.line_items[0].current_quantity = 1;
    // 89.99 + 24.00; tax 5.40 + 1.35 + 1.44 + 0.36 + 0.75 shipping; + 12.50 shipping
    current(o, '113.99', '9.30', '135.79', false);
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.lines.map((l: any) => [l.sku, l.quantity, l.taxAmount])).toEqual([
      ['SKU2006-001', '1', '6.75'],
      ['SKU2006-020', '1', '1.80'],
    ]);
    expect(so.totals).toEqual({ net: '126.49', tax: '9.30', gross: '135.79' });
  });

  it('an order read after a refund still posts its pre-refund quantities and totals: the refund gets its own credit memo', async () => {
    const o = base(7100020004);
    const line = o.line_items[1];
    line.current_quantity = 0;
    o.refunds = [
      {
        id: 7100020104,
        order_id: o.id,
        created_at: '2026-01-02T10:00:00Z',
        refund_line_items: [
          { id: 7100020204, line_item_id: line.id, quantity: 1, restock_type: 'return', subtotal_set: moneySet('24.00'), total_tax_set: moneySet('1.80') },
        ],
        transactions: [{ id: 7100020304, kind: 'refund', status: 'success', amount: '25.80', currency: 'USD', gateway: 'manual' }],
      },
    ];
    current(o, '179.98', '14.25', '206.73', false);
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const so = outputOf(run, 'read-back');
    expect(so.lines.map((l: any) => [l.sku, l.quantity])).toEqual([
      ['SKU2006-001', '2'],
      ['SKU2006-020', '1'],
    ]);
    expect(so.totals.gross).toBe('232.53');
  });

  it('an order whose payload cannot tell removed units from refunded ones is refused naming the order and the line; nothing is posted', async () => {
    const o = removed(7100020005, false);
    delete o.refunds;
    const run = await h.run('order-to-erp', JSON.stringify(o));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'post', code: 'POSTED_QUANTITY_UNKNOWN' });
    expect((run.error as { message: string }).message).toMatch(
      /Shopify order #7100020005 cannot be posted as edited: line SKU2006-020 \(gid:\/\/shopify\/LineItem\/\d+\)/,
    );
    expect(await h.erp.getSalesOrder('gid://shopify/Order/7100020005')).toBeNull();
  });
});

describe('payment gate', () => {
  const example = () => readFileSync(`${FIXTURES}webhook-2026-04.orders.create.json`, 'utf8');
  const count = (ref: string) => erpTable(erp(), 'salesOrders').filter((o: any) => o.reference === ref).length;
  const unique = (raw: string, id: string, name: string) => raw.replaceAll('820982911946154508', id).replace('"name": "#9999"', `"name": "${name}"`);

  it("Shopify's published examples (voided, cancelled, test) are skipped with the reason, not failed and not posted", async () => {
    const raw = unique(example(), '820982911946150001', '#G001');
    const run = await h.run('order-to-erp', raw, 'orders/create');
    expect(run.status).toBe('skipped');
    expect(run.error).toBeNull();
    expect(run.skipped).toMatchObject({ nodeId: 'gate', code: 'TEST_ORDER' });
    expect(stepOf(run, 'post')).toBeUndefined();
    // Not a test order any more, still cancelled and voided: each reason is named in turn.
    const live = raw.replace(/"test":\s*true/, '"test": false');
    const cancelled = await h.run('order-to-erp', live, 'orders/create');
    expect(cancelled.skipped).toMatchObject({ code: 'ORDER_CANCELLED', details: { cancelledAt: '2021-12-31T19:00:00-05:00' } });
    expect(cancelled.skipped!.message).toMatch(/order #G001 was cancelled in Shopify at 2021-12-31T19:00:00-05:00 \(customer\)/);
    const voided = await h.run('order-to-erp', live.replace(/"cancelled_at":\s*"[^"]*"/, '"cancelled_at": null'), 'orders/create');
    expect(voided.skipped).toMatchObject({
      code: 'PAYMENT_NOT_CAPTURED',
      details: { financialStatus: 'VOIDED', allowed: ['paid', 'partially_paid', 'authorized'] },
    });
    expect(count('#G001')).toBe(0);
    // The runs list shows the skip and why.
    const listed = (await h.rt.runs.list({ flowId: 'order-to-erp', status: 'skipped' })).find((r) => r.runId === voided.runId)!;
    expect(listed).toMatchObject({ status: 'skipped', error: null, skipped: { code: 'PAYMENT_NOT_CAPTURED', nodeId: 'gate' } });
  });

  it('pending and expired orders are skipped; a pending order posts when orders/paid arrives, once', async () => {
    const raw = asPaidOrder(unique(example(), '820982911946150002', '#G002'), 'pending');
    const created = await h.run('order-to-erp', raw, 'orders/create');
    expect(created.status).toBe('skipped');
    expect(created.skipped!.message).toMatch(/order #G002 has financial status pending; it posts once it is paid, partially_paid, authorized/);
    expect(count('#G002')).toBe(0);
    const paid = await h.run('order-to-erp', raw.replace('"financial_status": "pending"', '"financial_status": "paid"'), 'orders/paid');
    expect(paid.status, JSON.stringify(paid.error)).toBe('succeeded');
    expect(outputOf(paid, 'post').created).toBe(true);
    // orders/paid delivered again (or orders/updated as paid): one ERP document.
    const again = await h.run('order-to-erp', raw.replace('"financial_status": "pending"', '"financial_status": "paid"'), 'orders/paid');
    expect(again.status).toBe('succeeded');
    expect(outputOf(again, 'post').created).toBe(false);
    expect(count('#G002')).toBe(1);
    const expired = await h.run('order-to-erp', asPaidOrder(unique(example(), '820982911946150003', '#G003'), 'expired'), 'orders/create');
    expect(expired.skipped).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED', details: { financialStatus: 'EXPIRED' } });
  });

  it('a B2B order on net 30 terms posts on orders/create while still pending (the invoice is the receivable); its payment later posts nothing more', async () => {
    // Edited as text: the example's ids are past 2^53, which JSON.parse would round.
    const raw = asPaidOrder(unique(example(), '820982911946150010', '#G010'), 'pending')
      .replace(
        '"payment_terms": null',
        '"payment_terms": {"payment_terms_name": "Net 30", "payment_terms_type": "net", "due_in_days": 30, "payment_schedules": []}',
      )
      .replace(/"payment_gateway_names": \[[^\]]*\]/, '"payment_gateway_names": []');
    expect(raw).toContain('"payment_terms_name": "Net 30"');
    const created = await h.run('order-to-erp', raw, 'orders/create');
    expect(created.status, JSON.stringify(created.skipped ?? created.error)).toBe('succeeded');
    expect(outputOf(created, 'post').created).toBe(true);
    const paid = await h.run('order-to-erp', raw.replace('"financial_status": "pending"', '"financial_status": "paid"'), 'orders/paid');
    expect(paid.status).toBe('succeeded');
    expect(outputOf(paid, 'post').created).toBe(false);
    expect(count('#G010')).toBe(1);
  });

  it('an authorised order posts on orders/create; the allowed statuses are configured per flow', async () => {
    const raw = asPaidOrder(unique(example(), '820982911946150004', '#G004'), 'authorized');
    const run = await h.run('order-to-erp', raw, 'orders/create');
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(count('#G004')).toBe(1);
    const doc = template('order-to-erp');
    doc.nodes.find((n) => n.id === 'gate')!.config.allowed = ['paid'];
    await h.rt.flows.create({ ...doc, id: 'order-paid-only' } as never);
    await h.rt.flows.publish('order-paid-only', { activate: true });
    const held = await h.run('order-paid-only', asPaidOrder(unique(example(), '820982911946150005', '#G005'), 'authorized'), 'orders/create');
    expect(held.skipped).toMatchObject({ code: 'PAYMENT_NOT_CAPTURED', details: { allowed: ['paid'] } });
    expect(count('#G005')).toBe(0);
  });
});

describe('orders cancelled and edited after posting', () => {
  it('orders/cancelled cancels the open ERP order and releases its reservation; an order never posted needs nothing', async () => {
    const posted = await h.run('order-to-erp', scenario('us-state-county-shipping-tax.orders-paid.json'));
    expect(posted.status).toBe('succeeded');
    const before = erp().admin.dump().stock as Array<{ sku: string; warehouse: string; reserved: string }>;
    const run = await h.run('order-cancelled-to-erp', scenario('us-state-county-shipping-tax.orders-cancelled.json'));
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(outputOf(run, 'cancel')).toMatchObject({ status: 'cancelled', reference: '#5002' });
    const after = erp().admin.dump().stock as typeof before;
    const res = (l: typeof before, sku: string) => Number(l.find((s) => s.sku === sku && s.warehouse === 'WH')!.reserved);
    expect(res(before, 'SKU2006-001') - res(after, 'SKU2006-001')).toBe(2);
    const never = await h.run(
      'order-cancelled-to-erp',
      readFileSync(`${FIXTURES}webhook-2026-04.orders.create.json`, 'utf8').replace('820982911946154508', '820982911946154599'),
    );
    expect(never.status, JSON.stringify(never.error)).toBe('succeeded');
    expect(outputOf(never, 'cancel')).toEqual({ externalId: 'gid://shopify/Order/820982911946154599', status: 'not-posted' });
  });

  it('an order already shipped in the ERP cannot be cancelled there: CANNOT_CANCEL, an exception to refund instead', async () => {
    const o = JSON.parse(scenario('us-state-county-shipping-tax.orders-paid.json'));
    o.id = 7100000102;
    o.admin_graphql_api_id = 'gid://shopify/Order/7100000102';
    o.name = '#5102';
    expect((await h.run('order-to-erp', JSON.stringify(o))).status).toBe('succeeded');
    await erp().shipSalesOrder!('gid://shopify/Order/7100000102', { trackingNumber: '1Z1', carrier: 'UPS' });
    const run = await h.run('order-cancelled-to-erp', JSON.stringify({ ...o, cancelled_at: '2026-03-03T08:00:00+00:00' }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'cancel', code: 'CANNOT_CANCEL' });
  });

  it('orders/edited after posting raises ORDER_EDITED_AFTER_POSTING naming the ERP document; before posting it needs nothing', async () => {
    const edited = scenario('us-state-county-shipping-tax.orders-edited.json');
    const posted = await h.run('order-to-erp', scenario('us-state-county-shipping-tax.orders-paid.json'));
    const number = outputOf(posted, 'read-back').number as string;
    // (the order was cancelled by the test above; an edit of a cancelled ERP order needs nothing either)
    const doc = await h.erp.getSalesOrder('gid://shopify/Order/7100000002');
    if (doc?.status === 'cancelled') {
      const r = await h.run('order-edited-to-erp', edited);
      expect(outputOf(r, 'check')).toEqual({ orderId: 'gid://shopify/Order/7100000002', action: 'cancelled-in-erp', erpNumber: number });
    }
    const open = JSON.parse(edited);
    // biome-ignore lint/correctness/noPrecisionLoss: on purpose: the number serialises as ...500, and the replace below puts the real digits back into the JSON text
    open.order_edit.order_id = 820982911946154508;
    const run = await h.run('order-edited-to-erp', JSON.stringify(open).replace('820982911946154500', '820982911946154508'));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'check', code: 'ORDER_EDITED_AFTER_POSTING', details: { externalId: 'gid://shopify/Order/820982911946154508' } });
    expect((run.error as { message: string }).message).toMatch(
      /was edited in Shopify after ERP sales order SO\d+ was posted \(\+1 × gid:\/\/shopify\/LineItem\/71000000021, −1 × gid:\/\/shopify\/LineItem\/71000000020\)/,
    );
    const notYet = JSON.parse(edited);
    notYet.order_edit.order_id = 7100000777;
    const r2 = await h.run('order-edited-to-erp', JSON.stringify(notYet));
    expect(outputOf(r2, 'check')).toEqual({ orderId: 'gid://shopify/Order/7100000777', action: 'not-posted', erpNumber: null });
  });
});

describe('failure surfaces', () => {
  it('records each failed step with its node id', async () => {
    const run = await h.run('order-to-erp', scenario('unknown-sku.orders-paid.json'));
    expect(stepOf(run, 'post')!.status).toBe('failed');
    expect(stepOf(run, 'read-back')).toBeUndefined();
  });
});
