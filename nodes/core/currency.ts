// How many decimals a currency's amounts have (ISO 4217 minor units): where Ledgerline itself divides money (an order
// discount spread over lines, a share of an edited line, a refunded tax split across tax lines), the parts are cut to
// what the currency can hold. Yen split to the cent is an amount no ERP books: Tryton, NetSuite and Business Central
// round a JPY line to whole yen, so the parts would no longer add up to Shopify's totals.
//
// The table is ISO 4217's, not ICU's: ICU gives display digits (0 for HUF, IDR, COP, whose ISO minor unit is 2 and
// whose amounts Shopify and the ERPs keep in hundredths).
import { Decimal } from 'decimal.js';

const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR = 'CLF UYW';

const DIGITS = new Map<string, number>([
  ...ZERO.split(' ').map((c) => [c, 0] as const),
  ...THREE.split(' ').map((c) => [c, 3] as const),
  ...FOUR.split(' ').map((c) => [c, 4] as const),
]);

/** ISO 4217 minor units of a currency code; 2 for any other code, and when the currency is not known. */
export function currencyDigits(code: string | null | undefined): number {
  return (code ? DIGITS.get(code.toUpperCase()) : undefined) ?? 2;
}

/** The amount rounded half away from zero to the currency's minor unit. */
export function roundToCurrency(amount: Decimal.Value, code: string | null | undefined): Decimal {
  return new Decimal(amount).toDecimalPlaces(currencyDigits(code), Decimal.ROUND_HALF_UP);
}

/**
 * An amount written to the currency's minor unit, never fewer than two decimals ("1000.00" yen, "12.345" dinars):
 * the amounts Ledgerline writes keep one shape for every currency, and a yen amount computed here is whole.
 */
export function currencyText(amount: Decimal.Value, code: string | null | undefined): string {
  return roundToCurrency(amount, code).toFixed(Math.max(2, currencyDigits(code)));
}
