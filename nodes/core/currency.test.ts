import { describe, expect, it } from 'vitest';
import { currencyDigits, currencyText, roundToCurrency } from './currency.ts';

describe('currency minor units', () => {
  it('gives ISO 4217 minor units: yen and won whole, dinars to three places, 2 for others and for an unknown or missing code', () => {
    expect(['JPY', 'KRW', 'VND', 'CLP', 'ISK'].map(currencyDigits)).toEqual([0, 0, 0, 0, 0]);
    expect(['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD'].map(currencyDigits)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(['USD', 'EUR', 'GBP', 'HUF', 'IDR', 'XYZ', ''].map(currencyDigits)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect([currencyDigits(null), currencyDigits(undefined), currencyDigits('jpy')]).toEqual([2, 2, 0]);
  });

  // ICU's digits are for display: where they differ from ISO's minor unit it shows fewer decimals than the currency
  // has (forints and rupiah are kept in hundredths by Shopify and the ERPs). Any other difference is a mistake here.
  it("agrees with ICU for every currency ICU knows, except where ICU displays fewer decimals than ISO's minor unit", () => {
    const displayOnly = new Set('AFN ALL COP HUF IDR IQD IRR KPW LAK LBP MGA MMK PKR SLL SOS SYP YER'.split(' '));
    const codes = Intl.supportedValuesOf('currency');
    expect(codes.length).toBeGreaterThan(150);
    for (const c of codes) {
      const icu = new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits;
      if (displayOnly.has(c)) expect(icu, c).toBeLessThan(currencyDigits(c));
      else expect(currencyDigits(c), c).toBe(icu);
    }
  });

  it('rounds half away from zero to the minor unit and writes at least two decimals', () => {
    expect(roundToCurrency('333.5', 'JPY').toString()).toBe('334');
    expect(roundToCurrency('-333.5', 'JPY').toString()).toBe('-334');
    expect(currencyText('333.5', 'JPY')).toBe('334.00');
    expect(currencyText('1.0005', 'KWD')).toBe('1.001');
    expect(currencyText('10.005', 'USD')).toBe('10.01');
    expect(currencyText('7', undefined)).toBe('7.00');
  });
});
