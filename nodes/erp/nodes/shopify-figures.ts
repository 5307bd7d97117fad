// What a Shopify order (canonical ShopifyOrder, shop currency) says the ERP document must add up to. Used to spread
// a discount Shopify did not allocate to any line and to check the ERP's totals to the cent after posting. The state
// is the one the sales order carries (ShopifyOrder.posted: as edits left it, before refunds); an object without those
// derived fields (older stored runs, hand-made figures) is read as Shopify's totals.
import { Decimal } from 'decimal.js';
import { currencyText } from '../../core/currency.ts';

interface Bag {
  shop: { amount: string; currencyCode?: string };
}
interface Line {
  quantity: number;
  postedQuantity?: number | null;
  unitPrice: Bag;
  totalDiscount: Bag;
  postedDiscount?: Bag;
  isGiftCard: boolean;
  isTip?: boolean;
  name?: string;
}
interface Ship {
  price: Bag;
  discountedPrice: Bag;
  isRemoved?: boolean;
}
export interface OrderFigures {
  id: string;
  name?: string;
  currency: string;
  total: Bag;
  totalTax: Bag;
  totalDiscounts: Bag;
  lineItems: Line[];
  shippingLines: Ship[];
  totalDuties?: Bag | null;
  posted?: { total: Bag; totalTax: Bag; totalDiscounts: Bag; totalDuties?: Bag | null } | null;
  postedProblem?: string | null;
}

const d = (b: Bag | undefined | null) => new Decimal(b?.shop?.amount ?? '0');
const lineDiscount = (l: Line) => d(l.postedDiscount ?? l.totalDiscount);
const lineGross = (l: Line) => new Decimal(l.unitPrice.shop.amount).times(l.postedQuantity ?? l.quantity).minus(lineDiscount(l));
/** The totals of the state the sales order carries. */
const totals = (o: OrderFigures) => o.posted ?? { total: o.total, totalTax: o.totalTax, totalDiscounts: o.totalDiscounts };

/** Why the order must not be posted (an edit the payload cannot tell from a refund, naming the line); null when it may. */
export function notPostable(o: OrderFigures): string | null {
  if (o.postedProblem) return o.postedProblem;
  // `posted: null` without a reason is still no state to post.
  return o.posted === null ? `Shopify order ${o.name ?? o.id} has no figures to post (posted is null)` : null;
}

export function isOrderFigures(v: unknown): v is OrderFigures {
  const o = v as OrderFigures;
  return !!o && typeof o === 'object' && Array.isArray(o.lineItems) && !!o.total?.shop && !!o.totalTax?.shop && !!o.totalDiscounts?.shop;
}

/** Gift cards sold on the order (after their discounts): a liability the ERP books outside the sales order. */
export function giftCardSales(o: OrderFigures): Decimal {
  return o.lineItems.filter((l) => l.isGiftCard).reduce((a, l) => a.plus(lineGross(l)), new Decimal(0));
}

/** The customer's tips on the order (Shopify's tip line items, as edits left them), each with its line's name. */
export function tips(o: OrderFigures): Array<{ amount: Decimal; description: string }> {
  return o.lineItems.filter((l) => l.isTip && (l.postedQuantity ?? l.quantity) > 0).map((l) => ({ amount: lineGross(l), description: l.name || 'Tip' }));
}

/** Import duties the customer paid, in the state the sales order carries (zero when none). */
export function duties(o: OrderFigures): Decimal {
  return d(o.posted ? o.posted.totalDuties : o.totalDuties);
}

/**
 * Order discount that Shopify counts in `totalDiscounts` but allocated to no line and no shipping line. A line's
 * `totalDiscount` and a shipping line's price less `discountedPrice` are what Shopify allocated to it (the converters
 * take them from the allocations, which include the order-level discounts): `totalDiscounts` is their sum, so an order
 * whose discounts are all allocated leaves nothing here to spread.
 */
export function unallocatedDiscount(o: OrderFigures): Decimal {
  const lines = o.lineItems.reduce((a, l) => a.plus(lineDiscount(l)), new Decimal(0));
  const ship = (o.shippingLines ?? []).filter((s) => !s.isRemoved).reduce((a, s) => a.plus(d(s.price).minus(d(s.discountedPrice))), new Decimal(0));
  return d(totals(o).totalDiscounts).minus(lines).minus(ship);
}

/** The sales order totals the ERP must show: Shopify's total and tax (as edited), less gift cards sold (untaxed liabilities). */
export function expectedTotals(o: OrderFigures): { net: string; tax: string; gross: string; giftCards: string } {
  const gift = giftCardSales(o);
  const t = totals(o);
  const gross = d(t.total).minus(gift);
  const tax = d(t.totalTax);
  const text = (x: Decimal) => currencyText(x, o.currency);
  return { net: text(gross.minus(tax)), tax: text(tax), gross: text(gross), giftCards: text(gift) };
}

/**
 * Spreads `amount` over lines in proportion to their value after their own discount, to the currency's minor unit
 * (`digits`: 2 for cents, 0 for yen); the units left by rounding go to the largest remainders (then the first lines),
 * so the parts always add up to `amount`.
 */
export function spread(amount: Decimal, weights: Decimal[], digits = 2): Decimal[] {
  const total = weights.reduce((a, w) => a.plus(w), new Decimal(0));
  if (total.lte(0) || amount.isZero()) return weights.map(() => new Decimal(0));
  const unit = new Decimal(10).pow(digits);
  const units = amount.times(unit).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  const raw = weights.map((w) => units.times(w).div(total));
  const floors = raw.map((r) => r.floor());
  const left = units.minus(floors.reduce((a, p) => a.plus(p), new Decimal(0))).toNumber();
  const order = raw.map((r, i) => ({ i, rem: r.minus(r.floor()) })).sort((a, b) => b.rem.comparedTo(a.rem) || a.i - b.i);
  const bumped = new Set(order.slice(0, Math.max(left, 0)).map(({ i }) => i));
  return floors.map((p, i) => (bumped.has(i) ? p.plus(1) : p).div(unit));
}
