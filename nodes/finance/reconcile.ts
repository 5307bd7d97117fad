// Matching a batch of payouts against ERP documents, without I/O: ids first (Shopify order id for charges, refund /
// order transaction id for refunds), then amount and date within tolerance, each ERP document used at most once.
import { Decimal } from 'decimal.js';
import type { SettlementItemInput } from '../erp/contract.ts';
import type { TransactionAmounts, TransactionKeys } from '../shopify/payout-rows.ts';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../shopify/types.ts';
import { bucketOf } from './classify.ts';
import { ErpDocTable } from './doc-table.ts';
import { IdPositions } from './id-map.ts';
import { addDays, legacy, type ErpDoc } from './erp-docs.ts';
import { matchedKey } from './exceptions.ts';
import { MinorSum } from './minor.ts';
import { settlementLine } from './settle.ts';
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
  /** Only these keys are collected in `matchedKeys` (the open exceptions' keys, `openItemKeys`); every key when absent. */
  watchKeys?: ReadonlySet<string>;
  /**
   * Called with each balanced payout as soon as it is assembled: what it settles (`settlementItems` of every one of
   * its group items, also those `problems` leaves out, built from the groups without an item object each) and its
   * dispute items (whole, in either items mode).
   * `claims`: the ERP documents the payout's items matched, in the order of its groups, to be recorded as its claims
   * then (the reconciler keeps none: at a million transactions they would be a million objects held to the end).
   */
  onBalanced?: (rec: PayoutReconciliation, balanced: { settlement: SettlementItemInput[]; disputes: ReconItem[] }, claims: Claim[]) => void | Promise<void>;
}

export interface ErpSide {
  /** The ledger's documents in ledger order: as columns (`loadErpDocs`) or as objects. */
  docs: readonly ErpDoc[] | ErpDocTable;
  /** Sales orders by legacy Shopify order id, for charges no invoice matched. */
  salesOrders: Map<string, ErpDoc>;
  /** Legacy order transaction id -> legacy refund id, when Shopify was asked. */
  refundOfTransaction: Map<string, string>;
  /**
   * ERP documents already claimed by payouts reconciled in earlier runs: their uids, or one byte per ledger position
   * of `docs` (non-zero: claimed), which a re-run over a year of claimed documents holds instead of a million strings.
   */
  claimedBefore: ReadonlySet<string> | Uint8Array;
}

/** What the amount pass reads of a fetched transaction: its keys and its three amounts as exact text (no Money objects). */
export const amountsOf = (t: ShopifyBalanceTransaction): TransactionAmounts => ({
  id: t.id,
  type: t.type,
  sourceId: t.sourceId,
  sourceType: t.sourceType,
  sourceOrderId: t.sourceOrderId,
  sourceOrderTransactionId: t.sourceOrderTransactionId,
  processedAt: t.processedAt,
  amount: t.amount.amount,
  fee: t.fee.amount,
  net: t.net.amount,
});

interface Group {
  bucket: Bucket;
  known: boolean;
  key: string;
  /** Never empty: a group is made by its first transaction. */
  txs: [TransactionAmounts, ...TransactionAmounts[]];
  orderId: string | null;
  refundId: string | null;
  /** Σ amount, exact, in minor units: a Decimal is made only where one is compared or shown (`amountOf`). */
  minor: MinorSum;
  date: string;
  /** The ledger document matched, by position in the column table (no object made for it)... */
  ord?: number;
  /** ...or, when several ledger documents were counted together or a sales order matched, that document. */
  doc?: ErpDoc;
  /** The documents claimed, when several were counted together. */
  uids?: string[];
  matchedBy?: ReconItem['matchedBy'];
  /** Set when the group is judged: its status, and the ERP amount and delta when they are not simply the Shopify amount. */
  status?: ItemStatus;
  erpAmount?: Decimal;
  delta?: Decimal;
}

const amountOf = (g: Group) => g.minor.toDecimal();

const m2 = (d: Decimal) => d.toFixed(2);
const D0 = () => new Decimal(0);

/** What assemble needs from every transaction of a payout, taken in the same pass as the groups. */
interface TxStats {
  fees: MinorSum;
  /** The earliest and latest `processedAt` (whole, sliced to days once: ISO text orders the same either way). */
  from: string;
  to: string;
  inconsistent: string[];
}

/** The group a transaction belongs to (one per order's charges, per refund, per other transaction). */
interface GroupKey {
  bucket: Bucket;
  known: boolean;
  key: string;
  orderId: string | null;
  refundId: string | null;
}

function groupKey(t: TransactionKeys, erp: ErpSide): GroupKey {
  const { bucket, known } = bucketOf(t.type, t.sourceType);
  const orderId = legacy(t.sourceOrderId);
  if (bucket === 'charge') return { bucket, known, key: orderId ? `charge:order:${orderId}` : `charge:tx:${legacy(t.id)}`, orderId, refundId: null };
  if (bucket === 'refund') {
    const orderTx = legacy(t.sourceOrderTransactionId);
    const refundId = orderTx ? (erp.refundOfTransaction.get(orderTx) ?? null) : null;
    return { bucket, known, key: `refund:${refundId ?? orderTx ?? `tx:${legacy(t.id)}`}`, orderId, refundId };
  }
  return { bucket, known, key: `${bucket}:tx:${legacy(t.id)}`, orderId, refundId: null };
}

/** The Shopify ids a group's ERP document may carry, from the group's first transaction, most specific first. */
function idKeysOf(t: TransactionKeys, k: GroupKey): string[] {
  if (k.bucket === 'charge') return k.orderId ? [k.orderId] : [];
  if (k.bucket === 'refund') return [k.refundId, legacy(t.sourceOrderTransactionId), legacy(t.sourceId)].filter((x): x is string => !!x);
  return [];
}

/** Amount − fee − net of one transaction at a time (one object for every transaction, not one each). */
const tie = new MinorSum();

async function groupsOf(input: PayoutInput, erp: ErpSide, stats: TxStats): Promise<Group[]> {
  const groups = new Map<string, Group>();
  for await (const slice of input.amountSlices())
    for (const t of slice) {
      stats.fees.add(t.fee);
      const at = t.processedAt;
      if (!stats.from || at < stats.from) stats.from = at;
      if (at > stats.to) stats.to = at;
      if (!tie.clear().add(t.amount).add(t.fee, -1).add(t.net, -1).isZero()) stats.inconsistent.push(legacy(t.id)!);
      const k = groupKey(t, erp);
      const g = groups.get(k.key);
      if (g) {
        g.txs.push(t);
        g.minor.add(t.amount);
        if (t.processedAt < g.date) g.date = t.processedAt;
      } else {
        groups.set(k.key, {
          bucket: k.bucket,
          known: k.known,
          key: k.key,
          txs: [t],
          orderId: k.orderId,
          refundId: k.refundId,
          minor: MinorSum.of(t.amount),
          date: t.processedAt,
        });
      }
    }
  if (stats.from) {
    stats.from = day(stats.from);
    stats.to = day(stats.to);
  }
  return [...groups.values()];
}

const docKind = (g: { bucket: Bucket }) => (g.bucket === 'charge' ? 'invoice' : 'credit-memo');
/** Whole cents, as an index key only (never summed): amounts within a tolerance fall in a known range of keys. */
const cents = (d: Decimal) => d.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
const day = (date: string) => date.slice(0, 10);

export interface Claim {
  docUid: string;
  item: string;
  matchedBy: string;
}

export interface BatchResult {
  recs: PayoutReconciliation[];
  /** Exception keys (itemKey) of the items matched in this batch: problems raised for them before are gone. */
  matchedKeys: Set<string>;
}

/** Several ledger positions under one key, in ledger order, with a cursor past the claimed ones. */
interface Positions {
  ords: number[];
  head: number;
}

const push = <K>(m: Map<K, number | Positions>, k: K, ord: number) => {
  const at = m.get(k);
  if (at === undefined) m.set(k, ord);
  else if (typeof at === 'number') m.set(k, { ords: [at, ord], head: 0 });
  else at.ords.push(ord);
};

const KIND_CODES = { invoice: 0, 'credit-memo': 1, 'sales-order': 2 } as const;

/**
 * The ERP documents, indexed once per batch so matching is linear: by Shopify id (per kind, the external id), by
 * amount and day for the fallback (per kind and day, whole cents, in ledger order with a cursor past claimed
 * documents), and by day for the ERP-only report. Documents are referred to by their ledger position in the column
 * table (a number, not an object or a string per entry: a year's ledger is a million documents); claims are one byte
 * per position. Documents claimed in earlier runs are left out of the fallback index altogether.
 */
class DocIndex {
  readonly table: ErpDocTable;
  /** Per position: 0 unclaimed, 1 claimed in this batch, 2 claimed by an earlier run (never an amount-and-date candidate). */
  readonly claimed: Uint8Array;
  /** Per kind code: external id -> positions (each table made at its size). */
  private readonly byId: IdPositions[];
  /**
   * `${kind code}:${day}` -> cents -> positions, made for a day when the fallback first looks at it: most runs match
   * almost everything by id and look at a few days, so the million entries of a whole index are not made.
   */
  private readonly byAmountDay = new Map<string, Map<number, number | Positions>>();
  /** The positions of each day, ledger order within a day: `onDay` slices `dayPositions` from `dayStart`. */
  private readonly dayStart: Uint32Array;
  private readonly dayPositions: Uint32Array;
  /** Day (YYYY-MM-DD) -> the day codes of the table's dates on it (one, unless the ERP's dates carry a time). */
  private readonly dayCodes = new Map<string, number[]>();

  constructor(docs: readonly ErpDoc[] | ErpDocTable, claimedBefore: ReadonlySet<string> | Uint8Array) {
    const t = docs instanceof ErpDocTable ? docs : ErpDocTable.fromDocs(docs);
    this.table = t;
    this.claimed = new Uint8Array(t.length);
    const perKind = [0, 0, 0];
    for (let ord = 0; ord < t.length; ord++) perKind[t.kindCode(ord)]!++;
    this.byId = perKind.map((n) => new IdPositions(n));
    const counts = new Uint32Array(t.dayCount + 1);
    for (let ord = 0; ord < t.length; ord++) {
      const byId = this.byId[t.kindCode(ord)]!;
      const x = t.externalNumber(ord);
      if (Number.isNaN(x)) byId.add(t.externalId(ord), ord);
      else byId.addNumber(x, ord);
      counts[t.dayCodeOf(ord) + 1]!++;
      if (claimedBefore instanceof Uint8Array ? claimedBefore[ord] : claimedBefore.size && claimedBefore.has(t.uid(ord))) this.claimed[ord] = 2;
    }
    // Positions grouped by day (a counting sort: one typed array, not a list per day).
    for (let c = 1; c <= t.dayCount; c++) counts[c]! += counts[c - 1]!;
    this.dayStart = counts.slice();
    this.dayPositions = new Uint32Array(t.length);
    for (let ord = 0; ord < t.length; ord++) this.dayPositions[counts[t.dayCodeOf(ord)]!++] = ord;
    for (let c = 0; c < t.dayCount; c++) {
      const dd = day(t.dayName(c));
      const codes = this.dayCodes.get(dd);
      if (codes) codes.push(c);
      else this.dayCodes.set(dd, [c]);
    }
  }

  /** The positions of the documents dated `dd`, in ledger order. */
  onDay(dd: string): ArrayLike<number> {
    const codes = this.dayCodes.get(dd);
    if (!codes) return [];
    const slice = (c: number) => this.dayPositions.subarray(this.dayStart[c]!, this.dayStart[c + 1]!);
    if (codes.length === 1) return slice(codes[0]!);
    return Uint32Array.from(codes.flatMap((c) => [...slice(c)])).sort();
  }

  /** The amount-and-date candidates of `kind` on day `dd`: its documents not claimed by an earlier run, by cents. */
  private amountsOn(kind: ErpDoc['kind'], dd: string): Map<number, number | Positions> {
    const k = `${KIND_CODES[kind]}:${dd}`;
    let amounts = this.byAmountDay.get(k);
    if (!amounts) {
      amounts = new Map();
      const code = KIND_CODES[kind];
      const ords = this.onDay(dd);
      for (let i = 0; i < ords.length; i++) {
        const ord = ords[i]!;
        if (this.table.kindCode(ord) === code && this.claimed[ord] !== 2) push(amounts, this.table.cents(ord), ord);
      }
      this.byAmountDay.set(k, amounts);
    }
    return amounts;
  }

  doc(ord: number): ErpDoc {
    return this.table.doc(ord);
  }

  /** Whether the ledger range holds a document of `kind` for the Shopify id (claimed or not). */
  has(kind: ErpDoc['kind'], externalId: string): boolean {
    return this.byId[KIND_CODES[kind]]!.has(externalId);
  }

  /** The position of the one document of `kind` for the Shopify id (claimed or not); undefined when there are none or several. */
  only(kind: ErpDoc['kind'], externalId: string): number | undefined {
    const at = this.byId[KIND_CODES[kind]]!.one(externalId);
    return at >= 0 ? at : undefined;
  }

  /** The unclaimed documents of `kind` for the Shopify id, in ledger order. */
  unclaimed(kind: ErpDoc['kind'], externalId: string): number[] {
    return this.byId[KIND_CODES[kind]]!.all(externalId).filter((o) => !this.claimed[o]);
  }

  /**
   * The unclaimed document of `kind` whose amount is within `tolerance` of `amount` and whose date is closest to
   * `date` (at most `days` apart); ties go to the earlier ledger position. Cost: (2·days+1) × (cents in the
   * tolerance window) map lookups, whatever the number of documents.
   */
  closest(kind: ErpDoc['kind'], amount: Decimal, tolerance: Decimal, date: string, days: number): number | null {
    const lo = cents(amount.minus(tolerance));
    const hi = cents(amount.plus(tolerance));
    const fits = (ord: number) => !this.claimed[ord] && !this.table.amount(ord).minus(amount).abs().gt(tolerance);
    for (let dist = 0; dist <= days; dist++) {
      let best: number | null = null;
      for (const dd of dist === 0 ? [day(date)] : [addDays(date, -dist), addDays(date, dist)]) {
        const amounts = this.amountsOn(kind, dd);
        for (let c = lo; c <= hi; c++) {
          const at = amounts.get(c);
          if (at === undefined) continue;
          let found: number | undefined;
          if (typeof at === 'number') found = fits(at) ? at : undefined;
          else {
            // Claimed documents only ever leave a list, so the head moves forward once past each: amortised O(1).
            while (at.head < at.ords.length && this.claimed[at.ords[at.head]!]) at.head++;
            // Claimed by id after the head moved, or (sub-cent amounts) in the same cents key but beyond the tolerance.
            for (let i = at.head; i < at.ords.length && found === undefined; i++) if (fits(at.ords[i]!)) found = at.ords[i];
          }
          if (found !== undefined && (best === null || found < best)) best = found;
        }
      }
      if (best !== null) return best;
    }
    return null;
  }
}

/** A payout and its transactions: carried in the payout (`balanceTransactions`), or read from the payout rows in slices. */
export interface PayoutInput {
  payout: ShopifyPayout;
  /**
   * The payout's transactions in Shopify's order with their amounts as text, a slice at a time (read again for each
   * pass; asynchronous: stored slices come from the store).
   */
  amountSlices(): AsyncIterable<TransactionAmounts[]>;
  /** The same, with only the keys (stored rows are decoded that far only): refund transactions' orders are read so. */
  keySlices(): AsyncIterable<TransactionKeys[]>;
}

export const inlineInput = (payout: ShopifyPayout): PayoutInput => ({
  payout,
  async *amountSlices() {
    yield payout.balanceTransactions.map(amountsOf);
  },
  async *keySlices() {
    yield payout.balanceTransactions;
  },
});

interface IdMatch {
  doc: ErpDoc;
  uids: string[];
}

/**
 * Matching in passes over the payouts, so a payout's transactions need to be in memory only while it is looked at:
 * 1. `matchById` for every payout (oldest first): ids claim their documents before any amount-and-date guess can. A
 *    payout whose every charge and refund matched by id needs nothing a later pass gives (no sales order, no amount
 *    and date), so it is assembled from this same read; only the others are read again in pass 3;
 * 2. the caller looks up sales orders for `chargeOrdersWithoutInvoice()` (charges no invoice matched by id);
 * 3. `assemble` for every payout in the same order: sales order, then amount and date, then the payout's totals (a
 *    payout assembled in pass 1 is not read again);
 * 4. `finish`: ERP-only documents (which need every claim of the batch) and the balanced payouts' callbacks.
 * The same passes over payouts carried in memory give `reconcileBatch`; both paths are one code.
 */
export class Reconciler {
  private readonly index: DocIndex;
  /**
   * Payout id -> group key -> what that group claimed by id in pass 1: one document's ledger position (the usual
   * case, a number), or several documents counted together. Only for payouts left to pass 3.
   */
  private readonly byId = new Map<string, Map<string, number | IdMatch>>();
  private readonly chargeOrders = new Set<string>();
  /**
   * What finish needs of each assembled payout, nothing that holds its transactions: one slot per payout in the order
   * `matchById` saw them (pass 1 fills some, pass 3 the rest), so the output keeps the payouts' order.
   */
  private readonly done: Array<{ rec: PayoutReconciliation; days: [string, string] | null } | null> = [];
  /** Payout id -> its slot in `done`. */
  private readonly slots = new Map<string, number>();
  readonly matchedKeys = new Set<string>();

  constructor(
    private readonly erp: ErpSide,
    private readonly opts: MatchOptions,
    private readonly now: Date,
  ) {
    this.index = new DocIndex(erp.docs, erp.claimedBefore);
  }

  /** How many payouts pass 1 assembled (read once) and how many wait for pass 3 (read again). */
  get progress(): { assembled: number; waiting: number } {
    let assembled = 0;
    for (const d of this.done) if (d) assembled++;
    return { assembled, waiting: this.done.length - assembled };
  }

  async matchById(input: PayoutInput): Promise<void> {
    const id = input.payout.legacyId;
    const slot = this.done.length;
    this.done.push(null);
    this.slots.set(id, slot);
    // The payout's groups, read with their amounts: each charge or refund group is matched by the ids of its first
    // transaction, in the order groups first appear (what matching while reading gives).
    const stats: TxStats = { fees: new MinorSum(), from: '', to: '', inconsistent: [] };
    const groups = await groupsOf(input, this.erp, stats);
    const matches = new Map<string, number | IdMatch>();
    let all = true;
    for (const g of groups) {
      if (g.bucket !== 'charge' && g.bucket !== 'refund') continue;
      this.matchGroup(g, idKeysOf(g.txs[0], g), matches);
      if (!matches.has(g.key)) all = false;
    }
    if (!all) {
      // Something is left for a sales order or amount and date, which must wait until every payout's ids claimed theirs.
      this.byId.set(id, matches);
      return;
    }
    for (const g of groups) if (g.bucket === 'charge' || g.bucket === 'refund') this.take(g, matches.get(g.key)!);
    await this.complete(slot, input.payout, stats, groups);
  }

  /** A group's match by id, put on the group. */
  private take(g: Group, m: number | IdMatch): void {
    if (typeof m === 'number') g.ord = m;
    else {
      g.doc = m.doc;
      g.uids = m.uids;
    }
    g.matchedBy = 'id';
  }

  /** The group's unclaimed documents by its first Shopify id that has any; else a charge's order id is noted for its sales order. */
  private matchGroup(g: GroupKey, idKeys: string[], matches: Map<string, number | IdMatch>): void {
    const { index } = this;
    for (const k of idKeys) {
      // The usual case, one document for the id: no list made.
      const one = index.only(docKind(g), k);
      if (one !== undefined) {
        if (index.claimed[one]) continue;
        index.claimed[one] = 1;
        matches.set(g.key, one);
        return;
      }
      const ords = index.unclaimed(docKind(g), k);
      const [first] = ords;
      if (first === undefined) continue;
      for (const o of ords) index.claimed[o] = 1;
      if (ords.length === 1) matches.set(g.key, first);
      else {
        // Several ledger documents for one Shopify object (e.g. an invoice posted in two parts) count together.
        const docs = ords.map((o) => index.doc(o));
        const { uid, kind, externalId, number, date } = index.doc(first);
        const amount = docs.reduce((a, d) => a.plus(d.amount), D0());
        matches.set(g.key, { doc: { uid, kind, externalId, number, date, amount }, uids: docs.map((d) => d.uid) });
      }
      return;
    }
    if (g.bucket === 'charge' && g.orderId && !index.has('invoice', g.orderId)) this.chargeOrders.add(g.orderId);
  }

  /** Shopify order ids of charges that no invoice matched by id and that have no invoice in the ledger range. */
  chargeOrdersWithoutInvoice(): string[] {
    return [...this.chargeOrders];
  }

  async assemble(input: PayoutInput): Promise<PayoutReconciliation> {
    const p = input.payout;
    let slot = this.slots.get(p.legacyId);
    const assembled = slot === undefined ? null : this.done[slot];
    if (assembled) return assembled.rec;
    if (slot === undefined) {
      slot = this.done.length;
      this.done.push(null);
      this.slots.set(p.legacyId, slot);
    }
    const matches = this.byId.get(p.legacyId) ?? new Map<string, number | IdMatch>();
    // Read once: a payout's id matches (a key string per group) are not kept while the later payouts are assembled.
    this.byId.delete(p.legacyId);
    const stats: TxStats = { fees: new MinorSum(), from: '', to: '', inconsistent: [] };
    const groups = await groupsOf(input, this.erp, stats);
    for (const g of groups) {
      if (g.bucket !== 'charge' && g.bucket !== 'refund') continue;
      const m = matches.get(g.key);
      if (m !== undefined) {
        this.take(g, m);
        continue;
      }
      if (g.bucket === 'charge' && g.orderId && this.erp.salesOrders.has(g.orderId)) {
        g.doc = this.erp.salesOrders.get(g.orderId)!;
        g.matchedBy = 'document';
        continue;
      }
      // By amount and date, closest date first, among documents nobody claimed.
      const target = g.bucket === 'refund' ? amountOf(g).neg() : amountOf(g);
      const ord = this.index.closest(docKind(g), target, this.opts.amountTolerance, g.date, this.opts.dateToleranceDays);
      if (ord !== null) {
        g.ord = ord;
        g.matchedBy = 'amount-date';
        this.index.claimed[ord] = 1;
      }
    }
    return this.complete(slot, p, stats, groups);
  }

  /** The payout's totals and standing from its matched groups; a balanced payout's claims and settlement go out now. */
  private async complete(slot: number, p: ShopifyPayout, stats: TxStats, groups: Group[]): Promise<PayoutReconciliation> {
    const { table } = this.index;
    const { rec, days } = assemble(p, stats, groups, table, this.opts, this.now, this.matchedKeys);
    this.done[slot] = { rec, days };
    if (rec.status === 'balanced' && this.opts.onBalanced) {
      // Claims in the order of the payout's groups, whichever pass made them.
      const claims: Claim[] = [];
      const settlement: SettlementItemInput[] = [];
      const disputes: ReconItem[] = [];
      for (const g of groups) {
        // A sales order is no ledger document: never claimed.
        if (g.ord !== undefined) claims.push({ docUid: table.uid(g.ord), item: g.key, matchedBy: g.matchedBy! });
        else if (g.uids) for (const docUid of g.uids) claims.push({ docUid, item: g.key, matchedBy: g.matchedBy! });
        // What settlementItems reads of the group's item, without the item (a whole one only for a dispute).
        const kind = g.ord !== undefined ? table.kind(g.ord) : g.doc?.kind;
        const ext = g.ord !== undefined ? table.externalId(g.ord) : g.doc?.externalId;
        const line = settlementLine(g.status!, g.bucket, kind, g.orderId, ext, g.minor.toFixed2());
        if (line) settlement.push(line);
        if (g.bucket === 'dispute') disputes.push(itemOf(g, table));
      }
      await this.opts.onBalanced(rec, { settlement, disputes }, claims);
    }
    return rec;
  }

  /** ERP-only documents of each payout's days, now that every claim of the batch is known. */
  finish(): BatchResult {
    const { opts, index } = this;
    const done = this.done.filter((x) => x !== null);
    for (const { rec, days } of done) {
      // An ERP-only document is a problem: listed in either items mode.
      if (opts.reportErpOnly && days) {
        for (let dd = days[0]; dd <= days[1]; dd = addDays(dd, 1)) {
          const ords = index.onDay(dd);
          for (let i = 0; i < ords.length; i++) {
            const ord = ords[i]!;
            if (index.claimed[ord]) continue;
            const d = index.doc(ord);
            rec.counts['erp-only']++;
            rec.items.push({
              status: 'erp-only',
              bucket: 'erp-document',
              transactions: [],
              types: [],
              orderId: d.kind === 'invoice' ? d.externalId : null,
              refundId: d.kind === 'credit-memo' ? d.externalId : null,
              shopifyAmount: '0.00',
              erpAmount: m2(d.kind === 'credit-memo' ? d.amount.neg() : d.amount),
              delta: null,
              matchedBy: null,
              erp: { kind: d.kind, externalId: d.externalId, number: d.number, date: d.date },
              date: d.date,
              note: "In the ERP within this payout's dates, but in no Shopify Payments transaction seen so far",
            });
          }
        }
      }
    }
    return { recs: done.map((x) => x.rec), matchedKeys: this.matchedKeys };
  }
}

export async function reconcileBatch(payouts: ShopifyPayout[], erp: ErpSide, opts: MatchOptions, now: Date): Promise<BatchResult> {
  const r = new Reconciler(erp, opts, now);
  const inputs = payouts.map(inlineInput);
  for (const i of inputs) await r.matchById(i);
  for (const i of inputs) await r.assemble(i);
  return r.finish();
}

const STATUSES: ItemStatus[] = ['matched', 'missing-in-erp', 'amount-mismatch', 'erp-only', 'unmatched-fee', 'unmatched-adjustment'];

/** What finance must look at; the rest (matched lines, fees, known adjustments) is only counted in `problems` mode. */
const isProblem = (status: ItemStatus, note: boolean) => status === 'missing-in-erp' || status === 'amount-mismatch' || status === 'erp-only' || note;

/** A group's item, once the group is judged (status, and the ERP amount and delta when they differ). */
function itemOf(g: Group, table: ErpDocTable): ReconItem {
  const base = {
    bucket: g.bucket,
    transactions: g.txs.map((t) => legacy(t.id)!),
    types: [...new Set(g.txs.map((t) => t.type))],
    orderId: g.orderId,
    refundId: g.refundId,
    shopifyAmount: g.minor.toFixed2(),
    fee: g.txs.reduce((a, t) => a.add(t.fee), new MinorSum()).toFixed2(),
    net: g.txs.reduce((a, t) => a.add(t.net), new MinorSum()).toFixed2(),
    date: g.date.slice(0, 10),
  };
  const status = g.status!;
  if (status === 'missing-in-erp') return { ...base, status, erpAmount: null, delta: m2(amountOf(g)), matchedBy: null, erp: null };
  if (status === 'matched' || status === 'amount-mismatch') {
    const doc = g.ord !== undefined ? table.doc(g.ord) : g.doc!;
    return {
      ...base,
      status,
      erpAmount: g.erpAmount ? m2(g.erpAmount) : g.minor.toFixed2(),
      delta: g.delta && !g.delta.isZero() ? m2(g.delta) : null,
      matchedBy: g.matchedBy ?? null,
      erp: { kind: doc.kind, externalId: doc.externalId, number: doc.number, date: doc.date },
    };
  }
  return {
    ...base,
    status,
    erpAmount: null,
    delta: null,
    matchedBy: null,
    erp: null,
    ...(g.known ? {} : { note: `Shopify transaction type ${g.txs[0].type} is not one Ledgerline knows; booked as an adjustment, please review` }),
  };
}

/** Whether the group's amount is its document's to the cent, compared in minor units (no Decimal). */
function sameAmount(g: Group, table: ErpDocTable): boolean {
  const sign = g.bucket === 'refund' ? 1 : -1;
  if (g.ord === undefined) return g.doc?.exact !== undefined && tie.clear().add(g.doc.exact, sign).addSum(g.minor).isZero();
  if (table.hasSubCents(g.ord)) return tie.clear().add(table.exact(g.ord), sign).addSum(g.minor).isZero();
  const c = table.cents(g.ord);
  return g.minor.isCents(sign === 1 ? -c : c);
}

function assemble(
  p: ShopifyPayout,
  stats: TxStats,
  groups: Group[],
  table: ErpDocTable,
  opts: MatchOptions,
  now: Date,
  matchedKeys: Set<string>,
): { rec: PayoutReconciliation; days: [string, string] | null } {
  const items: ReconItem[] = [];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  const keep = (status: ItemStatus, note = false) => {
    counts[status]++;
    return opts.items !== 'problems' || isProblem(status, note);
  };
  let erpVariance = D0();
  let withinTolerance = D0();
  const sums = {
    charges: new MinorSum(),
    refunds: new MinorSum(),
    fees: stats.fees,
    adjustments: new MinorSum(),
    disputes: new MinorSum(),
    reserves: new MinorSum(),
    retried: new MinorSum(),
  };
  const inconsistentTransactions = stats.inconsistent;

  // Each group is judged in place and its item built only when it is kept: at a million transactions, the item
  // objects of matched lines would be most of the memory and time of a run.
  for (const g of groups) {
    if (g.bucket === 'charge' || g.bucket === 'refund') {
      (g.bucket === 'charge' ? sums.charges : sums.refunds).addSum(g.minor);
      if (g.ord === undefined && !g.doc) {
        erpVariance = erpVariance.plus(amountOf(g));
        g.status = 'missing-in-erp';
        if (keep(g.status)) items.push(itemOf(g, table));
        continue;
      }
      // Most lines match to the cent: compared exactly in minor units, with no Decimal unless they differ.
      let ok = true;
      if (!sameAmount(g, table)) {
        const amount = amountOf(g);
        const erp = g.ord !== undefined ? table.amount(g.ord) : g.doc!.amount;
        g.erpAmount = g.bucket === 'refund' ? erp.neg() : erp;
        g.delta = amount.minus(g.erpAmount);
        ok = g.delta.abs().lte(opts.amountTolerance);
      }
      if (ok) {
        if (g.delta && !g.delta.isZero()) withinTolerance = withinTolerance.plus(g.delta);
        if (!opts.watchKeys || opts.watchKeys.size) {
          const key = matchedKey(g.bucket, g.orderId, g.refundId, g.txs[0].id);
          if (!opts.watchKeys || opts.watchKeys.has(key)) matchedKeys.add(key);
        }
      } else erpVariance = erpVariance.plus(g.delta!);
      g.status = ok ? 'matched' : 'amount-mismatch';
      if (keep(g.status)) items.push(itemOf(g, table));
      continue;
    }
    if (g.bucket === 'fee') sums.fees.addSum(g.minor, -1);
    else if (g.bucket === 'dispute') sums.disputes.addSum(g.minor);
    else if (g.bucket === 'reserve') sums.reserves.addSum(g.minor);
    else if (g.bucket === 'payout-retry') sums.retried.addSum(g.minor);
    else sums.adjustments.addSum(g.minor);
    g.status = g.bucket === 'fee' ? 'unmatched-fee' : 'unmatched-adjustment';
    if (keep(g.status, !g.known)) items.push(itemOf(g, table));
  }

  const b = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v.toDecimal()])) as Record<keyof typeof sums, Decimal>;
  const net = b.charges.plus(b.refunds).plus(b.adjustments).plus(b.disputes).plus(b.reserves).plus(b.retried).minus(b.fees);
  const shopifyVariance = new Decimal(p.net.amount).minus(net);
  const ties = shopifyVariance.isZero() && erpVariance.isZero() && inconsistentTransactions.length === 0;
  const status = !ties
    ? 'unbalanced'
    : opts.postStatuses.includes(p.status)
      ? 'balanced'
      : ['FAILED', 'CANCELED', 'CANCELLED'].includes(p.status)
        ? 'not-paid'
        : 'waiting';
  const rec: PayoutReconciliation = {
    payoutId: p.legacyId,
    payoutGid: p.id,
    date: p.issuedAt.slice(0, 10),
    shopifyStatus: p.status,
    currency: p.net.currencyCode,
    status,
    payoutNet: m2(new Decimal(p.net.amount)),
    totals: {
      charges: m2(b.charges),
      refunds: m2(b.refunds),
      fees: m2(b.fees),
      adjustments: m2(b.adjustments),
      disputes: m2(b.disputes),
      reserves: m2(b.reserves),
      retriedPayouts: m2(b.retried),
      net: m2(net),
    },
    shopifyVariance: m2(shopifyVariance),
    erpVariance: m2(erpVariance),
    withinTolerance: m2(withinTolerance),
    counts,
    inconsistentTransactions,
    items,
    journalExternalId: status === 'balanced' ? p.legacyId : null,
    reconciledAt: now.toISOString(),
  };
  return { rec, days: stats.from ? [stats.from, stats.to] : null };
}
