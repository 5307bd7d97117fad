// MinorSum against Decimal on awkward amounts: same sums, same cents, same zero test, at any scale.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { MinorSum } from './minor.ts';

const AMOUNTS = ['0', '0.00', '-0.00', '12.5', '-12.50', '1000000000000.99', '0.005', '-0.005', '3', '-7.125', '.5', '19.999', '100', '-0.01', '0.0001'];

describe('MinorSum', () => {
  it('adds, subtracts and rounds to cents exactly as Decimal does, whatever the scale', () => {
    // Every ordered pair and a running total of everything, both signs.
    for (const a of AMOUNTS)
      for (const b of AMOUNTS) {
        const s = MinorSum.of(a).add(b, -1);
        const d = new Decimal(a).minus(b);
        expect(s.toDecimal().eq(d), `${a} - ${b}`).toBe(true);
        expect(s.isZero()).toBe(d.isZero());
        // Decimal gives -0 for a negative amount under half a cent: the same key once in a string.
        expect(s.cents()).toBe(d.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() || 0);
        expect(s.toDecimal().toFixed(2)).toBe(d.toFixed(2));
        expect(s.toFixed2(), `${a} - ${b} to 2 places`).toBe(d.toFixed(2));
        const c = s.exactCents();
        expect(c === null ? null : new Decimal(c).div(100).eq(d), `${a} - ${b} in cents`).toBe(d.times(100).isInteger() ? true : null);
        if (c !== null) expect(s.isCents(c) && !s.isCents(c + 1)).toBe(true);
      }
    const all = AMOUNTS.reduce((x, a) => x.add(a), new MinorSum());
    expect(all.toString()).toBe(AMOUNTS.reduce((x, a) => x.plus(a), new Decimal(0)).toFixed(4));
    expect(MinorSum.of('10.00').eq('10')).toBe(true);
    expect(MinorSum.of('10.00', '-0.01').eq('9.99')).toBe(true);
  });

  it('stays exact across 2^53: sums past the safe integers go to BigInt and come back', () => {
    const steps: Array<[string, 1 | -1]> = [
      ['90071992547409.91', 1], // 2^53 − 1 cents: the largest safe integer
      ['0.01', 1],
      ['0.01', 1],
      ['123456789012345678.125', 1], // over 15 digits, a finer scale
      ['123456789012345678.125', -1],
      ['0.03', -1],
      ['-90071992547409.91', 1],
    ];
    // Decimal's default 20 significant digits would round these sums; MinorSum never rounds.
    const Exact = Decimal.clone({ precision: 60 });
    const s = new MinorSum();
    let d = new Exact(0);
    for (const [a, sign] of steps) {
      s.add(a, sign);
      d = sign === 1 ? d.plus(a) : d.minus(a);
      expect(new Exact(s.toString()).eq(d), `after ${sign === 1 ? '+' : '-'}${a}: ${s.toString()}`).toBe(true);
      expect(s.toFixed2()).toBe(d.toFixed(2));
      expect(s.cents()).toBe(d.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() || 0);
      expect(s.exactCents() === null).toBe(!d.times(100).isInteger() || !Number.isSafeInteger(d.times(100).toNumber()));
    }
    expect(s.isZero()).toBe(d.isZero());
    const big = MinorSum.of('90071992547409.91');
    const sum = MinorSum.of('0.02').addSum(big).addSum(big);
    expect(sum.toString()).toBe(new Decimal('90071992547409.91').times(2).plus('0.02').toFixed(2));
    expect(sum.exactCents()).toBeNull();
    expect(sum.addSum(big, -1).addSum(big, -1).isCents(2)).toBe(true);
    expect(MinorSum.of('-0.00').exactCents()).toBe(0);
    expect(Object.is(MinorSum.of('-0.00').cents(), 0)).toBe(true);
  });

  it('names an amount it cannot read', () => {
    expect(() => MinorSum.of('1e3')).toThrow(/not a plain decimal amount: "1e3"/);
    expect(() => MinorSum.of('')).toThrow(/not a plain decimal amount/);
  });
});
