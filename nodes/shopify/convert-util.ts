// Small shared helpers for the REST and GraphQL converters: GIDs, decimal money, enum spelling, path-aware errors.
import { Decimal } from 'decimal.js';
import { currencyDigits } from '../core/currency.ts';
import type { Gid, Money, MoneyBag, ShopifyLineItem, ShopifyOrder, ShopifyPostedFigures, ShopifyTaxLine } from './types.ts';

export class ShopifyConversionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ShopifyConversionError';
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ShopifyConversionError(path, `expected an object, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ShopifyConversionError(path, `expected an array, got ${typeof v}`);
  return v;
}

export function str(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return String(v);
}

export function reqStr(v: unknown, path: string): string {
  if (v === undefined || v === null || v === '') throw new ShopifyConversionError(path, 'required value is missing');
  return String(v);
}

export function int(v: unknown, path: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ShopifyConversionError(path, `expected an integer, got ${JSON.stringify(v)}`);
  return n;
}

export function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

/** An id given as digits (string from the lossless parser, or a small number) or already as a GID. */
export function gid(type: string, v: unknown, path: string): Gid {
  if (typeof v === 'string' && v.startsWith('gid://')) return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      throw new ShopifyConversionError(path, `id ${v} exceeds 2^53 and has lost digits; pass the raw JSON text (parseJsonLossless)`);
    }
    return `gid://shopify/${type}/${v}`;
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return `gid://shopify/${type}/${v}`;
  throw new ShopifyConversionError(path, `expected a ${type} id, got ${JSON.stringify(v)}`);
}

export function optGid(type: string, v: unknown, path: string): Gid | null {
  return v === undefined || v === null ? null : gid(type, v, path);
}

/** Prefer Shopify's own GID (exact even when the numeric id was rounded by someone's JSON.parse). */
export function restGid(type: string, o: Obj, path: string): Gid {
  if (typeof o.admin_graphql_api_id === 'string') return o.admin_graphql_api_id;
  return gid(type, o.id, `${path}.id`);
}

export function legacyIdOf(g: Gid): string {
  const tail = g.slice(g.lastIndexOf('/') + 1);
  const query = tail.indexOf('?');
  return query < 0 ? tail : tail.slice(0, query);
}

// An amount as Shopify writes it ("199.00", "0.50", "-5.00": no leading zero, two decimals) is already what the Decimal
// round trip below would give; an order holds dozens, and the round trip was a third of what converting one allocated
// (bench/README.md "Order to ERP"). Anything else ("10", "0.125", "-0.00", numbers) takes the round trip.
const TWO_DECIMALS = /^(?:-?[1-9][0-9]{0,14}|0)\.[0-9]{2}$/;

/** Decimal string with at least two decimals ("10" -> "10.00", "0.125" kept), so REST and GraphQL agree. */
export function dec(v: unknown, path: string): string {
  if (typeof v === 'string' && TWO_DECIMALS.test(v)) return v;
  if (v === undefined || v === null || v === '') throw new ShopifyConversionError(path, 'amount is missing');
  let d: Decimal;
  try {
    d = new Decimal(typeof v === 'number' ? String(v) : (v as string));
  } catch {
    throw new ShopifyConversionError(path, `not a decimal amount: ${JSON.stringify(v)}`);
  }
  if (!d.isFinite()) throw new ShopifyConversionError(path, `not a finite amount: ${JSON.stringify(v)}`);
  return d.toFixed(Math.max(2, d.decimalPlaces()));
}

export function money(amount: unknown, currency: unknown, path: string): Money {
  return { amount: dec(amount, `${path}.amount`), currencyCode: reqStr(currency, `${path}.currencyCode`) };
}

export function zeroBag(shopCurrency: string, presentmentCurrency: string): MoneyBag {
  return { shop: { amount: '0.00', currencyCode: shopCurrency }, presentment: { amount: '0.00', currencyCode: presentmentCurrency } };
}

// Like dec(): never fewer than two decimals, never fewer than the amounts had (a three-decimal currency keeps its third).
const exact = (d: Decimal) => d.toFixed(Math.max(2, d.decimalPlaces()));

export function sumBags(bags: MoneyBag[], shopCurrency: string, presentmentCurrency: string): MoneyBag {
  let s = new Decimal(0);
  let p = new Decimal(0);
  for (const b of bags) {
    s = s.plus(b.shop.amount);
    p = p.plus(b.presentment.amount);
  }
  return { shop: { amount: exact(s), currencyCode: shopCurrency }, presentment: { amount: exact(p), currencyCode: presentmentCurrency } };
}

/** What a line item charges in one currency: its units at their price, less the discounts allocated to it. */
export function lineTotal(l: { unitPrice: MoneyBag; quantity: number; totalDiscount: MoneyBag }, side: 'shop' | 'presentment' = 'shop'): Decimal {
  return new Decimal(l.unitPrice[side].amount).times(l.quantity).minus(l.totalDiscount[side].amount);
}

export function minusBag(a: MoneyBag, b: MoneyBag): MoneyBag {
  return {
    shop: { amount: exact(new Decimal(a.shop.amount).minus(b.shop.amount)), currencyCode: a.shop.currencyCode },
    presentment: { amount: exact(new Decimal(a.presentment.amount).minus(b.presentment.amount)), currencyCode: a.presentment.currencyCode },
  };
}

/**
 * The discount Shopify put on a line item or shipping line: the sum of its discount allocations, or null when it has
 * none. Allocations hold every discount on the line, order-level and code discounts included, and the order's total
 * discounts are their sum. A line's `total_discount` / `totalDiscountSet` leaves order-level discounts out (Shopify's
 * own example order has "0.00" beside 3.34 allocated), and a shipping line's `discounted_price` left out cart-level
 * ones before 2024-07; so those speak only for a line that has no allocations, and never add to them.
 */
export function allocatedDiscount(allocations: readonly { amount: MoneyBag }[]): MoneyBag | null {
  const [one] = allocations;
  if (!one) return null;
  return sumBags(
    allocations.map((a) => a.amount),
    one.amount.shop.currencyCode,
    one.amount.presentment.currencyCode,
  );
}

/** "partially_refunded" / "Payments::Balance::AdjustmentReversal" -> "PARTIALLY_REFUNDED" / "ADJUSTMENT_REVERSAL". */
export function enumName(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  const s = String(v);
  const last = s.includes('::') ? s.slice(s.lastIndexOf('::') + 2) : s;
  return last
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** A line item as a converter reads it, before `postedFigures` works out what of it the ERP sales order carries. */
export type UnpostedLineItem = Omit<ShopifyLineItem, 'postedQuantity' | 'postedDiscount' | 'taxLines'> & { taxLines: ShopifyTaxLine[] };
export type UnpostedOrder = Omit<ShopifyOrder, 'lineItems' | 'posted' | 'postedProblem'> & { lineItems: UnpostedLineItem[] };

/**
 * `keep` of `of` units' share of an amount, half up, to its currency's minor unit (whole yen, three decimals of a
 * dinar), or to the amount's own decimals when it has more; written with at least two decimals.
 */
export function share(b: MoneyBag, keep: number, of: number): MoneyBag {
  if (keep === of || of <= 0) return b;
  const part = (m: Money): Money => {
    const own = new Decimal(m.amount);
    const places = Math.max(currencyDigits(m.currencyCode), own.decimalPlaces());
    return { amount: own.times(keep).div(of).toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed(Math.max(2, places)), currencyCode: m.currencyCode };
  };
  return { shop: part(b.shop), presentment: part(b.presentment) };
}

/**
 * Units of a line the ERP sales order carries: Shopify's `currentQuantity` leaves out both the units an order edit
 * removed and refunded ones (LineItem.currentQuantity: "excluding refunded and removed units"), while refunded units
 * belong on the sales order (their refund is its own credit memo). So refunded units are added back; null when the
 * refunds are not in the payload, or count more units than the line lost.
 */
function postedQuantityOf(l: UnpostedLineItem, refunded: number | null): number | null {
  if (l.currentQuantity === null || l.currentQuantity === l.quantity) return l.quantity;
  if (refunded === null) return null;
  const removed = l.quantity - l.currentQuantity - refunded;
  return removed < 0 ? null : l.quantity - removed;
}

const lineName = (l: UnpostedLineItem) => `${l.sku ?? l.name} (${l.id})`;

/**
 * The order as the ERP sales order carries it: each line at what the edits left (an edit before payment is posted
 * as edited: "An order not yet in the ERP needs nothing: it is posted as edited when paid"), refunds not taken off,
 * and the totals of that same state. Shopify's line tax lines and discount allocations count removed units too, so a
 * line an edit shortened keeps its share of them; Shopify's `total*` may or may not count removed units (its
 * `current*` never do, but they leave out refunds as well), so an edited order is checked against `current*` and an
 * order both edited and refunded is not postable from the payload alone.
 *
 * `refundsKnown`: whether the payload carries the order's refunds (the sweep's GraphQL order does not).
 * `currentTotalDiscounts`: Shopify's, when the payload has it.
 */
export function postedFigures(o: UnpostedOrder, refundsKnown: boolean, currentTotalDiscounts: MoneyBag | null): ShopifyOrder {
  const refunded = new Map<Gid, number>();
  for (const r of o.refunds) for (const rl of r.refundLineItems) refunded.set(rl.lineItemId, (refunded.get(rl.lineItemId) ?? 0) + rl.quantity);
  const problems: string[] = [];
  const removedFrom: string[] = [];
  const lineItems: ShopifyLineItem[] = o.lineItems.map((l) => {
    const units = refunded.get(l.id) ?? 0;
    const postedQuantity = postedQuantityOf(l, refundsKnown ? units : null);
    if (postedQuantity === null) {
      problems.push(
        refundsKnown
          ? `line ${lineName(l)} has ${l.quantity} ordered and ${l.currentQuantity} left, but its refunds count ${units}: more than it lost`
          : `line ${lineName(l)} has ${l.quantity} ordered and ${l.currentQuantity} left, and this payload does not carry the order's refunds, so units an edit removed cannot be told from refunded ones`,
      );
    } else if (postedQuantity !== l.quantity) removedFrom.push(`${lineName(l)} ${l.quantity} → ${postedQuantity}`);
    const keep = postedQuantity ?? l.quantity;
    return {
      ...l,
      postedQuantity,
      postedDiscount: share(l.totalDiscount, keep, l.quantity),
      taxLines: l.taxLines.map((t) => ({ ...t, postedPrice: share(t.price, keep, l.quantity) })),
    };
  });
  if (!problems.length && removedFrom.length && o.refunds.length) {
    problems.push(
      `an edit removed units (${removedFrom.join(', ')}) and it has ${o.refunds.length} refund(s): Shopify's current figures leave out the refunds too, ` +
        'and its totals may still count the removed units, so the edited order before refunds cannot be told',
    );
  }
  const order = { ...o, lineItems };
  if (problems.length) return { ...order, posted: null, postedProblem: `Shopify order ${o.name} cannot be posted as edited: ${problems.join('; ')}` };
  let posted: ShopifyPostedFigures = { total: o.total, totalTax: o.totalTax, totalDiscounts: o.totalDiscounts, totalDuties: o.totalDuties, edited: false };
  if (removedFrom.length) {
    // Without Shopify's figure: its total discounts less what the lines lost (an unallocated order discount stays).
    const lost = lineItems.map((l) => minusBag(l.totalDiscount, l.postedDiscount));
    const totalDiscounts = currentTotalDiscounts ?? minusBag(o.totalDiscounts, sumBags(lost, o.currency, o.presentmentCurrency));
    posted = { total: o.currentTotal, totalTax: o.currentTotalTax, totalDiscounts, totalDuties: o.currentTotalDuties ?? o.totalDuties, edited: true };
  }
  return { ...order, posted, postedProblem: null };
}
