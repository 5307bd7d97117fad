// CSV import/export of a table: a header line with the column names, then one row per line.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { LookupRow } from '../../../runtime/node-api/lookups.ts';
import type { Columns } from './keys.ts';
import { LookupValidationError } from './errors.ts';

export function rowsFromCsv(cols: Columns, text: string): Array<Record<string, string>> {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (e) {
    throw new LookupValidationError([{ row: null, message: `not valid CSV: ${(e as Error).message}` }]);
  }
  const [header] = records;
  if (!header) throw new LookupValidationError([{ row: null, message: 'the CSV is empty; it needs a header line with the column names' }]);
  const known = new Set([...cols.keyColumns.map((k) => k.name), ...cols.valueColumns]);
  const problems = header.flatMap((h, i) =>
    known.has(h) ? [] : [{ row: 1, column: h || `#${i + 1}`, message: `unknown column in the header (columns: ${[...known].join(', ')})` }],
  );
  for (const k of cols.keyColumns)
    if (!k.optional && !header.includes(k.name)) problems.push({ row: 1, column: k.name, message: 'required key column missing from the header' });
  if (new Set(header).size !== header.length) problems.push({ row: 1, column: '', message: 'a column appears twice in the header' });
  if (problems.length) throw new LookupValidationError(problems);
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function rowsToCsv(cols: Columns, rows: LookupRow[]): string {
  const header = [...cols.keyColumns.map((k) => k.name), ...cols.valueColumns];
  return stringify([header, ...rows.map((r) => header.map((h) => r[h] ?? ''))]);
}
