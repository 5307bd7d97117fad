// Turns a Shopify-style line (unit price, line discount, maybe tax-inclusive) into the net unit price an ERP
// without line discounts or tax-inclusive prices (Tryton 6.0) stores, keeping the original figures for read-back.
import { Decimal } from './money.ts';

export interface LineMeta {
  kind: 'line' | 'shipping';
  unitPrice: string;
  discount: string;
  /** Shopify's tax per tax line, recorded as given (the ERP's own taxes are not applied to the line). */
  taxes?: Array<{ code: string; amount: string }>;
}

interface LinePrice {
  unitPrice: string;
  quantity: string;
  discount?: string;
  rates: string[];
  pricesIncludeTax?: boolean;
  taxAmount?: string;
  /** The currency's minor unit, which the ERP rounds a line's amount to (2 for cents, 0 for yen: `currencyDigits`). */
  digits?: number;
}

/** The line's net amount before it is divided into a unit price: what the line is worth, net of tax. */
function lineNet(opts: LinePrice): Decimal {
  const total = new Decimal(opts.quantity).times(opts.unitPrice).minus(opts.discount ?? '0');
  // Shopify's own tax known: a tax-inclusive gross less exactly that tax, no rate arithmetic (and no rounding cent).
  if (opts.pricesIncludeTax && opts.taxAmount !== undefined) return total.minus(opts.taxAmount);
  if (!opts.pricesIncludeTax) return total;
  const rate = opts.rates.reduce((a, r) => a.plus(r), new Decimal(0));
  return total.div(rate.plus(1)).toDecimalPlaces(opts.digits ?? 2, Decimal.ROUND_HALF_UP);
}

/**
 * Net unit price with 4 decimals (Tryton's unit_price precision). The line amount Tryton derives (quantity × unit
 * price, rounded to the currency's minor unit) equals quantity × unitPrice − discount, net of tax, while the quantity is below 100; from
 * 100 units the unit price's rounding can move it by cents: `unitPriceMiss`.
 */
export function netUnitPrice(opts: LinePrice): string {
  return lineNet(opts).div(opts.quantity).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

/**
 * What the ERP's line amount (quantity × the 4-decimal net unit price, rounded) misses of the line's net, signed:
 * positive when the ERP books less. Zero below 100 units; at most half a unit of the 4th decimal per unit above
 * (300 × 1.00 less 10.00: 290.00 in Shopify, 300 × 0.9667 = 290.01 in the ERP, a miss of −0.01).
 */
export function unitPriceMiss(opts: LinePrice): Decimal {
  const digits = opts.digits ?? 2;
  const erp = new Decimal(netUnitPrice(opts)).times(opts.quantity).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);
  return lineNet(opts).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).minus(erp);
}

const CENTS = /^-?\d+(\.\d{1,2})?$/;
const BELOW_HUNDRED = /^[1-9]\d?$/;

/**
 * True when `unitPriceMiss` is zero without working it out: fewer than 100 whole units of a price and discount in
 * cents. The line's net N is then in cents (a tax taken out is in cents too: Shopify's, or the net rounded), and
 * q × round4(N / q) is within q × 0.00005 < 0.005 of N, so it rounds back to N. What nearly every order is, checked
 * before the decimal arithmetic that was a tenth of what an order allocates (bench/README.md). For a currency with
 * at most two decimals: to a third decimal (dinars) the same bound holds only below 10 units.
 */
export const unitPriceCannotMiss = (l: { quantity: unknown; unitPrice: unknown; discount?: unknown }): boolean =>
  typeof l.quantity === 'string' &&
  BELOW_HUNDRED.test(l.quantity) &&
  typeof l.unitPrice === 'string' &&
  CENTS.test(l.unitPrice) &&
  (l.discount === undefined || (typeof l.discount === 'string' && CENTS.test(l.discount)));

const PREFIX = 'ledgerline:';

export const encodeMeta = (m: LineMeta): string => `${PREFIX}${JSON.stringify(m)}`;

export function decodeMeta(note: unknown): LineMeta | null {
  if (typeof note !== 'string' || !note.startsWith(PREFIX)) return null;
  try {
    return JSON.parse(note.slice(PREFIX.length)) as LineMeta;
  } catch {
    return null;
  }
}

/** Shopify's tax on a line when the input gives it (`taxes`), else undefined (the ERP computes it from the rates). */
export function givenTax(taxes: Array<{ amount: string }> | undefined): string | undefined {
  if (!taxes) return undefined;
  return taxes.reduce((a, t) => a.plus(t.amount), new Decimal(0)).toFixed(2);
}

/** The tax codes of a line: from its Shopify taxes when given, else `taxCodes`. */
export const lineCodes = (l: { taxCodes?: string[]; taxes?: Array<{ code: string }> }): string[] | undefined =>
  l.taxes ? [...new Set(l.taxes.map((t) => t.code))] : l.taxCodes;
