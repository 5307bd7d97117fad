// Sales orders, fulfilments, stock and credit memos of the sandbox ERP. Rules follow real ERPs: orders reserve
// stock, shipping consumes it, restocking credit memos return it; every document is unique by its external id.
import { restocksAny } from '../contract.ts';
import type {
  CreditMemoInput,
  ErpCreditMemo,
  ErpFulfilment,
  ErpSalesOrder,
  ErpSalesOrderHead,
  FulfilmentPage,
  Posted,
  SalesOrderInput,
  StockLevel,
} from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { currencyDigits, currencyText, roundToCurrency } from '../../core/currency.ts';
import { Decimal, qty, sum } from '../shared/money.ts';
import { givenTax, lineCodes, netUnitPrice } from '../shared/pricing.ts';
import { nextNumber, type Db } from './db.ts';
import { accountExists, invoiceLines, postEntry } from './ledger.ts';

const fail = (message: string, code: string, details: Record<string, unknown>) => erpError('sandbox', message, { errorClass: 'permanent', code, details });

export function warehouseId(db: Db, code: string): number {
  const r = db.prepare('SELECT id FROM warehouses WHERE code = ?').get(code) as { id: number } | undefined;
  if (!r) {
    const known = (db.prepare('SELECT code FROM warehouses ORDER BY code').all() as Array<{ code: string }>).map((w) => w.code);
    throw fail(`Warehouse ${JSON.stringify(code)} does not exist (known: ${known.join(', ')})`, 'WAREHOUSE_NOT_FOUND', { value: code, known });
  }
  return r.id;
}

/** The ERP's name of a payment term, matched without regard to case ("net 30" is Net 30). */
function paymentTermName(db: Db, name: string): string {
  const r = db.prepare('SELECT name FROM payment_terms WHERE name = ?').get(name) as { name: string } | undefined;
  if (!r) {
    const known = (db.prepare('SELECT name FROM payment_terms ORDER BY days, name').all() as Array<{ name: string }>).map((t) => t.name);
    throw fail(`Payment term ${JSON.stringify(name)} does not exist (known: ${known.join(', ')})`, 'PAYMENT_TERM_NOT_FOUND', {
      field: 'paymentTerms',
      value: name,
      known,
    });
  }
  return r.name;
}

const whCode = (db: Db, id: number) => (db.prepare('SELECT code FROM warehouses WHERE id = ?').get(id) as { code: string }).code;

function taxes(db: Db, codes: string[] | undefined): Array<{ code: string; rate: string }> {
  return (codes ?? []).map((c) => {
    const t = db.prepare('SELECT code, rate FROM taxes WHERE code = ?').get(c) as { code: string; rate: string } | undefined;
    if (!t) {
      const known = (db.prepare('SELECT code FROM taxes ORDER BY code').all() as Array<{ code: string }>).map((x) => x.code);
      throw fail(`Tax code ${JSON.stringify(c)} does not exist (known: ${known.join(', ')})`, 'TAX_CODE_NOT_FOUND', { value: c, known });
    }
    return t;
  });
}

function items(db: Db, skus: string[]): Map<string, { id: number; name: string; type: string }> {
  const map = new Map<string, { id: number; name: string; type: string }>();
  const q = db.prepare('SELECT id, name, type FROM items WHERE sku = ? AND active = 1');
  const missing: string[] = [];
  for (const s of new Set(skus)) {
    const r = q.get(s) as { id: number; name: string; type: string } | undefined;
    if (r) map.set(s, r);
    else missing.push(s);
  }
  if (missing.length) throw fail(`SKU not found in the sandbox ERP: ${missing.join(', ')}`, 'SKU_NOT_FOUND', { skus: missing });
  return map;
}

/**
 * Net amount and tax of one line, computed the way Tryton does (net unit price to 4 places, amounts and tax per line
 * rounded to the currency's minor unit), except that Shopify's own tax amounts, when given, are taken as they are:
 * the tax charged is Shopify's, not a recomputation.
 */
function price(
  currency: string,
  unitPrice: string,
  quantity: string,
  discount: string | undefined,
  ts: Array<{ code: string; rate: string }>,
  incl?: boolean,
  given?: string,
) {
  const rates = ts.map((t) => t.rate);
  const unit = netUnitPrice({ unitPrice, quantity, discount, rates, pricesIncludeTax: incl, taxAmount: given, digits: currencyDigits(currency) });
  const net = roundToCurrency(new Decimal(unit).times(quantity), currency);
  const tax = given !== undefined ? new Decimal(given) : sum(ts.map((t) => roundToCurrency(net.times(t.rate), currency)));
  return {
    net,
    tax,
    taxCode: ts.length
      ? ts
          .map((t) => t.code)
          .sort()
          .join(',')
      : null,
  };
}

function customerId(db: Db, c: SalesOrderInput['customer']): number {
  const r = db.prepare('SELECT id FROM customers WHERE external_id = ?').get(c.externalId) as { id: number } | undefined;
  if (r) return r.id;
  return Number(
    db
      .prepare('INSERT INTO customers (external_id, name, email, phone, address) VALUES (?, ?, ?, ?, ?)')
      .run(c.externalId, c.name, c.email ?? null, c.phone ?? null, c.address ? JSON.stringify(c.address) : null).lastInsertRowid,
  );
}

function reserve(db: Db, itemId: number, whId: number, delta: Decimal.Value, field: 'reserved' | 'on_hand'): void {
  db.prepare('INSERT INTO stock (item_id, warehouse_id) VALUES (?, ?) ON CONFLICT DO NOTHING').run(itemId, whId);
  const cur = db.prepare(`SELECT ${field} AS v FROM stock WHERE item_id = ? AND warehouse_id = ?`).get(itemId, whId) as { v: string };
  db.prepare(`UPDATE stock SET ${field} = ? WHERE item_id = ? AND warehouse_id = ?`).run(new Decimal(cur.v).plus(delta).toString(), itemId, whId);
}

export function createOrder(db: Db, input: SalesOrderInput, postInvoice: boolean, confirm = true): Posted<ErpSalesOrder> {
  const existing = orderRow(db, input.externalId);
  if (existing && existing.status !== 'draft') return { created: false, document: readOrder(db, input.externalId)! };
  if (existing && confirm) return { created: true, document: confirmOrder(db, input.externalId, postInvoice) };
  db.transaction(() => {
    // A draft books nothing, so a new post of the same order (a replay after a fix) replaces it.
    if (existing) {
      db.prepare('DELETE FROM so_lines WHERE order_id = ?').run(existing.id);
      db.prepare('DELETE FROM sales_orders WHERE id = ?').run(existing.id);
    }
    const whId = warehouseId(db, input.warehouse);
    const term = input.paymentTerms ? paymentTermName(db, input.paymentTerms) : null;
    const m = (d: Decimal.Value) => currencyText(d, input.currency);
    const its = items(
      db,
      input.lines.map((l) => l.sku),
    );
    const lines = input.lines.map((l) => {
      const ts = taxes(db, lineCodes(l));
      const lineWh = l.warehouse ? warehouseId(db, l.warehouse) : whId;
      return {
        l,
        item: its.get(l.sku)!,
        wh: lineWh,
        ...price(input.currency, l.unitPrice, l.quantity, l.discount, ts, input.pricesIncludeTax, givenTax(l.taxes)),
      };
    });
    const ships = (input.shipping ?? []).map((s) => ({
      s,
      ...price(input.currency, s.amount, '1', s.discount, taxes(db, lineCodes(s)), input.pricesIncludeTax, givenTax(s.taxes)),
    }));
    const all = [...lines, ...ships];
    const net = sum(all.map((x) => x.net));
    const tax = sum(all.map((x) => x.tax));
    const number = existing?.number ?? nextNumber(db, 'sales_order', 'SO');
    const orderId = Number(
      db
        .prepare(`INSERT INTO sales_orders (external_id, number, reference, customer_id, currency, date, status, warehouse_id, net, tax, gross, created_at, payment_term)
      VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`)
        .run(
          input.externalId,
          number,
          input.reference,
          customerId(db, input.customer),
          input.currency,
          input.date,
          whId,
          m(net),
          m(tax),
          m(net.plus(tax)),
          new Date().toISOString(),
          term,
        ).lastInsertRowid,
    );
    const ins =
      db.prepare(`INSERT INTO so_lines (order_id, kind, sku, item_id, description, quantity, unit_price, discount, tax_code, net, tax_amount, warehouse_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const x of lines)
      ins.run(
        orderId,
        'line',
        x.l.sku,
        x.item.id,
        x.l.description ?? x.item.name,
        qty(x.l.quantity),
        m(x.l.unitPrice),
        m(x.l.discount ?? '0'),
        x.taxCode,
        m(x.net),
        m(x.tax),
        x.wh,
      );
    for (const x of ships)
      ins.run(orderId, 'shipping', null, null, x.s.description, '1', m(x.s.amount), m(x.s.discount ?? '0'), x.taxCode, m(x.net), m(x.tax), whId);
    if (confirm) confirmOrder(db, input.externalId, postInvoice);
  })();
  return { created: true, document: readOrder(db, input.externalId)! };
}

/** Confirms a draft: reserves its goods and posts its invoice (receivable, revenue, Shopify's tax) to the ledger. */
export function confirmOrder(db: Db, externalId: string, postInvoice: boolean, expected?: { net: string; tax: string; gross: string }): ErpSalesOrder {
  const o = mustOrder(db, externalId);
  if (o.status !== 'draft') return readOrder(db, externalId)!;
  if (expected) {
    const diffs = (['net', 'tax', 'gross'] as const).filter((k) => !new Decimal(expected[k]).eq(o[k]));
    if (diffs.length) {
      throw fail(
        `sales order ${o.number} (draft) does not match the expected totals: ${diffs.map((k) => `${k} ERP ${o[k]} vs expected ${currencyText(expected[k], o.currency)}`).join(', ')}; nothing was booked`,
        'TOTALS_MISMATCH',
        { number: o.number, externalId, fields: diffs, erpTotals: { net: o.net, tax: o.tax, gross: o.gross }, expected, draft: true },
      );
    }
  }
  db.transaction(() => {
    for (const l of db.prepare("SELECT * FROM so_lines WHERE order_id = ? AND kind = 'line'").all(o.id) as LineRow[]) {
      const type = (db.prepare('SELECT type FROM items WHERE id = ?').get(l.item_id) as { type: string }).type;
      if (type === 'goods') reserve(db, l.item_id!, l.warehouse_id, l.quantity, 'reserved');
    }
    db.prepare("UPDATE sales_orders SET status = 'open' WHERE id = ?").run(o.id);
    if (postInvoice) {
      postEntry(db, {
        externalId: null,
        date: o.date,
        description: `Invoice for order ${o.reference}`,
        sourceType: 'invoice',
        sourceExternalId: externalId,
        sourceNumber: o.number.replace(/^SO/, 'INV'),
        lines: invoiceLines(o.gross, o.net, o.tax, 1),
      });
    }
  })();
  return readOrder(db, externalId)!;
}

interface OrderRow {
  id: number;
  external_id: string;
  number: string;
  reference: string;
  customer_id: number;
  currency: string;
  date: string;
  status: string;
  warehouse_id: number;
  net: string;
  tax: string;
  gross: string;
  payment_term: string | null;
}
interface LineRow {
  id: number;
  kind: string;
  sku: string | null;
  item_id: number | null;
  description: string;
  quantity: string;
  unit_price: string;
  discount: string;
  tax_code: string | null;
  net: string;
  tax_amount: string;
  warehouse_id: number;
  shipped: string;
}

export function orderRow(db: Db, externalId: string): OrderRow | undefined {
  return db.prepare('SELECT * FROM sales_orders WHERE external_id = ?').get(externalId) as OrderRow | undefined;
}

export function readOrder(db: Db, externalId: string): ErpSalesOrder | null {
  const o = orderRow(db, externalId);
  if (!o) return null;
  const c = db.prepare('SELECT id, external_id, name FROM customers WHERE id = ?').get(o.customer_id) as { id: number; external_id: string; name: string };
  const lines = db.prepare('SELECT * FROM so_lines WHERE order_id = ? ORDER BY id').all(o.id) as LineRow[];
  return {
    id: String(o.id),
    externalId: o.external_id,
    number: o.number,
    reference: o.reference,
    customer: { id: String(c.id), externalId: c.external_id, name: c.name },
    currency: o.currency,
    date: o.date,
    status: o.status as ErpSalesOrder['status'],
    warehouse: whCode(db, o.warehouse_id),
    paymentTerms: o.payment_term,
    lines: lines
      .filter((l) => l.kind === 'line')
      .map((l) => ({
        sku: l.sku!,
        description: l.description,
        quantity: l.quantity,
        unitPrice: l.unit_price,
        discount: l.discount,
        taxCode: l.tax_code,
        net: l.net,
        taxAmount: l.tax_amount,
        warehouse: whCode(db, l.warehouse_id),
      })),
    shipping: lines
      .filter((l) => l.kind === 'shipping')
      .map((l) => ({ description: l.description, amount: l.unit_price, discount: l.discount, taxCode: l.tax_code, net: l.net, taxAmount: l.tax_amount })),
    totals: { net: o.net, tax: o.tax, gross: o.gross },
  };
}

/** Sales order heads by Shopify order id, 500 ids a query (one bound JSON parameter each). */
export function findOrders(db: Db, externalIds: string[]): ErpSalesOrderHead[] {
  const q = db.prepare(
    'SELECT id, external_id, number, date, status, currency, net, tax, gross FROM sales_orders WHERE external_id IN (SELECT value FROM json_each(?)) ORDER BY id',
  );
  const ids = [...new Set(externalIds.map(String))];
  const out: ErpSalesOrderHead[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    for (const o of q.all(JSON.stringify(ids.slice(i, i + 500))) as OrderRow[]) {
      out.push({
        id: String(o.id),
        externalId: o.external_id,
        number: o.number,
        date: o.date,
        status: o.status as ErpSalesOrder['status'],
        currency: o.currency,
        totals: { net: o.net, tax: o.tax, gross: o.gross },
      });
    }
  }
  return out;
}

function mustOrder(db: Db, externalId: string): OrderRow {
  const o = orderRow(db, externalId);
  if (!o) throw fail(`no sales order for Shopify order ${externalId}`, 'SALES_ORDER_NOT_FOUND', { field: 'orderExternalId', value: externalId });
  return o;
}

export function cancelOrder(db: Db, externalId: string): ErpSalesOrder {
  const o = mustOrder(db, externalId);
  if (o.status === 'cancelled') return readOrder(db, externalId)!;
  if (o.status !== 'open' && o.status !== 'draft')
    throw fail(`sales order ${o.number} cannot be cancelled: already ${o.status}; refund it with a credit memo`, 'CANNOT_CANCEL', {
      externalId,
      status: o.status,
    });
  db.transaction(() => {
    // A draft reserved nothing.
    for (const l of o.status === 'draft' ? [] : (db.prepare("SELECT * FROM so_lines WHERE order_id = ? AND kind = 'line'").all(o.id) as LineRow[])) {
      const type = (db.prepare('SELECT type FROM items WHERE id = ?').get(l.item_id) as { type: string }).type;
      if (type === 'goods') reserve(db, l.item_id!, l.warehouse_id, new Decimal(l.quantity).minus(l.shipped).neg(), 'reserved');
    }
    db.prepare("UPDATE sales_orders SET status = 'cancelled' WHERE id = ?").run(o.id);
    const inv = db.prepare("SELECT id FROM journal_entries WHERE source_type = 'invoice' AND source_external_id = ?").get(externalId) as
      | { id: number }
      | undefined;
    if (inv) {
      postEntry(db, {
        externalId: null,
        date: o.date,
        description: `Cancellation of order ${o.reference}`,
        sourceType: 'credit-memo',
        sourceExternalId: externalId,
        sourceNumber: o.number.replace(/^SO/, 'CAN'),
        lines: invoiceLines(o.gross, o.net, o.tax, -1),
      });
    }
  })();
  return readOrder(db, externalId)!;
}

export function shipOrder(db: Db, externalId: string, opts: { trackingNumber?: string; carrier?: string }): ErpFulfilment {
  const o = mustOrder(db, externalId);
  if (o.status === 'cancelled' || o.status === 'fulfilled')
    throw fail(`sales order ${o.number} has nothing left to ship (${o.status})`, 'NOTHING_TO_SHIP', { externalId });
  const lines = (
    db.prepare("SELECT l.*, i.type FROM so_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ? AND l.kind = 'line'").all(o.id) as Array<
      LineRow & { type: string }
    >
  ).filter((l) => l.type === 'goods' && new Decimal(l.quantity).gt(l.shipped));
  let id = 0;
  db.transaction(() => {
    const shipped: Array<{ sku: string; quantity: string }> = [];
    for (const l of lines) {
      const open = new Decimal(l.quantity).minus(l.shipped);
      const s = db.prepare('SELECT on_hand FROM stock WHERE item_id = ? AND warehouse_id = ?').get(l.item_id, l.warehouse_id) as
        | { on_hand: string }
        | undefined;
      if (!s || new Decimal(s.on_hand).lt(open))
        throw fail(`not enough ${l.sku} in ${whCode(db, l.warehouse_id)} to ship ${o.number}`, 'INSUFFICIENT_STOCK', {
          sku: l.sku,
          needed: qty(open),
          onHand: s?.on_hand ?? '0',
        });
      reserve(db, l.item_id!, l.warehouse_id, open.neg(), 'on_hand');
      reserve(db, l.item_id!, l.warehouse_id, open.neg(), 'reserved');
      db.prepare('UPDATE so_lines SET shipped = quantity WHERE id = ?').run(l.id);
      shipped.push({ sku: l.sku!, quantity: qty(open) });
    }
    db.prepare("UPDATE sales_orders SET status = 'fulfilled' WHERE id = ?").run(o.id);
    id = Number(
      db
        .prepare('INSERT INTO fulfilments (number, order_id, warehouse_id, completed_at, tracking_number, carrier, lines) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(
          nextNumber(db, 'fulfilment', 'SHP'),
          o.id,
          o.warehouse_id,
          new Date().toISOString(),
          opts.trackingNumber ?? null,
          opts.carrier ?? null,
          JSON.stringify(shipped),
        ).lastInsertRowid,
    );
  })();
  return fulfilmentById(db, id);
}

interface FulfilmentRow {
  id: number;
  number: string;
  order_id: number;
  warehouse_id: number;
  completed_at: string;
  tracking_number: string | null;
  carrier: string | null;
  lines: string;
}

function toFulfilment(db: Db, f: FulfilmentRow): ErpFulfilment {
  const o = db.prepare('SELECT external_id FROM sales_orders WHERE id = ?').get(f.order_id) as { external_id: string };
  return {
    id: String(f.id),
    number: f.number,
    salesOrderId: String(f.order_id),
    externalOrderId: o.external_id,
    warehouse: whCode(db, f.warehouse_id),
    completedAt: f.completed_at,
    lines: JSON.parse(f.lines),
    tracking: { number: f.tracking_number, company: f.carrier, url: null },
  };
}

const fulfilmentById = (db: Db, id: number) => toFulfilment(db, db.prepare('SELECT * FROM fulfilments WHERE id = ?').get(id) as FulfilmentRow);

export function listFulfilments(db: Db, opts: { since?: string | null; limit?: number }): FulfilmentPage {
  if (opts.since != null && !/^\d+$/.test(opts.since))
    throw fail(`invalid fulfilment cursor ${JSON.stringify(opts.since)}`, 'INVALID_INPUT', { field: 'since', value: opts.since });
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const rows = db.prepare('SELECT * FROM fulfilments WHERE id > ? ORDER BY id LIMIT ?').all(Number(opts.since ?? 0), limit + 1) as FulfilmentRow[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    fulfilments: page.map((f) => toFulfilment(db, f)),
    cursor: last ? String(last.id) : (opts.since ?? null),
    hasMore: rows.length > limit,
  };
}

export function getStock(db: Db, opts: { skus?: string[]; warehouses?: string[] }): StockLevel[] {
  const skus = opts.skus ?? (db.prepare("SELECT sku FROM items WHERE active = 1 AND type = 'goods'").all() as Array<{ sku: string }>).map((r) => r.sku);
  const whIds = opts.warehouses?.length
    ? opts.warehouses.map((w) => warehouseId(db, w))
    : (db.prepare('SELECT id FROM warehouses ORDER BY code').all() as Array<{ id: number }>).map((w) => w.id);
  const out: StockLevel[] = [];
  const q = db.prepare(
    "SELECT i.sku, COALESCE(s.on_hand, '0') AS on_hand, COALESCE(s.reserved, '0') AS reserved FROM items i LEFT JOIN stock s ON s.item_id = i.id AND s.warehouse_id = ? WHERE i.sku = ? AND i.active = 1 AND i.type = 'goods'",
  );
  for (const wh of whIds) {
    for (const sku of [...new Set(skus)].sort()) {
      const r = q.get(wh, sku) as { sku: string; on_hand: string; reserved: string } | undefined;
      if (r)
        out.push({ sku, warehouse: whCode(db, wh), onHand: qty(r.on_hand), available: qty(Decimal.min(r.on_hand, new Decimal(r.on_hand).minus(r.reserved))) });
    }
  }
  return out;
}

export function createMemo(db: Db, input: CreditMemoInput): Posted<ErpCreditMemo> {
  const existing = readMemo(db, input.externalId);
  if (existing) return { created: false, document: existing };
  const o = mustOrder(db, input.orderExternalId);
  db.transaction(() => {
    const its = items(
      db,
      input.lines.map((l) => l.sku),
    );
    const whId = input.warehouse ? warehouseId(db, input.warehouse) : o.warehouse_id;
    const currency = input.currency ?? o.currency;
    const m = (d: Decimal.Value) => currencyText(d, currency);
    const lines = input.lines.map((l) => ({
      sku: l.sku,
      quantity: qty(l.quantity),
      unitPrice: m(l.unitPrice),
      ...price(currency, l.unitPrice, l.quantity, '0', taxes(db, lineCodes(l)), input.pricesIncludeTax, givenTax(l.taxes)),
    }));
    const shipping = (input.shipping ?? []).map((s) => ({
      description: s.description,
      ...price(currency, s.amount, '1', '0', taxes(db, lineCodes(s)), input.pricesIncludeTax, givenTax(s.taxes)),
    }));
    const adjustments = (input.adjustments ?? []).map((a) => {
      accountExists(db, a.account);
      return { description: a.description, account: a.account, amount: m(a.amount) };
    });
    const all = [...lines, ...shipping];
    const adj = sum(adjustments.map((a) => a.amount));
    const net = sum(all.map((x) => x.net)).plus(adj);
    const tax = sum(all.map((x) => x.tax));
    // Each restocked line goes back to its own warehouse (a refund may restock at two locations).
    for (const l of input.lines)
      if ((l.restock ?? input.restock) && its.get(l.sku)!.type === 'goods')
        reserve(db, its.get(l.sku)!.id, l.warehouse ? warehouseId(db, l.warehouse) : whId, l.quantity, 'on_hand');
    const number = nextNumber(db, 'credit_memo', 'CM');
    db.prepare(
      'INSERT INTO credit_memos (external_id, number, order_id, date, currency, restock, net, tax, gross, lines, shipping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      input.externalId,
      number,
      o.id,
      input.date,
      currency,
      restocksAny(input) ? 1 : 0,
      m(net),
      m(tax),
      m(net.plus(tax)),
      JSON.stringify(lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, taxCode: l.taxCode, net: m(l.net), taxAmount: m(l.tax) }))),
      // Adjustments (untaxed, on their own GL account) are kept with the shipping refunds, marked by their account.
      JSON.stringify([...shipping.map((s) => ({ description: s.description, net: m(s.net), taxCode: s.taxCode, taxAmount: m(s.tax) })), ...adjustments]),
    );
    // Revenue and Shopify's tax reversed, the receivable credited with what the customer is owed; an adjustment sits on its own account.
    const entry = invoiceLines(net.minus(adj).plus(tax), net.minus(adj), tax, -1).map((l) => (l.account === '1100' ? { ...l, credit: net.plus(tax) } : l));
    for (const a of adjustments)
      entry.push(
        new Decimal(a.amount).gte(0)
          ? { account: a.account, debit: a.amount, credit: 0, description: a.description }
          : { account: a.account, debit: 0, credit: new Decimal(a.amount).neg(), description: a.description },
      );
    postEntry(db, {
      externalId: null,
      date: input.date,
      description: `Credit memo ${number} for order ${o.reference}`,
      sourceType: 'credit-memo',
      sourceExternalId: input.externalId,
      sourceNumber: number,
      lines: entry,
    });
  })();
  return { created: true, document: readMemo(db, input.externalId)! };
}

/** The order's invoiced gross, what its credit memos (and a cancellation) credited, and what remains credit-able. */
export function creditable(db: Db, orderExternalId: string): { invoiced: string; credited: string; remaining: string } {
  const o = mustOrder(db, orderExternalId);
  const invoiced = o.status === 'draft' ? new Decimal(0) : new Decimal(o.status === 'cancelled' ? 0 : o.gross);
  const credited = sum((db.prepare('SELECT gross FROM credit_memos WHERE order_id = ?').all(o.id) as Array<{ gross: string }>).map((m) => m.gross));
  const m = (d: Decimal) => currencyText(d, o.currency);
  return { invoiced: m(invoiced), credited: m(credited), remaining: m(Decimal.max(0, invoiced.minus(credited))) };
}

function readMemo(db: Db, externalId: string): ErpCreditMemo | null {
  const m = db.prepare('SELECT * FROM credit_memos WHERE external_id = ?').get(externalId) as Record<string, string | number> | undefined;
  if (!m) return null;
  const o = db.prepare('SELECT * FROM sales_orders WHERE id = ?').get(m.order_id) as OrderRow;
  const c = db.prepare('SELECT id, external_id, name FROM customers WHERE id = ?').get(o.customer_id) as { id: number; external_id: string; name: string };
  return {
    id: String(m.id),
    externalId,
    number: String(m.number),
    salesOrderId: String(o.id),
    orderExternalId: o.external_id,
    customer: { id: String(c.id), externalId: c.external_id, name: c.name },
    currency: String(m.currency),
    date: String(m.date),
    restock: m.restock === 1,
    lines: JSON.parse(String(m.lines)),
    shipping: (JSON.parse(String(m.shipping)) as Array<Record<string, string>>).filter((x) => !x.account) as ErpCreditMemo['shipping'],
    adjustments: (JSON.parse(String(m.shipping)) as Array<Record<string, string>>).filter((x) => x.account) as unknown as ErpCreditMemo['adjustments'],
    totals: { net: String(m.net), tax: String(m.tax), gross: String(m.gross) },
  };
}
