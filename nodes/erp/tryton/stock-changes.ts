// Tryton's stock change feed: stock moves created or written after a cursor (a sale's confirmation creates its
// draft moves, which change the forecast = available; receipts, shipments and inventories are moves too).
// Cursor = the latest create/write timestamp seen (ISO, µs), so a move changed in the same microsecond as the
// cursor may be reported twice, never missed.
import type { StockChangePage } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import type { TrytonRefs } from './refs.ts';
import { tDateTime, type TrytonRpc } from './rpc.ts';

export async function stockChanges(rpc: TrytonRpc, refs: TrytonRefs, opts: { since?: string | null; limit?: number }): Promise<StockChangePage> {
  if (opts.since != null && Number.isNaN(Date.parse(opts.since))) {
    throw erpError('tryton', `invalid stock change cursor ${JSON.stringify(opts.since)}`, {
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { field: 'since', value: opts.since },
    });
  }
  const limit = Math.min(Math.max(opts.limit ?? 1000, 1), 10_000);
  const domain: unknown[] = opts.since ? [['OR', ['create_date', '>=', tDateTime(opts.since)], ['write_date', '>=', tDateTime(opts.since)]]] : [];
  const rows = await rpc.model<Array<{ id: number; product: number; create_date: string; write_date: string | null }>>('stock.move', 'search_read', [
    domain,
    0,
    limit + 1,
    [['id', 'ASC']],
    ['product', 'create_date', 'write_date'],
  ]);
  const page = rows.slice(0, limit);
  const [first] = page;
  const at = (r: { create_date: string; write_date: string | null }) => (r.write_date && r.write_date > r.create_date ? r.write_date : r.create_date);
  const skus = await refs.productSkus(page.map((r) => r.product));
  const latest = page.reduce<string | null>((m, r) => (m === null || at(r) > m ? at(r) : m), null);
  // A full page may hold moves later than ones beyond it: restart from the earliest of the next page next time.
  // biome-ignore lint/complexity/useMathMinMax: the timestamps are ISO strings, which Math.min would turn into NaN
  const cursor = rows.length > limit && first ? page.reduce((m, r) => (at(r) < m ? at(r) : m), at(first)) : (latest ?? opts.since ?? null);
  return { skus: [...new Set(page.map((r) => skus.get(r.product)).filter((s): s is string => !!s))], cursor, hasMore: rows.length > limit };
}
