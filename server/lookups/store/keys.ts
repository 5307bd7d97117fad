// Key matching: per-column normalisation and the most-specific-row index behind LookupSnapshot.find.
import { Decimal } from 'decimal.js';
import type { LookupKeyColumn, LookupRow, LookupSnapshot } from '../../../runtime/node-api/lookups.ts';

const GID = /^gid:\/\/[^/]+\/[^/]+\/(\d+)(\?.*)?$/;
const DEC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** The canonical text of one key cell; '' for empty, null when the value cannot be a key of this column. */
export function normaliseKey(col: LookupKeyColumn, v: unknown): string | null {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
  const s = String(v).trim();
  if (s === '') return '';
  switch (col.match) {
    case 'text':
      return s;
    case 'ci':
      return s.toLowerCase();
    case 'decimal': {
      // "20%" in a row means the fraction 0.2, as Shopify gives rates.
      const pct = s.endsWith('%');
      const t = pct ? s.slice(0, -1).trim() : s;
      if (!DEC.test(t)) return null;
      const d = new Decimal(t);
      return (pct ? d.dividedBy(100) : d).toString();
    }
    case 'id': {
      const m = GID.exec(s);
      return m?.[1] ?? s;
    }
  }
}

/**
 * A key the runs looked for, written as the table writes that column: Shopify gives a rate as a fraction (0.07), and a
 * table whose rows give percentages ("20%") gets it as one ("7%"), so a person reading the table is not left to
 * guess whether 0.07 means 7 % or 0.07 %. Both forms match the same keys (normaliseKey).
 */
export function keyCellLikeTable(col: LookupKeyColumn, v: unknown, rows: LookupRow[]): string {
  const s = v === undefined || v === null ? '' : String(v).trim();
  if (col.match !== 'decimal' || !s || s.endsWith('%') || !DEC.test(s)) return s;
  const written = rows.map((r) => (r[col.name] ?? '').trim()).filter(Boolean);
  const percent = written.filter((x) => x.endsWith('%')).length;
  return percent * 2 > written.length ? `${new Decimal(s).times(100).toString()}%` : s;
}

export interface Columns {
  keyColumns: LookupKeyColumn[];
  valueColumns: string[];
}

const SEP = '\u0000';

export function buildSnapshot(meta: { id: number; name: string; scope: string; version: number }, cols: Columns, rows: LookupRow[]): LookupSnapshot {
  const n = cols.keyColumns.length;
  // One map per pattern of filled key columns; earlier columns weigh more, so (title, rate, country) beats
  // (title, rate, -, province) and each pattern is tried from the most specific down.
  const byMask = new Map<number, Map<string, LookupRow>>();
  for (const row of rows) {
    let mask = 0;
    const parts: string[] = [];
    cols.keyColumns.forEach((c, i) => {
      const k = normaliseKey(c, row[c.name]) ?? '';
      if (k !== '') {
        mask |= 1 << (n - 1 - i);
        parts.push(k);
      }
    });
    let m = byMask.get(mask);
    if (!m) byMask.set(mask, (m = new Map()));
    m.set(parts.join(SEP), row);
  }
  const masks = [...byMask.keys()].sort((a, b) => b - a);
  return {
    ...meta,
    keyColumns: cols.keyColumns,
    valueColumns: cols.valueColumns,
    find(key) {
      const q = cols.keyColumns.map((c) => normaliseKey(c, key[c.name]));
      if (q.some((p) => p === null)) return undefined;
      for (const mask of masks) {
        const parts: string[] = [];
        let ok = true;
        for (let i = 0; i < n; i++) {
          if (!(mask & (1 << (n - 1 - i)))) continue;
          if (q[i] === '') {
            ok = false;
            break;
          }
          parts.push(q[i] as string);
        }
        if (!ok) continue;
        const row = byMask.get(mask)!.get(parts.join(SEP));
        if (row) return row;
      }
      return undefined;
    },
  };
}
