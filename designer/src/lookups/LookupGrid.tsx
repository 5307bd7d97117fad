// The spreadsheet: one input per cell, changed cells tinted, deleted rows struck through, duplicate keys flagged.
// Enter and the up/down arrows move between rows in the same column.
import type { KeyboardEvent } from 'react';
import { cellChanged, duplicateKeys, filterRows, type Grid } from './grid-model.ts';
import type { ErpReference } from '../api/lookups.ts';
import { ReferencePicker } from './ReferencePicker.tsx';

/** A column whose values name ERP records, chosen from the ERP's list. */
export interface ReferenceColumn {
  column: string;
  items: ErpReference[];
  source: string;
  /** An item column: `items` is a first page, and typing searches the ERP (its catalogue is too large to list). */
  search?: (q: string) => Promise<ErpReference[]>;
}

interface Props {
  grid: Grid;
  filter: string;
  readOnly: boolean;
  onCell(id: number, column: string, value: string): void;
  onToggleDelete(id: number): void;
  reference?: ReferenceColumn | null;
}

function move(e: KeyboardEvent<HTMLInputElement>) {
  const by = e.key === 'ArrowDown' || (e.key === 'Enter' && !e.shiftKey) ? 1 : e.key === 'ArrowUp' || (e.key === 'Enter' && e.shiftKey) ? -1 : 0;
  if (!by) return;
  e.preventDefault();
  const td = e.currentTarget.closest('td')!;
  const tr = td.parentElement as HTMLTableRowElement;
  const next = (by > 0 ? tr.nextElementSibling : tr.previousElementSibling) as HTMLTableRowElement | null;
  next?.cells[td.cellIndex]?.querySelector('input')?.focus();
}

export function LookupGrid({ grid, filter, readOnly, onCell, onToggleDelete, reference }: Props) {
  const dups = duplicateKeys(grid);
  const keys = new Set(grid.keyColumns.map((k) => k.name));
  const rows = filterRows(grid, filter);
  return (
    <div className="grid-wrap">
      <table className="grid" data-testid="lookup-grid">
        <thead>
          <tr>
            <th className="rownum">#</th>
            {grid.columns.map((c) => (
              <th key={c} className={keys.has(c) ? 'key-col' : ''}>
                {c}
                {keys.has(c) && <span className="muted small"> key{grid.keyColumns.find((k) => k.name === c)?.optional ? ', optional' : ''}</span>}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id} data-row={i} className={`${r.deleted ? 'deleted' : ''} ${!r.original ? 'added' : ''} ${dups.has(r.id) ? 'dup' : ''}`}>
              <td className="rownum">{i + 1}</td>
              {grid.columns.map((c) => (
                <td key={c} className={cellChanged(r, c) && r.original ? 'changed' : ''}>
                  {reference?.column === c ? (
                    <ReferencePicker
                      label={`${c} of row ${i + 1}`}
                      value={r.cells[c] ?? ''}
                      items={reference.items}
                      search={reference.search}
                      source={reference.source}
                      disabled={readOnly || !!r.deleted}
                      onPick={(v) => onCell(r.id, c, v)}
                    />
                  ) : (
                    <input
                      aria-label={`${c} of row ${i + 1}`}
                      data-col={c}
                      value={r.cells[c]}
                      disabled={readOnly || r.deleted}
                      onChange={(e) => onCell(r.id, c, e.target.value)}
                      onKeyDown={move}
                    />
                  )}
                </td>
              ))}
              <td className="row-actions">
                {dups.has(r.id) && (
                  <span className="error small" title="Another row has the same key">
                    duplicate key
                  </span>
                )}
                {!readOnly && (
                  <button
                    type="button"
                    className="ghost"
                    aria-label={r.deleted ? `Keep row ${i + 1}` : `Delete row ${i + 1}`}
                    onClick={() => onToggleDelete(r.id)}
                  >
                    {r.deleted ? '↺' : '×'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
