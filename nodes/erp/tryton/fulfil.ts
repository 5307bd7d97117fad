// Fulfilments are done customer shipments (stock.shipment.out) whose `reference` holds the tracking number;
// stock is product quantity (on hand) and forecast quantity (available) per warehouse location.
import type { ErpFulfilment, FulfilmentPage, StockLevel } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import { qty } from '../shared/money.ts';
import { findSale } from './orders.ts';
import type { TrytonRefs } from './refs.ts';
import { tDateTime, type TrytonRpc } from './rpc.ts';

interface ShipmentRow {
  id: number;
  number: string;
  reference: string | null;
  state: string;
  warehouse: number;
  write_date: string;
  effective_date: string | null;
  outgoing_moves: number[];
}
interface MoveRow {
  id: number;
  product: number;
  quantity: number;
  origin: string | null;
}

const SHIPMENT_FIELDS = ['number', 'reference', 'state', 'warehouse', 'write_date', 'effective_date', 'outgoing_moves'];

/** Cursor = `<write_date ISO>|<id>`: shipments are ordered by last change, so a tracking number added after `done` re-emits it. */
function parseCursor(c: string | null | undefined): { at: string; id: number } | null {
  if (!c) return null;
  const [at, id] = c.split('|');
  if (!at || !/^\d+$/.test(id ?? '') || Number.isNaN(Date.parse(at))) {
    throw erpError('tryton', `invalid fulfilment cursor ${JSON.stringify(c)}`, {
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { field: 'since', value: c },
    });
  }
  return { at, id: Number(id) };
}

export async function listFulfilments(rpc: TrytonRpc, refs: TrytonRefs, opts: { since?: string | null; limit?: number }): Promise<FulfilmentPage> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const cur = parseCursor(opts.since);
  const domain: unknown[] = [['state', '=', 'done']];
  if (cur) {
    const at = tDateTime(cur.at);
    domain.push([
      'OR',
      ['write_date', '>', at],
      [
        ['write_date', '=', at],
        ['id', '>', cur.id],
      ],
    ]);
  }
  const rows = await rpc.model<ShipmentRow[]>('stock.shipment.out', 'search_read', [
    domain,
    0,
    limit + 1,
    [
      ['write_date', 'ASC'],
      ['id', 'ASC'],
    ],
    SHIPMENT_FIELDS,
  ]);
  const page = rows.slice(0, limit);
  const fulfilments = await toFulfilments(rpc, refs, page);
  const last = page[page.length - 1];
  return { fulfilments, cursor: last ? `${last.write_date}|${last.id}` : (opts.since ?? null), hasMore: rows.length > limit };
}

async function toFulfilments(rpc: TrytonRpc, refs: TrytonRefs, shipments: ShipmentRow[]): Promise<ErpFulfilment[]> {
  const moveIds = shipments.flatMap((s) => s.outgoing_moves);
  const moves = moveIds.length ? await rpc.model<MoveRow[]>('stock.move', 'read', [moveIds, ['product', 'quantity', 'origin']]) : [];
  const byId = new Map(moves.map((m) => [m.id, m]));
  const skus = await refs.productSkus(moves.map((m) => m.product));
  const lineIds = [
    ...new Set(
      moves
        .map((m) => m.origin)
        .filter((o): o is string => !!o && o.startsWith('sale.line,'))
        .map((o) => Number(o.split(',')[1])),
    ),
  ];
  const lines = lineIds.length ? await rpc.model<Array<{ id: number; sale: number }>>('sale.line', 'read', [lineIds, ['sale']]) : [];
  const saleIds = [...new Set(lines.map((l) => l.sale))];
  const sales = saleIds.length ? await rpc.model<Array<{ id: number; reference: string }>>('sale.sale', 'read', [saleIds, ['reference']]) : [];
  const saleOfLine = new Map(lines.map((l) => [l.id, l.sale]));
  const refOfSale = new Map(sales.map((s) => [s.id, s.reference]));
  const out: ErpFulfilment[] = [];
  for (const s of shipments) {
    const ms = s.outgoing_moves.map((id) => byId.get(id)).filter((m): m is MoveRow => !!m);
    const saleId = ms
      .map((m) => (m.origin?.startsWith('sale.line,') ? saleOfLine.get(Number(m.origin.split(',')[1])) : undefined))
      .find((x) => x !== undefined);
    const agg = new Map<string, number>();
    for (const m of ms) agg.set(skus.get(m.product) ?? String(m.product), (agg.get(skus.get(m.product) ?? String(m.product)) ?? 0) + m.quantity);
    out.push({
      id: String(s.id),
      number: s.number,
      salesOrderId: saleId ? String(saleId) : '',
      externalOrderId: saleId ? (refOfSale.get(saleId) ?? '') : '',
      warehouse: (await refs.warehouseById(s.warehouse))?.code ?? String(s.warehouse),
      completedAt: s.write_date,
      lines: [...agg].map(([sku, q]) => ({ sku, quantity: qty(q) })),
      tracking: { number: s.reference || null, company: null, url: null },
    });
  }
  return out;
}

export async function getStock(rpc: TrytonRpc, refs: TrytonRefs, opts: { skus?: string[]; warehouses?: string[] }): Promise<StockLevel[]> {
  if (opts.skus && !opts.skus.length) return [];
  const skuDomain = opts.skus ? [['code', 'in', [...new Set(opts.skus)]]] : [['code', '!=', null]];
  const whs = opts.warehouses?.length ? await Promise.all(opts.warehouses.map((w) => refs.warehouse(w))) : await refs.warehouses();
  const out: StockLevel[] = [];
  for (const wh of whs) {
    // Quantities include child locations of the warehouse; forecast subtracts what confirmed sales will take.
    const rows = await rpc.model<Array<{ code: string; quantity: number; forecast_quantity: number; type: string }>>(
      'product.product',
      'search_read',
      [[...skuDomain, ['type', '=', 'goods']], 0, null, [['code', 'ASC']], ['code', 'quantity', 'forecast_quantity', 'type']],
      { locations: [wh.id] },
    );
    for (const r of rows) out.push({ sku: r.code, warehouse: wh.code, onHand: qty(r.quantity), available: qty(Math.min(r.quantity, r.forecast_quantity)) });
  }
  return out;
}

/** Warehouse staff shipping an order: assign, pick, pack, tracking reference, done. */
export async function shipSale(rpc: TrytonRpc, refs: TrytonRefs, externalId: string, opts: { trackingNumber?: string }): Promise<ErpFulfilment> {
  const sale = await findSale(rpc, externalId);
  if (!sale)
    throw erpError('tryton', `no sales order for Shopify order ${externalId}`, {
      errorClass: 'permanent',
      code: 'SALES_ORDER_NOT_FOUND',
      details: { externalId },
    });
  const rows = sale.shipments.length ? await rpc.model<ShipmentRow[]>('stock.shipment.out', 'read', [sale.shipments, SHIPMENT_FIELDS]) : [];
  const ship = rows.find((r) => r.state !== 'done' && r.state !== 'cancelled');
  if (!ship)
    throw erpError('tryton', `sales order ${sale.number} has nothing left to ship`, {
      errorClass: 'permanent',
      code: 'NOTHING_TO_SHIP',
      details: { externalId },
    });
  if (opts.trackingNumber) await rpc.model('stock.shipment.out', 'write', [[ship.id], { reference: opts.trackingNumber }]);
  if (ship.state === 'waiting' || ship.state === 'draft') {
    if (ship.state === 'draft') await rpc.model('stock.shipment.out', 'wait', [[ship.id]]);
    const ok = await rpc.model<boolean>('stock.shipment.out', 'assign_try', [[ship.id]]);
    if (!ok)
      throw erpError('tryton', `not enough stock to ship ${ship.number}`, {
        errorClass: 'permanent',
        code: 'INSUFFICIENT_STOCK',
        details: { externalId, shipment: ship.number },
      });
  }
  for (const step of ['pick', 'pack', 'done']) await rpc.model('stock.shipment.out', step, [[ship.id]]);
  // Wrong-state transitions are silent no-ops in Tryton: check the state rather than trusting the calls.
  const after = await rpc.readOne<ShipmentRow>('stock.shipment.out', ship.id, SHIPMENT_FIELDS);
  if (after.state !== 'done')
    throw erpError('tryton', `shipment ${ship.number} ended in state ${after.state}, not done`, {
      errorClass: 'permanent',
      code: 'ERP_STATE',
      details: { shipment: ship.number },
    });
  const [f] = await toFulfilments(rpc, refs, [after]);
  if (!f) throw new Error(`shipment ${ship.number}: toFulfilments gave no fulfilment for it`);
  return f;
}
