// The ERP side of a reconciliation: order invoices and credit memos as the ERP booked them on the receivable
// account (read from the ledger), plus sales orders looked up by Shopify order id when no invoice is posted yet.
import { Decimal } from 'decimal.js';
import type { ErpConnector, ErpSalesOrderHead, LedgerLine } from '../erp/contract.ts';
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
 * A document read from the ledger: its amount is kept as the exact decimal text (and whole cents, the index key), and
 * becomes a Decimal only when read (each time): a reconciliation holds a million of these and compares most by id alone.
 */
class LedgerDoc implements ErpDoc {
  constructor(
    readonly uid: string,
    readonly kind: ErpDoc['kind'],
    readonly externalId: string,
    readonly number: string | null,
    readonly date: string,
    readonly cents: number,
    readonly exact: string,
  ) {}

  /** Not kept: a Decimal per document read would stay for the whole reconciliation. */
  get amount(): Decimal {
    return new Decimal(this.exact);
  }
}

interface Entry {
  uid: string;
  kind: ErpDoc['kind'];
  externalId: string;
  number: string | null;
  date: string;
  sum: MinorSum;
  /** The entry's first line id, as the ledger gave it: orders documents read in several windows. */
  line: string;
}

/** Ledger lines to documents, one read (window) at a time: an entry's lines share its date, so a window holds all of them. */
class DocsBuilder {
  readonly docs: LedgerDoc[] = [];
  readonly lines: string[] = [];
  /** One string per day (a million documents fall on a few hundred days). */
  private days = new Map<string, string>();

  constructor(
    private receivable: string,
    private clearing?: string,
  ) {}

  add(lines: readonly LedgerLine[]): void {
    // Lines summed exactly per entry (BigInt minor units), each document's amount kept as exact text.
    const byEntry = new Map<string, Entry>();
    const add = (uid: string, kind: ErpDoc['kind'], externalId: string, l: LedgerLine, sign: 1 | -1) => {
      let e = byEntry.get(uid);
      if (!e) {
        let date = this.days.get(l.date);
        if (date === undefined) this.days.set(l.date, (date = l.date));
        e = { uid, kind, externalId, number: l.source.number ?? l.entryNumber, date, sum: new MinorSum(), line: l.id };
        byEntry.set(uid, e);
      }
      e.sum.add(l.debit, sign).add(l.credit, sign === 1 ? -1 : 1);
    };
    for (const l of lines) {
      const gift = this.clearing && l.account === this.clearing && l.source.type === 'journal' ? GIFT_CARD_JOURNAL.exec(l.source.externalId ?? '') : null;
      if (gift) {
        // Gift cards sold (+) or redeemed (−) on the order: Shopify's charge for it is the invoice plus this.
        add(`invoice:${l.entryId}`, 'invoice', legacy(gift[1]) ?? '', l, 1);
        continue;
      }
      if (l.account !== this.receivable) continue;
      if (l.source.type !== 'invoice' && l.source.type !== 'credit-memo') continue;
      const ext = legacy(l.source.externalId);
      if (!ext) continue;
      const kind = l.source.type;
      add(`${kind}:${l.entryId}`, kind, ext, l, kind === 'invoice' ? 1 : -1);
    }
    for (const e of byEntry.values()) {
      this.docs.push(new LedgerDoc(e.uid, e.kind, e.externalId, e.number, e.date, e.sum.cents(), e.sum.toString()));
      this.lines.push(e.line);
    }
  }
}

export function docsFromLedger(lines: readonly LedgerLine[], receivable: string, clearing?: string): ErpDoc[] {
  const b = new DocsBuilder(receivable, clearing);
  b.add(lines);
  return b.docs;
}

/**
 * Days of ledger per `listLedger` call: the lines of a year (a million) are never in memory at once, only one
 * window's, each turned into documents before the next is read.
 */
export const LEDGER_WINDOW_DAYS = 31;

const NUMERIC = /^\d{1,15}$/;

/**
 * The documents of the range in ledger order (the order matching breaks ties by). Read in windows of
 * `LEDGER_WINDOW_DAYS`; when the ledger's line ids are numbers (sandbox ERP, Tryton) documents of several windows are
 * put back in line order, otherwise they stay in window (date) order, ledger order within each.
 */
export async function loadErpDocs(erp: ErpConnector, range: { from: string; to: string }, receivable: string, clearing?: string): Promise<ErpDoc[]> {
  if (!erp.capabilities.ledger) return [];
  const accounts = clearing ? [receivable, clearing] : [receivable];
  const b = new DocsBuilder(receivable, clearing);
  let windows = 0;
  for (let from = range.from; from <= range.to; from = addDays(from, LEDGER_WINDOW_DAYS)) {
    // ISO dates: the string order is the date order (Math.min does not apply).
    let to = addDays(from, LEDGER_WINDOW_DAYS - 1);
    if (to > range.to) to = range.to;
    b.add(await erp.listLedger({ from, to, accounts }));
    windows++;
  }
  if (windows < 2 || !b.lines.every((id) => NUMERIC.test(id))) return b.docs;
  const order = Float64Array.from(b.lines, Number);
  const idx = Uint32Array.from(b.docs.keys()).sort((x, y) => order[x]! - order[y]! || x - y);
  return Array.from(idx, (i) => b.docs[i]!);
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
