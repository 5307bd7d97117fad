import { describe, expect, it } from 'vitest';
import {
  addRow,
  cellChanged,
  changeSummary,
  duplicateKeys,
  filterRows,
  gridFrom,
  isDirty,
  keyPart,
  rebaseGrid,
  rowsForSave,
  setCell,
  toggleDelete,
} from './grid-model.ts';

const table = {
  keyColumns: [
    { name: 'title', match: 'ci', optional: false },
    { name: 'rate', match: 'decimal', optional: true },
  ],
  valueColumns: ['taxCode'],
};
const base = () =>
  gridFrom(table, 3, [
    { title: 'VAT', rate: '0.2', taxCode: 'VAT20' },
    { title: 'VAT', rate: '0.05', taxCode: 'VAT5' },
  ]);

describe('lookup grid model', () => {
  it('loads rows with every column as text and starts clean', () => {
    const g = gridFrom(table, 1, [{ title: 'GST', rate: 0.1 as unknown as string } as never]);
    expect(g.columns).toEqual(['title', 'rate', 'taxCode']);
    expect(g.rows[0]?.cells).toEqual({ title: 'GST', rate: '0.1', taxCode: '' });
    expect(isDirty(g)).toBe(false);
  });

  it('edits, adds and deletes, and saves what is left', () => {
    let g = base();
    g = setCell(g, 1, 'taxCode', 'S20');
    expect(cellChanged(g.rows[0]!, 'taxCode')).toBe(true);
    expect(cellChanged(g.rows[0]!, 'title')).toBe(false);
    g = addRow(g, { title: ' Zero ' });
    g = setCell(g, 3, 'taxCode', 'Z0');
    g = toggleDelete(g, 2);
    expect(changeSummary(g)).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(isDirty(g)).toBe(true);
    expect(rowsForSave(g)).toEqual([
      { title: 'VAT', rate: '0.2', taxCode: 'S20' },
      { title: 'Zero', taxCode: 'Z0' },
    ]);
    g = toggleDelete(g, 2);
    expect(changeSummary(g).deleted).toBe(0);
    g = toggleDelete(g, 3);
    expect(g.rows.map((r) => r.id)).toEqual([1, 2]);
    g = setCell(g, 1, 'taxCode', 'VAT20');
    expect(isDirty(g)).toBe(false);
  });

  it('leaves out rows with nothing in them', () => {
    expect(rowsForSave(addRow(base()))).toHaveLength(2);
  });

  it('finds duplicate keys the way the server matches them', () => {
    let g = addRow(base(), { title: 'vat', rate: '0.20', taxCode: 'X' });
    expect([...duplicateKeys(g)]).toEqual([3]);
    g = toggleDelete(g, 1);
    expect([...duplicateKeys(g)]).toEqual([]);
    expect(keyPart('00.500', 'decimal')).toBe('0.5');
    expect(keyPart('-0.0', 'decimal')).toBe('0');
    expect(keyPart('ABC', 'text')).toBe('ABC');
  });

  it('filters rows by any cell', () => {
    expect(filterRows(base(), 'vat5').map((r) => r.id)).toEqual([2]);
    expect(filterRows(base(), '')).toHaveLength(2);
  });

  it('moves onto a version accepted beside it without losing unsaved edits, additions or deletions', () => {
    // Unsaved: VAT 20 % re-coded, VAT 5 % marked deleted, a new Zero row, and the missing key pre-filled but empty.
    let g = setCell(base(), 1, 'taxCode', 'S20');
    g = toggleDelete(g, 2);
    g = setCell(addRow(g, { title: 'Zero' }), 3, 'taxCode', 'Z0');
    g = addRow(g, { title: 'Ohio Resort Tax', rate: '0.07' });
    // Version 4 is version 3 plus the accepted row (its rate written 0.070: the same key as the pre-filled 0.07).
    const r = rebaseGrid(g, 4, [
      { title: 'VAT', rate: '0.2', taxCode: 'VAT20' },
      { title: 'VAT', rate: '0.05', taxCode: 'VAT5' },
      { title: 'Ohio Resort Tax', rate: '0.070', taxCode: 'US-OH-RESORT-7' },
    ]);
    expect(r.baseVersion).toBe(4);
    expect(changeSummary(r)).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(rowsForSave(r)).toEqual([
      { title: 'VAT', rate: '0.2', taxCode: 'S20' },
      { title: 'Ohio Resort Tax', rate: '0.070', taxCode: 'US-OH-RESORT-7' },
      { title: 'Zero', taxCode: 'Z0' },
    ]);
    expect(new Set(r.rows.map((x) => x.id)).size).toBe(r.rows.length);
    expect(duplicateKeys(r).size).toBe(0);
  });

  it("takes the new version's values where nothing was edited, and keeps an edited row someone else deleted", () => {
    let g = setCell(base(), 2, 'taxCode', 'R5');
    g = addRow(g, { title: 'GST', taxCode: '' });
    g = setCell(g, 3, 'taxCode', 'GST10');
    const r = rebaseGrid(g, 5, [
      { title: 'VAT', rate: '0.2', taxCode: 'STD' },
      { title: 'GST', taxCode: 'G' },
    ]);
    // VAT 20 % was not touched here: it shows the new value and is not a change. VAT 5 % was edited, then deleted
    // elsewhere: it stays, as an addition. The typed GST row (it has a value) is kept and flagged as a duplicate.
    expect(r.rows.find((x) => x.cells.rate === '0.2')).toMatchObject({ cells: { taxCode: 'STD' }, original: { taxCode: 'STD' } });
    expect(changeSummary(r)).toEqual({ added: 2, changed: 0, deleted: 0 });
    expect(rowsForSave(r)).toContainEqual({ title: 'VAT', rate: '0.05', taxCode: 'R5' });
    expect(duplicateKeys(r).size).toBe(1);
    // Nothing unsaved: the rebased grid is the new version, clean.
    expect(isDirty(rebaseGrid(base(), 4, [{ title: 'VAT', rate: '0.2', taxCode: 'VAT20' }]))).toBe(false);
  });
});
