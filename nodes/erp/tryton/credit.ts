// Credit memos in Tryton, idempotent by invoice `reference` = "refund:<Shopify refund id>".
// restock: a return sale (negative quantities) whose return shipment is received and done, and whose
// credit-note invoice is posted. No restock: a credit-note invoice with negative lines, posted. A refund restocking
// some lines only, or at several warehouses: the credit-note invoice for the money and, per warehouse, a customer
// return shipment (stock.shipment.out.return) of that warehouse's lines, received and done.
import { restockedLines, restocksAny, type CreditMemoInput, type ErpCreditMemo, type Posted } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { money, qty, sum, Decimal } from '../shared/money.ts';
import { roundToCurrency } from '../../core/currency.ts';
import { applyShopifyTaxes, buildSaleLines, findSale, readSaleById } from './orders.ts';
import { decodeMeta } from '../shared/pricing.ts';
import type { TrytonRefs } from './refs.ts';
import { D, tDate, type TrytonRpc } from './rpc.ts';

const memoRef = (externalId: string) => `refund:${externalId}`;

interface InvoiceRow {
  id: number;
  number: string | null;
  reference: string;
  state: string;
  party: number;
  'party.': { code: string; name: string };
  currency: number;
  invoice_date: string | null;
  untaxed_amount: string;
  tax_amount: string;
  total_amount: string;
  lines: number[];
  comment: string | null;
}
const INVOICE_FIELDS = [
  'number',
  'reference',
  'state',
  'party',
  'party.code',
  'party.name',
  'currency',
  'invoice_date',
  'untaxed_amount',
  'tax_amount',
  'total_amount',
  'lines',
  'comment',
];

interface Meta {
  orderExternalId: string;
  salesOrderId: string;
  restock: boolean;
}

export async function createCreditMemo(rpc: TrytonRpc, refs: TrytonRefs, input: CreditMemoInput): Promise<Posted<ErpCreditMemo>> {
  const ref = memoRef(input.externalId);
  const existing = await findInvoice(rpc, ref);
  if (existing && existing.state !== 'draft' && existing.state !== 'validated') return { created: false, document: await toMemo(rpc, refs, existing) };
  const order = await findSale(rpc, input.orderExternalId);
  if (!order) {
    throw erpError('tryton', `no sales order for Shopify order ${input.orderExternalId}; post the order before its refund`, {
      errorClass: 'permanent',
      code: 'SALES_ORDER_NOT_FOUND',
      details: { field: 'orderExternalId', value: input.orderExternalId },
    });
  }
  const meta: Meta = { orderExternalId: input.orderExternalId, salesOrderId: String(order.id), restock: restocksAny(input) };
  const comment = `ledgerline:${JSON.stringify(meta)}${input.reason ? `\n${input.reason}` : ''}`;
  let invoiceId = existing?.id;
  const orderWarehouse = (await refs.warehouseById(order.warehouse))?.code ?? '';
  const restocked = restockedLines(input, orderWarehouse);
  // One return sale restocks at one warehouse, all lines or none: anything else is split per warehouse.
  const simple =
    restocked.length === input.lines.length &&
    new Set(restocked.map((l) => l.warehouse)).size === 1 &&
    restocked.every((l) => l.warehouse === (input.warehouse ?? orderWarehouse));
  if (!invoiceId && restocked.length && simple) invoiceId = await viaReturnSale(rpc, refs, input, order, ref, comment);
  if (!invoiceId) invoiceId = await viaCreditNote(rpc, refs, input, order, ref, comment);
  // Shopify's refunded tax as manual tax lines, and any difference to the cash returned on its own account, before posting.
  await applyShopifyTaxes(rpc, refs, invoiceId);
  await addAdjustments(rpc, refs, invoiceId, input);
  // Goods come back only once the credit note is complete (a rejected adjustment account stops before any stock moves).
  if (restocked.length && !simple) await restockByWarehouse(rpc, refs, restocked, order, ref);
  // A refund is dated when Shopify made it, usually days back: without a payment term Tryton does not warn that the
  // credit note's payment date lies in the past (a credit is settled by the refund itself, not by a due date).
  await rpc.model('account.invoice', 'write', [[invoiceId], { invoice_date: tDate(input.date), reference: ref, comment, payment_term: null }]);
  await rpc.model('account.invoice', 'post', [[invoiceId]]);
  const inv = await rpc.readOne<InvoiceRow>('account.invoice', invoiceId, INVOICE_FIELDS);
  if (inv.state !== 'posted' && inv.state !== 'paid') {
    throw erpError('tryton', `credit note for refund ${input.externalId} is ${inv.state}, not posted`, {
      errorClass: 'permanent',
      code: 'ERP_STATE',
      details: { externalId: input.externalId },
    });
  }
  return { created: true, document: await toMemo(rpc, refs, inv) };
}

/**
 * Each warehouse's restocked lines back into stock: a customer return shipment per warehouse (reference
 * "refund:<id> <warehouse>", so a retry finds it), its incoming moves from the customer's location, received and done.
 */
async function restockByWarehouse(
  rpc: TrytonRpc,
  refs: TrytonRefs,
  lines: Array<{ sku: string; quantity: string; unitPrice: string; warehouse: string }>,
  order: Awaited<ReturnType<typeof findSale>> & {},
  ref: string,
): Promise<void> {
  const products = await refs.productMap(lines.map((l) => l.sku));
  const goods = lines.filter((l) => products.get(l.sku)?.type === 'goods');
  if (!goods.length) return;
  const company = (await rpc.context()).company;
  const party = await rpc.readOne<{ customer_location: number }>('party.party', order.party, ['customer_location']);
  const sale = await rpc.readOne<{ shipment_address: number }>('sale.sale', order.id, ['shipment_address']);
  for (const code of [...new Set(goods.map((l) => l.warehouse))]) {
    const wh = await refs.warehouse(code);
    const reference = `${ref} ${code}`;
    let [ship] = await rpc.model<Array<{ id: number; state: string }>>('stock.shipment.out.return', 'search_read', [
      [['reference', '=', reference]],
      0,
      1,
      null,
      ['state'],
    ]);
    if (!ship) {
      const moves = goods
        .filter((l) => l.warehouse === code)
        .map((l) => ({
          product: products.get(l.sku)!.id,
          uom: products.get(l.sku)!.uom,
          quantity: Number(l.quantity),
          from_location: party.customer_location,
          to_location: wh.input,
          unit_price: D(new Decimal(l.unitPrice).toFixed(4)),
          currency: order.currency,
          company,
        }));
      const id = await rpc.createOne('stock.shipment.out.return', {
        customer: order.party,
        delivery_address: sale.shipment_address,
        warehouse: wh.id,
        company,
        reference,
        incoming_moves: [['create', moves]],
      });
      ship = { id, state: 'draft' };
    }
    if (ship.state === 'draft') await acknowledgingOrigin(rpc, () => rpc.model('stock.shipment.out.return', 'receive', [[ship.id]]));
    if (ship.state === 'draft' || ship.state === 'received') await acknowledgingOrigin(rpc, () => rpc.model('stock.shipment.out.return', 'done', [[ship.id]]));
  }
}

/**
 * These moves have no origin by design (the money is on the credit note, not on a return sale). Tryton's "stock moves
 * have no origin" warning asks the user to confirm; the refund is that confirmation: the named warning is
 * acknowledged once (res.user.warning, as Tryton's own client does) and the call repeated. Any other warning stands.
 */
async function acknowledgingOrigin(rpc: TrytonRpc, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    const name = (e as { code?: string; details?: { warning?: unknown } }).details?.warning;
    if ((e as { code?: string }).code !== 'ERP_WARNING' || typeof name !== 'string' || !/no origin/.test((e as Error).message)) throw e;
    await rpc.model('res.user.warning', 'create', [[{ user: await rpc.userId(), name, always: false }]]);
    await call();
  }
}

/** Untaxed lines on their GL accounts: the signed difference between refunded lines and cash (positive credits more). */
async function addAdjustments(rpc: TrytonRpc, refs: TrytonRefs, invoiceId: number, input: CreditMemoInput): Promise<void> {
  if (!input.adjustments?.length) return;
  const inv = await rpc.readOne<{ currency: number; lines: number[] }>('account.invoice', invoiceId, ['currency', 'lines']);
  const have = await rpc.model<Array<{ description: string }>>('account.invoice.line', 'read', [inv.lines, ['description']]);
  const lines = [];
  for (const a of input.adjustments) {
    if (have.some((h) => h.description === a.description)) continue; // added by an earlier attempt
    lines.push({
      type: 'line',
      invoice: invoiceId,
      currency: inv.currency,
      account: await refs.account(a.account),
      quantity: 1,
      unit_price: D(new Decimal(a.amount).neg().toFixed(2)),
      description: a.description,
    });
  }
  if (lines.length) await rpc.model('account.invoice.line', 'create', [lines]);
}

/** The order's invoiced gross less its posted credit notes (see ErpConnector.creditable). */
export async function creditable(rpc: TrytonRpc, orderExternalId: string): Promise<{ invoiced: string; credited: string; remaining: string }> {
  const sale = await findSale(rpc, orderExternalId);
  if (!sale)
    throw erpError('tryton', `no sales order for Shopify order ${orderExternalId}`, {
      errorClass: 'permanent',
      code: 'SALES_ORDER_NOT_FOUND',
      details: { value: orderExternalId },
    });
  const invs = sale.invoices.length
    ? await rpc.model<Array<{ state: string; total_amount: string }>>('account.invoice', 'read', [sale.invoices, ['state', 'total_amount']])
    : [];
  const invoiced = sum(invs.filter((i) => i.state !== 'cancelled').map((i) => i.total_amount));
  const notes = await rpc.model<Array<{ comment: string | null; total_amount: string }>>('account.invoice', 'search_read', [
    [
      ['reference', 'like', 'refund:%'],
      ['type', '=', 'out'],
      ['state', 'in', ['posted', 'paid']],
    ],
    0,
    null,
    null,
    ['comment', 'total_amount'],
  ]);
  const credited = sum(notes.filter((n) => parseMeta(n.comment).orderExternalId === orderExternalId).map((n) => new Decimal(n.total_amount).neg()));
  return { invoiced: money(invoiced), credited: money(credited), remaining: money(Decimal.max(0, invoiced.minus(credited))) };
}

async function findInvoice(rpc: TrytonRpc, ref: string): Promise<InvoiceRow | null> {
  const rows = await rpc.model<InvoiceRow[]>('account.invoice', 'search_read', [
    [
      ['reference', '=', ref],
      ['type', '=', 'out'],
      ['state', '!=', 'cancelled'],
    ],
    0,
    1,
    [['id', 'ASC']],
    INVOICE_FIELDS,
  ]);
  return rows[0] ?? null;
}

async function viaReturnSale(
  rpc: TrytonRpc,
  refs: TrytonRefs,
  input: CreditMemoInput,
  order: Awaited<ReturnType<typeof findSale>> & {},
  ref: string,
  comment: string,
): Promise<number> {
  let ret = await findSale(rpc, ref); // a previous attempt may have created the return sale already
  if (!ret) {
    const warehouse = input.warehouse ? (await refs.warehouse(input.warehouse)).id : order.warehouse;
    const lines = await buildSaleLines(
      refs,
      {
        lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, taxCodes: l.taxCodes, taxes: l.taxes })),
        shipping: input.shipping?.map((s) => ({ description: s.description, amount: s.amount, taxCodes: s.taxCodes, taxes: s.taxes })),
        pricesIncludeTax: input.pricesIncludeTax,
      },
      -1,
    );
    const addr = await rpc.readOne<{ invoice_address: number; shipment_address: number; payment_term: number }>('sale.sale', order.id, [
      'invoice_address',
      'shipment_address',
      'payment_term',
    ]);
    const id = await rpc.createOne('sale.sale', {
      party: order.party,
      invoice_address: addr.invoice_address,
      shipment_address: addr.shipment_address,
      warehouse,
      currency: order.currency,
      payment_term: addr.payment_term,
      reference: ref,
      description: `Return for ${order.description ?? order.reference}`,
      sale_date: tDate(input.date),
      comment,
      lines: [['create', lines]],
    });
    ret = await readSaleById(rpc, id);
  }
  if (ret.state === 'draft') await rpc.model('sale.sale', 'quote', [[ret.id]]);
  if (ret.state === 'draft' || ret.state === 'quotation') await rpc.model('sale.sale', 'confirm', [[ret.id]]);
  ret = await readSaleById(rpc, ret.id);
  if (ret.shipment_returns.length) {
    const rs = await rpc.model<Array<{ id: number; state: string }>>('stock.shipment.out.return', 'read', [ret.shipment_returns, ['state']]);
    const draft = rs.filter((r) => r.state === 'draft').map((r) => r.id);
    if (draft.length) await rpc.model('stock.shipment.out.return', 'receive', [draft]);
    const received = rs.filter((r) => r.state === 'draft' || r.state === 'received').map((r) => r.id);
    if (received.length) await rpc.model('stock.shipment.out.return', 'done', [received]);
  }
  const inv = ret.invoices[0];
  if (!inv)
    throw erpError('tryton', `return sale ${ret.number} produced no credit note`, {
      errorClass: 'permanent',
      code: 'ERP_STATE',
      details: { externalId: input.externalId },
    });
  return inv;
}

async function viaCreditNote(
  rpc: TrytonRpc,
  refs: TrytonRefs,
  input: CreditMemoInput,
  order: Awaited<ReturnType<typeof findSale>> & {},
  ref: string,
  comment: string,
): Promise<number> {
  const lines = await buildSaleLines(
    refs,
    {
      lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, taxCodes: l.taxCodes, taxes: l.taxes })),
      shipping: input.shipping?.map((s) => ({ description: s.description, amount: s.amount, taxCodes: s.taxCodes, taxes: s.taxes })),
      pricesIncludeTax: input.pricesIncludeTax,
    },
    -1,
  );
  // The revenue account comes from the product's accounting category (no on_change runs server-side).
  const products = await rpc.model<Array<{ id: number; account_category: number | null }>>('product.product', 'read', [
    [...new Set(lines.map((l) => l.product))],
    ['account_category'],
  ]);
  const catIds = [...new Set(products.map((p) => p.account_category).filter((c): c is number => c != null))];
  const cats = catIds.length
    ? await rpc.model<Array<{ id: number; account_revenue: number | null }>>('product.category', 'read', [catIds, ['account_revenue']])
    : [];
  const catRevenue = new Map(cats.map((c) => [c.id, c.account_revenue]));
  const revenue = new Map(products.map((p) => [p.id, p.account_category != null ? catRevenue.get(p.account_category) : undefined]));
  const missing = products.filter((p) => revenue.get(p.id) == null);
  if (missing.length)
    throw erpError('tryton', `products ${missing.map((p) => p.id).join(', ')} have no revenue account (accounting category)`, {
      errorClass: 'permanent',
      code: 'CONFIG_MISSING',
    });
  const addr = await rpc.readOne<{ invoice_address: number; payment_term: number }>('sale.sale', order.id, ['invoice_address', 'payment_term']);
  return rpc.createOne('account.invoice', {
    type: 'out',
    party: order.party,
    invoice_address: addr.invoice_address,
    currency: order.currency,
    payment_term: addr.payment_term,
    account: await refs.receivableAccount(),
    journal: await refs.journal('REV'),
    reference: ref,
    comment,
    description: `Refund ${input.externalId} of ${order.description ?? order.reference}`,
    invoice_date: tDate(input.date),
    // Lines carry the invoice's currency explicitly: their default is the company's, which fails the line domain
    // for a credit note in another currency (a GBP order in a USD company).
    lines: [
      [
        'create',
        lines.map((l) => ({
          type: 'line',
          currency: order.currency,
          product: l.product,
          account: revenue.get(l.product),
          quantity: l.quantity,
          unit: l.unit,
          unit_price: l.unit_price,
          description: l.description,
          note: l.note,
          taxes: l.taxes,
        })),
      ],
    ],
  });
}

async function toMemo(rpc: TrytonRpc, refs: TrytonRefs, inv: InvoiceRow): Promise<ErpCreditMemo> {
  const meta = parseMeta(inv.comment);
  const rows = await rpc.model<
    Array<{
      product: number | null;
      description: string;
      quantity: number;
      unit_price: string;
      amount: string;
      taxes: number[];
      note: string | null;
      origin: string | null;
      account: number;
    }>
  >('account.invoice.line', 'read', [inv.lines, ['product', 'description', 'quantity', 'unit_price', 'amount', 'taxes', 'note', 'origin', 'account']]);
  const saleLineIds = rows.map((r) => (r.origin?.startsWith('sale.line,') ? Number(r.origin.slice(10)) : null)).filter((x): x is number => x !== null);
  const saleNotes = new Map(
    (saleLineIds.length ? await rpc.model<Array<{ id: number; note: string | null }>>('sale.line', 'read', [saleLineIds, ['note']]) : []).map((r) => [
      r.id,
      r.note,
    ]),
  );
  const skus = await refs.productSkus(rows.map((r) => r.product).filter((p): p is number => p != null));
  const taxes = await refs.taxes();
  const shippingSku = refs.opts.shippingSku ?? 'SHIPPING';
  const memo: ErpCreditMemo = {
    id: String(inv.id),
    externalId: inv.reference.replace(/^refund:/, ''),
    number: inv.number ?? '',
    salesOrderId: meta.salesOrderId,
    orderExternalId: meta.orderExternalId,
    customer: { id: String(inv.party), externalId: inv['party.'].code, name: inv['party.'].name },
    currency: await refs.currencyCode(inv.currency),
    date: inv.invoice_date ?? '',
    restock: meta.restock,
    lines: [],
    shipping: [],
    totals: {
      net: money(new Decimal(inv.untaxed_amount).neg()),
      tax: money(new Decimal(inv.tax_amount).neg()),
      gross: money(new Decimal(inv.total_amount).neg()),
    },
  };
  for (const r of rows) {
    const net = new Decimal(r.amount).neg();
    if (!r.product) {
      (memo.adjustments ??= []).push({ description: r.description, amount: money(net), account: await refs.accountCode(r.account) });
      continue;
    }
    const meta = decodeMeta(r.origin?.startsWith('sale.line,') ? saleNotes.get(Number(r.origin.slice(10))) : r.note);
    const ts = taxes.filter((t) => r.taxes.includes(t.id));
    const taxAmount = meta?.taxes ? sum(meta.taxes.map((t) => t.amount)) : sum(ts.map((t) => roundToCurrency(net.times(t.rate), memo.currency)));
    const codes = meta?.taxes ? [...new Set(meta.taxes.map((t) => t.code))].sort() : ts.map((t) => t.code);
    const taxCode = codes.length ? codes.join(',') : null;
    const sku = r.product ? (skus.get(r.product) ?? '') : '';
    if (sku === shippingSku) memo.shipping.push({ description: r.description, net: money(net), taxCode, taxAmount: money(taxAmount) });
    else memo.lines.push({ sku, quantity: qty(Math.abs(r.quantity)), unitPrice: money(r.unit_price), taxCode, net: money(net), taxAmount: money(taxAmount) });
  }
  return memo;
}

function parseMeta(comment: string | null): Meta {
  const json = comment?.match(/^ledgerline:(\{.*?\})(\n|$)/)?.[1];
  if (json !== undefined) {
    try {
      return JSON.parse(json) as Meta;
    } catch {
      /* fall through */
    }
  }
  return { orderExternalId: '', salesOrderId: '', restock: false };
}
