// The sandbox ERP's stock change feed: triggers on the stock table (db.ts) append the item to `stock_changes` whenever
// its on-hand or reserved quantity changes (receipts, sales orders reserving, shipments, restocks, admin edits).
import type { StockChangePage } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import type { Db } from './db.ts';

export function stockChanges(db: Db, opts: { since?: string | null; limit?: number }): StockChangePage {
  if (opts.since != null && !/^\d+$/.test(opts.since)) {
    throw erpError('sandbox', `invalid stock change cursor ${JSON.stringify(opts.since)}`, {
      errorClass: 'permanent',
      code: 'INVALID_INPUT',
      details: { field: 'since', value: opts.since },
    });
  }
  const limit = Math.min(Math.max(opts.limit ?? 1000, 1), 10_000);
  const rows = db
    .prepare('SELECT c.seq, i.sku FROM stock_changes c JOIN items i ON i.id = c.item_id WHERE c.seq > ? ORDER BY c.seq LIMIT ?')
    .all(Number(opts.since ?? 0), limit + 1) as Array<{ seq: number; sku: string }>;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    skus: [...new Set(page.map((r) => r.sku))],
    cursor: last ? String(last.seq) : (opts.since ?? null),
    hasMore: rows.length > limit,
  };
}
