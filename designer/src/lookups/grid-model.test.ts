import { describe, expect, it } from 'vitest';
import { addRow, cellChanged, changeSummary, duplicateKeys, filterRows, gridFrom, isDirty, keyPart, rowsForSave, setCell, toggleDelete } from './grid-model.ts';

const table = {
  keyColumns: [{ name: 'title', match: 'ci', optional: false }, { name: 'rate', match: 'decimal', optional: true }],
  valueColumns: ['taxCode'],
};
const base = () => gridFrom(table, 3, [{ title: 'VAT', rate: '0.2', taxCode: 'VAT20' }, { title: 'VAT', rate: '0.05', taxCode: 'VAT5' }]);

describe('lookup grid model', () => {
  it('loads rows with every column as text and starts clean', () => {
    const g = gridFrom(table, 1, [{ title: 'GST', rate: 0.1 as unknown as string } as never]);
    expect(g.columns).toEqual(['title', 'rate', 'taxCode']);
    expect(g.rows[0].cells).toEqual({ title: 'GST', rate: '0.1', taxCode: '' });
    expect(isDirty(g)).toBe(false);
  });

  it('edits, adds and deletes, and saves what is left', () => {
    let g = base();
    g = setCell(g, 1, 'taxCode', 'S20');
    expect(cellChanged(g.rows[0], 'taxCode')).toBe(true);
    expect(cellChanged(g.rows[0], 'title')).toBe(false);
    g = addRow(g, { title: ' Zero ' });
    g = setCell(g, 3, 'taxCode', 'Z0');
    g = toggleDelete(g, 2);
    expect(changeSummary(g)).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(isDirty(g)).toBe(true);
    expect(rowsForSave(g)).toEqual([{ title: 'VAT', rate: '0.2', taxCode: 'S20' }, { title: 'Zero', taxCode: 'Z0' }]);
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
});
