// NetSuite REST connector (record API + SuiteQL), to Oracle's documentation. NOT yet verified against a live
// account: contract-tested against a local fake that follows the documented request/response shapes.
// Idempotency: every document carries an external id (`shopify-order-<id>`...); creates look it up first, and a
// duplicate reported by NetSuite on a racing create resolves to the existing record.
import type {
  CreditMemoInput,
  CustomerInput,
  Address,
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
import { netUnitPrice } from '../shared/pricing.ts';
import { creditMemoSchema, customerSchema, journalSchema, ledgerQuerySchema, parseInput, salesOrderSchema } from '../shared/schemas.ts';
import { NodeError } from '../../../runtime/node-api.ts';
import { eid, NetSuiteClient, q, unEid, type NetSuiteConfig } from './client.ts';

type Rec = Record<string, any>;
const n = (v: unknown) => new Decimal(v == null || v === '' ? 0 : String(v));
const isDuplicate = (e: unknown) => e instanceof NodeError && /^DUP_/.test(String(e.details?.erpCode ?? ''));

/** The SuiteQL condition for transactions after a `lastmodifieddate|transaction id` cursor ('' without one). */
function afterTransaction(since: string | null | undefined, what: string): string {
  if (!since) return '';
  const [at, id] = since.split('|');
  if (at === undefined || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(at) || !/^\d+$/.test(id ?? '')) {
    throw erpError('netsuite', `invalid ${what} cursor ${JSON.stringify(since)}`, {
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { field: 'since' },
    });
  }
  const ts = `TO_TIMESTAMP(${q(at)}, 'YYYY-MM-DD HH24:MI:SS')`;
  return ` AND (t.lastmodifieddate > ${ts} OR (t.lastmodifieddate = ${ts} AND t.id > ${Number(id)}))`;
}

type ItemRow = { id: string; itemid: string; displayname: string | null; itemtype: string; isinactive: string; baseprice?: string | number | null };

const itemOf = (r: ItemRow): ErpItem => ({
  id: String(r.id),
  sku: r.itemid,
  name: r.displayname ?? r.itemid,
  type: r.itemtype === 'InvtPart' || r.itemtype === 'Assembly' ? 'goods' : 'service',
  unitPrice: null,
  active: r.isinactive !== 'T',
});

export function createNetSuiteConnector(cfg: NetSuiteConfig): ErpConnector {
  const ns = new NetSuiteClient(cfg);

  async function items(skus: string[]) {
    if (!skus.length) return [];
    return ns.suiteql<ItemRow>(`SELECT id, itemid, displayname, itemtype, isinactive FROM item WHERE itemid IN (${[...new Set(skus)].map(q).join(', ')})`);
  }

  async function itemIds(skus: string[]): Promise<Map<string, string>> {
    const rows = (await items(skus)).filter((r) => r.isinactive !== 'T');
    const m = new Map<string, string>();
    const dup = new Set<string>();
    for (const r of rows) m.has(r.itemid) ? dup.add(r.itemid) : m.set(r.itemid, String(r.id));
    const missing = [...new Set(skus)].filter((s) => !m.has(s));
    if (missing.length)
      throw erpError('netsuite', `SKU not found in NetSuite: ${missing.join(', ')}`, {
        errorClass: 'permanent',
        code: 'SKU_NOT_FOUND',
        details: { skus: missing },
      });
    if (dup.size)
      throw erpError('netsuite', `SKU matches several NetSuite items: ${[...dup].join(', ')}`, {
        errorClass: 'permanent',
        code: 'DUPLICATE_SKU',
        details: { skus: [...dup] },
      });
    return m;
  }

  async function ensureCustomer(c: CustomerInput): Promise<string> {
    const existing = await ns.record('customer', `eid:${eid('shopify-customer', c.externalId)}`);
    if (existing) return String(existing.id);
    return (await upsertCustomer(c)).document.id;
  }

  async function upsertCustomer(
    c: CustomerInput,
  ): Promise<Posted<{ id: string; externalId: string; name: string; email: string | null; phone: string | null }>> {
    const key = `eid:${eid('shopify-customer', c.externalId)}`;
    const before = await ns.record('customer', key);
    const [first, ...rest] = c.name.split(' ');
    // Upsert = PUT on the external id (the only documented upsert form).
    await ns.http.request('PUT', `record/v1/customer/${key}`, {
      body: { isPerson: true, firstName: first, lastName: rest.join(' ') || first, email: c.email ?? undefined, phone: c.phone ?? undefined },
    });
    const r = (await ns.record('customer', key))!;
    return {
      created: !before,
      document: {
        id: String(r.id),
        externalId: c.externalId,
        name: [r.firstName, r.lastName].filter(Boolean).join(' ') || r.companyName || c.name,
        email: r.email ?? null,
        phone: r.phone ?? null,
      },
    };
  }

  const STATUS: Record<string, ErpSalesOrder['status']> = {
    A: 'draft',
    B: 'open',
    C: 'cancelled',
    D: 'partially-fulfilled',
    E: 'partially-fulfilled',
    F: 'fulfilled',
    G: 'fulfilled',
    H: 'cancelled',
  };

  async function toOrder(r: Rec): Promise<ErpSalesOrder> {
    const cust = r.entity?.id ? await ns.record('customer', String(r.entity.id)) : null;
    const raw: Rec[] = r.item?.items ?? [];
    const details: Rec[] = r.taxDetailsOverride ? (r.taxDetails?.items ?? []) : [];
    const detail = (pick: (d: Rec) => boolean) => {
      const ds = details.filter(pick);
      return ds.length ? { amount: sum(ds.map((d) => n(d.taxAmount))), code: [...new Set(ds.map((d) => d.taxCode?.refName ?? ''))].sort().join(',') } : null;
    };
    const lines: ErpSalesOrder['lines'] = [];
    for (const l of raw) {
      const isDiscount = cfg.discountItemId && String(l.item?.id) === cfg.discountItemId;
      const prev = lines.at(-1);
      if (isDiscount && prev) {
        prev.discount = money(n(prev.discount).plus(n(l.amount).abs()));
        prev.net = money(n(prev.net).plus(n(l.amount)));
        continue;
      }
      const given = l.taxDetailsReference ? detail((d) => d.taxDetailsReference === l.taxDetailsReference) : null;
      lines.push({
        sku: l.item?.refName ?? '',
        description: l.description ?? '',
        quantity: qty(n(l.quantity)),
        unitPrice: money(n(l.rate)),
        discount: '0.00',
        taxCode: given?.code ?? l.taxCode?.refName ?? null,
        net: money(n(l.amount)),
        taxAmount: money(given?.amount ?? n(l.taxAmount ?? l.tax1Amt)),
        warehouse: l.location?.refName ?? r.location?.refName ?? '',
      });
    }
    const statusId = String(r.status?.id ?? r.orderStatus?.id ?? 'B');
    const tax = n(r.taxTotal);
    const shipTax = detail((d) => d.lineType === 'Shipping');
    return {
      id: String(r.id),
      externalId: unEid('shopify-order', r.externalId) ?? '',
      number: r.tranId ?? '',
      reference: r.otherRefNum ?? '',
      customer: { id: String(r.entity?.id ?? ''), externalId: unEid('shopify-customer', cust?.externalId) ?? '', name: r.entity?.refName ?? '' },
      currency: r.currency?.refName ?? '',
      date: r.tranDate ?? '',
      status: STATUS[statusId] ?? 'open',
      warehouse: r.location?.refName ?? '',
      paymentTerms: r.terms?.id ? (r.terms.refName ?? (await ns.codeOf('term', String(r.terms.id)))) : null,
      lines,
      shipping: r.shippingCost
        ? [
            {
              description: r.shipMethod?.refName ?? 'Shipping',
              amount: money(n(r.shippingCost)),
              discount: '0.00',
              taxCode: shipTax?.code ?? r.shippingTaxCode?.refName ?? null,
              net: money(n(r.shippingCost)),
              taxAmount: money(shipTax?.amount ?? n(r.shippingTax1Amt)),
            },
          ]
        : [],
      totals: { net: money(n(r.total).minus(tax)), tax: money(tax), gross: money(n(r.total)) },
    };
  }

  async function getSalesOrder(externalId: string): Promise<ErpSalesOrder | null> {
    const r = await ns.record('salesOrder', `eid:${eid('shopify-order', externalId)}`);
    return r ? toOrder(r) : null;
  }

  /**
   * The internal id of the active term by this name. NetSuite's own spelling wins; otherwise the one term whose name
   * differs only in case, since the name arrives from Shopify's terms ("Net 30", "Due on receipt") mapped by hand.
   */
  async function termId(name: string): Promise<string> {
    const match = (terms: Map<string, string>) => {
      const folded = [...terms].filter(([t]) => t.toLowerCase() === name.toLowerCase());
      return terms.get(name) ?? (folded.length === 1 ? folded[0]![1] : undefined);
    };
    let terms = await ns.ids('term');
    let id = match(terms);
    if (!id) {
      // Terms are few and made rarely: one made in NetSuite since the list was read is found on a second look.
      ns.forget('term');
      id = match((terms = await ns.ids('term')));
    }
    if (id) return id;
    const known = [...terms.keys()].sort();
    throw erpError('netsuite', `Payment term ${JSON.stringify(name)} does not exist in NetSuite (known: ${known.join(', ')})`, {
      errorClass: 'permanent',
      code: 'PAYMENT_TERM_NOT_FOUND',
      details: { field: 'paymentTerms', value: name, known },
    });
  }

  const taxCodeId = (code: string) => ns.idOf('salestaxitem', code, 'TAX_CODE_NOT_FOUND', 'Tax code');
  const taxId = async (codes: string[] = []) => {
    const [code, ...more] = codes;
    if (code === undefined) return undefined;
    if (more.length)
      throw erpError('netsuite', `one tax code per line in NetSuite, got ${codes.join(', ')} (map stacked taxes to a tax group)`, {
        errorClass: 'permanent',
        code: 'UNSUPPORTED',
        details: { value: codes },
      });
    return { id: await taxCodeId(code) };
  };

  /**
   * Shopify's tax as NetSuite's SuiteTax tax details override: `taxDetailsOverride: true` and one `taxDetails` line
   * per Shopify tax line, tied to its item line by `taxDetailsReference` (shipping by lineType "Shipping"), so
   * NetSuite records the amounts Shopify charged instead of computing them. Null when no line gives Shopify's tax.
   */
  async function taxDetails(
    parts: Array<{ ref: string; lineType: 'Item' | 'Shipping'; basis: Decimal; taxes?: Array<{ code: string; amount: string }> }>,
  ): Promise<Rec | null> {
    if (!parts.some((p) => p.taxes)) return null;
    const items: Rec[] = [];
    for (const p of parts) {
      for (const t of p.taxes ?? []) {
        items.push({
          taxDetailsReference: p.ref,
          lineType: p.lineType,
          taxCode: { id: await taxCodeId(t.code) },
          taxBasis: p.basis.toNumber(),
          taxAmount: n(t.amount).toNumber(),
        });
      }
    }
    return { taxDetailsOverride: true, taxDetails: { items } };
  }

  /** Sales order heads in one SuiteQL query per 500 external ids (Oracle's IN list holds at most 1,000). */
  async function findSalesOrders(externalIds: string[]): Promise<ErpSalesOrderHead[]> {
    const ids = [...new Set(externalIds.map(String))];
    const out: ErpSalesOrderHead[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows =
        await ns.suiteql<Rec>(`SELECT t.id, t.externalid, t.tranid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, t.status, BUILTIN.DF(t.currency) AS currency, t.foreigntotal, t.taxtotal
        FROM transaction t WHERE t.type = 'SalesOrd' AND t.externalid IN (${ids
          .slice(i, i + 500)
          .map((id) => q(eid('shopify-order', id)))
          .join(', ')}) ORDER BY t.id`);
      for (const r of rows) {
        const externalId = unEid('shopify-order', r.externalid) ?? '';
        if (seen.has(externalId)) continue;
        seen.add(externalId);
        const gross = n(r.foreigntotal);
        const tax = n(r.taxtotal);
        out.push({
          id: String(r.id),
          externalId,
          number: r.tranid ?? '',
          date: r.trandate ?? '',
          status:
            STATUS[
              String(r.status ?? 'B')
                .split(':')
                .pop()!
            ] ?? 'open',
          currency: r.currency ?? '',
          totals: { net: money(gross.minus(tax)), tax: money(tax), gross: money(gross) },
        });
      }
    }
    return out;
  }

  async function createSalesOrder(input: SalesOrderInput, opts: { confirm?: boolean } = {}): Promise<Posted<ErpSalesOrder>> {
    const draft = opts.confirm === false;
    const found = await ns.record('salesOrder', `eid:${eid('shopify-order', input.externalId)}`);
    if (found && !(draft && String(found.orderStatus?.id ?? found.status?.id) === 'A')) return { created: false, document: await toOrder(found) };
    // Before anything is written (the draft deleted, the customer created): an unknown term leaves NetSuite untouched.
    const terms = input.paymentTerms ? { id: await termId(input.paymentTerms) } : undefined;
    // A draft (Pending Approval) left by a failed check is replaced by the new input: a replay after a fix.
    if (found) await ns.http.request('DELETE', `record/v1/salesOrder/${found.id}`);
    const ids = await itemIds(input.lines.map((l) => l.sku));
    const location = await ns.idOf('location', input.warehouse, 'WAREHOUSE_NOT_FOUND', 'Location');
    const currency = await ns.idOf('currency', input.currency, 'CURRENCY_NOT_FOUND', 'Currency');
    if (input.pricesIncludeTax) {
      throw erpError(
        'netsuite',
        'tax-inclusive prices: NetSuite computes tax on net rates; post net prices (or enable the account\'s "prices include tax" preference)',
        { errorClass: 'permanent', code: 'UNSUPPORTED', details: { field: 'pricesIncludeTax' } },
      );
    }
    const lines: Rec[] = [];
    const parts: Parameters<typeof taxDetails>[0] = [];
    for (const [i, l] of input.lines.entries()) {
      const loc = l.warehouse ? await ns.idOf('location', l.warehouse, 'WAREHOUSE_NOT_FOUND', 'Location') : location;
      const disc = n(l.discount ?? '0');
      const rate =
        cfg.discountItemId || disc.isZero() ? l.unitPrice : netUnitPrice({ unitPrice: l.unitPrice, quantity: l.quantity, discount: l.discount, rates: [] });
      const ref = `shopify-line-${i + 1}`;
      parts.push({ ref, lineType: 'Item', basis: n(l.unitPrice).times(l.quantity).minus(disc), taxes: l.taxes });
      lines.push({
        item: { id: ids.get(l.sku) },
        quantity: Number(l.quantity),
        rate: Number(rate),
        description: l.description,
        location: { id: loc },
        taxDetailsReference: ref,
        ...(l.taxes ? {} : { taxCode: await taxId(l.taxCodes) }),
      });
      if (cfg.discountItemId && !disc.isZero()) lines.push({ item: { id: cfg.discountItemId }, rate: -disc.toNumber(), amount: -disc.toNumber() });
    }
    const shipping = sum((input.shipping ?? []).map((s) => n(s.amount).minus(s.discount ?? '0')));
    const shipTaxes = input.shipping?.some((s) => s.taxes) ? input.shipping.flatMap((s) => s.taxes ?? []) : undefined;
    parts.push({ ref: 'shipping', lineType: 'Shipping', basis: shipping, taxes: shipTaxes });
    const override = await taxDetails(parts);
    const customer = await ensureCustomer(input.customer);
    try {
      await ns.create('salesOrder', {
        externalId: eid('shopify-order', input.externalId),
        entity: { id: customer },
        tranDate: input.date,
        currency: { id: currency },
        location: { id: location },
        otherRefNum: input.reference,
        memo: `Shopify order ${input.reference}`,
        // This order's own ship-to: NetSuite would otherwise take the customer's default shipping address.
        ...(input.shipTo ? { shippingAddress: nsAddress(input.shipTo) } : {}),
        // Without one NetSuite gives the order the customer's default terms, which is the contract's "ERP default".
        ...(terms ? { terms } : {}),
        // Pending Approval: a draft that commits no stock and is not billable until approved.
        ...(draft ? { orderStatus: { id: 'A' } } : {}),
        ...(shipping.isZero()
          ? {}
          : { shippingCost: shipping.toNumber(), ...(shipTaxes ? {} : { shippingTaxCode: await taxId(input.shipping?.[0]?.taxCodes) }) }),
        item: { items: lines },
        ...(override ?? {}),
      });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      return { created: false, document: (await getSalesOrder(input.externalId))! };
    }
    return { created: true, document: (await getSalesOrder(input.externalId))! };
  }

  /** Approves a Pending Approval order once its totals are Shopify's (see ErpConnector.confirmSalesOrder). */
  async function confirmSalesOrder(externalId: string, opts: { expected?: { net: string; tax: string; gross: string } } = {}): Promise<ErpSalesOrder> {
    const r = await ns.record('salesOrder', `eid:${eid('shopify-order', externalId)}`);
    if (!r)
      throw erpError('netsuite', `no sales order for Shopify order ${externalId}`, {
        errorClass: 'permanent',
        code: 'SALES_ORDER_NOT_FOUND',
        details: { externalId },
      });
    const o = await toOrder(r);
    if (o.status !== 'draft') return o;
    const expected = opts.expected;
    if (expected) {
      const diffs = (['net', 'tax', 'gross'] as const).filter((k) => !n(expected[k]).eq(o.totals[k]));
      if (diffs.length) {
        throw erpError(
          'netsuite',
          `sales order ${o.number} (pending approval) does not match the expected totals: ${diffs.map((k) => `${k} NetSuite ${o.totals[k]} vs expected ${money(n(expected[k]))}`).join(', ')}; it was not approved`,
          {
            errorClass: 'permanent',
            code: 'TOTALS_MISMATCH',
            details: { number: o.number, externalId, fields: diffs, erpTotals: o.totals, expected, draft: true },
          },
        );
      }
    }
    await ns.http.request('PATCH', `record/v1/salesOrder/${r.id}`, { body: { orderStatus: { id: 'B' } } });
    return (await getSalesOrder(externalId))!;
  }

  async function cancelSalesOrder(externalId: string): Promise<ErpSalesOrder> {
    const r = await ns.record('salesOrder', `eid:${eid('shopify-order', externalId)}`);
    if (!r)
      throw erpError('netsuite', `no sales order for Shopify order ${externalId}`, {
        errorClass: 'permanent',
        code: 'SALES_ORDER_NOT_FOUND',
        details: { externalId },
      });
    const o = await toOrder(r);
    if (o.status === 'cancelled') return o;
    if (o.status !== 'open' && o.status !== 'draft')
      throw erpError('netsuite', `sales order ${o.number} cannot be cancelled: ${r.status?.refName ?? o.status}`, {
        errorClass: 'permanent',
        code: 'CANNOT_CANCEL',
        details: { externalId },
      });
    // NetSuite has no REST cancel action: closing every line closes the order and releases its commitments.
    await ns.http.request('PATCH', `record/v1/salesOrder/${r.id}`, {
      body: { item: { items: (r.item?.items ?? []).map((l: Rec) => ({ line: l.line, isClosed: true })) } },
    });
    return (await getSalesOrder(externalId))!;
  }

  async function listFulfilments(opts: { since?: string | null; limit?: number }) {
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
    const where = afterTransaction(opts.since, 'fulfilment');
    const rows = await ns.suiteql<{ id: string | number; modified: string }>(
      `SELECT t.id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM transaction t WHERE t.type = 'ItemShip' AND t.status = 'C'${where} ORDER BY t.lastmodifieddate, t.id`,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const fulfilments: ErpFulfilment[] = [];
    for (const row of page) {
      const f = (await ns.record('itemFulfillment', String(row.id)))!;
      const so = f.createdFrom?.id ? await ns.record('salesOrder', String(f.createdFrom.id)) : null;
      const its: Rec[] = f.item?.items ?? [];
      fulfilments.push({
        id: String(f.id),
        number: f.tranId ?? '',
        salesOrderId: String(f.createdFrom?.id ?? ''),
        externalOrderId: unEid('shopify-order', so?.externalId) ?? '',
        warehouse: its[0]?.location?.refName ?? '',
        completedAt: row.modified.replace(' ', 'T') + 'Z',
        lines: its.filter((l) => l.itemReceive !== false).map((l) => ({ sku: l.item?.refName ?? '', quantity: qty(n(l.quantity)) })),
        tracking: {
          number: f.package?.items?.[0]?.packageTrackingNumber ?? f.linkedTrackingNumbers ?? null,
          company: f.shipMethod?.refName ?? null,
          url: null,
        },
      });
    }
    const last = page[page.length - 1];
    return { fulfilments, cursor: last ? `${last.modified}|${last.id}` : (opts.since ?? null), hasMore: rows.length > limit };
  }

  async function getStock(opts: { skus?: string[]; warehouses?: string[] }): Promise<StockLevel[]> {
    if (opts.skus && !opts.skus.length) return [];
    const conds = [opts.skus ? `i.itemid IN (${[...new Set(opts.skus)].map(q).join(', ')})` : "i.itemtype = 'InvtPart'"];
    if (opts.warehouses?.length) {
      for (const w of opts.warehouses) await ns.idOf('location', w, 'WAREHOUSE_NOT_FOUND', 'Location');
      conds.push(`l.name IN (${opts.warehouses.map(q).join(', ')})`);
    }
    const rows = await ns.suiteql<{ sku: string; warehouse: string; onhand: string | number | null; available: string | number | null }>(
      `SELECT i.itemid AS sku, l.name AS warehouse, il.quantityonhand AS onhand, il.quantityavailable AS available FROM inventoryitemlocations il JOIN item i ON i.id = il.item JOIN location l ON l.id = il.location WHERE ${conds.join(' AND ')} ORDER BY l.name, i.itemid`,
    );
    return rows.map((r) => ({ sku: r.sku, warehouse: r.warehouse, onHand: qty(n(r.onhand)), available: qty(n(r.available)) }));
  }

  /**
   * Stock change feed: the items on inventory-affecting transaction lines saved after the cursor
   * (`lastmodifieddate|transaction id`). Not the item record's lastModifiedDate: quantities live on
   * inventoryitemlocations and move with transactions, which leave the item record untouched.
   */
  async function stockChanges(opts: { since?: string | null; limit?: number }): Promise<StockChangePage> {
    const limit = Math.min(Math.max(opts.limit ?? 1000, 1), 10_000);
    const where = afterTransaction(opts.since, 'stock change');
    const rows = await ns.suiteql<{ sku: string; id: string | number; modified: string }>(
      `SELECT i.itemid AS sku, t.id AS id, TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM transactionline tl JOIN transaction t ON t.id = tl.transaction JOIN item i ON i.id = tl.item WHERE tl.isinventoryaffecting = 'T' AND i.itemtype = 'InvtPart'${where} ORDER BY t.lastmodifieddate, t.id`,
    );
    const skus = new Set<string>();
    let last: { id: string; modified: string } | null = null;
    let taken = 0;
    for (const r of rows) {
      // A page ends between transactions only: the cursor cannot point inside one.
      const sameTx = last !== null && String(r.id) === last.id && r.modified === last.modified;
      if (!sameTx && !skus.has(r.sku) && skus.size >= limit) break;
      skus.add(r.sku);
      last = { id: String(r.id), modified: r.modified };
      taken++;
    }
    return { skus: [...skus], cursor: last ? `${last.modified}|${last.id}` : (opts.since ?? null), hasMore: taken < rows.length };
  }

  async function toMemo(r: Rec, orderExternalId: string): Promise<ErpCreditMemo> {
    const its: Rec[] = r.item?.items ?? [];
    const tax = n(r.taxTotal);
    const details: Rec[] = r.taxDetailsOverride ? (r.taxDetails?.items ?? []) : [];
    const given = (pick: (d: Rec) => boolean) => {
      const ds = details.filter(pick);
      return ds.length ? sum(ds.map((d) => n(d.taxAmount))) : null;
    };
    return {
      id: String(r.id),
      externalId: unEid('shopify-refund', r.externalId) ?? '',
      number: r.tranId ?? '',
      salesOrderId: String(r.createdFrom?.id ?? ''),
      orderExternalId,
      customer: { id: String(r.entity?.id ?? ''), externalId: '', name: r.entity?.refName ?? '' },
      currency: r.currency?.refName ?? '',
      date: r.tranDate ?? '',
      restock: false,
      lines: its.map((l) => ({
        sku: l.item?.refName ?? '',
        quantity: qty(n(l.quantity)),
        unitPrice: money(n(l.rate)),
        taxCode: l.taxCode?.refName ?? null,
        net: money(n(l.amount)),
        taxAmount: money(given((d) => d.taxDetailsReference === l.taxDetailsReference) ?? n(l.taxAmount ?? l.tax1Amt)),
      })),
      shipping: r.shippingCost
        ? [
            {
              description: 'Shipping refund',
              net: money(n(r.shippingCost)),
              taxCode: r.shippingTaxCode?.refName ?? null,
              taxAmount: money(given((d) => d.lineType === 'Shipping') ?? n(r.shippingTax1Amt)),
            },
          ]
        : [],
      totals: { net: money(n(r.total).minus(tax)), tax: money(tax), gross: money(n(r.total)) },
    };
  }

  async function createCreditMemo(input: CreditMemoInput): Promise<Posted<ErpCreditMemo>> {
    const key = `eid:${eid('shopify-refund', input.externalId)}`;
    const existing = await ns.record('creditMemo', key);
    if (existing) return { created: false, document: await toMemo(existing, input.orderExternalId) };
    if (input.lines.some((l) => l.restock ?? input.restock)) {
      throw erpError('netsuite', 'restocking refunds need a return authorization and item receipt in NetSuite, which this connector does not create yet', {
        errorClass: 'permanent',
        code: 'UNSUPPORTED',
        details: { field: 'restock' },
      });
    }
    const so = await ns.record('salesOrder', `eid:${eid('shopify-order', input.orderExternalId)}`);
    if (!so)
      throw erpError('netsuite', `no sales order for Shopify order ${input.orderExternalId}`, {
        errorClass: 'permanent',
        code: 'SALES_ORDER_NOT_FOUND',
        details: { field: 'orderExternalId', value: input.orderExternalId },
      });
    if (input.adjustments?.length) {
      // Never dropped silently: a memo without its adjustment would credit less (or more) than the cash returned.
      throw erpError(
        'netsuite',
        `credit memo adjustments (${input.adjustments.map((a) => `${a.amount} to ${a.account}`).join(', ')}) have no NetSuite line here: book them by journal, or refund lines equal to the cash`,
        { errorClass: 'permanent', code: 'UNSUPPORTED', details: { field: 'adjustments' } },
      );
    }
    const ids = await itemIds(input.lines.map((l) => l.sku));
    const lines: Rec[] = [];
    const parts: Parameters<typeof taxDetails>[0] = [];
    for (const [i, l] of input.lines.entries()) {
      const ref = `shopify-refund-line-${i + 1}`;
      parts.push({ ref, lineType: 'Item', basis: n(l.unitPrice).times(l.quantity), taxes: l.taxes });
      lines.push({
        item: { id: ids.get(l.sku) },
        quantity: Number(l.quantity),
        rate: Number(l.unitPrice),
        taxDetailsReference: ref,
        ...(l.taxes ? {} : { taxCode: await taxId(l.taxCodes) }),
      });
    }
    const shipping = sum((input.shipping ?? []).map((s) => n(s.amount)));
    const shipTaxes = input.shipping?.some((s) => s.taxes) ? input.shipping.flatMap((s) => s.taxes ?? []) : undefined;
    parts.push({ ref: 'shipping', lineType: 'Shipping', basis: shipping, taxes: shipTaxes });
    const override = await taxDetails(parts);
    if (input.pricesIncludeTax)
      throw erpError('netsuite', 'tax-inclusive refund prices: post net prices', {
        errorClass: 'permanent',
        code: 'UNSUPPORTED',
        details: { field: 'pricesIncludeTax' },
      });
    try {
      await ns.create('creditMemo', {
        externalId: eid('shopify-refund', input.externalId),
        entity: { id: so.entity?.id },
        tranDate: input.date,
        currency: so.currency ? { id: so.currency.id } : undefined,
        memo: input.reason ?? `Shopify refund ${input.externalId}`,
        otherRefNum: so.otherRefNum,
        item: { items: lines },
        ...(override ?? {}),
        ...(shipping.isZero() ? {} : { shippingCost: shipping.toNumber() }),
      });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      return { created: false, document: await toMemo((await ns.record('creditMemo', key))!, input.orderExternalId) };
    }
    return { created: true, document: await toMemo((await ns.record('creditMemo', key))!, input.orderExternalId) };
  }

  async function toEntry(r: Rec): Promise<ErpJournalEntry> {
    const lines = [];
    for (const l of (r.line?.items ?? []) as Rec[])
      lines.push({ account: await ns.codeOf('account', l.account?.id), debit: money(n(l.debit)), credit: money(n(l.credit)), description: l.memo ?? null });
    return {
      id: String(r.id),
      externalId: unEid('shopify-payout', r.externalId) ?? '',
      number: r.tranId ?? '',
      date: r.tranDate ?? '',
      description: r.memo ?? '',
      posted: r.approved !== false,
      lines,
      totals: { debit: money(sum(lines.map((l) => l.debit))), credit: money(sum(lines.map((l) => l.credit))) },
    };
  }

  async function postJournal(input: JournalInput): Promise<Posted<ErpJournalEntry>> {
    const key = `eid:${eid('shopify-payout', input.externalId)}`;
    const existing = await ns.record('journalEntry', key);
    if (existing) return { created: false, document: await toEntry(existing) };
    const d = sum(input.lines.map((l) => l.debit ?? '0'));
    const c = sum(input.lines.map((l) => l.credit ?? '0'));
    if (!d.eq(c))
      throw erpError('netsuite', `journal ${input.externalId} does not balance: debit ${money(d)} vs credit ${money(c)}`, {
        errorClass: 'permanent',
        code: 'UNBALANCED_JOURNAL',
        details: { debit: money(d), credit: money(c) },
      });
    const lines: Rec[] = [];
    for (const l of input.lines) {
      lines.push({
        account: { id: await ns.idOf('account', l.account, 'ACCOUNT_NOT_FOUND', 'GL account') },
        ...(l.debit ? { debit: Number(l.debit) } : {}),
        ...(l.credit ? { credit: Number(l.credit) } : {}),
        memo: l.description,
      });
    }
    try {
      await ns.create('journalEntry', {
        externalId: eid('shopify-payout', input.externalId),
        tranDate: input.date,
        memo: input.description,
        ...(cfg.subsidiaryId ? { subsidiary: { id: cfg.subsidiaryId } } : {}),
        ...(input.currency ? { currency: { id: await ns.idOf('currency', input.currency, 'CURRENCY_NOT_FOUND', 'Currency') } } : {}),
        line: { items: lines },
      });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      return { created: false, document: await toEntry((await ns.record('journalEntry', key))!) };
    }
    return { created: true, document: await toEntry((await ns.record('journalEntry', key))!) };
  }

  async function listLedger(query: LedgerQuery): Promise<LedgerLine[]> {
    const accounts = query.accounts?.length ? ` AND a.acctnumber IN (${query.accounts.map(q).join(', ')})` : '';
    const rows =
      await ns.suiteql<Rec>(`SELECT tal.transaction AS entryid, tal.transactionline AS lineid, t.tranid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, a.acctnumber, tal.debit, tal.credit, tl.memo, t.externalid, t.type
      FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN account a ON a.id = tal.account
      LEFT JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline
      WHERE tal.posting = 'T' AND t.trandate BETWEEN TO_DATE(${q(query.from)}, 'YYYY-MM-DD') AND TO_DATE(${q(query.to)}, 'YYYY-MM-DD')${accounts}
      ORDER BY t.trandate, tal.transaction, tal.transactionline`);
    const type = (t: string): LedgerLine['source']['type'] =>
      t === 'Journal' ? 'journal' : t === 'CustInvc' || t === 'CashSale' ? 'invoice' : t === 'CustCred' || t === 'CashRfnd' ? 'credit-memo' : 'other';
    return rows.map((r) => {
      const ext = String(r.externalid ?? '');
      const externalId = ext ? ext.replace(/^shopify-(order|refund|payout)-/, '') : null;
      return {
        id: `${r.entryid}:${r.lineid}`,
        entryId: String(r.entryid),
        entryNumber: r.tranid ?? '',
        date: r.trandate,
        account: String(r.acctnumber),
        debit: money(n(r.debit)),
        credit: money(n(r.credit)),
        description: r.memo ?? null,
        source: { type: type(r.type), externalId, number: r.tranid ?? null },
        reconciled: false,
      };
    });
  }

  return {
    kind: 'netsuite',
    capabilities: {
      items: true,
      warehouses: true,
      taxCodes: true,
      customers: true,
      salesOrders: true,
      cancelSalesOrder: true,
      fulfilments: true,
      fulfilmentTracking: true,
      stockPerWarehouse: true,
      creditMemos: true,
      restock: false,
      journals: true,
      ledger: true,
      ship: false,
      draftSalesOrders: true,
    },
    limits: { concurrency: cfg.concurrency ?? 5 },
    async findItems(skus) {
      return (await items(skus)).map(itemOf);
    },
    async searchItems(text, limit) {
      // Case-insensitive by item code or display name; LIKE's own wildcards in the text are matched as themselves.
      const like = `${q(`%${text.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`;
      const rows = await ns.suiteql<ItemRow>(
        `SELECT id, itemid, displayname, itemtype, isinactive FROM item WHERE isinactive = 'F' AND (UPPER(itemid) LIKE ${like} OR UPPER(displayname) LIKE ${like}) ORDER BY itemid`,
        limit,
      );
      return rows.map(itemOf);
    },
    async listWarehouses() {
      return [...(await ns.ids('location'))].map(([code, id]) => ({ id, code, name: code }));
    },
    async listTaxCodes() {
      const rows = await ns.suiteql<Rec>("SELECT id, itemid, description, rate FROM salestaxitem WHERE isinactive = 'F'");
      return rows.map((r) => ({
        id: String(r.id),
        code: r.itemid,
        name: r.description ?? r.itemid,
        rate: n(String(r.rate ?? '0').replace('%', ''))
          .div(100)
          .toString(),
      }));
    },
    upsertCustomer: async (c) => upsertCustomer(parseInput(customerSchema, c, 'customer')),
    listPaymentTerms: async () => [...(await ns.ids('term'))].map(([name, id]) => ({ id, name })),
    createSalesOrder: async (i, o) => createSalesOrder(parseInput(salesOrderSchema, i, 'sales order'), o),
    confirmSalesOrder: async (id, o) => confirmSalesOrder(String(id), o),
    getSalesOrder: async (id) => getSalesOrder(String(id)),
    findSalesOrders: async (ids) => findSalesOrders(ids),
    cancelSalesOrder: async (id) => cancelSalesOrder(String(id)),
    listFulfilments: async (o) => listFulfilments(o),
    getStock: async (o) => getStock(o),
    stockChanges: async (o) => stockChanges(o),
    createCreditMemo: async (m) => createCreditMemo(parseInput(creditMemoSchema, m, 'credit memo')),
    postJournal: async (j) => postJournal(parseInput(journalSchema, j, 'journal')),
    listLedger: async (x) => listLedger(parseInput(ledgerQuerySchema, x, 'ledger query')),
    close: () => ns.http.close(),
  };
}

/** A salesOrder's shippingAddress subrecord (addressee, addr1/addr2, city, state, zip, country). */
function nsAddress(a: Address): Record<string, string> {
  const out: Record<string, string | undefined> = {
    addressee: a.name,
    addr1: a.street,
    addr2: a.street2,
    city: a.city,
    state: a.province,
    zip: a.zip,
    country: a.country,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => !!e[1]));
}
