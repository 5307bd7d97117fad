// Contract tests against a local fake that follows Business Central API v2.0's documented shapes (not a tenant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesOrderInput } from '../contract.ts';
import type { NodeError } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';
import { order } from '../contract-suite.ts';
import { createBusinessCentralConnector } from './connector.ts';
import { startFakeBc, type FakeBc } from './fake-bc.ts';

const ids = {
  tenant: 'contoso.onmicrosoft.com',
  env: 'sandbox',
  companyId: '9b1b5a47-4c2a-ef11-8e61-6045bdc8c0a1',
  clientId: 'app-1',
  clientSecret: 'sup3r-s3cret-value',
};
let fake: FakeBc;
let bc: ErpConnector;

beforeAll(async () => {
  fake = await startFakeBc({ ...ids, delayMs: 5 });
  bc = createBusinessCentralConnector({
    tenantId: ids.tenant,
    environment: ids.env,
    companyId: ids.companyId,
    clientId: ids.clientId,
    clientSecret: ids.clientSecret,
    baseUrl: fake.url,
    tokenUrl: fake.tokenUrl,
    refundAccount: '4010',
    concurrency: 5,
  });
});
afterAll(() => fake?.close());

const bcOrder = (more: Partial<SalesOrderInput> = {}) =>
  order({
    ...more,
    lines: [
      { sku: 'IPOD2008GREEN', quantity: '2', unitPrice: '199.00', discount: '10.00', taxCodes: ['TAXABLE'] },
      { sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00' },
    ],
    shipping: [{ description: 'Standard Shipping', amount: '10.00', taxCodes: ['TAXABLE'] }],
  });

describe('Business Central connector (fake per the documented contract)', () => {
  it('posts a sales order with deep-inserted lines, deduped on externalDocumentNumber', async () => {
    const input = bcOrder();
    const a = await bc.createSalesOrder(input);
    expect(a.created).toBe(true);
    const post = fake.requests.find((r) => r.method === 'POST' && r.path === `companies(${ids.companyId})/salesOrders`)!;
    expect(post.headers.authorization).toMatch(/^Bearer /);
    expect(post.body).toMatchObject({
      externalDocumentNumber: input.externalId,
      currencyCode: '',
      salesOrderLines: [
        { lineType: 'Item', lineObjectNumber: 'IPOD2008GREEN', quantity: 2, unitPrice: 199, discountAmount: 10, taxCode: 'TAXABLE' },
        { lineObjectNumber: 'MUG-BLACK' },
        { lineObjectNumber: 'SHIPPING', unitPrice: 10 },
      ],
    });
    expect(a.document).toMatchObject({
      externalId: input.externalId,
      status: 'open',
      currency: 'USD',
      warehouse: 'WH',
      totals: { net: '410.00', tax: '39.80', gross: '449.80' },
    });
    expect(a.document.shipping).toEqual([expect.objectContaining({ amount: '10.00', taxAmount: '1.00' })]);
    const b = await bc.createSalesOrder(input);
    expect(b).toEqual({ created: false, document: a.document });
    expect(fake.sets.get('salesOrders')!.filter((o) => o.externalDocumentNumber === input.externalId)).toHaveLength(1);
  });

  it('finds many sales orders 15 external document numbers a request, with the heads getSalesOrder reads', async () => {
    const [first, second] = [bcOrder(), bcOrder()];
    const inputs = [first, second];
    for (const i of inputs) await bc.createSalesOrder(i);
    const draft = bcOrder();
    await bc.createSalesOrder(draft, { confirm: false });
    const ids = [...inputs.map((i) => i.externalId), ...Array.from({ length: 28 }, (_, k) => `9${k}`)];
    const before = fake.requests.length;
    const heads = await bc.findSalesOrders!(ids);
    const calls = fake.requests.slice(before).filter((r) => r.path.includes('/salesOrders?'));
    expect(calls).toHaveLength(2);
    expect(decodeURIComponent(calls[0]!.path)).toContain(
      `externalDocumentNumber eq '${first.externalId}' or externalDocumentNumber eq '${second.externalId}' or`,
    );
    for (const i of inputs) {
      const full = (await bc.getSalesOrder(i.externalId))!;
      expect(heads.find((h) => h.externalId === i.externalId)).toEqual({
        id: full.id,
        externalId: i.externalId,
        number: full.number,
        date: full.date,
        status: full.status,
        currency: full.currency,
        totals: full.totals,
      });
    }
    expect(heads).toHaveLength(2);
    // A draft is a sales quote (getSalesOrder reads it as the order's draft): found as one.
    const [d] = await bc.findSalesOrders!([draft.externalId]);
    const full = (await bc.getSalesOrder(draft.externalId))!;
    expect(d).toEqual({
      id: full.id,
      externalId: draft.externalId,
      number: full.number,
      date: full.date,
      status: 'draft',
      currency: full.currency,
      totals: full.totals,
    });
  });

  it('keeps BC error codes and messages, and never the client secret', async () => {
    await expect(bc.createSalesOrder(order({ lines: [{ sku: 'GHOST', quantity: '1', unitPrice: '1.00' }] }))).rejects.toMatchObject({ code: 'SKU_NOT_FOUND' });
    await expect(bc.createSalesOrder(order({ warehouse: 'MOON', lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '1.00' }] }))).rejects.toMatchObject({
      code: 'WAREHOUSE_NOT_FOUND',
    });
    const bad = createBusinessCentralConnector({
      tenantId: ids.tenant,
      environment: ids.env,
      companyId: ids.companyId,
      clientId: ids.clientId,
      clientSecret: 'wrong-secret-123',
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
    });
    const e = (await bad.listWarehouses().catch((x: unknown) => x)) as NodeError;
    expect(e).toMatchObject({ code: 'ERP_AUTH', errorClass: 'permanent', details: { erpCode: 'invalid_client' } });
    expect(JSON.stringify([e.message, e.details])).not.toContain('wrong-secret-123');
    const j = (await bc
      .postJournal({
        externalId: 'PX1',
        date: '2026-11-27',
        description: 'x',
        lines: [
          { account: '9999', debit: '1.00' },
          { account: '1190', credit: '1.00' },
        ],
      })
      .catch((x: unknown) => x)) as NodeError;
    expect(j).toMatchObject({ code: 'ERP_VALIDATION', details: { erpCode: 'Internal_RecordNotFound' } });
    expect(j.message).toContain("No.='9999'");
    expect(fake.sets.get('journalLines')).toHaveLength(0); // $batch with Isolation: snapshot rolled back
  });

  it('searches unblocked items by number or name with contains(), in one request of at most the limit', async () => {
    const codes = async (text: string, limit = 50) => (await bc.searchItems!(text, limit)).map((i) => i.sku);
    expect(await codes('mug')).toEqual(['MUG-BLACK']); // by number; the blocked gift box is left out
    expect(await codes('black mug')).toEqual(['MUG-BLACK']); // by name, whatever the case typed
    expect(await codes('IPOD')).toEqual(['IPOD2008GREEN']);
    expect((await bc.searchItems!('nano', 5))[0]).toMatchObject({ sku: 'IPOD2008GREEN', name: 'IPod Nano - 8GB Green', type: 'goods', active: true });
    // A quote and the words "and"/"or" are text, not filter syntax.
    expect(await codes("mug' or number ne 'x")).toEqual([]);
    expect(await codes('mug and more')).toEqual([]);
    const before = fake.requests.length;
    expect(await codes('i', 1)).toEqual(['IPOD2008GREEN']);
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    const url = new URL(`http://x${sent[0]!.path}`);
    expect(url.searchParams.get('$top')).toBe('1');
    expect(url.searchParams.get('$orderby')).toBe('number');
    expect(url.searchParams.get('$filter')).toMatch(/^blocked eq false and \(contains\(number,'I'\) or contains\(displayName,'i'\)/);
  });

  it('waits out 429 with Retry-After and respects 5 concurrent requests', async () => {
    fake.throttle(2);
    expect((await bc.findItems(['MUG-BLACK']))[0]?.sku).toBe('MUG-BLACK');
    await Promise.all(Array.from({ length: 15 }, () => bc.listTaxCodes().then(() => bc.findItems(['IPOD2008GREEN']))));
    expect(fake.maxInFlight).toBeLessThanOrEqual(5);
    expect(bc.limits).toEqual({ concurrency: 5, rate: { requests: 6000, windowMs: 300_000 } });
  });

  it('cancels by deleting an unshipped order with its ETag; a shipped one cannot be cancelled', async () => {
    const a = bcOrder();
    await bc.createSalesOrder(a);
    expect((await bc.cancelSalesOrder(a.externalId)).status).toBe('cancelled');
    expect(await bc.getSalesOrder(a.externalId)).toBeNull();
    const del = fake.requests.find((r) => r.method === 'DELETE' && r.path.includes('salesOrders('))!;
    expect(del.headers['if-match']).toMatch(/^W\/"/);
    const b = bcOrder();
    await bc.createSalesOrder(b);
    fake.ship(b.externalId);
    await expect(bc.cancelSalesOrder(b.externalId)).rejects.toMatchObject({ code: 'CANNOT_CANCEL' });
  });

  it('lists shipments after a cursor, following nextLink pages, without tracking numbers (not in the standard API)', async () => {
    const start = await bc.listFulfilments({ since: null, limit: 500 });
    const o = bcOrder();
    await bc.createSalesOrder(o);
    fake.ship(o.externalId);
    const page = await bc.listFulfilments({ since: start.cursor, limit: 50 });
    expect(page.fulfilments.map((f) => f.externalOrderId)).toEqual([o.externalId]);
    expect(page.fulfilments[0]).toMatchObject({
      lines: [
        { sku: 'IPOD2008GREEN', quantity: '2' },
        { sku: 'MUG-BLACK', quantity: '1' },
      ],
      tracking: { number: null, company: 'UPS' },
    });
    expect((await bc.listFulfilments({ since: page.cursor })).fulfilments).toEqual([]);
    expect(bc.capabilities.fulfilmentTracking).toBe(false);
  });

  it('reads item totals and refuses per-warehouse stock', async () => {
    expect(await bc.getStock({ skus: ['IPOD2008GREEN'] })).toEqual([{ sku: 'IPOD2008GREEN', warehouse: '', onHand: '120', available: '120' }]);
    await expect(bc.getStock({ skus: ['IPOD2008GREEN'], warehouses: ['WH'] })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('posts credit memos (item lines restock, G/L lines do not) idempotently', async () => {
    const o = bcOrder();
    await bc.createSalesOrder(o);
    const inv0 = fake.sets.get('items')!.find((i) => i.number === 'IPOD2008GREEN')!.inventory;
    const memo = {
      externalId: 'R509562969',
      orderExternalId: o.externalId,
      date: o.date,
      restock: true,
      lines: [{ sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxCodes: ['TAXABLE'] }],
    };
    const a = await bc.createCreditMemo(memo);
    expect(a.document).toMatchObject({ externalId: 'R509562969', restock: true, totals: { net: '194.00', tax: '19.40', gross: '213.40' } });
    expect(a.document.number).toMatch(/^PS-CR/);
    expect((await bc.createCreditMemo(memo)).created).toBe(false);
    expect(fake.sets.get('items')!.find((i) => i.number === 'IPOD2008GREEN')!.inventory).toBe(inv0 + 1);
    const b = await bc.createCreditMemo({ ...memo, externalId: 'R2', restock: false });
    expect(fake.sets.get('items')!.find((i) => i.number === 'IPOD2008GREEN')!.inventory).toBe(inv0 + 1);
    expect(b.document.totals.gross).toBe('213.40');
    const lines = fake.sets.get('salesCreditMemos')!.find((m) => m.externalDocumentNumber === 'R2')!.salesCreditMemoLines;
    expect(lines[0]).toMatchObject({ lineType: 'Account', lineObjectNumber: '4010' });
  });

  it("Shopify's tax: a sales quote checked against Shopify's figures becomes the order; a difference keeps the quote and books nothing", async () => {
    // BC computes 10 % itself (its API has no tax amount to set): 38.80 on 388.00, 1.00 on shipping.
    const taxed = (lineTax: string) =>
      order({
        lines: [
          { sku: 'IPOD2008GREEN', quantity: '2', unitPrice: '199.00', discount: '10.00', taxes: [{ code: 'TAXABLE', amount: lineTax }] },
          { sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00' },
        ],
        shipping: [{ description: 'Standard Shipping', amount: '10.00', taxes: [{ code: 'TAXABLE', amount: '1.00' }] }],
      });
    const same = taxed('38.80');
    const q = await bc.createSalesOrder(same, { confirm: false });
    expect(q.document).toMatchObject({ status: 'draft', totals: { net: '410.00', tax: '39.80', gross: '449.80' } });
    expect(fake.sets.get('salesOrders')!.some((o) => o.externalDocumentNumber === same.externalId)).toBe(false);
    const made = await bc.confirmSalesOrder!(same.externalId, { expected: { net: '410.00', tax: '39.80', gross: '449.80' } });
    expect(made).toMatchObject({ status: 'open', number: expect.stringMatching(/^S-ORD/), totals: { gross: '449.80' } });
    expect(fake.requests.some((r) => r.method === 'POST' && /salesQuotes\([^)]+\)\/Microsoft\.NAV\.makeOrder$/.test(r.path))).toBe(true);
    expect(fake.sets.get('salesQuotes')!.some((x) => x.externalDocumentNumber === same.externalId)).toBe(false);

    // Shopify charged 38.79: BC's 38.80 is not what was charged, so the quote is never made an order.
    const other = taxed('38.79');
    await bc.createSalesOrder(other, { confirm: false });
    const e = await bc.confirmSalesOrder!(other.externalId, { expected: { net: '410.00', tax: '39.79', gross: '449.79' } }).catch(
      (x: unknown) => x as NodeError,
    );
    expect(e).toMatchObject({ code: 'TOTALS_MISMATCH', errorClass: 'permanent', details: { fields: ['tax', 'gross'], draft: true } });
    expect(fake.sets.get('salesOrders')!.some((o) => o.externalDocumentNumber === other.externalId)).toBe(false);
    expect((await bc.getSalesOrder(other.externalId))!.status).toBe('draft');
    // A replay replaces the quote, one quote per order.
    await bc.createSalesOrder(other, { confirm: false });
    expect(fake.sets.get('salesQuotes')!.filter((x) => x.externalDocumentNumber === other.externalId)).toHaveLength(1);
  });

  it("credit memos: posted only when BC's draft credits Shopify's refunded tax; adjustments are G/L lines", async () => {
    const o = bcOrder();
    await bc.createSalesOrder(o);
    const line = { sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxes: [{ code: 'TAXABLE', amount: '19.39' }] };
    const memo = { externalId: 'R-TAX-1', orderExternalId: o.externalId, date: o.date, restock: false, lines: [line] };
    const e = await bc.createCreditMemo(memo).catch((x: unknown) => x as NodeError);
    expect(e).toMatchObject({ code: 'CREDIT_MEMO_MISMATCH', details: { erp: { tax: '19.40' }, shopify: { tax: '19.39' }, draft: true } });
    expect(fake.sets.get('salesCreditMemos')!.find((m) => m.externalDocumentNumber === 'R-TAX-1')!.status).toBe('Draft');
    const ok = await bc.createCreditMemo({
      ...memo,
      externalId: 'R-TAX-2',
      lines: [{ ...line, taxes: [{ code: 'TAXABLE', amount: '19.40' }] }],
      adjustments: [{ description: 'Refund difference: cash 200.00 vs lines 213.40', amount: '-13.40', account: '6200' }],
    });
    expect(ok.document.totals).toEqual({ net: '180.60', tax: '19.40', gross: '200.00' });
    expect(ok.document.number).toMatch(/^PS-CR/);
    const lines = fake.sets.get('salesCreditMemos')!.find((m) => m.externalDocumentNumber === 'R-TAX-2')!.salesCreditMemoLines;
    expect(lines[1]).toMatchObject({ lineType: 'Account', lineObjectNumber: '6200', unitPrice: -13.4 });
  });

  it('stock change feed: the SKUs of item ledger entries after the cursor, paged by SKU count', async () => {
    const start = await bc.stockChanges!({});
    const o = { ...bcOrder(), externalId: 'feed-1', name: '#F1' };
    await bc.createSalesOrder(o);
    const memo = (externalId: string, sku: string) => ({
      externalId,
      orderExternalId: o.externalId,
      date: o.date,
      restock: true,
      lines: [{ sku, quantity: '1', unitPrice: '10.00', taxCodes: ['TAXABLE'] }],
    });
    await bc.createCreditMemo(memo('F-R1', 'MUG-BLACK'));
    await bc.createCreditMemo(memo('F-R2', 'IPOD2008GREEN'));
    await bc.createCreditMemo(memo('F-R3', 'MUG-BLACK'));
    // The item records are not what changes: BC's inventory is summed from ledger entries.
    const first = await bc.stockChanges!({ since: start.cursor, limit: 1 });
    expect(first).toMatchObject({ skus: ['MUG-BLACK'], hasMore: true });
    const rest = await bc.stockChanges!({ since: first.cursor });
    expect(rest).toMatchObject({ skus: ['IPOD2008GREEN', 'MUG-BLACK'], hasMore: false });
    expect(await bc.stockChanges!({ since: rest.cursor })).toEqual({ skus: [], cursor: rest.cursor, hasMore: false });
    await expect(bc.stockChanges!({ since: '2026-11-01' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const q = fake.requests.filter((r) => r.path.includes('itemLedgerEntries')).pop()!;
    expect(decodeURIComponent(q.path)).toContain(`entryNumber gt ${rest.cursor}`);
  });

  it('posts a payout journal through $batch + post, once, and reads it in the ledger', async () => {
    const input = {
      externalId: '623721858',
      date: '2026-11-27',
      description: 'Shopify payout',
      lines: [
        { account: '1000', debit: '41.90' },
        { account: '6100', debit: '2.10' },
        { account: '1190', credit: '44.00' },
      ],
    };
    const a = await bc.postJournal(input);
    expect(a).toMatchObject({ created: true, document: { externalId: '623721858', posted: true, totals: { debit: '44.00', credit: '44.00' } } });
    const batch = fake.requests.find((r) => r.path === '$batch' && (r.body as { requests: unknown[] }).requests.length === 3)!;
    expect(batch.headers.isolation).toBe('snapshot');
    expect((await bc.postJournal(input)).created).toBe(false);
    const ledger = await bc.listLedger({ from: '2026-11-01', to: '2026-11-30', accounts: ['1190', '1000'] });
    expect(ledger.map((l) => [l.account, l.debit, l.credit, l.source.type, l.source.externalId])).toEqual([
      ['1000', '41.90', '0.00', 'journal', '623721858'],
      ['1190', '0.00', '44.00', 'journal', '623721858'],
    ]);
  });
});

describe("the order's ship-to", () => {
  it("sends the order's own ship-to in the salesOrder's shipTo fields", async () => {
    const input = bcOrder({ shipTo: { name: 'Ann at work', street: '5 Office Park', city: 'Hull', zip: 'HU1 2AA', country: 'GB' } });
    await bc.createSalesOrder(input);
    const posted = fake.sets.get('salesOrders')!.find((o) => o.externalDocumentNumber === input.externalId)!;
    expect(posted).toMatchObject({
      shipToName: 'Ann at work',
      shipToAddressLine1: '5 Office Park',
      shipToCity: 'Hull',
      shipToPostCode: 'HU1 2AA',
      shipToCountry: 'GB',
    });
  });
});

describe("the order's payment terms", () => {
  const term = (code: string) => fake.sets.get('paymentTerms')!.find((t) => t.code === code)!;
  const postOf = (set: 'salesOrders' | 'salesQuotes', externalId: string) =>
    fake.requests.find(
      (r) =>
        r.method === 'POST' && r.path === `companies(${ids.companyId})/${set}` && (r.body as Record<string, unknown>).externalDocumentNumber === externalId,
    )!.body as Record<string, unknown>;

  it("sends the term named by description or code as paymentTermsId and reads back the term's code", async () => {
    const input = bcOrder({ paymentTerms: 'Net 30' });
    const a = await bc.createSalesOrder(input);
    expect(postOf('salesOrders', input.externalId).paymentTermsId).toBe(term('30 DAYS').id);
    // Read back as the code: a description need not be unique, the code is the term's key.
    expect(a.document.paymentTerms).toBe('30 DAYS');
    expect((await bc.getSalesOrder(input.externalId))!.paymentTerms).toBe('30 DAYS');
    expect((await bc.createSalesOrder(bcOrder({ paymentTerms: '60 days' }))).document.paymentTerms).toBe('60 DAYS');
    // A draft is a quote with the same term, kept when BC makes it the order.
    const draft = bcOrder({ paymentTerms: 'net 14 DAYS' });
    expect((await bc.createSalesOrder(draft, { confirm: false })).document).toMatchObject({ status: 'draft', paymentTerms: '14 DAYS' });
    expect(postOf('salesQuotes', draft.externalId).paymentTermsId).toBe(term('14 DAYS').id);
    expect(await bc.confirmSalesOrder!(draft.externalId)).toMatchObject({ status: 'open', paymentTerms: '14 DAYS' });
  });

  it("without a term sends none: BC gives the customer's payment terms, null when the customer has none", async () => {
    const input = bcOrder();
    const a = await bc.createSalesOrder(input);
    expect(postOf('salesOrders', input.externalId)).not.toHaveProperty('paymentTermsId');
    expect(a.document.paymentTerms).toBeNull();
    const withDefault = async (termId: string) => {
      const o = bcOrder({ paymentTerms: null });
      await bc.upsertCustomer(o.customer);
      fake.sets.get('customers')!.find((c) => c.number === o.customer.externalId)!.paymentTermsId = termId;
      return (await bc.createSalesOrder(o)).document.paymentTerms;
    };
    expect(await withDefault(term('60 DAYS').id)).toBe('60 DAYS');
  });

  it('reads the term list again before calling a named term unknown or a read-back one none (a term made in BC since)', async () => {
    await bc.createSalesOrder(bcOrder({ paymentTerms: '30 DAYS' })); // the list is read, if it was not already
    const terms = fake.sets.get('paymentTerms')!;
    const made = [
      { id: '5d0b3c8e-0a44-4f0e-9d7c-2b8f0e6a1c11', code: '21 DAYS', displayName: 'Net 21 days', dueDateCalculation: '21D' },
      { id: '5d0b3c8e-0a44-4f0e-9d7c-2b8f0e6a1c12', code: '7 DAYS', displayName: 'Net 7 days', dueDateCalculation: '7D' },
    ];
    try {
      terms.push(made[0]!);
      expect((await bc.createSalesOrder(bcOrder({ paymentTerms: 'Net 21 days' }))).document.paymentTerms).toBe('21 DAYS');
      // A customer's default made since: BC sets it on the order, and its id is found on a second look.
      terms.push(made[1]!);
      const o = bcOrder();
      await bc.upsertCustomer(o.customer);
      fake.sets.get('customers')!.find((c) => c.number === o.customer.externalId)!.paymentTermsId = made[1]!.id;
      expect((await bc.createSalesOrder(o)).document.paymentTerms).toBe('7 DAYS');
    } finally {
      fake.sets.set(
        'paymentTerms',
        terms.filter((t) => !made.some((m) => m.id === t.id)),
      );
    }
  });

  it('refuses a term BC does not know with PAYMENT_TERM_NOT_FOUND naming it and the known codes, writing nothing', async () => {
    const before = fake.requests.length;
    const customers = fake.sets.get('customers')!.length;
    const input = bcOrder({ paymentTerms: 'Net 45' });
    const e = (await bc.createSalesOrder(input).catch((x: unknown) => x)) as NodeError;
    expect(e).toMatchObject({
      code: 'PAYMENT_TERM_NOT_FOUND',
      errorClass: 'permanent',
      details: { field: 'paymentTerms', value: 'Net 45', known: ['COD', '14 DAYS', '30 DAYS', '60 DAYS'] },
    });
    expect(e.message).toContain('"Net 45"');
    expect(e.message).toContain('known: COD (Cash on delivery), 14 DAYS (Net 14 days), 30 DAYS (Net 30), 60 DAYS (Net 60 days)');
    expect(fake.requests.slice(before).some((r) => r.method !== 'GET')).toBe(false);
    expect(fake.sets.get('customers')).toHaveLength(customers);
    expect(await bc.getSalesOrder(input.externalId)).toBeNull();
  });

  it('refuses a description several terms share, naming their codes (descriptions are not unique in BC)', async () => {
    const terms = fake.sets.get('paymentTerms')!;
    const twin = { id: '5d0b3c8e-0a44-4f0e-9d7c-2b8f0e6a1c13', code: 'N30', displayName: 'NET 30', dueDateCalculation: '30D' };
    terms.push(twin);
    try {
      // An unknown name makes the connector read the list again, twin included.
      await expect(bc.createSalesOrder(bcOrder({ paymentTerms: 'Net 99' }))).rejects.toMatchObject({ code: 'PAYMENT_TERM_NOT_FOUND' });
      const e = (await bc.createSalesOrder(bcOrder({ paymentTerms: 'Net 30' })).catch((x: unknown) => x)) as NodeError;
      expect(e).toMatchObject({ code: 'PAYMENT_TERM_NOT_FOUND', details: { field: 'paymentTerms', value: 'Net 30' } });
      expect(e.message).toContain('several Business Central terms (30 DAYS, N30)');
      // By its code it is one term.
      expect((await bc.createSalesOrder(bcOrder({ paymentTerms: 'n30' }))).document.paymentTerms).toBe('N30');
    } finally {
      fake.sets.set(
        'paymentTerms',
        terms.filter((t) => t !== twin),
      );
    }
  });
});
