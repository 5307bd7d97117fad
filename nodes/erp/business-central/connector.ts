// Business Central API v2.0 connector, to Microsoft's documentation. NOT yet verified against a live tenant:
// contract-tested against a local fake that follows the documented request/response shapes.
// Standard API limits shape the capabilities: stock is a total per item (no per-location figure), shipments carry
// no tracking number, and tax is computed by BC (prices-including-tax is a read-only customer setting).
// Shopify's tax: the v2.0 API has no tax amount a client may set (line and document tax amounts are read-only; BC's
// own "VAT difference" is a page action, not an API field), so BC's tax is checked before anything is booked instead:
// with `confirm: false` the order is a sales quote (books and reserves nothing), compared with Shopify's figures,
// and only then turned into the sales order (bound action Microsoft.NAV.makeOrder). On a difference the quote stays.
import type {
  Address,
  CreditMemoInput,
  CustomerInput,
  ErpConnector,
  ErpCreditMemo,
  ErpFulfilment,
  ErpItem,
  ErpJournalEntry,
  ErpSalesOrder,
  ErpSalesOrderHead,
  JournalInput,
  LedgerLine,
  LedgerQuery,
  Posted,
  SalesOrderInput,
  StockChangePage,
  StockLevel,
} from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { Decimal, money, qty, sum } from '../shared/money.ts';
import { lineCodes } from '../shared/pricing.ts';
import { checkCurrency } from '../shared/currency.ts';
import { creditMemoSchema, customerSchema, journalSchema, ledgerQuerySchema, parseInput, salesOrderSchema } from '../shared/schemas.ts';
import { BcClient, odataString as s, type BusinessCentralConfig } from './client.ts';

type Rec = Record<string, any>;
const n = (v: unknown) => new Decimal(v == null || v === '' ? 0 : String(v));
const fail = (message: string, code: string, details: Record<string, unknown> = {}) =>
  erpError('business-central', message, { errorClass: 'permanent', code, details });
const eqAny = (field: string, values: string[]) => values.map((v) => `${field} eq ${s(v)}`).join(' or ');
const filter = (f: string) => `$filter=${encodeURIComponent(f)}`;

const itemOf = (i: Rec): ErpItem => ({
  id: i.id,
  sku: i.number,
  name: i.displayName,
  type: i.type === 'Inventory' ? 'goods' : 'service',
  unitPrice: i.unitPrice == null ? null : money(n(i.unitPrice)),
  active: !i.blocked,
});

export function createBusinessCentralConnector(cfg: BusinessCentralConfig): ErpConnector {
  const bc = new BcClient(cfg);
  const shippingItem = cfg.shippingItem ?? 'SHIPPING';
  const lcy = cfg.localCurrency ?? 'USD';

  async function items(skus: string[]): Promise<Rec[]> {
    const out: Rec[] = [];
    const uniq = [...new Set(skus)];
    for (let i = 0; i < uniq.length; i += 15) out.push(...(await bc.list(`items?${filter(eqAny('number', uniq.slice(i, i + 15)))}`)));
    return out;
  }

  async function checkItems(skus: string[]): Promise<void> {
    const found = new Set((await items(skus)).filter((i) => !i.blocked).map((i) => i.number));
    const missing = [...new Set(skus)].filter((x) => !found.has(x));
    if (missing.length) throw fail(`SKU not found in Business Central: ${missing.join(', ')}`, 'SKU_NOT_FOUND', { skus: missing });
  }

  async function checkTax(codes: string[] | undefined): Promise<string | undefined> {
    if (!codes?.length) return undefined;
    if (codes.length > 1) throw fail(`one tax group per line in Business Central, got ${codes.join(', ')}`, 'UNSUPPORTED', { value: codes });
    const groups = await bc.taxGroups();
    if (!groups.some((g) => g.code === codes[0]))
      throw fail(`Tax code ${JSON.stringify(codes[0])} does not exist (known: ${groups.map((g) => g.code).join(', ')})`, 'TAX_CODE_NOT_FOUND', {
        value: codes[0],
      });
    return codes[0];
  }

  /**
   * The id of the payment term an order names, by its code ("30 DAYS") or its description ("Net 30"), either in any
   * case: merchants map Shopify's "Net 30" to whichever they see in BC. Codes first, since only codes are unique.
   */
  async function paymentTermsId(name: string): Promise<string> {
    const key = name.toLowerCase();
    const match = (all: Array<{ id: string; code: string; displayName: string }>) => {
      const byCode = all.filter((t) => t.code.toLowerCase() === key);
      return byCode.length ? byCode : all.filter((t) => (t.displayName ?? '').toLowerCase() === key);
    };
    let all = await bc.paymentTerms();
    let hits = match(all);
    if (!hits.length) hits = match((all = await bc.paymentTerms(true)));
    if (hits.length === 1) return hits[0]!.id;
    const known = all.map((t) => t.code);
    const listed = all.map((t) => (t.displayName && t.displayName !== t.code ? `${t.code} (${t.displayName})` : t.code)).join(', ');
    throw fail(
      hits.length
        ? `Payment term ${JSON.stringify(name)} is the description of several Business Central terms (${hits.map((t) => t.code).join(', ')}): name it by its code`
        : `Payment term ${JSON.stringify(name)} does not exist in Business Central (known: ${listed})`,
      'PAYMENT_TERM_NOT_FOUND',
      { field: 'paymentTerms', value: name, known },
    );
  }

  const customerNumber = (externalId: string) => {
    if (externalId.length > 20)
      throw fail(`customer external id ${externalId} is longer than BC's 20-character customer number`, 'INVALID_INPUT', { field: 'customer.externalId' });
    return externalId;
  };

  async function upsertCustomer(
    c: CustomerInput,
  ): Promise<Posted<{ id: string; externalId: string; name: string; email: string | null; phone: string | null }>> {
    const number = customerNumber(c.externalId);
    const [existing] = await bc.list(`customers?${filter(`number eq ${s(number)}`)}`);
    const a = c.address ?? {};
    const body = {
      displayName: c.name,
      email: c.email ?? undefined,
      phoneNumber: c.phone ?? undefined,
      addressLine1: a.street,
      addressLine2: a.street2,
      city: a.city,
      postalCode: a.zip,
      state: a.province,
      country: a.country,
    };
    const r = existing
      ? await bc.send('PATCH', `customers(${existing.id})`, body, { 'if-match': existing['@odata.etag'] })
      : await bc.send('POST', 'customers', { number, ...body });
    return { created: !existing, document: { id: r.id, externalId: r.number, name: r.displayName, email: r.email || null, phone: r.phoneNumber || null } };
  }

  async function toOrder(o: Rec): Promise<ErpSalesOrder> {
    const lines: Rec[] = o.salesOrderLines ?? [];
    const goods = [];
    const shipping = [];
    for (const l of lines) {
      const net = n(l.netAmount);
      if (l.lineObjectNumber === shippingItem) {
        shipping.push({
          description: l.description,
          amount: money(n(l.unitPrice)),
          discount: money(n(l.discountAmount)),
          taxCode: l.taxCode || null,
          net: money(net),
          taxAmount: money(n(l.netTaxAmount)),
        });
      } else {
        goods.push({
          sku: l.lineObjectNumber,
          description: l.description,
          quantity: qty(n(l.quantity)),
          unitPrice: money(n(l.unitPrice)),
          discount: money(n(l.discountAmount)),
          taxCode: l.taxCode || null,
          net: money(net),
          taxAmount: money(n(l.netTaxAmount)),
          warehouse: await bc.locationCode(l.locationId),
        });
      }
    }
    const shipped = lines.some((l) => n(l.shippedQuantity).gt(0));
    return {
      id: o.id,
      externalId: o.externalDocumentNumber,
      number: o.number,
      reference: '',
      customer: { id: o.customerId, externalId: o.customerNumber, name: o.customerName },
      currency: o.currencyCode || lcy,
      date: o.orderDate,
      status: o.status === 'Draft' ? 'draft' : o.fullyShipped ? 'fulfilled' : shipped ? 'partially-fulfilled' : 'open',
      warehouse: goods[0]?.warehouse ?? '',
      // The code, whichever way the order named the term: it is the term's key in BC, and a description need not be
      // unique, so the code is what any later comparison can rely on.
      paymentTerms: await bc.paymentTermsCode(o.paymentTermsId),
      lines: goods,
      shipping,
      totals: { net: money(n(o.totalAmountExcludingTax)), tax: money(n(o.totalTaxAmount)), gross: money(n(o.totalAmountIncludingTax)) },
    };
  }

  async function findOrder(externalId: string): Promise<Rec | null> {
    // externalDocumentNumber is not unique in BC: look it up before every create (dedupe as BC integrations do).
    const [o] = await bc.list(`salesOrders?${filter(`externalDocumentNumber eq ${s(externalId)}`)}&$expand=salesOrderLines`);
    return o ?? null;
  }

  async function findQuote(externalId: string): Promise<Rec | null> {
    const [q] = await bc.list(`salesQuotes?${filter(`externalDocumentNumber eq ${s(externalId)}`)}&$expand=salesQuoteLines`);
    return q ?? null;
  }

  /** A sales quote read as the draft of its order (its lines under salesOrderLines' shape). */
  const quoteAsOrder = async (q: Rec) => ({
    ...(await toOrder({ ...q, salesOrderLines: q.salesQuoteLines, orderDate: q.documentDate })),
    status: 'draft' as const,
  });

  /**
   * Sales order heads, 15 external document numbers a request (`or`-ed eq terms keep the URL within BC's limits, as
   * items() does); lines are expanded only for the shipped state.
   */
  async function findSalesOrders(externalIds: string[]): Promise<ErpSalesOrderHead[]> {
    const ids = [...new Set(externalIds.map(String))];
    const first = new Map<string, Rec>();
    for (let i = 0; i < ids.length; i += 15) {
      for (const o of await bc.list(`salesOrders?${filter(eqAny('externalDocumentNumber', ids.slice(i, i + 15)))}&$expand=salesOrderLines`)) {
        if (!first.has(o.externalDocumentNumber)) first.set(o.externalDocumentNumber, o);
      }
    }
    // A draft is a sales quote until confirmed (getSalesOrder reads it as the order's draft): looked up for the rest.
    const rest = ids.filter((id) => !first.has(id));
    const quotes: Rec[] = [];
    for (let i = 0; i < rest.length; i += 15) {
      for (const q of await bc.list(`salesQuotes?${filter(eqAny('externalDocumentNumber', rest.slice(i, i + 15)))}`)) {
        if (!quotes.some((x) => x.externalDocumentNumber === q.externalDocumentNumber)) quotes.push(q);
      }
    }
    const heads: ErpSalesOrderHead[] = quotes.map((q) => ({
      id: q.id,
      externalId: q.externalDocumentNumber,
      number: q.number,
      date: q.documentDate,
      currency: q.currencyCode || lcy,
      status: 'draft',
      totals: { net: money(n(q.totalAmountExcludingTax)), tax: money(n(q.totalTaxAmount)), gross: money(n(q.totalAmountIncludingTax)) },
    }));
    return [
      ...heads,
      ...[...first.values()].map((o): ErpSalesOrderHead => {
        const shipped = (o.salesOrderLines ?? []).some((l: Rec) => n(l.shippedQuantity).gt(0));
        return {
          id: o.id,
          externalId: o.externalDocumentNumber,
          number: o.number,
          date: o.orderDate,
          currency: o.currencyCode || lcy,
          status: o.status === 'Draft' ? 'draft' : o.fullyShipped ? 'fulfilled' : shipped ? 'partially-fulfilled' : 'open',
          totals: { net: money(n(o.totalAmountExcludingTax)), tax: money(n(o.totalTaxAmount)), gross: money(n(o.totalAmountIncludingTax)) },
        };
      }),
    ];
  }

  async function createSalesOrder(input: SalesOrderInput, opts: { confirm?: boolean } = {}): Promise<Posted<ErpSalesOrder>> {
    if (input.externalId.length > 35)
      throw fail(`Shopify order id ${input.externalId} is longer than BC's 35-character external document number`, 'INVALID_INPUT', { field: 'externalId' });
    const draft = opts.confirm === false;
    const existing = await findOrder(input.externalId);
    if (existing) return { created: false, document: await toOrder(existing) };
    if (input.pricesIncludeTax)
      throw fail('Business Central decides prices-including-tax from the customer (read-only on the order); post net prices', 'UNSUPPORTED', {
        field: 'pricesIncludeTax',
      });
    const quote = await findQuote(input.externalId);
    if (quote && !draft) return { created: false, document: await quoteAsOrder(quote) };
    // Before anything is written (the quote replaced, the customer created): an unknown term leaves BC untouched.
    const terms = input.paymentTerms ? await paymentTermsId(input.paymentTerms) : undefined;
    await checkItems(input.lines.map((l) => l.sku));
    const location = await bc.locationId(input.warehouse);
    const lines: Rec[] = [];
    for (const l of input.lines) {
      lines.push({
        lineType: 'Item',
        lineObjectNumber: l.sku,
        description: l.description,
        quantity: Number(l.quantity),
        unitPrice: Number(l.unitPrice),
        discountAmount: Number(l.discount ?? 0),
        taxCode: await checkTax(lineCodes(l)),
        locationId: l.warehouse ? await bc.locationId(l.warehouse) : location,
      });
    }
    for (const sh of input.shipping ?? []) {
      lines.push({
        lineType: 'Item',
        lineObjectNumber: shippingItem,
        description: sh.description,
        quantity: 1,
        unitPrice: Number(sh.amount),
        discountAmount: Number(sh.discount ?? 0),
        taxCode: await checkTax(lineCodes(sh)),
      });
    }
    await ensureCustomer(input.customer);
    const head = {
      externalDocumentNumber: input.externalId,
      customerNumber: customerNumber(input.customer.externalId),
      currencyCode: input.currency === lcy ? '' : input.currency,
      // This order's own ship-to (BC would otherwise ship to the customer's address).
      ...(input.shipTo ? bcShipTo(input.shipTo) : {}),
      // Without one BC gives the order the customer's payment terms, which is the contract's "ERP default".
      ...(terms ? { paymentTermsId: terms } : {}),
    };
    if (draft) {
      // A quote left by a failed check is replaced by the new input (a replay after a fix).
      if (quote) await bc.send('DELETE', `salesQuotes(${quote.id})`, undefined, { 'if-match': quote['@odata.etag'] });
      await bc.send('POST', 'salesQuotes', { ...head, documentDate: input.date, salesQuoteLines: lines });
      return { created: true, document: await quoteAsOrder((await findQuote(input.externalId))!) };
    }
    await bc.send('POST', 'salesOrders', { ...head, orderDate: input.date, salesOrderLines: lines });
    return { created: true, document: await toOrder((await findOrder(input.externalId))!) };
  }

  /** Turns the order's quote into the sales order once BC's totals are Shopify's (see ErpConnector.confirmSalesOrder). */
  async function confirmSalesOrder(externalId: string, opts: { expected?: { net: string; tax: string; gross: string } } = {}): Promise<ErpSalesOrder> {
    const existing = await findOrder(externalId);
    if (existing) return toOrder(existing);
    const quote = await findQuote(externalId);
    if (!quote) throw fail(`no sales quote or order for Shopify order ${externalId}`, 'SALES_ORDER_NOT_FOUND', { externalId });
    const doc = await quoteAsOrder(quote);
    const expected = opts.expected;
    if (expected) {
      const diffs = (['net', 'tax', 'gross'] as const).filter((k) => !n(expected[k]).eq(doc.totals[k]));
      if (diffs.length) {
        throw fail(
          `sales quote ${quote.number} does not match the expected totals: ${diffs.map((k) => `${k} Business Central ${doc.totals[k]} vs expected ${money(n(expected[k]))}`).join(', ')} ` +
            "(BC computes tax itself: its tax setup must give Shopify's amounts); it was not made an order",
          'TOTALS_MISMATCH',
          { number: quote.number, externalId, fields: diffs, erpTotals: doc.totals, expected, draft: true },
        );
      }
    }
    await bc.send('POST', `salesQuotes(${quote.id})/Microsoft.NAV.makeOrder`);
    const order = await findOrder(externalId);
    if (!order)
      throw erpError('business-central', `quote ${quote.number} was made an order but no sales order carries ${externalId}`, {
        errorClass: 'ambiguous',
        code: 'ERP_STATE',
      });
    return toOrder(order);
  }

  async function ensureCustomer(c: CustomerInput) {
    const [existing] = await bc.list(`customers?${filter(`number eq ${s(customerNumber(c.externalId))}`)}`);
    if (!existing) await upsertCustomer(c);
  }

  async function cancelSalesOrder(externalId: string): Promise<ErpSalesOrder> {
    const o = await findOrder(externalId);
    if (!o) throw fail(`no sales order for Shopify order ${externalId} (a cancelled BC order is deleted)`, 'SALES_ORDER_NOT_FOUND', { externalId });
    const doc = await toOrder(o);
    if (doc.status !== 'open' && doc.status !== 'draft')
      throw fail(`sales order ${o.number} cannot be cancelled: already ${doc.status}`, 'CANNOT_CANCEL', { externalId });
    // The standard API has no cancel action: an unshipped sales order is deleted (ETag required).
    await bc.send('DELETE', `salesOrders(${o.id})`, undefined, { 'if-match': o['@odata.etag'] });
    return { ...doc, status: 'cancelled' };
  }

  async function listFulfilments(opts: { since?: string | null; limit?: number }) {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
    let after: { at: string; lastNo: string } | null = null;
    if (opts.since) {
      const [at, lastNo] = opts.since.split('|');
      if (at === undefined || Number.isNaN(Date.parse(at)) || !lastNo)
        throw fail(`invalid fulfilment cursor ${JSON.stringify(opts.since)}`, 'INVALID_INPUT', { field: 'since' });
      after = { at, lastNo };
    }
    const rows = await bc.list(
      `salesShipments?${after ? `${filter(`lastModifiedDateTime ge ${after.at}`)}&` : ''}$orderby=lastModifiedDateTime asc,number asc&$expand=salesShipmentLines`,
    );
    const fresh = rows.filter((r) => !after || r.lastModifiedDateTime !== after.at || r.number > after.lastNo);
    const page = fresh.slice(0, limit);
    const fulfilments: ErpFulfilment[] = page.map((r) => ({
      id: r.id,
      number: r.number,
      salesOrderId: '',
      externalOrderId: r.externalDocumentNumber ?? '',
      warehouse: '',
      completedAt: r.lastModifiedDateTime,
      lines: (r.salesShipmentLines ?? [])
        .filter((l: Rec) => l.lineType === 'Item' && l.lineObjectNumber !== shippingItem)
        .map((l: Rec) => ({ sku: l.lineObjectNumber, quantity: qty(n(l.quantity)) })),
      tracking: { number: null, company: r.shippingAgentCode ?? null, url: null },
    }));
    const last = page[page.length - 1];
    return { fulfilments, cursor: last ? `${last.lastModifiedDateTime}|${last.number}` : (opts.since ?? null), hasMore: fresh.length > limit };
  }

  async function getStock(opts: { skus?: string[]; warehouses?: string[] }): Promise<StockLevel[]> {
    if (opts.warehouses?.length)
      throw fail('the Business Central standard API has stock per item only, not per location', 'UNSUPPORTED', { capability: 'stockPerWarehouse' });
    const rows = opts.skus ? await items(opts.skus) : await bc.list(`items?${filter("type eq 'Inventory'")}`);
    return rows
      .filter((i) => i.type === 'Inventory')
      .map((i) => ({ sku: i.number, warehouse: '', onHand: qty(n(i.inventory)), available: qty(n(i.inventory)) }));
  }

  /**
   * Stock change feed: item ledger entries after the cursor (an entry number: BC numbers them in posting order).
   * Not items by lastModifiedDateTime: Item.inventory is a FlowField summed from these entries, so posting a
   * shipment or a credit memo moves stock without touching the item record or its lastModifiedDateTime.
   */
  async function stockChanges(opts: { since?: string | null; limit?: number }): Promise<StockChangePage> {
    const limit = Math.min(Math.max(opts.limit ?? 1000, 1), 10_000);
    if (opts.since != null && !/^\d+$/.test(opts.since))
      throw fail(`invalid stock change cursor ${JSON.stringify(opts.since)}`, 'INVALID_INPUT', { field: 'since', value: opts.since });
    const rows = await bc.list(`itemLedgerEntries?${opts.since ? `${filter(`entryNumber gt ${opts.since}`)}&` : ''}$orderby=entryNumber asc`);
    const skus = new Set<string>();
    let cursor = opts.since ?? null;
    let taken = 0;
    for (const row of rows) {
      if (!skus.has(row.itemNumber) && skus.size >= limit) break;
      skus.add(row.itemNumber);
      cursor = String(row.entryNumber);
      taken++;
    }
    return { skus: [...skus], cursor, hasMore: taken < rows.length };
  }

  async function toMemo(m: Rec, input: { orderExternalId: string; restock: boolean }): Promise<ErpCreditMemo> {
    const lines: Rec[] = m.salesCreditMemoLines ?? [];
    const isShip = (l: Rec) => l.lineObjectNumber === shippingItem || (l.lineType === 'Account' && /shipping/i.test(l.description ?? ''));
    return {
      id: m.id,
      externalId: m.externalDocumentNumber,
      number: m.number,
      salesOrderId: '',
      orderExternalId: input.orderExternalId,
      customer: { id: m.customerId, externalId: m.customerNumber, name: m.customerName },
      currency: m.currencyCode || lcy,
      date: m.creditMemoDate,
      restock: input.restock,
      lines: lines
        .filter((l) => !isShip(l))
        .map((l) => ({
          sku: l.lineType === 'Item' ? l.lineObjectNumber : (l.description ?? ''),
          quantity: qty(n(l.quantity)),
          unitPrice: money(n(l.unitPrice)),
          taxCode: l.taxCode || null,
          net: money(n(l.netAmount)),
          taxAmount: money(n(l.netTaxAmount)),
        })),
      shipping: lines
        .filter(isShip)
        .map((l) => ({ description: l.description, net: money(n(l.netAmount)), taxCode: l.taxCode || null, taxAmount: money(n(l.netTaxAmount)) })),
      totals: { net: money(n(m.totalAmountExcludingTax)), tax: money(n(m.totalTaxAmount)), gross: money(n(m.totalAmountIncludingTax)) },
    };
  }

  async function createCreditMemo(input: CreditMemoInput): Promise<Posted<ErpCreditMemo>> {
    const find = async () =>
      (await bc.list(`salesCreditMemos?${filter(`externalDocumentNumber eq ${s(input.externalId)}`)}&$expand=salesCreditMemoLines`))[0] ?? null;
    let memo: Rec | null = await find();
    if (memo && memo.status !== 'Draft') return { created: false, document: await toMemo(memo, input) };
    // A draft left by a failed check (or an attempt cut short) is replaced by this input: a replay after a fix.
    if (memo) {
      await bc.send('DELETE', `salesCreditMemos(${memo.id})`, undefined, { 'if-match': memo['@odata.etag'] });
      memo = null;
    }
    {
      const order =
        (await findOrder(input.orderExternalId)) ?? (await bc.list(`salesInvoices?${filter(`externalDocumentNumber eq ${s(input.orderExternalId)}`)}`))[0];
      if (!order)
        throw fail(`no sales order or invoice for Shopify order ${input.orderExternalId}`, 'SALES_ORDER_NOT_FOUND', {
          field: 'orderExternalId',
          value: input.orderExternalId,
        });
      if (input.lines.some((l) => !(l.restock ?? input.restock)) && !cfg.refundAccount)
        throw fail('refunds without restock need `refundAccount` (the G/L account BC books them to)', 'CONFIG_MISSING', { field: 'refundAccount' });
      await checkItems(input.lines.map((l) => l.sku));
      const lines: Rec[] = [];
      for (const l of input.lines) {
        const tax = await checkTax(lineCodes(l));
        // Item lines return the goods to stock when posted; G/L lines (BC connector's "non-restock") do not.
        const wh = l.warehouse ?? input.warehouse;
        lines.push(
          (l.restock ?? input.restock)
            ? {
                lineType: 'Item',
                lineObjectNumber: l.sku,
                quantity: Number(l.quantity),
                unitPrice: Number(l.unitPrice),
                taxCode: tax,
                ...(wh ? { locationId: await bc.locationId(wh) } : {}),
              }
            : {
                lineType: 'Account',
                lineObjectNumber: cfg.refundAccount,
                description: `${l.sku} refund`,
                quantity: Number(l.quantity),
                unitPrice: Number(l.unitPrice),
                taxCode: tax,
              },
        );
      }
      for (const sh of input.shipping ?? [])
        lines.push({
          lineType: 'Item',
          lineObjectNumber: shippingItem,
          description: sh.description,
          quantity: 1,
          unitPrice: Number(sh.amount),
          taxCode: await checkTax(lineCodes(sh)),
        });
      // Refund differences (goodwill, store credit, discrepancies) as untaxed G/L lines on their account.
      for (const a of input.adjustments ?? [])
        lines.push({ lineType: 'Account', lineObjectNumber: a.account, description: a.description, quantity: 1, unitPrice: Number(a.amount) });
      await bc.send('POST', 'salesCreditMemos', {
        externalDocumentNumber: input.externalId,
        customerNumber: order.customerNumber,
        creditMemoDate: input.date,
        currencyCode: order.currencyCode ?? '',
        salesCreditMemoLines: lines,
      });
      memo = (await find())!;
    }
    checkMemoDraft(memo, input);
    await bc.send('POST', `salesCreditMemos(${memo.id})/Microsoft.NAV.post`);
    return { created: true, document: await toMemo((await find())!, input) };
  }

  /**
   * BC computes the memo's tax itself: the draft is posted only when it credits what Shopify refunded (lines, Shopify's
   * refunded tax where given, shipping, adjustments). Otherwise it stays a draft and nothing is booked.
   */
  function checkMemoDraft(memo: Rec, input: CreditMemoInput): void {
    const net = sum([
      ...input.lines.map((l) => n(l.unitPrice).times(l.quantity).toDecimalPlaces(2)),
      ...(input.shipping ?? []).map((x) => n(x.amount)),
      ...(input.adjustments ?? []).map((a) => n(a.amount)),
    ]);
    const parts = [...input.lines, ...(input.shipping ?? [])];
    const tax = parts.every((p) => p.taxes || !p.taxCodes?.length) ? sum(parts.flatMap((p) => (p.taxes ?? []).map((t) => n(t.amount)))) : null;
    const got = { net: n(memo.totalAmountExcludingTax), tax: n(memo.totalTaxAmount) };
    const diffs = [
      ...(got.net.eq(net) ? [] : [`net Business Central ${money(got.net)} vs Shopify ${money(net)}`]),
      ...(tax === null || got.tax.eq(tax) ? [] : [`tax Business Central ${money(got.tax)} vs Shopify ${money(tax)}`]),
    ];
    if (diffs.length) {
      throw fail(
        `credit memo ${memo.number} for refund ${input.externalId} does not match Shopify's refund: ${diffs.join(', ')}; it is kept as a draft and nothing was booked`,
        'CREDIT_MEMO_MISMATCH',
        {
          number: memo.number,
          externalId: input.externalId,
          erp: { net: money(got.net), tax: money(got.tax) },
          shopify: { net: money(net), tax: tax === null ? null : money(tax) },
          draft: true,
        },
      );
    }
  }

  const isJournalNo = (x: string) => {
    if (x.length > 20) throw fail(`payout id ${x} is longer than BC's 20-character document number`, 'INVALID_INPUT', { field: 'externalId' });
    return x;
  };

  async function entryFromGl(externalId: string): Promise<ErpJournalEntry | null> {
    const gl = await bc.list(`generalLedgerEntries?${filter(`documentNumber eq ${s(externalId)}`)}`);
    const [first] = gl;
    if (!first) return null;
    const lines = gl.map((e) => ({
      account: e.accountNumber,
      debit: money(n(e.debitAmount)),
      credit: money(n(e.creditAmount)),
      description: e.description || null,
    }));
    return {
      id: externalId,
      externalId,
      number: externalId,
      date: first.postingDate,
      description: first.description ?? '',
      posted: true,
      lines,
      totals: { debit: money(sum(lines.map((l) => l.debit))), credit: money(sum(lines.map((l) => l.credit))) },
    };
  }

  async function postJournal(input: JournalInput): Promise<Posted<ErpJournalEntry>> {
    // Journal lines are posted in the local currency: amounts in another would be booked as LCY.
    checkCurrency('business-central', lcy, input.currency, `journal ${input.externalId}`);
    const doc = isJournalNo(input.externalId);
    const existing = await entryFromGl(doc);
    if (existing) return { created: false, document: existing };
    const d = sum(input.lines.map((l) => l.debit ?? '0'));
    const c = sum(input.lines.map((l) => l.credit ?? '0'));
    if (!d.eq(c))
      throw fail(`journal ${doc} does not balance: debit ${money(d)} vs credit ${money(c)}`, 'UNBALANCED_JOURNAL', { debit: money(d), credit: money(c) });
    const [journal] = await bc.list(`journals?${filter(`code eq ${s(cfg.journalCode ?? 'GENERAL')}`)}`);
    if (!journal) throw fail(`general journal batch ${cfg.journalCode ?? 'GENERAL'} does not exist`, 'CONFIG_MISSING', { field: 'journalCode' });
    // Lines left by an attempt that stopped before posting are replaced, so they are never posted twice.
    const stale = await bc.list(`journals(${journal.id})/journalLines?${filter(`documentNumber eq ${s(doc)}`)}`);
    await bc.batch([
      ...stale.map((l) => ({ method: 'DELETE', url: `journals(${journal.id})/journalLines(${l.id})` })),
      ...input.lines.map((l) => ({
        method: 'POST',
        url: `journals(${journal.id})/journalLines`,
        body: {
          accountType: 'G/L Account',
          accountNumber: l.account,
          postingDate: input.date,
          documentNumber: doc,
          description: l.description ?? input.description,
          amount: n(l.debit ?? 0)
            .minus(l.credit ?? 0)
            .toNumber(),
        },
      })),
    ]);
    await bc.send('POST', `journals(${journal.id})/Microsoft.NAV.post`);
    const posted = await entryFromGl(doc);
    if (!posted) throw erpError('business-central', `journal ${doc} was posted but no G/L entries were found`, { errorClass: 'ambiguous', code: 'ERP_STATE' });
    return { created: true, document: { ...posted, description: input.description } };
  }

  async function listLedger(q: LedgerQuery): Promise<LedgerLine[]> {
    const f = [`postingDate ge ${q.from}`, `postingDate le ${q.to}`, ...(q.accounts?.length ? [`(${eqAny('accountNumber', q.accounts)})`] : [])].join(' and ');
    const rows = await bc.list(`generalLedgerEntries?${filter(f)}&$orderby=entryNumber asc`);
    return rows.map((e) => {
      const type: LedgerLine['source']['type'] =
        e.documentType === 'Invoice'
          ? 'invoice'
          : e.documentType === 'Credit_x0020_Memo' || e.documentType === 'Credit Memo'
            ? 'credit-memo'
            : e.documentType
              ? 'other'
              : 'journal';
      return {
        id: String(e.entryNumber),
        entryId: e.documentNumber,
        entryNumber: e.documentNumber,
        date: e.postingDate,
        account: e.accountNumber,
        debit: money(n(e.debitAmount)),
        credit: money(n(e.creditAmount)),
        description: e.description || null,
        source: { type, externalId: type === 'journal' ? e.documentNumber : null, number: e.documentNumber },
        reconciled: false,
      };
    });
  }

  return {
    kind: 'business-central',
    capabilities: {
      items: true,
      warehouses: true,
      taxCodes: true,
      customers: true,
      salesOrders: true,
      cancelSalesOrder: true,
      fulfilments: true,
      fulfilmentTracking: false,
      stockPerWarehouse: false,
      creditMemos: true,
      restock: true,
      journals: true,
      ledger: true,
      ship: false,
      draftSalesOrders: true,
    },
    limits: { concurrency: cfg.concurrency ?? 5, rate: { requests: cfg.requestsPer5Min ?? 6000, windowMs: 300_000 } },
    async findItems(skus) {
      return (await items(skus)).map(itemOf);
    },
    async searchItems(text, limit) {
      // Item numbers are Code fields (upper case); a display name is compared as Business Central compares text, by
      // case, so the text is also tried as typed, in lower, upper and title case.
      const names = [...new Set([text, text.toLowerCase(), text.toUpperCase(), text.toLowerCase().replace(/(^|\s)\S/g, (c) => c.toUpperCase())])];
      const any = [`contains(number,${s(text.toUpperCase())})`, ...names.map((x) => `contains(displayName,${s(x)})`)].join(' or ');
      const top = Math.max(1, Math.min(limit, 1000));
      return (await bc.list(`items?${filter(`blocked eq false and (${any})`)}&$orderby=number&$top=${top}`, top)).map(itemOf);
    },
    async listWarehouses() {
      return (await bc.locations()).map((l) => ({ id: l.id, code: l.code, name: l.displayName }));
    },
    async listTaxCodes() {
      // Rates live in tax jurisdictions/VAT setup, which the standard API does not expose: rate is ''.
      return (await bc.taxGroups()).map((g) => ({ id: g.id, code: g.code, name: g.displayName, rate: '' }));
    },
    upsertCustomer: async (c) => upsertCustomer(parseInput(customerSchema, c, 'customer')),
    listPaymentTerms: async () => (await bc.paymentTerms()).map((t) => ({ id: t.id, name: t.displayName ?? t.code, code: t.code })),
    createSalesOrder: async (i, o) => createSalesOrder(parseInput(salesOrderSchema, i, 'sales order'), o),
    confirmSalesOrder: async (id, o) => confirmSalesOrder(String(id), o),
    getSalesOrder: async (id) => {
      const o = await findOrder(String(id));
      if (o) return toOrder(o);
      const q = await findQuote(String(id));
      return q ? quoteAsOrder(q) : null;
    },
    findSalesOrders,
    cancelSalesOrder: async (id) => cancelSalesOrder(String(id)),
    listFulfilments: async (o) => listFulfilments(o),
    getStock: async (o) => getStock(o),
    stockChanges: async (o) => stockChanges(o),
    createCreditMemo: async (m) => createCreditMemo(parseInput(creditMemoSchema, m, 'credit memo')),
    postJournal: async (j) => postJournal(parseInput(journalSchema, j, 'journal')),
    listLedger: async (q) => listLedger(parseInput(ledgerQuerySchema, q, 'ledger query')),
    companyCurrency: async () => lcy,
    close: () => bc.http.close(),
  };
}

/** The salesOrder / salesQuote ship-to fields of API v2.0. */
function bcShipTo(a: Address): Record<string, string> {
  const out: Record<string, string | undefined> = {
    shipToName: a.name,
    shipToAddressLine1: a.street,
    shipToAddressLine2: a.street2,
    shipToCity: a.city,
    shipToState: a.province,
    shipToPostCode: a.zip,
    shipToCountry: a.country,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => !!e[1]));
}
