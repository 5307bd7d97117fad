// Turns a Shopify-style line (unit price, line discount, maybe tax-inclusive) into the net unit price an ERP
// without line discounts or tax-inclusive prices (Tryton 6.0) stores, keeping the original figures for read-back.
import { Decimal } from './money.ts';

export interface LineMeta {
  kind: 'line' | 'shipping';
  unitPrice: string;
  discount: string;
}

/**
 * Net unit price with 4 decimals (Tryton's unit_price precision). The line amount Tryton derives
 * (quantity × unit price, rounded to cents) equals quantity × unitPrice − discount, net of tax.
 */
export function netUnitPrice(opts: { unitPrice: string; quantity: string; discount?: string; rates: string[]; pricesIncludeTax?: boolean }): string {
  const qty = new Decimal(opts.quantity);
  let total = qty.times(opts.unitPrice).minus(opts.discount ?? '0');
  if (opts.pricesIncludeTax) {
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
