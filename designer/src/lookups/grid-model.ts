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
  let added = 0,
    changed = 0,
    deleted = 0;
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
    .filter((r) => !r.deleted && g.columns.some((c) => (r.cells[c] ?? '').trim() !== ''))
    .map((r) => Object.fromEntries(g.columns.flatMap((c) => ((r.cells[c] ?? '').trim() === '' ? [] : [[c, (r.cells[c] ?? '').trim()]]))));
}

/** How a key cell compares, as the server matches it: case-insensitively for `ci`, as a number for `decimal`. */
export function keyPart(value: string, match: string): string {
  const v = value.trim();
  if (match === 'ci') return v.toLowerCase();
  if (match === 'decimal' && /^[-+]?\d*\.?\d+$/.test(v)) {
    const [int = '', frac = ''] = v.replace(/^\+/, '').split('.');
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

/**
 * The working copy moved onto a newer version written from elsewhere (a proposed row accepted, a fix saved from the
 * exception) without losing unsaved work: the new version's rows arrive as loaded rows and the user's edits,
 * additions and deletions stay on top, matched by key. A cell the user did not touch takes the new version's value.
 * A loaded row the new version no longer has is dropped, or kept as an added row when it was edited here. An added
 * row whose key the new version now holds with no value typed in (the missing key pre-filled from an exception) is
 * dropped: the new version filled it.
 */
export function rebaseGrid(g: Grid, version: number, rows: LookupRow[]): Grid {
  const keyOf = (cells: LookupRow) => JSON.stringify(g.keyColumns.map((k) => keyPart(cells[k.name] ?? '', k.match)));
  const valueColumns = g.columns.filter((c) => !g.keyColumns.some((k) => k.name === c));
  const incoming = rows.map((r) => normalise(r, g.columns));
  const byKey = new Map<string, LookupRow>();
  for (const r of incoming) if (!byKey.has(keyOf(r))) byKey.set(keyOf(r), r);
  const claimed = new Set<string>();
  const loaded: EditRow[] = [];
  const added: EditRow[] = [];
  for (const r of g.rows) {
    if (!r.original) continue;
    const k = keyOf(r.original);
    const now = claimed.has(k) ? undefined : byKey.get(k);
    if (now) {
      claimed.add(k);
      loaded.push({ ...r, cells: Object.fromEntries(g.columns.map((c) => [c, (r.cells[c] !== r.original![c] ? r.cells[c] : now[c]) ?? ''])), original: now });
    } else if (!r.deleted && g.columns.some((c) => cellChanged(r, c))) {
      added.push({ id: r.id, cells: r.cells });
    }
  }
  let nextId = g.nextId;
  for (const r of incoming) {
    const k = keyOf(r);
    if (claimed.has(k) || byKey.get(k) !== r) continue;
    claimed.add(k);
    loaded.push({ id: nextId++, cells: { ...r }, original: r });
  }
  const filled = new Set(incoming.map(keyOf));
  for (const r of g.rows) {
    if (r.original) continue;
    if (filled.has(keyOf(r.cells)) && valueColumns.every((c) => (r.cells[c] ?? '').trim() === '')) continue;
    added.push(r);
  }
  return { ...g, baseVersion: version, rows: [...loaded, ...added], nextId };
}

/** Rows whose text contains `q` in any cell (the grid's filter box). */
export function filterRows(g: Grid, q: string): EditRow[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return g.rows;
  return g.rows.filter((r) => g.columns.some((c) => (r.cells[c] ?? '').toLowerCase().includes(needle)));
}
