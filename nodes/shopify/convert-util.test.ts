// dec() answers Shopify's usual amounts without decimal.js: it must give exactly what the Decimal round trip gives for
// every string, and still refuse what is not an amount.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { dec, share, ShopifyConversionError } from './convert-util.ts';

/** The round trip dec() stands for: at least two decimals, as decimal.js writes them. */
const roundTrip = (v: string | number) => {
  const d = new Decimal(typeof v === 'number' ? String(v) : v);
  return d.toFixed(Math.max(2, d.decimalPlaces()));
};

function* amounts(): Generator<string | number> {
  yield* ['0.00', '0.50', '199.00', '-5.00', '-0.00', '-0.50', '00.50', '0199.00', '10', '10.5', '0.125', '199.500', '1e3', '1.00e2', '+5.00'];
  yield* ['123456789012345.00', '1234567890123456.00', '-999999999999999.99', ' 5.00', '5.00 ', '.50', '5.', 12.5, 0, -3];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 20_000; i++) {
    const sign = ['', '', '-', '+'][rnd(4)];
    const lead = rnd(5) === 0 ? '0' : '';
    const int = rnd(3) === 0 ? '0' : String(rnd(10 ** (1 + rnd(9))));
    const decimals = rnd(5);
    const frac = Array.from({ length: decimals }, () => rnd(10)).join('');
    yield `${sign}${lead}${int}${decimals || rnd(4) === 0 ? '.' : ''}${frac}`;
  }
}

describe('dec: amounts as Shopify writes them', () => {
  it('gives exactly what the Decimal round trip gives, for 20,000 generated amounts and the edge cases', () => {
    let compared = 0;
    for (const v of amounts()) {
      let want: string | Error;
      try {
        want = roundTrip(v);
        if (!new Decimal(String(v)).isFinite()) want = new Error('not finite');
      } catch (e) {
        want = e as Error;
      }
      if (want instanceof Error) expect(() => dec(v, '$.x'), String(v)).toThrow(ShopifyConversionError);
      else expect(dec(v, '$.x'), String(v)).toBe(want), compared++;
    }
    expect(compared).toBeGreaterThan(15_000);
  });

  it('still refuses what is not an amount, naming where', () => {
    expect(() => dec('', '$.total_price')).toThrow(/\$\.total_price.*amount is missing/);
    expect(() => dec(null, '$.total_price')).toThrow(/amount is missing/);
    expect(() => dec('12,50', '$.line_items[0].price')).toThrow(/\$\.line_items\[0\]\.price.*not a decimal amount: "12,50"/);
    expect(() => dec('Infinity', '$.x')).toThrow(/not a finite amount/);
  });
});

describe("share: what of a line's amount the units an edit left carry", () => {
  const bag = (amount: string, currencyCode: string) => ({ shop: { amount, currencyCode }, presentment: { amount, currencyCode } });

  it("cuts to the currency's minor unit: whole yen, cents, a dinar's three decimals", () => {
    expect(share(bag('100.00', 'JPY'), 2, 3).shop.amount).toBe('67.00');
    expect(share(bag('1000.0', 'JPY'), 1, 3).shop.amount).toBe('333.00');
    expect(share(bag('10.00', 'USD'), 2, 3).shop.amount).toBe('6.67');
    expect(share(bag('1.000', 'KWD'), 1, 3).shop.amount).toBe('0.333');
  });

  it("keeps an amount's own finer decimals, and each side its own currency", () => {
    expect(share(bag('0.125', 'USD'), 1, 2).shop.amount).toBe('0.063');
    const mixed = share({ shop: { amount: '100.00', currencyCode: 'USD' }, presentment: { amount: '15000', currencyCode: 'JPY' } }, 1, 3);
    expect(mixed).toEqual({ shop: { amount: '33.33', currencyCode: 'USD' }, presentment: { amount: '5000.00', currencyCode: 'JPY' } });
  });

  it('returns the amount itself when every unit is kept', () => {
    const b = bag('100.00', 'JPY');
    expect(share(b, 3, 3)).toBe(b);
  });
});
