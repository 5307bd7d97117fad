// The ERP side of a reconciliation: order invoices and credit memos as the ERP booked them on the receivable
// account (read from the ledger), plus sales orders looked up by Shopify order id when no invoice is posted yet.
import { Decimal } from 'decimal.js';
import type { ErpConnector, ErpSalesOrderHead, LedgerLine, LedgerRow } from '../erp/contract.ts';
import { ErpDocTable } from './doc-table.ts';
import { MinorSum } from './minor.ts';

export interface ErpDoc {
  uid: string;
  kind: 'invoice' | 'credit-memo' | 'sales-order';
  /** Legacy (numeric) Shopify id the document was posted with: order id for invoices, refund id for credit memos. */
  externalId: string;
  number: string | null;
  date: string;
  /** Positive gross: what the invoice charges or the credit memo gives back. */
  amount: Decimal;
  /** `amount` in whole cents (half away from zero), when known: the amount-and-date index key. */
  cents?: number;
  /** `amount` as exact decimal text, when known: compared without a Decimal. */
  exact?: string;
}

/** "gid://shopify/Order/123" and "123" are the same Shopify object. */
export const legacy = (id: string | null | undefined): string | null => {
  if (id == null || id === '') return null;
  // The part after the last slash (the whole id when there is none), without the array a split makes: a few calls per transaction.
  const s = String(id);
  return s.slice(s.lastIndexOf('/') + 1);
};

/** The gift-card journal of an order (finance.gift-card-journal): its clearing lines belong with the order's invoice. */
export const GIFT_CARD_JOURNAL = /^giftcard:(.+)$/;
/**
 * The gift cards a refund re-issued (finance.gift-card-refund-journal): its clearing lines belong with the refund's
 * credit memo, since the payout's refund line is the memo less what went back onto gift cards.
 */
export const GIFT_CARD_REFUND_JOURNAL = /^giftcard-refund:(.+)$/;

interface Entry {
  kind: ErpDoc['kind'];
  entry: number | string;
  externalId: string;
  number: string | null;
  date: string;
  sum: MinorSum;
  /** The entry's first line id (the lowest, when ids are numbers), as the ledger gave it: orders the documents. */
  line: number | string;
}

const NUMERIC = /^\d{1,15}$/;

/** Ledger lines to documents, one read (window) at a time: an entry's lines share its date, so a window holds all of them. */
class DocsBuilder {
  readonly table = new ErpDocTable();
  /** Each document's first line id as a number (NaN when the ledger's ids are not numbers). */
  readonly lines: number[] = [];
  private byEntry = new Map<string | number, Entry>();

  constructor(
    private receivable: string,
    private clearing?: string,
  ) {}

  /** One ledger line, its fields as `LedgerRow` orders them (no object per line). */
  line(
    id: number | string,
    entryId: number | string,
    entryNumber: string,
    date: string,
    account: string,
    debit: string,
    credit: string,
    sourceType: string,
    sourceExternalId: string | null,
    sourceNumber: string | null,
  ): void {
    // Lines summed exactly per entry (BigInt minor units).
    let kind: ErpDoc['kind'];
    let ext: string | null;
    let sign: 1 | -1;
    const journal = this.clearing && account === this.clearing && sourceType === 'journal' ? (sourceExternalId ?? '') : null;
    const gift = journal === null ? null : GIFT_CARD_JOURNAL.exec(journal);
    const back = journal === null || gift ? null : GIFT_CARD_REFUND_JOURNAL.exec(journal);
    if (gift) {
      // Gift cards sold (+) or redeemed (−) on the order: Shopify's charge for it is the invoice plus this.
      kind = 'invoice';
      ext = legacy(gift[1]) ?? '';
      sign = 1;
    } else if (back) {
      // Gift cards re-issued by the refund (clearing debited): Shopify's refund line is the credit memo less this.
      kind = 'credit-memo';
      ext = legacy(back[1]) ?? '';
      sign = -1;
    } else {
      if (account !== this.receivable) return;
      if (sourceType !== 'invoice' && sourceType !== 'credit-memo') return;
      ext = legacy(sourceExternalId);
      if (!ext) return;
      kind = sourceType;
      sign = kind === 'invoice' ? 1 : -1;
    }
    // The document is the entry's (uid `${kind}:${entryId}`); a numeric id is its own key (a credit memo's negated).
    const key = typeof entryId === 'number' ? (kind === 'invoice' ? entryId : -entryId - 1) : `${kind}:${entryId}`;
    let e = this.byEntry.get(key);
    if (!e) {
      e = { kind, entry: entryId, externalId: ext, number: sourceNumber ?? entryNumber, date, sum: new MinorSum(), line: id };
      this.byEntry.set(key, e);
    } else if (typeof id === 'number' && typeof e.line === 'number' && id < e.line) e.line = id;
    e.sum.add(debit, sign).add(credit, sign === 1 ? -1 : 1);
  }

  /** The documents of the lines given since the last call, in ledger order of their first line. */
  flush(): void {
    for (const e of this.byEntry.values()) {
      this.table.push(e.kind, e.entry, true, e.externalId, e.number, e.date, e.sum);
      this.lines.push(typeof e.line === 'number' ? e.line : NUMERIC.test(e.line) ? Number(e.line) : Number.NaN);
    }
    this.byEntry = new Map();
  }

  add(lines: readonly LedgerLine[]): void {
    for (const l of lines) this.line(l.id, l.entryId, l.entryNumber, l.date, l.account, l.debit, l.credit, l.source.type, l.source.externalId, l.source.number);
    this.flush();
  }

  addRows(rows: readonly LedgerRow[]): void {
    for (const r of rows) this.line(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]);
    this.flush();
  }
}

export function docsFromLedger(lines: readonly LedgerLine[], receivable: string, clearing?: string): ErpDoc[] {
  const b = new DocsBuilder(receivable, clearing);
  b.add(lines);
  return b.table.toArray();
}

/** Days of ledger in a `listLedger` call at most: the lines of a year (a million) are never in memory at once. */
export const LEDGER_WINDOW_DAYS = 31;
/** Days of the first call: the next ones are sized from the lines it gave. */
const FIRST_WINDOW_DAYS = 7;
/**
 * Lines a call aims at. A window's lines live until its documents are made: a month of a large merchant's ledger
 * (80,000 lines, arrays and strings) outlived the young generation and was promoted, so most of reading a year
 * was garbage collection (a year in 31-day windows 4.0 s of CPU, in windows of ≈ 10,000 lines 2.2 s). Two windows
 * are alive at once since the next one is asked for early, so each is half that.
 */
export const LEDGER_WINDOW_LINES = 5_000;

/**
 * The next window's days: as many as should give `target` lines at the density of the last one, 1 to 31, and at most
 * twice the last window's (a dense month right after a quiet week is not read in one call).
 */
export function nextWindowDays(days: number, lines: number, target = LEDGER_WINDOW_LINES): number {
  const most = Math.min(LEDGER_WINDOW_DAYS, 2 * days);
  if (lines <= 0) return most;
  return Math.max(1, Math.min(most, Math.floor((days * target) / lines)));
}

/**
 * The documents of the range in ledger order (the order matching breaks ties by), as columns. Read in windows of
 * whole days sized to about `windowLines` lines each (`nextWindowDays`), as compact rows where the connector gives
 * them (`listLedgerRows`, whose entries may come in date order), else as `LedgerLine`s; when the ledger's line ids
 * are numbers (sandbox ERP, Tryton) documents are put back in line order (of their first line) when they did not
 * come so, otherwise they stay in window (date) order, in the order the ledger gave them within each.
 */
export async function loadErpDocs(
  erp: ErpConnector,
  range: { from: string; to: string },
  receivable: string,
  clearing?: string,
  opts: { windowLines?: number } = {},
): Promise<ErpDocTable> {
  const b = new DocsBuilder(receivable, clearing);
  if (!erp.capabilities.ledger) return b.table;
  const accounts = clearing ? [receivable, clearing] : [receivable];
  const read = (from: string, to: string): Promise<LedgerRow[] | LedgerLine[]> =>
    erp.listLedgerRows ? erp.listLedgerRows({ from, to, accounts }) : erp.listLedger({ from, to, accounts });
  // The next window is asked for as soon as this one's size is known, before its lines are taken in: an ERP in its own
  // process (every real one) reads and sends it meanwhile, so its query and our processing overlap.
  type Window = { from: string; to: string; rows: Promise<LedgerRow[] | LedgerLine[]> };
  const ask = (from: string, days: number): Window => {
    // ISO dates: the string order is the date order (Math.min does not apply).
    let to = addDays(from, days - 1);
    if (to > range.to) to = range.to;
    const rows = read(from, to);
    rows.catch(() => undefined); // awaited in its turn; failing while the one before is taken in is not unhandled
    return { from, to, rows };
  };
  let window: Window | null = range.from <= range.to ? ask(range.from, FIRST_WINDOW_DAYS) : null;
  while (window) {
    const { from, to } = window;
    const rows = await window.rows;
    const next = addDays(to, 1);
    window = next <= range.to ? ask(next, nextWindowDays(dayDiff(from, to) + 1, rows.length, opts.windowLines)) : null;
    if (erp.listLedgerRows) b.addRows(rows as LedgerRow[]);
    else b.add(rows as LedgerLine[]);
  }
  if (b.lines.length < 2 || b.lines.some((id) => Number.isNaN(id))) return b.table;
  const order = Float64Array.from(b.lines);
  let sorted = true;
  for (let i = 1; i < order.length && sorted; i++) sorted = order[i - 1]! < order[i]!;
  if (sorted) return b.table;
  const idx = Uint32Array.from(b.lines.keys()).sort((x, y) => order[x]! - order[y]! || x - y);
  return b.table.reordered(idx);
}

/**
 * Sales orders for Shopify order ids no ledger invoice matched (an ERP that keeps invoices as drafts): many at once
 * where the connector can (findSalesOrders, 2,000 ids a call), one getSalesOrder each where it cannot.
 */
export async function loadSalesOrders(erp: ErpConnector, orderIds: string[]): Promise<Map<string, ErpDoc>> {
  const out = new Map<string, ErpDoc>();
  if (!erp.capabilities.salesOrders || !orderIds.length) return out;
  const add = (id: string, so: Pick<ErpSalesOrderHead, 'id' | 'number' | 'date' | 'status' | 'totals'> | null) => {
    if (so && so.status !== 'cancelled')
      out.set(id, { uid: `sales-order:${so.id}`, kind: 'sales-order', externalId: id, number: so.number, date: so.date, amount: new Decimal(so.totals.gross) });
  };
  if (erp.findSalesOrders) {
    for (let i = 0; i < orderIds.length; i += 2_000) for (const so of await erp.findSalesOrders(orderIds.slice(i, i + 2_000))) add(so.externalId, so);
    return out;
  }
  for (const id of orderIds) add(id, await erp.getSalesOrder(id));
  return out;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function dayDiff(a: string, b: string): number {
  return Math.abs(Date.parse(`${a.slice(0, 10)}T00:00:00Z`) - Date.parse(`${b.slice(0, 10)}T00:00:00Z`)) / 86_400_000;
}
