// Sales orders in Tryton: sale.sale keyed by `reference` = Shopify order id (not unique in Tryton, so every
// create searches first), created with explicit addresses/unit/price/taxes (no on_change server-side), then
// quoted and confirmed, which creates the shipment and the invoice in the same request.
import type { ErpSalesOrder, ErpSalesOrderLine, ErpShippingLine, Posted, SalesOrderInput, SalesOrderStatus } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { money, qty, round2, sum, Decimal } from '../shared/money.ts';
import { decodeMeta, encodeMeta, netUnitPrice } from '../shared/pricing.ts';
import { ensureParty } from './customers.ts';
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

const SALE_FIELDS = ['number', 'reference', 'description', 'state', 'shipment_state', 'invoice_state', 'party', 'party.code', 'party.name',
  'currency', 'sale_date', 'warehouse', 'untaxed_amount', 'tax_amount', 'total_amount', 'lines', 'shipments', 'shipment_returns', 'invoices'];

export async function findSale(rpc: TrytonRpc, reference: string): Promise<SaleRow | null> {
  const rows = await rpc.model<SaleRow[]>('sale.sale', 'search_read', [[['reference', '=', reference]], 0, 2, [['id', 'ASC']], SALE_FIELDS]);
  return rows[0] ?? null;
}

export async function readSaleById(rpc: TrytonRpc, id: number): Promise<SaleRow> {
  const [row] = await rpc.model<SaleRow[]>('sale.sale', 'read', [[id], SALE_FIELDS]);
  return row;
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

/** Sale lines (goods and shipping) as Tryton wants them; `sign` -1 turns them into return lines. */
export async function buildSaleLines(refs: TrytonRefs, input: Pick<SalesOrderInput, 'lines' | 'shipping' | 'pricesIncludeTax'>, sign: 1 | -1): Promise<BuiltLine[]> {
  const shippingSku = refs.opts.shippingSku ?? 'SHIPPING';
  const skus = input.lines.map((l) => l.sku);
  if (input.shipping?.length) skus.push(shippingSku);
  const products = await refs.productMap(skus);
  const out: BuiltLine[] = [];
  for (const [i, l] of input.lines.entries()) {
    const p = products.get(l.sku)!;
    const taxes = await refs.taxIds(l.taxCodes, `lines[${i}].taxCodes`);
    out.push({
      type: 'line', product: p.id, quantity: new Decimal(l.quantity).times(sign).toString(), unit: p.uom,
      unit_price: D(netUnitPrice({ unitPrice: l.unitPrice, quantity: l.quantity, discount: l.discount, rates: taxes.map((t) => t.rate), pricesIncludeTax: input.pricesIncludeTax })),
      description: l.description ?? p.name,
      note: encodeMeta({ kind: 'line', unitPrice: l.unitPrice, discount: l.discount ?? '0' }),
      taxes: [['add', taxes.map((t) => t.id)]],
    });
  }
  for (const [i, s] of (input.shipping ?? []).entries()) {
    const p = products.get(shippingSku)!;
    const taxes = await refs.taxIds(s.taxCodes, `shipping[${i}].taxCodes`);
    out.push({
      type: 'line', product: p.id, quantity: String(sign), unit: p.uom,
      unit_price: D(netUnitPrice({ unitPrice: s.amount, quantity: '1', discount: s.discount, rates: taxes.map((t) => t.rate), pricesIncludeTax: input.pricesIncludeTax })),
      description: s.description,
      note: encodeMeta({ kind: 'shipping', unitPrice: s.amount, discount: s.discount ?? '0' }),
      taxes: [['add', taxes.map((t) => t.id)]],
    });
  }
  return out;
}

export async function createSale(rpc: TrytonRpc, refs: TrytonRefs, input: SalesOrderInput): Promise<Posted<ErpSalesOrder>> {
  const existing = await findSale(rpc, input.externalId);
  if (existing) {
    // A previous attempt may have stopped between create and confirm: finish it instead of creating another.
    const resumed = await confirmIfDraft(rpc, existing);
    return { created: resumed, document: await toOrder(rpc, refs, await readSaleById(rpc, existing.id)) };
  }
  const other = input.lines.find((l) => l.warehouse && l.warehouse !== input.warehouse);
  if (other) {
    throw erpError('tryton', `a Tryton sale ships from one warehouse; line ${other.sku} asks for ${other.warehouse}, the order for ${input.warehouse}`, {
      errorClass: 'permanent', code: 'UNSUPPORTED', details: { field: 'lines.warehouse', value: other.warehouse },
    });
  }
  const [warehouse, currency, paymentTerm, lines] = await Promise.all([
    refs.warehouse(input.warehouse), refs.currency(input.currency), refs.paymentTerm(), buildSaleLines(refs, input, 1),
  ]);
  const party = await ensureParty(rpc, input.customer);
  const [id] = await rpc.model<number[]>('sale.sale', 'create', [[{
    party: party.partyId, invoice_address: party.addressId, shipment_address: party.addressId,
    warehouse: warehouse.id, currency, payment_term: paymentTerm,
    reference: input.externalId, description: input.reference, sale_date: tDate(input.date),
    lines: [['create', lines]],
  }]]);
  await rpc.model('sale.sale', 'quote', [[id]]);
  await rpc.model('sale.sale', 'confirm', [[id]]);
  const sale = await readSaleById(rpc, id);
  if (refs.opts.postInvoices && sale.invoices.length) await rpc.model('account.invoice', 'post', [sale.invoices]);
  return { created: true, document: await toOrder(rpc, refs, sale) };
}

async function confirmIfDraft(rpc: TrytonRpc, sale: SaleRow): Promise<boolean> {
  if (sale.state === 'draft') await rpc.model('sale.sale', 'quote', [[sale.id]]);
  if (sale.state === 'draft' || sale.state === 'quotation') {
    await rpc.model('sale.sale', 'confirm', [[sale.id]]);
    return true;
  }
  return false;
}

export function saleStatus(s: Pick<SaleRow, 'state' | 'shipment_state'>, cancelledFully = false): SalesOrderStatus {
  if (s.state === 'cancelled' || cancelledFully) return 'cancelled';
  if (s.state === 'draft' || s.state === 'quotation') return 'draft';
  if (s.shipment_state === 'sent') return 'fulfilled';
  if (s.shipment_state === 'partially shipped') return 'partially-fulfilled';
  return 'open';
}

interface LineRow { id: number; product: number | null; description: string; quantity: number; unit_price: string; amount: string; taxes: number[]; note: string | null }

export async function readLines(rpc: TrytonRpc, refs: TrytonRefs, ids: number[]) {
  const rows = await rpc.model<LineRow[]>('sale.line', 'read', [ids, ['product', 'description', 'quantity', 'unit_price', 'amount', 'taxes', 'note']]);
  const skus = await refs.productSkus(rows.map((r) => r.product).filter((p): p is number => p != null));
  const taxes = await refs.taxes();
  return rows.map((r) => {
    const ts = taxes.filter((t) => r.taxes.includes(t.id));
    const net = new Decimal(r.amount);
    const taxAmount = sum(ts.map((t) => round2(net.times(t.rate))));
    return { row: r, sku: r.product ? skus.get(r.product) ?? '' : '', meta: decodeMeta(r.note), taxCode: ts.length ? ts.map((t) => t.code).join(',') : null, net, taxAmount };
  });
}

export async function toOrder(rpc: TrytonRpc, refs: TrytonRefs, s: SaleRow): Promise<ErpSalesOrder> {
  const lines = await readLines(rpc, refs, s.lines);
  const wh = (await refs.warehouseById(s.warehouse))?.code ?? String(s.warehouse);
  const cancelled = s.state !== 'cancelled' && (await allCancelled(rpc, s));
  const goods: ErpSalesOrderLine[] = [];
  const shipping: ErpShippingLine[] = [];
  for (const l of lines) {
    const unitPrice = l.meta?.unitPrice ?? l.row.unit_price;
    if (l.meta?.kind === 'shipping') {
      shipping.push({ description: l.row.description, amount: money(unitPrice), discount: money(l.meta.discount), taxCode: l.taxCode, net: money(l.net), taxAmount: money(l.taxAmount) });
    } else {
      goods.push({
        sku: l.sku, description: l.row.description, quantity: qty(l.row.quantity), unitPrice: money(unitPrice), discount: money(l.meta?.discount ?? '0'),
        taxCode: l.taxCode, net: money(l.net), taxAmount: money(l.taxAmount), warehouse: wh,
      });
    }
  }
  return {
    id: String(s.id), externalId: s.reference, number: s.number ?? '', reference: s.description ?? '',
    customer: { id: String(s.party), externalId: s['party.'].code, name: s['party.'].name },
    currency: await refs.currencyCode(s.currency), date: s.sale_date, status: saleStatus(s, cancelled), warehouse: wh,
    lines: goods, shipping, totals: { net: money(s.untaxed_amount), tax: money(s.tax_amount), gross: money(s.total_amount) },
  };
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
  if (!s) throw erpError('tryton', `no sales order for Shopify order ${externalId}`, { errorClass: 'permanent', code: 'SALES_ORDER_NOT_FOUND', details: { externalId } });
  if (s.state === 'draft' || s.state === 'quotation') {
    await rpc.model('sale.sale', 'cancel', [[s.id]]);
  } else if (s.state === 'processing' || s.state === 'confirmed') {
    const shipments = s.shipments.length ? await rpc.model<Array<{ id: number; state: string }>>('stock.shipment.out', 'read', [s.shipments, ['state']]) : [];
    const invoices = s.invoices.length ? await rpc.model<Array<{ id: number; state: string }>>('account.invoice', 'read', [s.invoices, ['state']]) : [];
    const shipped = shipments.filter((x) => x.state === 'done' || x.state === 'packed');
    const posted = invoices.filter((x) => x.state === 'posted' || x.state === 'paid');
    if (shipped.length || posted.length) {
      throw erpError('tryton', `sales order ${s.number} cannot be cancelled: ${shipped.length ? 'already shipped' : 'its invoice is posted'}; refund it with a credit memo`, {
        errorClass: 'permanent', code: 'CANNOT_CANCEL', details: { externalId, number: s.number },
      });
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
    throw erpError('tryton', `sales order ${s.number} is still ${after.state} after cancel`, { errorClass: 'permanent', code: 'CANNOT_CANCEL', details: { externalId, state: after.state } });
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
