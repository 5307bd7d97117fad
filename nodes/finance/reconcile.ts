// Matching a batch of payouts against ERP documents, without I/O: ids first (Shopify order id for charges, refund /
// order transaction id for refunds), then amount and date within tolerance, each ERP document used at most once.
import { Decimal } from 'decimal.js';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../shopify/types.ts';
import { bucketOf } from './classify.ts';
import { addDays, legacy, type ErpDoc } from './erp-docs.ts';
import { itemKey } from './exceptions.ts';
import type { Bucket, ItemStatus, PayoutReconciliation, ReconItem } from './types.ts';

export interface MatchOptions {
  amountTolerance: Decimal;
  dateToleranceDays: number;
  /** Shopify statuses whose balanced payouts are final and get a journal. */
  postStatuses: string[];
  /** Report ERP documents inside a payout's dates that no Shopify transaction claims. */
  reportErpOnly: boolean;
  /**
   * `all` (default): every item in `items`. `problems`: only what finance must look at (missing, mismatched,
   * ERP-only, unknown types); the rest is in `counts` and the claims records, so the output grows with problems,
   * not with transactions.
   */
  items?: 'all' | 'problems';
  /** Called with each balanced payout and every one of its items (also those `problems` leaves out), e.g. to settle it. */
  onBalanced?: (rec: PayoutReconciliation, allItems: ReconItem[]) => void;
}

export interface ErpSide {
  docs: ErpDoc[];
  /** Sales orders by legacy Shopify order id, for charges no invoice matched. */
  salesOrders: Map<string, ErpDoc>;
  /** Legacy order transaction id -> legacy refund id, when Shopify was asked. */
  refundOfTransaction: Map<string, string>;
  /** ERP document uids already claimed by payouts reconciled in earlier runs. */
  claimedBefore: Set<string>;
}

interface Group {
  payout: ShopifyPayout;
  bucket: Bucket;
  known: boolean;
  key: string;
  txs: ShopifyBalanceTransaction[];
  orderId: string | null;
  refundId: string | null;
  idKeys: string[];
  amount: Decimal;
  date: string;
  doc?: ErpDoc;
  uids?: string[];
  matchedBy?: ReconItem['matchedBy'];
}

const m2 = (d: Decimal) => d.toFixed(2);
const D0 = () => new Decimal(0);

function groupsOf(p: ShopifyPayout, erp: ErpSide): Group[] {
  const groups = new Map<string, Group>();
  for (const t of p.balanceTransactions) {
    const { bucket, known } = bucketOf(t.type, t.sourceType);
    const orderId = legacy(t.sourceOrderId);
    const orderTx = legacy(t.sourceOrderTransactionId);
    let key: string;
    let refundId: string | null = null;
    let idKeys: string[] = [];
    if (bucket === 'charge') {
      key = orderId ? `charge:order:${orderId}` : `charge:tx:${legacy(t.id)}`;
      idKeys = orderId ? [orderId] : [];
    } else if (bucket === 'refund') {
      refundId = orderTx ? erp.refundOfTransaction.get(orderTx) ?? null : null;
      key = `refund:${refundId ?? orderTx ?? `tx:${legacy(t.id)}`}`;
      idKeys = [refundId, orderTx, legacy(t.sourceId)].filter((x): x is string => !!x);
    } else {
      key = `${bucket}:tx:${legacy(t.id)}`;
    }
    const g = groups.get(key);
    if (g) {
      g.txs.push(t);
      g.amount = g.amount.plus(t.amount.amount);
      if (t.processedAt < g.date) g.date = t.processedAt;
    } else {
      groups.set(key, { payout: p, bucket, known, key, txs: [t], orderId, refundId, idKeys, amount: new Decimal(t.amount.amount), date: t.processedAt });
    }
  }
  return [...groups.values()];
}

const docKind = (g: Group) => (g.bucket === 'charge' ? 'invoice' : 'credit-memo');
/** The ERP amount in Shopify's sign convention: a charge is +, a refund −. */
const erpSigned = (g: Group, d: ErpDoc) => (g.bucket === 'refund' ? d.amount.neg() : d.amount);
/** Whole cents, as an index key only (never summed): amounts within a tolerance fall in a known range of keys. */
const cents = (d: Decimal) => d.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
const day = (date: string) => date.slice(0, 10);

export interface Claim { docUid: string; item: string; matchedBy: string }

export interface BatchResult {
  recs: PayoutReconciliation[];
  /** ERP documents each payout's items matched (and so claims), by payout legacy id. */
  claimedBy: Map<string, Claim[]>;
  /** Exception keys (itemKey) of the items matched in this batch: problems raised for them before are gone. */
  matchedKeys: Set<string>;
}

/**
 * The ERP documents, indexed once per batch so matching is linear: by Shopify id (kind + external id), by amount and
 * day for the fallback (kind + cents + day, each list in ledger order with a cursor past claimed documents), and by
 * day for the ERP-only report. Documents claimed in earlier runs are left out of the fallback index altogether.
 */
class DocIndex {
  readonly byKey = new Map<string, ErpDoc[]>();
  private byAmountDay = new Map<string, { docs: ErpDoc[]; head: number; ord: number[] }>();
  readonly byDay = new Map<string, ErpDoc[]>();
  readonly claimed: Set<string>;

  constructor(docs: ErpDoc[], claimedBefore: Set<string>) {
    this.claimed = new Set(claimedBefore);
    docs.forEach((d, ord) => {
      const k = `${d.kind}:${d.externalId}`;
      const same = this.byKey.get(k);
      if (same) same.push(d);
      else this.byKey.set(k, [d]);
      const dd = day(d.date);
      const onDay = this.byDay.get(dd);
      if (onDay) onDay.push(d);
      else this.byDay.set(dd, [d]);
      if (claimedBefore.has(d.uid)) return;
      const ak = `${d.kind}:${cents(d.amount)}:${dd}`;
      const list = this.byAmountDay.get(ak);
      if (list) {
        list.docs.push(d);
        list.ord.push(ord);
      } else this.byAmountDay.set(ak, { docs: [d], head: 0, ord: [ord] });
    });
  }

  /**
   * The unclaimed document of `kind` whose amount is within `tolerance` of `amount` and whose date is closest to
   * `date` (at most `days` apart); ties go to the earlier ledger position. Cost: (2·days+1) × (cents in the
   * tolerance window) map lookups, whatever the number of documents.
   */
  closest(kind: string, amount: Decimal, tolerance: Decimal, date: string, days: number): ErpDoc | null {
    const lo = cents(amount.minus(tolerance));
    const hi = cents(amount.plus(tolerance));
    for (let dist = 0; dist <= days; dist++) {
      let best: { doc: ErpDoc; ord: number } | null = null;
      for (const dd of dist === 0 ? [day(date)] : [addDays(date, -dist), addDays(date, dist)]) {
        for (let c = lo; c <= hi; c++) {
          const list = this.byAmountDay.get(`${kind}:${c}:${dd}`);
          if (!list) continue;
          // Claimed documents only ever leave a list, so the head moves forward once past each: amortised O(1).
          while (list.head < list.docs.length && this.claimed.has(list.docs[list.head].uid)) list.head++;
          for (let i = list.head; i < list.docs.length; i++) {
            const doc = list.docs[i];
            // Claimed by id after the head moved, or (sub-cent amounts) in the same cents key but beyond the tolerance.
            if (this.claimed.has(doc.uid) || doc.amount.minus(amount).abs().gt(tolerance)) continue;
            if (!best || list.ord[i] < best.ord) best = { doc, ord: list.ord[i] };
            break;
          }
        }
      }
      if (best) return best.doc;
    }
    return null;
  }
}

export function reconcileBatch(payouts: ShopifyPayout[], erp: ErpSide, opts: MatchOptions, now: Date): BatchResult {
  const index = new DocIndex(erp.docs, erp.claimedBefore);
  const { claimed } = index;
  const all = payouts.map((p) => ({ p, groups: groupsOf(p, erp) }));

  // 1. By id, every payout first, so the fallback cannot take a document a later payout names by id.
  for (const { groups } of all) {
    for (const g of groups) {
      if (g.bucket !== 'charge' && g.bucket !== 'refund') continue;
      for (const k of g.idKeys) {
        const docs = (index.byKey.get(`${docKind(g)}:${k}`) ?? []).filter((d) => !claimed.has(d.uid));
        if (!docs.length) continue;
        // Several ledger documents for one Shopify object (e.g. an invoice posted in two parts) count together.
        g.doc = docs.length === 1 ? docs[0] : { ...docs[0], amount: docs.reduce((a, d) => a.plus(d.amount), D0()) };
        for (const d of docs) claimed.add(d.uid);
        g.uids = docs.map((d) => d.uid);
        g.matchedBy = 'id';
        break;
      }
      if (!g.doc && g.bucket === 'charge' && g.orderId && erp.salesOrders.has(g.orderId)) {
        g.doc = erp.salesOrders.get(g.orderId)!;
        g.matchedBy = 'document';
      }
    }
  }
  // 2. By amount and date, closest date first, among documents nobody claimed.
  for (const { groups } of all) {
    for (const g of groups) {
      if (g.doc || (g.bucket !== 'charge' && g.bucket !== 'refund')) continue;
      const target = g.bucket === 'refund' ? g.amount.neg() : g.amount;
      const doc = index.closest(docKind(g), target, opts.amountTolerance, g.date, opts.dateToleranceDays);
      if (doc) {
        g.doc = doc;
        g.matchedBy = 'amount-date';
        g.uids = [doc.uid];
        claimed.add(doc.uid);
      }
    }
  }

  const matchedKeys = new Set<string>();
  const recs = all.map(({ p, groups }) => assemble(p, groups, index, opts, now, matchedKeys));
  const claimedBy = new Map(all.map(({ p, groups }) => [p.legacyId, groups.flatMap((g) => (g.uids ?? []).map((docUid) => ({ docUid, item: g.key, matchedBy: g.matchedBy! })))]));
  return { recs, claimedBy, matchedKeys };
}

const STATUSES: ItemStatus[] = ['matched', 'missing-in-erp', 'amount-mismatch', 'erp-only', 'unmatched-fee', 'unmatched-adjustment'];

/** What finance must look at; the rest (matched lines, fees, known adjustments) is only counted in `problems` mode. */
const isProblem = (status: ItemStatus, note: boolean) => status === 'missing-in-erp' || status === 'amount-mismatch' || status === 'erp-only' || note;

function assemble(p: ShopifyPayout, groups: Group[], index: DocIndex, opts: MatchOptions, now: Date, matchedKeys: Set<string>): PayoutReconciliation {
  const items: ReconItem[] = [];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  const keep = (status: ItemStatus, note = false) => {
    counts[status]++;
    return opts.items !== 'problems' || isProblem(status, note);
  };
  const base = (g: Group) => ({
    bucket: g.bucket, transactions: g.txs.map((t) => legacy(t.id)!), types: [...new Set(g.txs.map((t) => t.type))], orderId: g.orderId, refundId: g.refundId,
    shopifyAmount: m2(g.amount), fee: m2(g.txs.reduce((a, t) => a.plus(t.fee.amount), D0())), net: m2(g.txs.reduce((a, t) => a.plus(t.net.amount), D0())), date: g.date.slice(0, 10),
  });
  let erpVariance = D0();
  let withinTolerance = D0();
  const b = { charges: D0(), refunds: D0(), fees: D0(), adjustments: D0(), disputes: D0(), reserves: D0(), retried: D0() };
  let from = '';
  let to = '';
  const inconsistentTransactions: string[] = [];
  for (const t of p.balanceTransactions) {
    b.fees = b.fees.plus(t.fee.amount);
    const dd = day(t.processedAt);
    if (!from || dd < from) from = dd;
    if (dd > to) to = dd;
    if (!new Decimal(t.amount.amount).minus(t.fee.amount).eq(t.net.amount)) inconsistentTransactions.push(legacy(t.id)!);
  }

  // Each group's item is built only when it is kept (or asked for by onBalanced): at a million transactions, the
  // item objects of matched lines would be most of the memory and time of a run.
  const itemOf: Array<() => ReconItem> = [];
  for (const g of groups) {
    if (g.bucket === 'charge' || g.bucket === 'refund') {
      if (g.bucket === 'charge') b.charges = b.charges.plus(g.amount);
      else b.refunds = b.refunds.plus(g.amount);
      if (!g.doc) {
        erpVariance = erpVariance.plus(g.amount);
        const make = (): ReconItem => ({ ...base(g), status: 'missing-in-erp', erpAmount: null, delta: m2(g.amount), matchedBy: null, erp: null });
        itemOf.push(make);
        if (keep('missing-in-erp')) items.push(make());
        continue;
      }
      const doc = g.doc;
      const erpAmount = erpSigned(g, doc);
      const delta = g.amount.minus(erpAmount);
      const ok = delta.abs().lte(opts.amountTolerance);
      if (ok) {
        withinTolerance = withinTolerance.plus(delta);
        matchedKeys.add(itemKey({ status: 'matched', bucket: g.bucket, orderId: g.orderId, refundId: g.refundId, transactions: [legacy(g.txs[0].id)!], erp: null }));
      } else erpVariance = erpVariance.plus(delta);
      const make = (): ReconItem => ({
        ...base(g), status: ok ? 'matched' : 'amount-mismatch', erpAmount: m2(erpAmount), delta: delta.isZero() ? null : m2(delta), matchedBy: g.matchedBy ?? null,
        erp: { kind: doc.kind, externalId: doc.externalId, number: doc.number, date: doc.date },
      });
      itemOf.push(make);
      if (keep(ok ? 'matched' : 'amount-mismatch')) items.push(make());
      continue;
    }
    if (g.bucket === 'fee') b.fees = b.fees.minus(g.amount);
    else if (g.bucket === 'dispute') b.disputes = b.disputes.plus(g.amount);
    else if (g.bucket === 'reserve') b.reserves = b.reserves.plus(g.amount);
    else if (g.bucket === 'payout-retry') b.retried = b.retried.plus(g.amount);
    else b.adjustments = b.adjustments.plus(g.amount);
    const status = g.bucket === 'fee' ? 'unmatched-fee' : 'unmatched-adjustment';
    const make = (): ReconItem => ({
      ...base(g), status, erpAmount: null, delta: null, matchedBy: null, erp: null,
      ...(g.known ? {} : { note: `Shopify transaction type ${g.txs[0].type} is not one Ledgerline knows; booked as an adjustment, please review` }),
    });
    itemOf.push(make);
    if (keep(status, !g.known)) items.push(make());
  }

  // ERP documents dated within the payout's transactions that nothing claimed: read day by day from the index.
  if (opts.reportErpOnly && from) {
    for (let dd = from; dd <= to; dd = addDays(dd, 1)) {
      for (const d of index.byDay.get(dd) ?? []) {
        if (index.claimed.has(d.uid)) continue;
        if (!keep('erp-only')) continue;
        items.push({
          status: 'erp-only', bucket: 'erp-document', transactions: [], types: [], orderId: d.kind === 'invoice' ? d.externalId : null, refundId: d.kind === 'credit-memo' ? d.externalId : null,
          shopifyAmount: '0.00', erpAmount: m2(d.kind === 'credit-memo' ? d.amount.neg() : d.amount), delta: null, matchedBy: null,
          erp: { kind: d.kind, externalId: d.externalId, number: d.number, date: d.date }, date: d.date,
          note: 'In the ERP within this payout\'s dates, but in no Shopify Payments transaction seen so far',
        });
      }
    }
  }

  const net = b.charges.plus(b.refunds).plus(b.adjustments).plus(b.disputes).plus(b.reserves).plus(b.retried).minus(b.fees);
  const shopifyVariance = new Decimal(p.net.amount).minus(net);
  const ties = shopifyVariance.isZero() && erpVariance.isZero() && inconsistentTransactions.length === 0;
  const status = !ties ? 'unbalanced' : opts.postStatuses.includes(p.status) ? 'balanced' : ['FAILED', 'CANCELED', 'CANCELLED'].includes(p.status) ? 'not-paid' : 'waiting';
  const rec: PayoutReconciliation = {
    payoutId: p.legacyId, payoutGid: p.id, date: p.issuedAt.slice(0, 10), shopifyStatus: p.status, currency: p.net.currencyCode, status,
    payoutNet: m2(new Decimal(p.net.amount)),
    totals: { charges: m2(b.charges), refunds: m2(b.refunds), fees: m2(b.fees), adjustments: m2(b.adjustments), disputes: m2(b.disputes), reserves: m2(b.reserves), retriedPayouts: m2(b.retried), net: m2(net) },
    shopifyVariance: m2(shopifyVariance), erpVariance: m2(erpVariance), withinTolerance: m2(withinTolerance), counts, inconsistentTransactions, items,
    journalExternalId: status === 'balanced' ? p.legacyId : null, reconciledAt: now.toISOString(),
  };
  if (status === 'balanced' && opts.onBalanced) opts.onBalanced(rec, opts.items === 'problems' ? itemOf.map((f) => f()) : items);
  return rec;
}
