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
}

/** "gid://shopify/Order/123" and "123" are the same Shopify object. */
export const legacy = (id: string | null | undefined): string | null => (id == null || id === '' ? null : String(id).split('/').pop()!);

/** The gift-card journal of an order (finance.gift-card-journal): its clearing lines belong with the order's invoice. */
export const GIFT_CARD_JOURNAL = /^giftcard:(.+)$/;

export function docsFromLedger(lines: LedgerLine[], receivable: string, clearing?: string): ErpDoc[] {
  // Lines summed exactly per entry (BigInt minor units), each document's amount made a Decimal once.
  const byEntry = new Map<string, { doc: Omit<ErpDoc, 'amount'>; sum: MinorSum }>();
  const add = (uid: string, doc: () => Omit<ErpDoc, 'amount'>, l: LedgerLine, sign: 1 | -1) => {
    let e = byEntry.get(uid);
    if (!e) byEntry.set(uid, (e = { doc: doc(), sum: new MinorSum() }));
    e.sum.add(l.debit, sign).add(l.credit, sign === 1 ? -1 : 1);
  };
  for (const l of lines) {
    const gift = clearing && l.account === clearing && l.source.type === 'journal' ? GIFT_CARD_JOURNAL.exec(l.source.externalId ?? '') : null;
    if (gift) {
      // Gift cards sold (+) or redeemed (−) on the order: Shopify's charge for it is the invoice plus this.
      const uid = `invoice:${l.entryId}`;
      add(uid, () => ({ uid, kind: 'invoice', externalId: legacy(gift[1])!, number: l.source.number ?? l.entryNumber, date: l.date }), l, 1);
      continue;
    }
    if (l.account !== receivable) continue;
    if (l.source.type !== 'invoice' && l.source.type !== 'credit-memo') continue;
    const ext = legacy(l.source.externalId);
    if (!ext) continue;
    const kind = l.source.type;
    const uid = `${kind}:${l.entryId}`;
    add(uid, () => ({ uid, kind, externalId: ext, number: l.source.number ?? l.entryNumber, date: l.date }), l, kind === 'invoice' ? 1 : -1);
  }
  return [...byEntry.values()].map(({ doc, sum }) => ({ ...doc, amount: sum.toDecimal(), cents: sum.cents() }));
}

export async function loadErpDocs(erp: ErpConnector, range: { from: string; to: string }, receivable: string, clearing?: string): Promise<ErpDoc[]> {
  if (!erp.capabilities.ledger) return [];
  return docsFromLedger(
    await erp.listLedger({ from: range.from, to: range.to, accounts: clearing ? [receivable, clearing] : [receivable] }),
    receivable,
    clearing,
  );
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
