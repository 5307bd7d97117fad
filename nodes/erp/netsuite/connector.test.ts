// Contract tests against a local fake that follows NetSuite's documented REST shapes (not a live account).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesOrderInput } from '../contract.ts';
import type { NodeError } from '../../../runtime/node-api.ts';
import type { ErpConnector } from '../contract.ts';
import { order } from '../contract-suite.ts';
import { tbaHeader } from './auth.ts';
import { createNetSuiteConnector } from './connector.ts';
import { startFakeNetSuite, type FakeNetSuite } from './fake-netsuite.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let fake: FakeNetSuite;
let ns: ErpConnector;

beforeAll(async () => {
  fake = await startFakeNetSuite(publicKey, { clientId: 'client-123', certificateId: 'cert-abc', delayMs: 5 });
  ns = createNetSuiteConnector({
    accountId: '1234567_SB1',
    baseUrl: fake.url,
    concurrency: 3,
    auth: { type: 'oauth2-m2m', clientId: 'client-123', certificateId: 'cert-abc', privateKeyPem: pem },
  });
});
afterAll(() => fake?.close());

const netsuiteOrder = (more: Partial<SalesOrderInput> = {}) =>
  order({
    ...more,
    lines: [
      { sku: 'IPOD2008GREEN', quantity: '2', unitPrice: '199.00', discount: '10.00', taxCodes: ['US-SALES-10'] },
      { sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00' },
    ],
  });

describe('NetSuite connector (fake per the documented contract)', () => {
  it('authenticates with an M2M JWT assertion and posts a sales order upserting nothing twice', async () => {
    const input = netsuiteOrder();
    const first = await ns.createSalesOrder(input);
    expect(first.created).toBe(true);
    const post = fake.requests.find((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder')!;
    expect(post.headers.authorization).toMatch(/^Bearer tok-/);
    expect(post.body).toMatchObject({
      externalId: `shopify-order-${input.externalId}`,
      location: { id: '1' },
      currency: { id: '1' },
      otherRefNum: input.reference,
      shippingCost: 10,
    });
    expect((post.body as { item: { items: unknown[] } }).item.items[0]).toMatchObject({ item: { id: '11' }, quantity: 2, rate: 194, taxCode: { id: '5' } });
    expect(first.document).toMatchObject({
      externalId: input.externalId,
      reference: input.reference,
      currency: 'USD',
      warehouse: 'WH',
      status: 'open',
      totals: { net: '410.00', tax: '39.80', gross: '449.80' },
    });
    expect(first.document.lines[0]).toMatchObject({ sku: 'IPOD2008GREEN', quantity: '2', net: '388.00', taxAmount: '38.80', taxCode: 'US-SALES-10' });
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder').length;
    const again = await ns.createSalesOrder(input);
    expect(again).toEqual({ created: false, document: first.document });
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder').length).toBe(posts);
    expect(fake.records.get('customer')!.size).toBe(1);
  });

  it('finds many sales orders in one SuiteQL query per 500 ids, with the heads getSalesOrder reads', async () => {
    const first = netsuiteOrder();
    const inputs = [first, netsuiteOrder()];
    for (const i of inputs) await ns.createSalesOrder(i);
    const ids = [...inputs.map((i) => i.externalId), ...Array.from({ length: 700 }, (_, k) => `9${k}`)];
    const before = fake.requests.length;
    const heads = await ns.findSalesOrders!(ids);
    const calls = fake.requests.slice(before);
    expect(calls.map((r) => r.path)).toEqual(['query/v1/suiteql?limit=1000&offset=0', 'query/v1/suiteql?limit=1000&offset=0']);
    expect((calls[0]!.body as { q: string }).q).toMatch(new RegExp(`t\\.type = 'SalesOrd' AND t\\.externalid IN \\('shopify-order-${first.externalId}'`));
    for (const i of inputs) {
      const full = (await ns.getSalesOrder(i.externalId))!;
      expect(heads.find((h) => h.externalId === i.externalId)).toEqual({
        id: full.id,
        externalId: i.externalId,
        number: full.number,
        date: full.date,
        status: 'open',
        currency: 'USD',
        totals: full.totals,
      });
    }
    expect(heads).toHaveLength(2);
  });

  it('fails unknown SKUs before posting, and keeps NetSuite validation messages and codes', async () => {
    const before = fake.requests.length;
    await expect(ns.createSalesOrder(order({ lines: [{ sku: 'GHOST', quantity: '1', unitPrice: '1.00' }] }))).rejects.toMatchObject({
      code: 'SKU_NOT_FOUND',
      errorClass: 'permanent',
    });
    expect(fake.requests.slice(before).some((r) => r.method === 'POST' && r.path.startsWith('record/'))).toBe(false);
    const e = (await ns
      .createSalesOrder(order({ date: '1999-01-01', lines: [{ sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00' }] }))
      .catch((x: unknown) => x)) as NodeError;
    expect(e).toMatchObject({ errorClass: 'permanent', code: 'ERP_VALIDATION', details: { erpCode: 'USER_ERROR', httpStatus: 400 } });
    expect(e.message).toContain('closed period');
  });

  it('waits out 429 and SSS_REQUEST_LIMIT_EXCEEDED, then gives up with a transient error', async () => {
    fake.throttle(2, '429');
    expect((await ns.findItems(['MUG-BLACK']))[0]?.sku).toBe('MUG-BLACK');
    fake.throttle(1, 'SSS_REQUEST_LIMIT_EXCEEDED');
    expect((await ns.listWarehouses()).map((w) => w.code).sort()).toEqual(['WH', 'WH2']);
    fake.throttle(10, '429');
    await expect(ns.findItems(['MUG-BLACK'])).rejects.toMatchObject({ errorClass: 'transient', code: 'RATE_LIMITED' });
    fake.throttle(0, '429');
  });

  it('re-authenticates once on 401 and never puts the key or token in errors', async () => {
    fake.revokeTokens();
    expect((await ns.findItems(['IPOD2008GREEN'])).length).toBe(1);
    const bad = createNetSuiteConnector({
      accountId: '1234567_SB1',
      baseUrl: fake.url,
      auth: { type: 'oauth2-m2m', clientId: 'someone-else', certificateId: 'cert-abc', privateKeyPem: pem },
    });
    const e = (await bad.findItems(['X']).catch((x: unknown) => x)) as NodeError;
    expect(e).toMatchObject({ code: 'ERP_AUTH', errorClass: 'permanent' });
    expect(JSON.stringify([e.message, e.details])).not.toMatch(/PRIVATE KEY|tok-/);
  });

  it('keeps requests in flight within the configured account concurrency', async () => {
    await Promise.all(Array.from({ length: 12 }, () => ns.findItems(['MUG-BLACK'])));
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    expect(fake.maxInFlight).toBeGreaterThan(1);
  });

  it('searches active items by code or name in one SuiteQL query, case-insensitively, asking for no more than the limit', async () => {
    const codes = async (text: string, limit = 50) => (await ns.searchItems!(text, limit)).map((i) => i.sku);
    expect(await codes('mug')).toEqual(['MUG-BLACK']); // the discontinued MUG_BLACK_OLD is inactive
    expect(await codes('black MUG')).toEqual(['MUG-BLACK']); // by display name
    expect((await ns.searchItems!('lens', 5))[0]).toMatchObject({ sku: 'LENS-PROTECT-2YR', name: 'Lens Protection Plan', type: 'service', active: true });
    expect(await codes('i')).toEqual(['IPOD2008GREEN', 'LENS-PROTECT-2YR']); // by code
    const before = fake.requests.length;
    expect(await codes('i', 1)).toEqual(['IPOD2008GREEN']);
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(['query/v1/suiteql?limit=1&offset=0']);
    // LIKE's own wildcards are text here, not patterns: "_" matches no item that has none.
    expect(await codes('%')).toEqual([]);
    expect(await codes('mug_')).toEqual([]);
    expect((sent[0]!.body as { q: string }).q).toContain("UPPER(itemid) LIKE '%I%' ESCAPE '\\'");
  });

  it('reads stock per location via SuiteQL', async () => {
    expect(await ns.getStock({ skus: ['IPOD2008GREEN'], warehouses: ['WH'] })).toEqual([
      { sku: 'IPOD2008GREEN', warehouse: 'WH', onHand: '100', available: '96' },
    ]);
    await expect(ns.getStock({ skus: ['IPOD2008GREEN'], warehouses: ['MOON'] })).rejects.toMatchObject({ code: 'WAREHOUSE_NOT_FOUND' });
  });

  it('stock change feed: items on inventory-affecting transactions saved after the cursor, never splitting a transaction', async () => {
    expect(await ns.stockChanges!({})).toEqual({ skus: [], cursor: null, hasMore: false });
    fake.adjustStock('MUG-BLACK', 'WH', -2, '2026-12-01 10:00:00');
    fake.adjustStock('IPOD2008GREEN', 'WH2', 5, '2026-12-01 10:05:00');
    fake.adjustStock('MUG-BLACK', 'WH2', 1, '2026-12-01 10:05:00'); // same transaction as the line above
    fake.adjustStock('MUG-BLACK', 'WH', -1, '2026-12-01 10:07:00');
    const first = await ns.stockChanges!({ limit: 1 });
    expect(first).toMatchObject({ skus: ['MUG-BLACK'], hasMore: true });
    expect(first.cursor).toMatch(/^2026-12-01 10:00:00\|\d+$/);
    // The limit is one SKU, but the 10:05 transaction's two lines are not split across pages; the 10:07 line names a
    // SKU already on the page, so it is taken as well.
    const second = await ns.stockChanges!({ since: first.cursor, limit: 1 });
    expect(second).toMatchObject({ skus: ['IPOD2008GREEN', 'MUG-BLACK'], hasMore: false, cursor: expect.stringMatching(/^2026-12-01 10:07:00\|/) });
    const third = second;
    expect(await ns.stockChanges!({ since: third.cursor })).toEqual({ skus: [], cursor: third.cursor, hasMore: false });
    await expect(ns.stockChanges!({ since: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const sql = (fake.requests.filter((r) => r.path.includes('suiteql')).pop()!.body as { q: string }).q;
    expect(sql).toContain(`t.lastmodifieddate > TO_TIMESTAMP('2026-12-01 10:07:00'`);
  });

  it('posts a payout journal once by external id and lists it in the ledger', async () => {
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
    const a = await ns.postJournal(input);
    expect(a.created).toBe(true);
    expect(a.document).toMatchObject({ externalId: '623721858', totals: { debit: '44.00', credit: '44.00' } });
    expect(await ns.postJournal(input)).toEqual({ created: false, document: a.document });
    const ledger = await ns.listLedger({ from: '2026-11-01', to: '2026-11-30', accounts: ['1190'] });
    expect(ledger).toEqual([
      expect.objectContaining({
        account: '1190',
        credit: '44.00',
        debit: '0.00',
        source: { type: 'journal', externalId: '623721858', number: a.document.number },
      }),
    ]);
  });

  it('posts a non-restocking credit memo idempotently and refuses restock (capability off)', async () => {
    const o = netsuiteOrder();
    await ns.createSalesOrder(o);
    const memo = {
      externalId: '509562969',
      orderExternalId: o.externalId,
      date: o.date,
      restock: false,
      lines: [{ sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxCodes: ['US-SALES-10'] }],
    };
    const a = await ns.createCreditMemo(memo);
    expect(a.document.totals).toEqual({ net: '194.00', tax: '19.40', gross: '213.40' });
    expect((await ns.createCreditMemo(memo)).created).toBe(false);
    expect(ns.capabilities.restock).toBe(false);
    await expect(ns.createCreditMemo({ ...memo, externalId: 'r2', restock: true })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it("records Shopify's tax through SuiteTax's tax details override: draft (Pending Approval) -> compare -> approve", async () => {
    // NetSuite would charge 10 % (38.80 on 388.00, 1.00 on shipping); Shopify charged 38.79 + 0.99 (its own rounding):
    // Shopify's amounts are the tax charged, so they are what NetSuite must record.
    const input = order({
      lines: [
        { sku: 'IPOD2008GREEN', quantity: '2', unitPrice: '199.00', discount: '10.00', taxes: [{ code: 'US-SALES-10', amount: '38.79' }] },
        { sku: 'MUG-BLACK', quantity: '1', unitPrice: '12.00' },
      ],
      shipping: [{ description: 'Standard Shipping', amount: '10.00', taxes: [{ code: 'US-SALES-10', amount: '0.99' }] }],
    });
    const draft = await ns.createSalesOrder(input, { confirm: false });
    expect(draft.created).toBe(true);
    const post = fake.requests.filter((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder').pop()!.body as Record<string, any>;
    expect(post).toMatchObject({
      orderStatus: { id: 'A' },
      taxDetailsOverride: true,
      taxDetails: {
        items: [
          { taxDetailsReference: 'shopify-line-1', lineType: 'Item', taxCode: { id: '5' }, taxBasis: 388, taxAmount: 38.79 },
          { taxDetailsReference: 'shipping', lineType: 'Shipping', taxCode: { id: '5' }, taxBasis: 10, taxAmount: 0.99 },
        ],
      },
    });
    expect(post.item.items[0]).toMatchObject({ taxDetailsReference: 'shopify-line-1' });
    expect(draft.document).toMatchObject({ status: 'draft', totals: { net: '410.00', tax: '39.78', gross: '449.78' } });
    expect(draft.document.lines[0]).toMatchObject({ taxAmount: '38.79', taxCode: 'US-SALES-10' });
    expect(draft.document.shipping[0]).toMatchObject({ taxAmount: '0.99' });

    // A mismatch leaves the order pending approval (nothing committed or billable) and names the totals.
    const bad = await ns.confirmSalesOrder!(input.externalId, { expected: { net: '410.00', tax: '39.80', gross: '449.80' } }).catch(
      (e: unknown) => e as NodeError,
    );
    expect(bad).toMatchObject({ code: 'TOTALS_MISMATCH', errorClass: 'permanent', details: { fields: ['tax', 'gross'], draft: true } });
    expect((await ns.getSalesOrder(input.externalId))!.status).toBe('draft');

    // A replay of the draft replaces it (one order), then the approval goes through.
    const again = await ns.createSalesOrder(input, { confirm: false });
    expect(again.created).toBe(true);
    expect([...fake.records.get('salesOrder')!.values()].filter((r) => r.externalId === `shopify-order-${input.externalId}`)).toHaveLength(1);
    const ok = await ns.confirmSalesOrder!(input.externalId, { expected: { net: '410.00', tax: '39.78', gross: '449.78' } });
    expect(ok).toMatchObject({ status: 'open', totals: { tax: '39.78', gross: '449.78' } });
    expect(await ns.createSalesOrder(input, { confirm: false })).toEqual({ created: false, document: ok });
  });

  it("credit memos carry Shopify's refunded tax as an override, and adjustments are refused rather than dropped", async () => {
    const o = netsuiteOrder();
    await ns.createSalesOrder(o);
    const memo = {
      externalId: 'r-tax-1',
      orderExternalId: o.externalId,
      date: o.date,
      restock: false,
      lines: [{ sku: 'IPOD2008GREEN', quantity: '1', unitPrice: '194.00', taxes: [{ code: 'US-SALES-10', amount: '19.39' }] }],
    };
    const a = await ns.createCreditMemo(memo);
    expect(a.document.totals).toEqual({ net: '194.00', tax: '19.39', gross: '213.39' });
    expect(a.document.lines[0]?.taxAmount).toBe('19.39');
    const before = fake.records.get('creditMemo')!.size;
    await expect(
      ns.createCreditMemo({ ...memo, externalId: 'r-adj-1', adjustments: [{ description: 'goodwill', amount: '-5.00', account: '6200' }] }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { field: 'adjustments' } });
    expect(fake.records.get('creditMemo')!.size).toBe(before);
  });

  it('builds a TBA OAuth 1.0a header with realm and HMAC-SHA256', () => {
    const h = tbaHeader(
      { type: 'tba', consumerKey: 'ck', consumerSecret: 'cs', tokenId: 'ti', tokenSecret: 'ts' },
      '1234567_SB1',
      'GET',
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1?expand=true&q=a b',
      'nonce1',
      1700000000,
    );
    const fields = Object.fromEntries([...h.slice('OAuth '.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(h.startsWith('OAuth realm="1234567_SB1", ')).toBe(true);
    // Known answer: the RFC 5849 signature of this request (query parameters included) with secrets cs&ts.
    expect(fields).toEqual({
      realm: '1234567_SB1',
      oauth_consumer_key: 'ck',
      oauth_token: 'ti',
      oauth_nonce: 'nonce1',
      oauth_timestamp: '1700000000',
      oauth_signature_method: 'HMAC-SHA256',
      oauth_version: '1.0',
      oauth_signature: 'hj6qWWB2fClCQ6gPqETL0bVEBjbD93HRNqSi%2Bos7HG0%3D',
    });
    expect(h).not.toMatch(/"cs"|"ts"/); // secrets sign, never travel
  });
});

describe("the order's ship-to", () => {
  it("sends the order's own ship-to as its shippingAddress subrecord", async () => {
    const input = netsuiteOrder({ shipTo: { name: 'Ann at work', street: '5 Office Park', city: 'Hull', zip: 'HU1 2AA', country: 'GB' } });
    await ns.createSalesOrder(input);
    const post = fake.requests
      .filter((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder')
      .find((r) => (r.body as { otherRefNum?: string }).otherRefNum === input.reference)!;
    expect((post.body as { shippingAddress?: unknown }).shippingAddress).toEqual({
      addressee: 'Ann at work',
      addr1: '5 Office Park',
      city: 'Hull',
      zip: 'HU1 2AA',
      country: 'GB',
    });
  });
});

describe("the order's payment terms", () => {
  const postOf = (reference: string) =>
    fake.requests
      .filter((r) => r.method === 'POST' && r.path === 'record/v1/salesOrder')
      .find((r) => (r.body as { otherRefNum?: string }).otherRefNum === reference)!.body as Record<string, unknown>;

  it("sends the named term as the order's terms (its internal id, looked up once) and reads its name back", async () => {
    const input = netsuiteOrder({ paymentTerms: 'Net 30' });
    const a = await ns.createSalesOrder(input);
    expect(postOf(input.reference).terms).toEqual({ id: '2' });
    expect(a.document.paymentTerms).toBe('Net 30');
    expect((await ns.getSalesOrder(input.externalId))!.paymentTerms).toBe('Net 30');
    expect([...fake.records.get('salesOrder')!.values()].find((r) => r.otherRefNum === input.reference)!.terms).toEqual({ id: '2', refName: 'Net 30' });
    // A name differing only in case is the one term it names; the term list is not read again.
    const before = fake.requests.length;
    const b = await ns.createSalesOrder(netsuiteOrder({ paymentTerms: 'due on RECEIPT' }));
    expect(b.document.paymentTerms).toBe('Due on receipt');
    expect(fake.requests.slice(before).some((r) => /FROM term\b/.test(String((r.body as { q?: string } | undefined)?.q)))).toBe(false);
  });

  it("without a term sends none: NetSuite gives the customer's default terms, null when the customer has none", async () => {
    const input = netsuiteOrder();
    const a = await ns.createSalesOrder(input);
    expect(postOf(input.reference)).not.toHaveProperty('terms');
    expect(a.document.paymentTerms).toBeNull();
    const withDefault = netsuiteOrder({ paymentTerms: null });
    const c = await ns.upsertCustomer(withDefault.customer);
    fake.records.get('customer')!.get(c.document.id)!.terms = { id: '1', refName: 'Net 15' };
    expect((await ns.createSalesOrder(withDefault)).document.paymentTerms).toBe('Net 15');
  });

  it('reads the term list again before calling a term unknown (a term made in NetSuite since)', async () => {
    await ns.createSalesOrder(netsuiteOrder({ paymentTerms: 'Net 30' })); // the list is read, if it was not already
    fake.terms.push({ id: 8, name: 'Net 7', isinactive: 'F' });
    try {
      const o = await ns.createSalesOrder(netsuiteOrder({ paymentTerms: 'Net 7' }));
      expect(o.document.paymentTerms).toBe('Net 7');
    } finally {
      fake.terms.pop();
    }
  });

  it('refuses a term NetSuite does not know (or an inactive one) with PAYMENT_TERM_NOT_FOUND, writing nothing', async () => {
    for (const name of ['Net 45', 'Net 90']) {
      const before = fake.requests.length;
      const customers = fake.records.get('customer')!.size;
      const input = netsuiteOrder({ paymentTerms: name });
      const e = (await ns.createSalesOrder(input).catch((x: unknown) => x)) as NodeError;
      expect(e).toMatchObject({
        code: 'PAYMENT_TERM_NOT_FOUND',
        errorClass: 'permanent',
        details: { field: 'paymentTerms', value: name, known: ['Due on receipt', 'Net 15', 'Net 30', 'Net 60'] },
      });
      expect(e.message).toContain(`"${name}"`);
      expect(e.message).toContain('known: Due on receipt, Net 15, Net 30, Net 60');
      expect(fake.requests.slice(before).some((r) => r.method !== 'GET' && r.path.startsWith('record/'))).toBe(false);
      expect(fake.records.get('customer')!.size).toBe(customers);
      expect(await ns.getSalesOrder(input.externalId)).toBeNull();
    }
  });
});
