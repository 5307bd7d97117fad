// Validation of table definitions and rows: every problem names the row and the column.
import type { LookupKeyColumn, LookupRow } from '../../../runtime/node-api/lookups.ts';
import { normaliseKey, type Columns } from './keys.ts';
import { LookupValidationError, type RowProblem } from './errors.ts';

export type KeyColumnInput = string | { name: string; match?: LookupKeyColumn['match']; optional?: boolean };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const MATCHES = new Set(['text', 'ci', 'decimal', 'id']);

export function checkColumns(keyColumns: KeyColumnInput[], valueColumns: string[]): Columns {
  const problems: RowProblem[] = [];
  const keys: LookupKeyColumn[] = keyColumns.map((k) =>
    typeof k === 'string' ? { name: k, match: 'text', optional: false } : { name: k.name, match: k.match ?? 'text', optional: k.optional ?? false },
  );
  if (keys.length === 0) problems.push({ row: null, message: 'a table needs at least one key column' });
  if (keys.length > 8) problems.push({ row: null, message: 'a table has at most 8 key columns' });
  if (valueColumns.length === 0) problems.push({ row: null, message: 'a table needs at least one value column' });
  if (keys.length && keys.every((k) => k.optional)) problems.push({ row: null, message: 'at least one key column must be required' });
  const seen = new Set<string>();
  for (const name of [...keys.map((k) => k.name), ...valueColumns]) {
    if (!NAME.test(name))
      problems.push({ row: null, column: name, message: 'column names start with a letter and use letters, digits, "_", "-" or "." (at most 64)' });
    if (seen.has(name)) problems.push({ row: null, column: name, message: 'column name used twice' });
    seen.add(name);
  }
  for (const k of keys) if (!MATCHES.has(k.match)) problems.push({ row: null, column: k.name, message: `match must be one of text, ci, decimal, id` });
  if (problems.length) throw new LookupValidationError(problems);
  return { keyColumns: keys, valueColumns: [...valueColumns] };
}

/** The identity of a row's key (which cells are filled and their canonical text), for duplicates and merges. */
export function rowKeyId(cols: Columns, row: Record<string, unknown>): string {
  return cols.keyColumns.map((c) => normaliseKey(c, row[c.name]) ?? '\u0001invalid').join('\u0000');
}

/** Checks and trims rows; `firstRow` is the number shown for rows[0] (2 for a CSV with a header line). */
export function checkRows(cols: Columns, rows: Array<Record<string, unknown>>, firstRow = 1): LookupRow[] {
  const problems: RowProblem[] = [];
  const known = new Set([...cols.keyColumns.map((k) => k.name), ...cols.valueColumns]);
  const seen = new Map<string, number>();
  const out: LookupRow[] = [];
  rows.forEach((raw, i) => {
    const n = i + firstRow;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ row: n, message: 'a row must be an object of column → text' });
      return;
    }
    const row: LookupRow = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!known.has(k)) {
        problems.push({ row: n, column: k, message: `no such column (columns: ${[...known].join(', ')})` });
        continue;
      }
      if (v === null || v === undefined) row[k] = '';
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') row[k] = String(v).trim();
      else problems.push({ row: n, column: k, message: 'must be text or a number' });
    }
    for (const c of cols.keyColumns) {
      const cell = row[c.name] ?? '';
      row[c.name] = cell;
      if (cell === '' && !c.optional) problems.push({ row: n, column: c.name, message: 'key column is empty (only optional key columns may be left empty)' });
      else if (normaliseKey(c, cell) === null)
        problems.push({
          row: n,
          column: c.name,
          message: c.match === 'decimal' ? `"${cell}" is not a number (e.g. 0.2 or 20%)` : `"${cell}" is not a valid key`,
        });
    }
    for (const v of cols.valueColumns) row[v] = row[v] ?? '';
    const id = rowKeyId(cols, row);
    const dup = seen.get(id);
    if (dup !== undefined)
      problems.push({ row: n, message: `same key as row ${dup} (${cols.keyColumns.map((c) => `${c.name}=${JSON.stringify(row[c.name])}`).join(', ')})` });
    else seen.set(id, n);
    out.push(row);
  });
  if (problems.length) throw new LookupValidationError(problems);
  return out;
}
