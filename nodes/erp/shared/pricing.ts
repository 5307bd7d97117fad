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

/**
 * Net unit price with 4 decimals (Tryton's unit_price precision). The line amount Tryton derives
 * (quantity × unit price, rounded to cents) equals quantity × unitPrice − discount, net of tax.
 */
export function netUnitPrice(opts: {
  unitPrice: string;
  quantity: string;
  discount?: string;
  rates: string[];
  pricesIncludeTax?: boolean;
  taxAmount?: string;
}): string {
  const qty = new Decimal(opts.quantity);
  let total = qty.times(opts.unitPrice).minus(opts.discount ?? '0');
  // Shopify's own tax known: a tax-inclusive gross less exactly that tax, no rate arithmetic (and no rounding cent).
  if (opts.pricesIncludeTax && opts.taxAmount !== undefined) total = total.minus(opts.taxAmount);
  else if (opts.pricesIncludeTax) {
    const rate = opts.rates.reduce((a, r) => a.plus(r), new Decimal(0));
    total = total.div(rate.plus(1)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  }
  return total.div(qty).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

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
