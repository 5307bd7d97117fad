// Lookup values that name ERP records (a tax code, a warehouse, a payment method) come from the ERP's reference
// lists: the designer's picker offers them, and a row naming a record the ERP does not have is refused. An ERP item
// code (a SKU override) is looked up in the ERP when a save writes it: a typo is refused there, not found later by
// the runs it would send to fail again. The ERP is
// one the flows that may read the table post to (the owning flow; for a shared table, every flow without its own).
import type { Runtime } from '../../runtime/index.ts';
import type { LookupService, TableSummary } from './store/index.ts';
import type { Connections } from '../vault/connections.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import { ITEM_COLUMNS, REFERENCE_COLUMNS, referenceList, searchItemList, type ErpReference, type ReferenceList } from '../../nodes/erp/references.ts';
import { toRate } from '../../nodes/core/assist/lookup-proposals.ts';

export interface ReferenceSource {
  connection: string;
  name: string;
  /** Null: this ERP cannot list it, so values are not checked against it. */
  items: ErpReference[] | null;
}

export interface TableReferences {
  column: string;
  /** `items`: the ERP's items matching a search, not a whole list (see `items`). */
  list: ReferenceList | 'items';
  sources: ReferenceSource[];
}

/** How many items a search gives the picker: enough to scan, few enough to answer at once from a large catalogue. */
const ITEM_SEARCH_LIMIT = 50;

export interface RowProblem {
  where: string;
  path: string;
  message: string;
}

/** The ERP could not be asked: the edit is neither accepted nor refused on a guess. */
export class ReferencesUnavailableError extends Error {}

const WHAT: Record<ReferenceList, string> = { 'tax-codes': 'tax code', warehouses: 'warehouse', 'payment-methods': 'payment method' };

export function erpReferences(d: { runtime: Runtime; connections: Connections; lookups: LookupService }) {
  /** ERP connection ids the flows that may read the table post to (drafts and published versions). */
  async function connectionIds(table: TableSummary): Promise<string[]> {
    const erps = new Set((await d.connections.list()).filter((c) => c.kind === 'erp').map((c) => c.id));
    // A flow's own table of the same name wins over a shared one: such a flow never reads the shared table.
    const own = new Set((await d.lookups.list()).filter((x) => x.name === table.name && x.scope !== 'shared').map((x) => x.scope));
    const flows = (await d.runtime.flows.list()).filter((f) => (table.scope === 'shared' ? !own.has(f.id) : f.id === table.scope));
    const used = new Set<string>();
    for (const f of flows) {
      const docs = [(await d.runtime.flows.draft(f.id)) as unknown as { nodes?: Array<{ type?: string; config?: { connection?: unknown } }> }];
      if (f.latestVersion != null) docs.push((await d.runtime.flows.version(f.id, f.latestVersion)).definition as unknown as (typeof docs)[number]);
      for (const doc of docs)
        for (const n of doc.nodes ?? []) {
          const c = n.config?.connection;
          if (typeof c === 'string' && n.type?.startsWith('erp.') && erps.has(c)) used.add(c);
        }
    }
    // Values of a table whose flows post to no ERP name no ERP record: nothing to check them against.
    return [...used].sort();
  }

  /** What each ERP the table's values go to gives for it; one it cannot be asked makes the whole answer unavailable. */
  async function fromEachErp(
    table: TableSummary,
    what: string,
    column: string,
    read: (erp: ErpConnector) => Promise<ErpReference[] | null>,
  ): Promise<ReferenceSource[]> {
    const sources: ReferenceSource[] = [];
    for (const id of await connectionIds(table)) {
      const name = (await d.connections.get(id)).name;
      try {
        sources.push({ connection: id, name, items: await read((await d.connections.resolve('erp', id)) as ErpConnector) });
      } catch (e) {
        throw new ReferencesUnavailableError(`cannot ${what} of ERP connection "${id}" for the ${column} column: ${(e as Error).message}`);
      }
    }
    return sources;
  }

  async function of(table: TableSummary): Promise<(TableReferences & { list: ReferenceList }) | null> {
    const ref = REFERENCE_COLUMNS[table.kind];
    if (!ref || !table.valueColumns.includes(ref.column)) return null;
    const sources = await fromEachErp(table, `read the ${WHAT[ref.list]}s`, ref.column, (erp) => referenceList(erp, ref.list));
    return { ...ref, sources };
  }

  /**
   * The ERP items a table's item column (a SKU override's erpSku) may name, searched by code or name in each ERP the
   * table's values go to; null for a table without one. An ERP that cannot search gives null items (typed free, and
   * still looked up when saved).
   */
  async function items(table: TableSummary, q: string): Promise<TableReferences | null> {
    const column = ITEM_COLUMNS[table.kind];
    if (!column || !table.valueColumns.includes(column)) return null;
    const sources = await fromEachErp(table, 'search the items', column, (erp) => searchItemList(erp, q, ITEM_SEARCH_LIMIT));
    return { column, list: 'items', sources };
  }

  /** A problem per row whose reference column names a record missing from an ERP the table's values go to. */
  async function check(table: TableSummary, rows: Array<Record<string, unknown>>, firstRow = 1): Promise<RowProblem[]> {
    return [...(await checkLists(table, rows, firstRow)), ...(await checkItems(table, rows, firstRow)), ...(await checkRates(table, rows, firstRow))];
  }

  const keyOf = (table: TableSummary, row: Record<string, unknown>) =>
    JSON.stringify(Object.fromEntries(table.keyColumns.map((k) => [k.name, row[k.name] ?? ''])));

  async function checkLists(table: TableSummary, rows: Array<Record<string, unknown>>, firstRow: number): Promise<RowProblem[]> {
    const refs = await of(table);
    if (!refs) return [];
    const problems: RowProblem[] = [];
    rows.forEach((row, i) => {
      const value = row[refs.column];
      if (value === undefined || value === null || value === '') return;
      for (const s of refs.sources) {
        if (!s.items || s.items.some((x) => x.code === String(value))) continue;
        const known = s.items
          .slice(0, 12)
          .map((x) => x.code)
          .join(', ');
        problems.push({
          where: `row ${firstRow + i}`,
          path: `$.rows[${firstRow + i - 1}].${refs.column}`,
          message: `table "${table.name}", row ${keyOf(table, row)}, column ${refs.column}: ${JSON.stringify(String(value))} is not a ${WHAT[refs.list]} in ERP connection "${s.connection}" (${s.name}); choose one of its ${WHAT[refs.list]}s: ${known}${s.items.length > 12 ? ', …' : ''}`,
        });
      }
    });
    return problems;
  }

  /** Item codes the rows bring into the table, each looked up in every ERP the table's values go to. */
  async function checkItems(table: TableSummary, rows: Array<Record<string, unknown>>, firstRow: number): Promise<RowProblem[]> {
    const column = ITEM_COLUMNS[table.kind];
    if (!column || !table.valueColumns.includes(column)) return [];
    const text = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());
    // A row already in the table as it is was checked when written (or predates the check): an item the ERP retired
    // since does not block an unrelated edit, and a whole-table save asks the ERP only about the rows it changes.
    const rowText = (r: Record<string, unknown>) => JSON.stringify([...table.keyColumns.map((k) => text(r[k.name])), text(r[column])]);
    const current = new Set((await d.lookups.rows({ scope: table.scope, name: table.name })).rows.map(rowText));
    const changed = rows.map((r) => !current.has(rowText(r)));
    const added = [...new Set(rows.filter((_, i) => changed[i]).map((r) => text(r[column])))].filter(Boolean);
    if (!added.length) return [];
    const problems: RowProblem[] = [];
    for (const id of await connectionIds(table)) {
      let found: Map<string, boolean>;
      try {
        const erp = (await d.connections.resolve('erp', id)) as ErpConnector;
        if (!erp.capabilities.items) continue;
        found = new Map((await erp.findItems(added)).map((x) => [x.sku, x.active]));
      } catch (e) {
        throw new ReferencesUnavailableError(`cannot look up items in ERP connection "${id}" to check the ${column} column: ${(e as Error).message}`);
      }
      const name = (await d.connections.get(id)).name;
      rows.forEach((row, i) => {
        const value = text(row[column]);
        const active = found.get(value);
        if (!changed[i] || !value || active === true) return;
        // An inactive item cannot be sold: the ERP refuses the order as it would an unknown code.
        const what = active === false ? 'an inactive item' : 'not an item';
        problems.push({
          where: `row ${firstRow + i}`,
          path: `$.rows[${firstRow + i - 1}].${column}`,
          message: `table "${table.name}", row ${keyOf(table, row)}, column ${column}: ${JSON.stringify(value)} is ${what} in ERP connection "${id}" (${name}); give the code (SKU) of an item the ERP sells`,
        });
      });
    }
    return problems;
  }

  /**
   * A tax rate mapped to an ERP tax code of another rate: the ERP would record Shopify's tax under a code that says
   * something else (7 % booked as the 6 % code), and the tax return by code would not match what was charged. A
   * zero-rate code stays allowed for any rate: a tax the merchant does not remit (collected by a marketplace, exempt).
   * Rows a save changes only, as for items.
   */
  async function checkRates(table: TableSummary, rows: Array<Record<string, unknown>>, firstRow: number): Promise<RowProblem[]> {
    if (table.kind !== 'tax-code' || !table.keyColumns.some((k) => k.name === 'rate')) return [];
    const refs = await of(table);
    if (refs?.list !== 'tax-codes') return [];
    const rowText = (r: Record<string, unknown>) => JSON.stringify([...table.keyColumns.map((k) => String(r[k.name] ?? '')), String(r[refs.column] ?? '')]);
    const current = new Set((await d.lookups.rows({ scope: table.scope, name: table.name })).rows.map(rowText));
    const pct = (r: NonNullable<ReturnType<typeof toRate>>) => `${r.times(100).toDecimalPlaces(4).toString()} %`;
    const problems: RowProblem[] = [];
    rows.forEach((row, i) => {
      const code = row[refs.column];
      const shopify = toRate(row.rate);
      if (current.has(rowText(row)) || code === undefined || code === null || code === '' || !shopify) return;
      for (const s of refs.sources) {
        const erp = toRate(s.items?.find((x) => x.code === String(code))?.detail);
        if (!erp || erp.isZero() || erp.equals(shopify)) continue;
        const fitting = (s.items ?? []).filter((x) => toRate(x.detail)?.equals(shopify)).map((x) => x.code);
        problems.push({
          where: `row ${firstRow + i}`,
          path: `$.rows[${firstRow + i - 1}].${refs.column}`,
          message:
            `table "${table.name}", row ${keyOf(table, row)}, column ${refs.column}: ${JSON.stringify(String(code))} is ${pct(erp)} in ERP connection "${s.connection}" (${s.name}) ` +
            `but the row's rate is ${pct(shopify)}; choose a tax code of ${pct(shopify)}${fitting.length ? ` (${fitting.slice(0, 8).join(', ')})` : ''}`,
        });
      }
    });
    return problems;
  }

  return { of, items, check };
}

export type ErpReferences = ReturnType<typeof erpReferences>;
