// Matching a batch of payouts against ERP documents, without I/O: ids first (Shopify order id for charges, refund /
// order transaction id for refunds), then amount and date within tolerance, each ERP document used at most once.
import { Decimal } from 'decimal.js';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../shopify/types.ts';
import { bucketOf } from './classify.ts';
import { dayDiff, legacy, type ErpDoc } from './erp-docs.ts';
import type { Bucket, ItemStatus, PayoutReconciliation, ReconItem } from './types.ts';

export interface MatchOptions {
  amountTolerance: Decimal;
  dateToleranceDays: number;
  /** Shopify statuses whose balanced payouts are final and get a journal. */
  postStatuses: string[];
  /** Report ERP documents inside a payout's dates that no Shopify transaction claims. */
  reportErpOnly: boolean;
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

export interface BatchResult {
  recs: PayoutReconciliation[];
  /** ERP document uids each payout's items matched, by payout legacy id. */
  claimedBy: Map<string, string[]>;
}

export function reconcileBatch(payouts: ShopifyPayout[], erp: ErpSide, opts: MatchOptions, now: Date): BatchResult {
  const all = payouts.map((p) => ({ p, groups: groupsOf(p, erp) }));
  const matchable = all.flatMap((x) => x.groups.filter((g) => g.bucket === 'charge' || g.bucket === 'refund'));
  const claimed = new Set(erp.claimedBefore);
  const byKey = new Map<string, ErpDoc[]>();
  for (const d of erp.docs) byKey.set(`${d.kind}:${d.externalId}`, [...(byKey.get(`${d.kind}:${d.externalId}`) ?? []), d]);

  // 1. By id.
  for (const g of matchable) {
    for (const k of g.idKeys) {
      const docs = (byKey.get(`${docKind(g)}:${k}`) ?? []).filter((d) => !claimed.has(d.uid));
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
  // 2. By amount and date, closest date first, among documents nobody claimed.
  for (const g of matchable) {
    if (g.doc) continue;
    const candidates = erp.docs
      .filter((d) => d.kind === docKind(g) && !claimed.has(d.uid))
      .filter((d) => erpSigned(g, d).minus(g.amount).abs().lte(opts.amountTolerance) && dayDiff(d.date, g.date) <= opts.dateToleranceDays)
      .sort((a, b) => dayDiff(a.date, g.date) - dayDiff(b.date, g.date));
    if (candidates.length) {
      g.doc = candidates[0];
      g.matchedBy = 'amount-date';
      g.uids = [candidates[0].uid];
      claimed.add(candidates[0].uid);
    }
  }

  const recs = all.map(({ p, groups }) => assemble(p, groups, erp, claimed, opts, now));
  const claimedBy = new Map(all.map(({ p, groups }) => [p.legacyId, groups.flatMap((g) => (g.uids ?? []))]));
  return { recs, claimedBy };
}

function assemble(p: ShopifyPayout, groups: Group[], erp: ErpSide, claimed: Set<string>, opts: MatchOptions, now: Date): PayoutReconciliation {
  const items: ReconItem[] = [];
  let erpVariance = D0();
  let withinTolerance = D0();
  const b = { charges: D0(), refunds: D0(), fees: D0(), adjustments: D0(), disputes: D0(), reserves: D0(), retried: D0() };
  for (const t of p.balanceTransactions) b.fees = b.fees.plus(t.fee.amount);

  for (const g of groups) {
    const base = {
      bucket: g.bucket, transactions: g.txs.map((t) => legacy(t.id)!), types: [...new Set(g.txs.map((t) => t.type))], orderId: g.orderId, refundId: g.refundId,
      shopifyAmount: m2(g.amount), fee: m2(g.txs.reduce((a, t) => a.plus(t.fee.amount), D0())), net: m2(g.txs.reduce((a, t) => a.plus(t.net.amount), D0())), date: g.date.slice(0, 10),
    };
    if (g.bucket === 'charge' || g.bucket === 'refund') {
      if (g.bucket === 'charge') b.charges = b.charges.plus(g.amount);
      else b.refunds = b.refunds.plus(g.amount);
      if (!g.doc) {
        erpVariance = erpVariance.plus(g.amount);
        items.push({ ...base, status: 'missing-in-erp', erpAmount: null, delta: m2(g.amount), matchedBy: null, erp: null });
        continue;
      }
      const erpAmount = erpSigned(g, g.doc);
      const delta = g.amount.minus(erpAmount);
      const ok = delta.abs().lte(opts.amountTolerance);
      if (ok) withinTolerance = withinTolerance.plus(delta);
      else erpVariance = erpVariance.plus(delta);
      items.push({
        ...base, status: ok ? 'matched' : 'amount-mismatch', erpAmount: m2(erpAmount), delta: delta.isZero() ? null : m2(delta), matchedBy: g.matchedBy ?? null,
        erp: { kind: g.doc.kind, externalId: g.doc.externalId, number: g.doc.number, date: g.doc.date },
      });
      continue;
    }
    if (g.bucket === 'fee') b.fees = b.fees.minus(g.amount);
    else if (g.bucket === 'dispute') b.disputes = b.disputes.plus(g.amount);
    else if (g.bucket === 'reserve') b.reserves = b.reserves.plus(g.amount);
    else if (g.bucket === 'payout-retry') b.retried = b.retried.plus(g.amount);
    else b.adjustments = b.adjustments.plus(g.amount);
    items.push({
      ...base, status: g.bucket === 'fee' ? 'unmatched-fee' : 'unmatched-adjustment', erpAmount: null, delta: null, matchedBy: null, erp: null,
      ...(g.known ? {} : { note: `Shopify transaction type ${g.txs[0].type} is not one Ledgerline knows; booked as an adjustment, please review` }),
    });
  }

  const dates = p.balanceTransactions.map((t) => t.processedAt.slice(0, 10)).sort();
  if (opts.reportErpOnly && dates.length) {
    const [from, to] = [dates[0], dates[dates.length - 1]];
    for (const d of erp.docs) {
      if (claimed.has(d.uid) || d.date < from || d.date > to) continue;
      items.push({
        status: 'erp-only', bucket: 'erp-document', transactions: [], types: [], orderId: d.kind === 'invoice' ? d.externalId : null, refundId: d.kind === 'credit-memo' ? d.externalId : null,
        shopifyAmount: '0.00', erpAmount: m2(d.kind === 'credit-memo' ? d.amount.neg() : d.amount), delta: null, matchedBy: null,
        erp: { kind: d.kind, externalId: d.externalId, number: d.number, date: d.date }, date: d.date,
        note: 'In the ERP within this payout\'s dates, but in no Shopify Payments transaction seen so far',
      });
    }
  }

  const net = b.charges.plus(b.refunds).plus(b.adjustments).plus(b.disputes).plus(b.reserves).plus(b.retried).minus(b.fees);
  const shopifyVariance = new Decimal(p.net.amount).minus(net);
  const counts = Object.fromEntries((['matched', 'missing-in-erp', 'amount-mismatch', 'erp-only', 'unmatched-fee', 'unmatched-adjustment'] as ItemStatus[])
    .map((s) => [s, items.filter((i) => i.status === s).length])) as Record<ItemStatus, number>;
  const inconsistentTransactions = p.balanceTransactions.filter((t) => !new Decimal(t.amount.amount).minus(t.fee.amount).eq(t.net.amount)).map((t) => legacy(t.id)!);
  const ties = shopifyVariance.isZero() && erpVariance.isZero() && inconsistentTransactions.length === 0;
  const status = !ties ? 'unbalanced' : opts.postStatuses.includes(p.status) ? 'balanced' : ['FAILED', 'CANCELED', 'CANCELLED'].includes(p.status) ? 'not-paid' : 'waiting';
  return {
    payoutId: p.legacyId, payoutGid: p.id, date: p.issuedAt.slice(0, 10), shopifyStatus: p.status, currency: p.net.currencyCode, status,
    payoutNet: m2(new Decimal(p.net.amount)),
    totals: { charges: m2(b.charges), refunds: m2(b.refunds), fees: m2(b.fees), adjustments: m2(b.adjustments), disputes: m2(b.disputes), reserves: m2(b.reserves), retriedPayouts: m2(b.retried), net: m2(net) },
    shopifyVariance: m2(shopifyVariance), erpVariance: m2(erpVariance), withinTolerance: m2(withinTolerance), counts, inconsistentTransactions, items,
    journalExternalId: status === 'balanced' ? p.legacyId : null, reconciledAt: now.toISOString(),
  };
}
