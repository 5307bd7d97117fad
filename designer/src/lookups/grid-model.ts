// The lookup editor's working copy: rows as loaded (version `baseVersion`), edits on top, deletions marked rather than
// dropped so they can be undone before saving. Saving sends the whole table as a new version (PUT rows).
import type { LookupRow, LookupTable } from '../api/lookups.ts';

export interface EditRow {
  id: number;
  cells: LookupRow;
  /** The row as loaded; absent for rows added here. */
  original?: LookupRow;
  deleted?: boolean;
}

export interface Grid {
  columns: string[];
  keyColumns: LookupTable['keyColumns'];
  baseVersion: number;
  rows: EditRow[];
  nextId: number;
}

export function gridFrom(table: Pick<LookupTable, 'keyColumns' | 'valueColumns'>, version: number, rows: LookupRow[]): Grid {
  const columns = [...table.keyColumns.map((k) => k.name), ...table.valueColumns];
  return {
    columns,
    keyColumns: table.keyColumns,
    baseVersion: version,
    rows: rows.map((r, i) => ({ id: i + 1, cells: normalise(r, columns), original: normalise(r, columns) })),
    nextId: rows.length + 1,
  };
}

const normalise = (r: Record<string, unknown>, columns: string[]): LookupRow =>
  Object.fromEntries(columns.map((c) => [c, r[c] === undefined || r[c] === null ? '' : String(r[c])]));

export const setCell = (g: Grid, id: number, column: string, value: string): Grid => ({
  ...g,
  rows: g.rows.map((r) => (r.id === id ? { ...r, cells: { ...r.cells, [column]: value } } : r)),
});

export const addRow = (g: Grid, cells: Partial<LookupRow> = {}): Grid => ({
  ...g,
  rows: [...g.rows, { id: g.nextId, cells: { ...Object.fromEntries(g.columns.map((c) => [c, ''])), ...cells } as LookupRow }],
  nextId: g.nextId + 1,
});

/** Rows added here disappear; loaded rows are marked deleted (and unmarked on a second call). */
export function toggleDelete(g: Grid, id: number): Grid {
  const row = g.rows.find((r) => r.id === id);
  if (!row) return g;
  if (!row.original) return { ...g, rows: g.rows.filter((r) => r.id !== id) };
  return { ...g, rows: g.rows.map((r) => (r.id === id ? { ...r, deleted: !r.deleted } : r)) };
}

export const cellChanged = (r: EditRow, column: string) => !r.original || r.original[column] !== r.cells[column];

export function isDirty(g: Grid): boolean {
  return g.rows.some((r) => r.deleted || !r.original || g.columns.some((c) => cellChanged(r, c)));
}

export function changeSummary(g: Grid): { added: number; changed: number; deleted: number } {
  let added = 0, changed = 0, deleted = 0;
  for (const r of g.rows) {
    if (r.deleted) deleted++;
    else if (!r.original) added++;
    else if (g.columns.some((c) => cellChanged(r, c))) changed++;
  }
  return { added, changed, deleted };
}

/** What PUT rows gets: kept rows, cells trimmed, empty cells left out (an optional key column then matches any). */
export function rowsForSave(g: Grid): LookupRow[] {
  return g.rows
    .filter((r) => !r.deleted && g.columns.some((c) => r.cells[c].trim() !== ''))
    .map((r) => Object.fromEntries(g.columns.flatMap((c) => (r.cells[c].trim() === '' ? [] : [[c, r.cells[c].trim()]]))));
}

/** How a key cell compares, as the server matches it: case-insensitively for `ci`, as a number for `decimal`. */
export function keyPart(value: string, match: string): string {
  const v = value.trim();
  if (match === 'ci') return v.toLowerCase();
  if (match === 'decimal' && /^[-+]?\d*\.?\d+$/.test(v)) {
    const [int, frac = ''] = v.replace(/^\+/, '').split('.');
    const f = frac.replace(/0+$/, '');
    const i = int.replace(/^(-?)0+(?=\d)/, '$1') || '0';
    return f ? `${i}.${f}` : i === '-0' ? '0' : i;
  }
  return v;
}

/** Ids of kept rows whose key repeats an earlier row's (the server would refuse the save). */
export function duplicateKeys(g: Grid): Set<number> {
  const seen = new Map<string, number>();
  const dups = new Set<number>();
  for (const r of g.rows) {
    if (r.deleted) continue;
    const key = JSON.stringify(g.keyColumns.map((k) => keyPart(r.cells[k.name] ?? '', k.match)));
    if (seen.has(key)) dups.add(r.id);
    else seen.set(key, r.id);
  }
  return dups;
}

/** Rows whose text contains `q` in any cell (the grid's filter box). */
export function filterRows(g: Grid, q: string): EditRow[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return g.rows;
  return g.rows.filter((r) => g.columns.some((c) => r.cells[c].toLowerCase().includes(needle)));
}
