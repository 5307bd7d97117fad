// Sales orders in Tryton: sale.sale keyed by `reference` = Shopify order id (not unique in Tryton, so every
// create searches first), created with explicit addresses/unit/price/taxes (no on_change server-side), then
// quoted and confirmed, which creates the shipment and the invoice in the same request.
import type { Address, ErpSalesOrder, ErpSalesOrderHead, ErpSalesOrderLine, ErpShippingLine, Posted, SalesOrderInput, SalesOrderStatus } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { money, qty, sum, Decimal } from '../shared/money.ts';
import { roundToCurrency } from '../../core/currency.ts';
import { decodeMeta, encodeMeta, givenTax, lineCodes, netUnitPrice, type LineMeta } from '../shared/pricing.ts';
import { addressesFor, ensureParty } from './customers.ts';
import type { TrytonRefs } from './refs.ts';
import { D, tDate, type TrytonRpc } from './rpc.ts';

export interface SaleRow {
  id: number;
  number: string | null;
  reference: string;
  description: string | null;
  state: string;
  shipment_state: string;
  invoice_state: string;
  party: number;
  'party.': { code: string; name: string };
  /** Absent or null when the sale has no payment term. */
  'payment_term.'?: { name: string } | null;
  currency: number;
  sale_date: string;
  warehouse: number;
  untaxed_amount: string;
  tax_amount: string;
  total_amount: string;
  lines: number[];
  shipments: number[];
  shipment_returns: number[];
  invoices: number[];
}

const SALE_FIELDS = [
  'number',
  'reference',
  'description',
  'state',
  'shipment_state',
  'invoice_state',
  'party',
  'party.code',
  'party.name',
  'payment_term.name',
  'currency',
  'sale_date',
  'warehouse',
  'untaxed_amount',
  'tax_amount',
  'total_amount',
  'lines',
  'shipments',
  'shipment_returns',
  'invoices',
];

export async function findSale(rpc: TrytonRpc, reference: string): Promise<SaleRow | null> {
  const rows = await rpc.model<SaleRow[]>('sale.sale', 'search_read', [[['reference', '=', reference]], 0, 2, [['id', 'ASC']], SALE_FIELDS]);
  return rows[0] ?? null;
}

/**
 * The heads of the sales of many Shopify order ids, in a fixed number of requests whatever their count: one
 * search_read per 500 references, one read of their invoices (totals, cancellation), one of their shipments and one
 * of the lines of sales not invoiced yet (Shopify's tax is recorded on the lines). The same figures toOrder gives.
 */
export async function findSaleHeads(rpc: TrytonRpc, refs: TrytonRefs, externalIds: string[]): Promise<ErpSalesOrderHead[]> {
  const ids = [...new Set(externalIds.map(String))];
  const first = new Map<string, SaleRow>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await rpc.model<SaleRow[]>('sale.sale', 'search_read', [[['reference', 'in', ids.slice(i, i + 500)]], 0, null, [['id', 'ASC']], SALE_FIELDS]);
    for (const r of rows) if (!first.has(r.reference)) first.set(r.reference, r);
  }
  const sales = [...first.values()];
  type Inv = { id: number; state: string; untaxed_amount: string; tax_amount: string; total_amount: string };
  const readAll = async <T extends { id: number }>(model: string, recordIds: number[], fields: string[]): Promise<Map<number, T>> =>
    new Map((recordIds.length ? await rpc.model<T[]>(model, 'read', [recordIds, fields]) : []).map((r) => [r.id, r]));
  const invs = await readAll<Inv>(
    'account.invoice',
    sales.flatMap((s) => s.invoices),
    ['state', 'untaxed_amount', 'tax_amount', 'total_amount'],
  );
  const ships = await readAll<{ id: number; state: string }>(
    'stock.shipment.out',
    sales.flatMap((s) => s.shipments),
    ['state'],
  );
  const live = (s: SaleRow) => s.invoices.map((id) => invs.get(id)!).filter((i) => i && i.state !== 'cancelled');
  const lines = await readAll<{ id: number; note: string | null }>(
    'sale.line',
    sales.filter((s) => !live(s).length).flatMap((s) => s.lines),
    ['note'],
  );
  const out: ErpSalesOrderHead[] = [];
  for (const s of sales) {
    const docs = [...s.shipments.map((id) => ships.get(id)), ...s.invoices.map((id) => invs.get(id))];
    const cancelledFully =
      s.state !== 'cancelled' && (s.state === 'processing' || s.state === 'done') && docs.length > 0 && docs.every((d) => d?.state === 'cancelled');
    const inv = live(s);
    let totals: ErpSalesOrderHead['totals'];
    if (inv.length)
      totals = {
        net: money(sum(inv.map((i) => i.untaxed_amount))),
        tax: money(sum(inv.map((i) => i.tax_amount))),
        gross: money(sum(inv.map((i) => i.total_amount))),
      };
    else {
      const given = sum(s.lines.flatMap((id) => decodeMeta(lines.get(id)?.note ?? null)?.taxes?.map((t) => t.amount) ?? []));
      const tax = new Decimal(s.tax_amount).plus(given);
      totals = { net: money(s.untaxed_amount), tax: money(tax), gross: money(new Decimal(s.untaxed_amount).plus(tax)) };
    }
    out.push({
      id: String(s.id),
      externalId: s.reference,
      number: s.number ?? '',
      date: s.sale_date,
      status: saleStatus(s, cancelledFully),
      currency: await refs.currencyCode(s.currency),
      totals,
    });
  }
  return out;
}

export async function readSaleById(rpc: TrytonRpc, id: number): Promise<SaleRow> {
  return rpc.readOne<SaleRow>('sale.sale', id, SALE_FIELDS);
}

export interface BuiltLine {
  type: 'line';
  product: number;
  quantity: string;
  unit: number;
  unit_price: ReturnType<typeof D>;
  description: string;
  note: string;
  taxes: Array<[string, number[]]>;
}

/**
 * Sale lines (goods and shipping) as Tryton wants them; `sign` -1 turns them into return lines. A line that carries
 * Shopify's tax amounts (`taxes`) gets no Tryton tax: Tryton would recompute it from the rate. The amounts go into the
 * line's meta and become manual tax lines on its invoice (`applyShopifyTaxes`), so the books hold Shopify's tax.
 */
export async function buildSaleLines(
  refs: TrytonRefs,
  input: Pick<SalesOrderInput, 'lines' | 'shipping' | 'pricesIncludeTax'>,
  sign: 1 | -1,
): Promise<BuiltLine[]> {
  const shippingSku = refs.opts.shippingSku ?? 'SHIPPING';
  const skus = input.lines.map((l) => l.sku);
  if (input.shipping?.length) skus.push(shippingSku);
  const products = await refs.productMap(skus);
  const out: BuiltLine[] = [];
  const build = async (
    kind: LineMeta['kind'],
    p: { id: number; uom: number; name: string },
    quantity: string,
    unitPrice: string,
    discount: string | undefined,
    codes: string[] | undefined,
    shopTaxes: LineMeta['taxes'],
    description: string | undefined,
    field: string,
  ) => {
    const taxes = await refs.taxIds(codes, field);
    const given = givenTax(shopTaxes);
    out.push({
      type: 'line',
      product: p.id,
      quantity: new Decimal(quantity).times(sign).toString(),
      unit: p.uom,
      unit_price: D(
        netUnitPrice({ unitPrice, quantity, discount, rates: taxes.map((t) => t.rate), pricesIncludeTax: input.pricesIncludeTax, taxAmount: given }),
      ),
      description: description ?? p.name,
      note: encodeMeta({
        kind,
        unitPrice,
        discount: discount ?? '0',
        ...(shopTaxes ? { taxes: shopTaxes.map((t) => ({ code: t.code, amount: money(t.amount) })) } : {}),
      }),
      taxes: [['add', shopTaxes ? [] : taxes.map((t) => t.id)]],
    });
  };
  for (const [i, l] of input.lines.entries())
    await build('line', products.get(l.sku)!, l.quantity, l.unitPrice, l.discount, lineCodes(l), l.taxes, l.description, `lines[${i}].taxCodes`);
  for (const [i, s] of (input.shipping ?? []).entries())
    await build('shipping', products.get(shippingSku)!, '1', s.amount, s.discount, lineCodes(s), s.taxes, s.description, `shipping[${i}].taxCodes`);
  return out;
}

/** An address that says where (an order of digital goods has none to ship to, or only a name). */
const located = (a: Address | null | undefined): a is Address => !!(a && (a.street || a.city || a.zip));

export async function createSale(rpc: TrytonRpc, refs: TrytonRefs, input: SalesOrderInput, confirm = true): Promise<Posted<ErpSalesOrder>> {
  const existing = await findSale(rpc, input.externalId);
  if (existing && (existing.state !== 'draft' || confirm)) {
    // A previous attempt may have stopped between create and confirm: finish it instead of creating another.
    const resumed = confirm ? await confirmIfDraft(rpc, refs, existing) : false;
    return { created: resumed, document: await toOrder(rpc, refs, await readSaleById(rpc, existing.id)) };
  }
  // A draft books nothing: a new post of the same order (a replay after a fix) replaces it.
  if (existing) await rpc.model('sale.sale', 'delete', [[existing.id]]);
  const other = input.lines.find((l) => l.warehouse && l.warehouse !== input.warehouse);
  if (other) {
    throw erpError('tryton', `a Tryton sale ships from one warehouse; line ${other.sku} asks for ${other.warehouse}, the order for ${input.warehouse}`, {
      errorClass: 'permanent',
      code: 'UNSUPPORTED',
      details: { field: 'lines.warehouse', value: other.warehouse },
    });
  }
  const [warehouse, currency, paymentTerm, lines] = await Promise.all([
    refs.warehouse(input.warehouse),
    refs.currency(input.currency),
    refs.paymentTerm(input.paymentTerms),
    buildSaleLines(refs, input, 1),
  ]);
  const party = await ensureParty(rpc, input.customer);
  const billing = located(input.customer.address) ? input.customer.address : null;
  const shipping = located(input.shipTo) ? input.shipTo : null;
  const wanted = [billing, shipping].filter((a) => a !== null);
  // In the order asked: billing's first when there is one.
  const ids = wanted.length ? await addressesFor(rpc, party.partyId, wanted, input.customer.name) : [];
  const invoiceAddress = billing ? ids.shift()! : party.addressId;
  const shipmentAddress = shipping ? ids.shift()! : invoiceAddress;
  const id = await rpc.createOne('sale.sale', {
    party: party.partyId,
    invoice_address: invoiceAddress,
    shipment_address: shipmentAddress,
    warehouse: warehouse.id,
    currency,
    payment_term: paymentTerm,
    reference: input.externalId,
    description: input.reference,
    sale_date: tDate(input.date),
    lines: [['create', lines]],
  });
  if (confirm) await confirmIfDraft(rpc, refs, await readSaleById(rpc, id));
  return { created: true, document: await toOrder(rpc, refs, await readSaleById(rpc, id)) };
}

/** Confirms the draft sale of a Shopify order: see ErpConnector.confirmSalesOrder. */
export async function confirmSale(
  rpc: TrytonRpc,
  refs: TrytonRefs,
  externalId: string,
  expected?: { net: string; tax: string; gross: string },
): Promise<ErpSalesOrder> {
  const s = await findSale(rpc, externalId);
  if (!s)
    throw erpError('tryton', `no sales order for Shopify order ${externalId}`, {
      errorClass: 'permanent',
      code: 'SALES_ORDER_NOT_FOUND',
      details: { externalId },
    });
  await confirmIfDraft(rpc, refs, s, expected);
  return toOrder(rpc, refs, await readSaleById(rpc, s.id));
}

async function confirmIfDraft(rpc: TrytonRpc, refs: TrytonRefs, sale: SaleRow, expected?: { net: string; tax: string; gross: string }): Promise<boolean> {
  if (sale.state === 'draft') await rpc.model('sale.sale', 'quote', [[sale.id]]);
  if (sale.state === 'draft' || sale.state === 'quotation') {
    await rpc.model('sale.sale', 'confirm', [[sale.id]]);
  } else if (sale.state !== 'confirmed' && sale.state !== 'processing') return false;
  // confirm processes the sale in the same request: the shipment and the draft invoice exist now.
  const after = await readSaleById(rpc, sale.id);
  for (const inv of await draftInvoices(rpc, after)) {
    await applyShopifyTaxes(rpc, refs, inv);
    if (expected) await checkInvoice(rpc, inv, after, expected);
    if (refs.opts.postInvoices) {
      // Booked on the order's date, so the month-end ledger has it in the month Shopify sold it. Paid at checkout: no
      // payment term (a due date in the past would stop the post with a warning for an order posted a day late).
      const late = await accountingDateFor(rpc, after.sale_date);
      await rpc.model('account.invoice', 'write', [
        [inv],
        { invoice_date: tDate(after.sale_date), accounting_date: late ? tDate(late) : null, payment_term: null },
      ]);
      await rpc.model('account.invoice', 'post', [[inv]]);
    }
  }
  return sale.state === 'draft' || sale.state === 'quotation';
}

/**
 * Tryton numbers customer invoices strictly in date order: an invoice dated before one already numbered cannot be posted.
 * An order posted late (a replay, a backfill) keeps the order's date as its invoice date and is booked on the latest
 * date already numbered, the way an accountant books a late document in the open period. Null when the order's date
 * is fine as it is.
 */
async function accountingDateFor(rpc: TrytonRpc, invoiceDate: string): Promise<string | null> {
  const d = tDate(invoiceDate);
  const numbered = [
    ['type', '=', 'out'],
    ['number', '!=', null],
  ];
  // The latest of each kind only: a backfill of an old order must not read every invoice numbered since.
  const latest = async (field: 'accounting_date' | 'invoice_date', extra: unknown[]) => {
    const [row] = await rpc.model<Array<Record<typeof field, string | null>>>('account.invoice', 'search_read', [
      [...numbered, ...extra, [field, '>', d]],
      0,
      1,
      [[field, 'DESC']],
      [field],
    ]);
    return row?.[field] ?? null;
  };
  const dates = [await latest('accounting_date', []), await latest('invoice_date', [['accounting_date', '=', null]])];
  return dates.reduce<string | null>((a, b) => (b && (!a || b > a) ? b : a), null);
}

async function draftInvoices(rpc: TrytonRpc, s: SaleRow): Promise<number[]> {
  if (!s.invoices.length) return [];
  const rows = await rpc.model<Array<{ id: number; state: string }>>('account.invoice', 'read', [s.invoices, ['state']]);
  return rows.filter((r) => r.state === 'draft' || r.state === 'validated').map((r) => r.id);
}

/**
 * Shopify's tax as manual tax lines of the invoice, one per invoice line and Shopify tax line (base = the line's net),
 * from the sale line meta. Idempotent: an invoice that has manual taxes already is left alone.
 */
export async function applyShopifyTaxes(rpc: TrytonRpc, refs: TrytonRefs, invoiceId: number): Promise<void> {
  const inv = await rpc.readOne<{ lines: number[]; taxes: number[] }>('account.invoice', invoiceId, ['lines', 'taxes']);
  if (inv.taxes.length) {
    const existing = await rpc.model<Array<{ manual: number | boolean }>>('account.invoice.tax', 'read', [inv.taxes, ['manual']]);
    if (existing.some((t) => t.manual)) return;
  }
  const lines = await rpc.model<Array<{ id: number; amount: string; description: string; origin: string | null; note: string | null }>>(
    'account.invoice.line',
    'read',
    [inv.lines, ['amount', 'description', 'origin', 'note']],
  );
  // Invoice lines made from sale lines point at them (origin "sale.line,<id>"); their notes carry the meta.
  const saleLineIds = lines.map((l) => (l.origin?.startsWith('sale.line,') ? Number(l.origin.slice(10)) : null));
  const saleNotes = new Map<number, string | null>();
  const ids = saleLineIds.filter((x): x is number => x !== null);
  if (ids.length)
    for (const r of await rpc.model<Array<{ id: number; note: string | null }>>('sale.line', 'read', [ids, ['note']])) saleNotes.set(r.id, r.note);
  const all = await refs.taxes();
  const accounts = await refs.taxAccounts();
  const create: Array<Record<string, unknown>> = [];
  for (const [i, l] of lines.entries()) {
    const meta = decodeMeta(saleLineIds[i] !== null ? saleNotes.get(saleLineIds[i]!) : l.note);
    const sign = new Decimal(l.amount).isNegative() ? -1 : 1;
    for (const t of meta?.taxes ?? []) {
      const tax = all.find((x) => x.code === t.code);
      if (!tax)
        throw erpError('tryton', `Tax code ${JSON.stringify(t.code)} does not exist in Tryton`, {
          errorClass: 'permanent',
          code: 'TAX_CODE_NOT_FOUND',
          details: { value: t.code },
        });
      const acc = accounts.get(tax.id);
      create.push({
        invoice: invoiceId,
        manual: true,
        tax: tax.id,
        description: `${t.code} on ${l.description}`.slice(0, 120),
        account: sign < 0 ? (acc?.creditNote ?? acc?.invoice) : acc?.invoice,
        base: D(money(l.amount)),
        amount: D(money(new Decimal(t.amount).times(sign))),
      });
    }
  }
  if (create.length) await rpc.model('account.invoice.tax', 'create', [create]);
}

/** Before an invoice is posted: its totals must be the expected (Shopify's) ones, or nothing is booked. */
async function checkInvoice(rpc: TrytonRpc, invoiceId: number, s: SaleRow, expected: { net: string; tax: string; gross: string }): Promise<void> {
  const inv = await rpc.readOne<{ untaxed_amount: string; tax_amount: string; total_amount: string }>('account.invoice', invoiceId, [
    'untaxed_amount',
    'tax_amount',
    'total_amount',
  ]);
  const got = { net: money(inv.untaxed_amount), tax: money(inv.tax_amount), gross: money(inv.total_amount) };
  const diffs = (['net', 'tax', 'gross'] as const).filter((k) => !new Decimal(expected[k]).eq(got[k]));
  if (diffs.length) {
    throw erpError(
      'tryton',
      `invoice of sale ${s.number} does not match the expected totals: ${diffs.map((k) => `${k} ERP ${got[k]} vs expected ${money(expected[k])}`).join(', ')}; it is kept as a draft, nothing was booked`,
      {
        errorClass: 'permanent',
        code: 'TOTALS_MISMATCH',
        details: { number: s.number, fields: diffs, erpTotals: got, expected, draft: true },
      },
    );
  }
}

export function saleStatus(s: Pick<SaleRow, 'state' | 'shipment_state'>, cancelledFully = false): SalesOrderStatus {
  if (s.state === 'cancelled' || cancelledFully) return 'cancelled';
  if (s.state === 'draft' || s.state === 'quotation') return 'draft';
  if (s.shipment_state === 'sent') return 'fulfilled';
  if (s.shipment_state === 'partially shipped') return 'partially-fulfilled';
  return 'open';
}

interface LineRow {
  id: number;
  product: number | null;
  description: string;
  quantity: number;
  unit_price: string;
  amount: string;
  taxes: number[];
  note: string | null;
}

/** The sale's lines; a tax Tryton computed from a rate is rounded per line to the sale currency's minor unit, as Tryton does. */
export async function readLines(rpc: TrytonRpc, refs: TrytonRefs, ids: number[], currency: string) {
  const rows = await rpc.model<LineRow[]>('sale.line', 'read', [ids, ['product', 'description', 'quantity', 'unit_price', 'amount', 'taxes', 'note']]);
  const skus = await refs.productSkus(rows.map((r) => r.product).filter((p): p is number => p != null));
  const taxes = await refs.taxes();
  return rows.map((r) => {
    const meta = decodeMeta(r.note);
    const net = new Decimal(r.amount);
    if (meta?.taxes) {
      // Shopify's tax, recorded as given (the invoice carries it as manual tax lines).
      const codes = [...new Set(meta.taxes.map((t) => t.code))].sort();
      return {
        row: r,
        sku: r.product ? (skus.get(r.product) ?? '') : '',
        meta,
        taxCode: codes.length ? codes.join(',') : null,
        net,
        taxAmount: sum(meta.taxes.map((t) => t.amount)),
      };
    }
    const ts = taxes.filter((t) => r.taxes.includes(t.id));
    const taxAmount = sum(ts.map((t) => roundToCurrency(net.times(t.rate), currency)));
    return { row: r, sku: r.product ? (skus.get(r.product) ?? '') : '', meta, taxCode: ts.length ? ts.map((t) => t.code).join(',') : null, net, taxAmount };
  });
}

export async function toOrder(rpc: TrytonRpc, refs: TrytonRefs, s: SaleRow): Promise<ErpSalesOrder> {
  const currency = await refs.currencyCode(s.currency);
  const lines = await readLines(rpc, refs, s.lines, currency);
  const wh = (await refs.warehouseById(s.warehouse))?.code ?? String(s.warehouse);
  const cancelled = s.state !== 'cancelled' && (await allCancelled(rpc, s));
  const goods: ErpSalesOrderLine[] = [];
  const shipping: ErpShippingLine[] = [];
  for (const l of lines) {
    const unitPrice = l.meta?.unitPrice ?? l.row.unit_price;
    if (l.meta?.kind === 'shipping') {
      shipping.push({
        description: l.row.description,
        amount: money(unitPrice),
        discount: money(l.meta.discount),
        taxCode: l.taxCode,
        net: money(l.net),
        taxAmount: money(l.taxAmount),
      });
    } else {
      goods.push({
        sku: l.sku,
        description: l.row.description,
        quantity: qty(l.row.quantity),
        unitPrice: money(unitPrice),
        discount: money(l.meta?.discount ?? '0'),
        taxCode: l.taxCode,
        net: money(l.net),
        taxAmount: money(l.taxAmount),
        warehouse: wh,
      });
    }
  }
  return {
    id: String(s.id),
    externalId: s.reference,
    number: s.number ?? '',
    reference: s.description ?? '',
    customer: { id: String(s.party), externalId: s['party.'].code, name: s['party.'].name },
    currency,
    date: s.sale_date,
    status: saleStatus(s, cancelled),
    warehouse: wh,
    paymentTerms: s['payment_term.']?.name ?? null,
    lines: goods,
    shipping,
    totals: await saleTotals(rpc, s, lines),
  };
}

/**
 * The order's totals as the books hold them: its invoice's (with Shopify's tax as manual tax lines) once there is one;
 * before that the sale's own net plus the tax recorded per line (Tryton's sale computes no tax for lines that carry
 * Shopify's amounts).
 */
async function saleTotals(rpc: TrytonRpc, s: SaleRow, lines: Awaited<ReturnType<typeof readLines>>): Promise<{ net: string; tax: string; gross: string }> {
  if (s.invoices.length) {
    const invs = (
      await rpc.model<Array<{ state: string; untaxed_amount: string; tax_amount: string; total_amount: string }>>('account.invoice', 'read', [
        s.invoices,
        ['state', 'untaxed_amount', 'tax_amount', 'total_amount'],
      ])
    ).filter((i) => i.state !== 'cancelled');
    if (invs.length) {
      return {
        net: money(sum(invs.map((i) => i.untaxed_amount))),
        tax: money(sum(invs.map((i) => i.tax_amount))),
        gross: money(sum(invs.map((i) => i.total_amount))),
      };
    }
  }
  const given = sum(lines.filter((l) => l.meta?.taxes).map((l) => l.taxAmount));
  const tax = new Decimal(s.tax_amount).plus(given);
  return { net: money(s.untaxed_amount), tax: money(tax), gross: money(new Decimal(s.untaxed_amount).plus(tax)) };
}

/** A processing sale whose shipments and invoices were all cancelled (Tryton keeps the sale itself as done). */
async function allCancelled(rpc: TrytonRpc, s: SaleRow): Promise<boolean> {
  if (s.state !== 'processing' && s.state !== 'done') return false;
  if (!s.shipments.length && !s.invoices.length) return false;
  const sh = s.shipments.length ? await rpc.model<Array<{ state: string }>>('stock.shipment.out', 'read', [s.shipments, ['state']]) : [];
  const inv = s.invoices.length ? await rpc.model<Array<{ state: string }>>('account.invoice', 'read', [s.invoices, ['state']]) : [];
  return [...sh, ...inv].every((x) => x.state === 'cancelled');
}

export async function cancelSale(rpc: TrytonRpc, refs: TrytonRefs, externalId: string): Promise<ErpSalesOrder> {
  const s = await findSale(rpc, externalId);
  if (!s)
    throw erpError('tryton', `no sales order for Shopify order ${externalId}`, {
      errorClass: 'permanent',
      code: 'SALES_ORDER_NOT_FOUND',
      details: { externalId },
    });
  if (s.state === 'draft' || s.state === 'quotation') {
    await rpc.model('sale.sale', 'cancel', [[s.id]]);
  } else if (s.state === 'processing' || s.state === 'confirmed') {
    const shipments = s.shipments.length ? await rpc.model<Array<{ id: number; state: string }>>('stock.shipment.out', 'read', [s.shipments, ['state']]) : [];
    const invoices = s.invoices.length ? await rpc.model<Array<{ id: number; state: string }>>('account.invoice', 'read', [s.invoices, ['state']]) : [];
    const shipped = shipments.filter((x) => x.state === 'done' || x.state === 'packed');
    const posted = invoices.filter((x) => x.state === 'posted' || x.state === 'paid');
    if (shipped.length || posted.length) {
      throw erpError(
        'tryton',
        `sales order ${s.number} cannot be cancelled: ${shipped.length ? 'already shipped' : 'its invoice is posted'}; refund it with a credit memo`,
        {
          errorClass: 'permanent',
          code: 'CANNOT_CANCEL',
          details: { externalId, number: s.number },
        },
      );
    }
    const openShip = shipments.filter((x) => x.state !== 'cancelled').map((x) => x.id);
    const openInv = invoices.filter((x) => x.state !== 'cancelled').map((x) => x.id);
    if (openShip.length) await rpc.model('stock.shipment.out', 'cancel', [openShip]);
    if (openInv.length) await rpc.model('account.invoice', 'cancel', [openInv]);
    // Cancelled shipments/invoices put the sale in exception; "ignore" them so Tryton closes the sale.
    await runWizard(rpc, 'sale.handle.shipment.exception', s.id, (form) => ({ ask: { recreate_moves: [], domain_moves: form.domain_moves ?? [] } }));
    await runWizard(rpc, 'sale.handle.invoice.exception', s.id, (form) => ({ ask: { recreate_invoices: [], domain_invoices: form.domain_invoices ?? [] } }));
  }
  const after = await readSaleById(rpc, s.id);
  const order = await toOrder(rpc, refs, after);
  if (order.status !== 'cancelled') {
    throw erpError('tryton', `sales order ${s.number} is still ${after.state} after cancel`, {
      errorClass: 'permanent',
      code: 'CANNOT_CANCEL',
      details: { externalId, state: after.state },
    });
  }
  return order;
}

async function runWizard(rpc: TrytonRpc, name: string, saleId: number, data: (defaults: Record<string, number[]>) => Record<string, unknown>) {
  const ctx = { active_model: 'sale.sale', active_id: saleId, active_ids: [saleId] };
  const [sid] = await rpc.call<[number, string, string]>(`wizard.${name}.create`, [], ctx);
  try {
    const view = await rpc.call<{ view?: { defaults?: Record<string, number[]> } }>(`wizard.${name}.execute`, [sid, {}, 'ask'], ctx);
    await rpc.call(`wizard.${name}.execute`, [sid, data(view.view?.defaults ?? {}), 'handle'], ctx);
  } finally {
    await rpc.call(`wizard.${name}.delete`, [sid], ctx).catch(() => undefined);
  }
}
