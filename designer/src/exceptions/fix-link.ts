// Where an exception's cause is fixed: a missing lookup row opens the lookup editor pre-filled with the missing key,
// an unknown SKU the SKU table filtered to it, an ERP that did not answer the connections page.
import { Decimal } from 'decimal.js';
import type { ExceptionItem } from '../api/exceptions.ts';

export interface FixLink {
  label: string;
  to: string;
}

interface StepError {
  code?: string | null;
  details?: Record<string, unknown>;
}

const errorOf = (e: Pick<ExceptionItem, 'data'>): StepError | null => (e.data as { error?: StepError } | null)?.error ?? null;
const skusOf = (err: StepError | null): string[] => (Array.isArray(err?.details?.skus) ? (err.details.skus as unknown[]).map(String).filter(Boolean) : []);

/** The table a missing-lookup exception waits on: named by a lookup node, or by every problem of a mapping. */
function missingTable(err: StepError | null): { table: string; scope: string } | null {
  // The templates map every line's SKU through the shared sku-overrides table (a missing row keeps Shopify's SKU).
  if (err?.code === 'SKU_NOT_FOUND') return skusOf(err).length ? { table: 'sku-overrides', scope: 'shared' } : null;
  if (err?.code !== 'LOOKUP_MISSING') return null;
  const d = err.details ?? {};
  if (typeof d.table === 'string') return { table: d.table, scope: typeof d.scope === 'string' ? d.scope : 'shared' };
  const problems = Array.isArray(d.problems) ? (d.problems as Array<{ table?: unknown; scope?: unknown }>) : [];
  const first = problems[0];
  if (typeof first?.table !== 'string' || typeof first.scope !== 'string') return null;
  return problems.every((p) => p.table === first.table && p.scope === first.scope) ? { table: first.table, scope: first.scope } : null;
}

export function fixLink(e: Pick<ExceptionItem, 'id' | 'type' | 'state' | 'data'>): FixLink | null {
  if (e.state === 'resolved') return null;
  const err = errorOf(e);
  const lookup = missingTable(err);
  if (lookup && err?.code === 'SKU_NOT_FOUND') {
    return {
      label: `Map SKU ${skusOf(err)[0]} to an ERP item in sku-overrides`,
      to: `/lookups/${encodeURIComponent(lookup.scope)}/${encodeURIComponent(lookup.table)}?fix=${encodeURIComponent(e.id)}`,
    };
  }
  if (lookup) {
    return {
      label: `Add row to ${lookup.table}`,
      to: `/lookups/${encodeURIComponent(lookup.scope)}/${encodeURIComponent(lookup.table)}?fix=${encodeURIComponent(e.id)}`,
    };
  }
  if (e.type === 'erp-unreachable' || e.type === 'erp-rejected') return { label: 'Check the ERP connection', to: '/settings/connections' };
  return null;
}

/** The missing keys of a missing-lookup exception (key column → value), for pre-filling rows. */
export function missingKeys(e: Pick<ExceptionItem, 'data'>): Array<Record<string, string>> {
  const err = errorOf(e);
  if (err?.code === 'SKU_NOT_FOUND') return skusOf(err).map((sku) => ({ sku }));
  const d = err?.details;
  const missing = Array.isArray(d?.missing)
    ? (d.missing as Array<{ key?: Record<string, unknown> }>)
    : Array.isArray(d?.problems)
      ? (d.problems as Array<{ key?: Record<string, unknown> }>)
      : [];
  const seen = new Set<string>();
  return missing
    .map((m) => m.key)
    .filter((k) => !seen.has(JSON.stringify(k)) && !!seen.add(JSON.stringify(k)))
    .filter((k): k is Record<string, unknown> => !!k && typeof k === 'object')
    .map((k) => Object.fromEntries(Object.entries(k).map(([c, v]) => [c, v === null || v === undefined ? '' : String(v)])));
}

/** A row the fix writes: its key, and what the row sends now when the fix corrects an existing row. */
export interface FixRow {
  key: Record<string, string>;
  /** The value the row has now (an SKU override naming an item the ERP does not have or no longer sells). */
  sends?: string;
}

/**
 * The rows fixing the exception writes, given the table's rows (as the server's fix-lookup does): an unknown SKU that
 * an override row sent is fixed in that row, since the overrides apply once and a row keyed by the ERP's code is never
 * read; any other missing key gets a new row.
 */
export function fixRows(
  e: Pick<ExceptionItem, 'data'>,
  rows: Array<Record<string, string>>,
  keyColumns: Array<{ name: string; match: string }> = [],
): FixRow[] {
  const keys = missingKeys(e).map((k) =>
    Object.fromEntries(
      Object.entries(k).map(([c, v]) => [
        c,
        cellLikeTable(
          keyColumns.find((x) => x.name === c),
          v,
          rows,
        ),
      ]),
    ),
  );
  if (errorOf(e)?.code !== 'SKU_NOT_FOUND') return keys.map((key) => ({ key }));
  const out = new Map<string, FixRow>();
  for (const k of keys) {
    const senders = rows.filter((r) => (r.erpSku ?? '').trim() === k.sku && !!k.sku);
    for (const f of senders.length ? senders.map((r) => ({ key: { sku: r.sku ?? '' }, sends: k.sku })) : [{ key: k }]) out.set(f.key.sku ?? '', f);
  }
  return [...out.values()];
}

const DEC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A key as the table writes that column (the server writes the fix's rows so: keyCellLikeTable): Shopify's rate 0.07
 * reads "7%" in a table whose rows give percentages.
 */
function cellLikeTable(col: { name: string; match: string } | undefined, v: string, rows: Array<Record<string, string>>): string {
  if (col?.match !== 'decimal' || !v || v.endsWith('%') || !DEC.test(v)) return v;
  const written = rows.map((r) => (r[col.name] ?? '').trim()).filter(Boolean);
  if (written.filter((x) => x.endsWith('%')).length * 2 <= written.length) return v;
  return `${new Decimal(v).times(100).toString()}%`;
}
