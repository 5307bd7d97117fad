// Exact sums of decimal strings as BigInt minor units: a reconciliation adds a million amounts, and a Decimal per
// addition was most of its time and garbage. The scale is the most decimals seen (2 for USD or EUR amounts as Shopify
// gives them, 0 for JPY, 3 for KWD; raised when an amount has more), so nothing is ever rounded or a float; the result
// becomes a Decimal once, where it is compared or shown.
import { Decimal } from 'decimal.js';

const TEN = [1n, 10n, 100n, 1000n, 10000n, 100000n, 1000000n];
const pow10 = (n: number) => TEN[n] ?? 10n ** BigInt(n);
const PLAIN = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export class MinorSum {
  private v = 0n;
  private scale = 0;

  /** Adds (or with `sign` -1 subtracts) a decimal string like "-12.50". */
  add(amount: string, sign: 1 | -1 = 1): this {
    const m = PLAIN.exec(amount);
    if (!m || (m[2] === '' && !m[3])) throw new Error(`not a plain decimal amount: ${JSON.stringify(amount)}`);
    const frac = m[3] ?? '';
    if (frac.length > this.scale) {
      this.v *= pow10(frac.length - this.scale);
      this.scale = frac.length;
    }
    let x = BigInt((m[2] || '0') + frac) * pow10(this.scale - frac.length);
    if ((m[1] === '-') !== (sign === -1)) x = -x;
    this.v += x;
    return this;
  }

  addSum(other: MinorSum, sign: 1 | -1 = 1): this {
    const s = Math.max(this.scale, other.scale);
    this.v = this.v * pow10(s - this.scale) + BigInt(sign) * other.v * pow10(s - other.scale);
    this.scale = s;
    return this;
  }

  /** Back to zero, to be reused (a scratch sum per transaction would be a million short-lived objects). */
  clear(): this {
    this.v = 0n;
    this.scale = 0;
    return this;
  }

  isZero(): boolean {
    return this.v === 0n;
  }

  /** Equal to the decimal string's value (any scale). */
  eq(amount: string): boolean {
    return new MinorSum().add(amount).addSum(this, -1).isZero();
  }

  toString(): string {
    const neg = this.v < 0n;
    const digits = (neg ? -this.v : this.v).toString().padStart(this.scale + 1, '0');
    const int = digits.slice(0, digits.length - this.scale);
    return `${neg ? '-' : ''}${int}${this.scale ? `.${digits.slice(-this.scale)}` : ''}`;
  }

  toDecimal(): Decimal {
    return new Decimal(this.toString());
  }

  /** Whole cents, half away from zero (an index key, like Decimal's ROUND_HALF_UP at 2 places). */
  cents(): number {
    if (this.scale <= 2) return Number(this.v * pow10(2 - this.scale));
    const d = pow10(this.scale - 2);
    const neg = this.v < 0n;
    const a = neg ? -this.v : this.v;
    const q = (a + d / 2n) / d;
    return Number(neg ? -q : q);
  }

  static of(...amounts: string[]): MinorSum {
    const s = new MinorSum();
    for (const a of amounts) s.add(a);
    return s;
  }
}
