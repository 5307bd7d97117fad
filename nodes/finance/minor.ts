// Exact sums of decimal strings as BigInt minor units: a reconciliation adds a million amounts, and a Decimal per
// addition was most of its time and garbage. The scale is the most decimals seen (2 for USD or EUR amounts as Shopify
// gives them, 0 for JPY, 3 for KWD; raised when an amount has more), so nothing is ever rounded or a float; the result
// becomes a Decimal once, where it is compared or shown.
import { Decimal } from 'decimal.js';

const TEN = [1n, 10n, 100n, 1000n, 10000n, 100000n, 1000000n];
const pow10 = (n: number) => TEN[n] ?? 10n ** BigInt(n);

/** 10^k as a double: exact for k ≤ 22. */
const pow10n = (k: number) => 10 ** k;

export class MinorSum {
  /**
   * The sum in minor units as a double while it is a safe integer (every operation on safe integers whose exact
   * result is safe is exact), else in `big`: a BigInt made per addition was most of the garbage of a million
   * transactions, five additions each.
   */
  private n = 0;
  private big: bigint | null = null;
  private scale = 0;

  private get v(): bigint {
    return this.big ?? BigInt(this.n);
  }

  /** Back to a double whenever the value fits one. */
  private put(x: bigint): void {
    const k = Number(x);
    if (Number.isSafeInteger(k)) {
      this.n = k;
      this.big = null;
    } else this.big = x;
  }

  private rescale(to: number): void {
    if (this.big === null) {
      const r = this.n * pow10n(to - this.scale);
      if (Number.isSafeInteger(r)) {
        this.n = r;
        this.scale = to;
        return;
      }
    }
    this.put(this.v * pow10(to - this.scale));
    this.scale = to;
  }

  /** Adds (or with `sign` -1 subtracts) a decimal string like "-12.50". */
  add(amount: string, sign: 1 | -1 = 1): this {
    // Read by hand, not by a regular expression: three or four amounts per transaction of a million.
    const n = amount.length;
    const c0 = amount.charCodeAt(0);
    const neg = c0 === 45; // '-'
    const start = neg || c0 === 43 ? 1 : 0; // '+'
    let dot = -1;
    let digits = 0;
    // The amount in minor units while it has at most 15 digits: an integer that a double holds exactly (< 2^53).
    let small = 0;
    for (let i = start; i < n; i++) {
      const c = amount.charCodeAt(i);
      if (c === 46 && dot < 0) dot = i;
      else if (c >= 48 && c <= 57) {
        digits++;
        small = small * 10 + (c - 48);
      } else throw new Error(`not a plain decimal amount: ${JSON.stringify(amount)}`);
    }
    const fracLen = dot < 0 ? 0 : n - dot - 1;
    if (digits === 0 || (dot === start && fracLen === 0)) throw new Error(`not a plain decimal amount: ${JSON.stringify(amount)}`);
    if (fracLen > this.scale) this.rescale(fracLen);
    const up = this.scale - fracLen;
    const minus = neg !== (sign === -1);
    if (this.big === null && digits <= 15) {
      const x = up ? small * pow10n(up) : small;
      if (Number.isSafeInteger(x)) {
        const r = minus ? this.n - x : this.n + x;
        if (Number.isSafeInteger(r)) {
          this.n = r;
          return this;
        }
      }
    }
    let x = digits <= 15 ? BigInt(small) : BigInt(dot < 0 ? amount.slice(start) : amount.slice(start, dot) + amount.slice(dot + 1));
    if (up) x *= pow10(up);
    this.put(minus ? this.v - x : this.v + x);
    return this;
  }

  addSum(other: MinorSum, sign: 1 | -1 = 1): this {
    if (other.scale === this.scale && this.big === null && other.big === null) {
      // The usual case (every amount in cents, sums well within 2^53): no BigInt at all.
      const r = sign === 1 ? this.n + other.n : this.n - other.n;
      if (Number.isSafeInteger(r)) {
        this.n = r;
        return this;
      }
    }
    const s = Math.max(this.scale, other.scale);
    this.put(this.v * pow10(s - this.scale) + BigInt(sign) * other.v * pow10(s - other.scale));
    this.scale = s;
    return this;
  }

  /** Back to zero, to be reused (a scratch sum per transaction would be a million short-lived objects). */
  clear(): this {
    this.n = 0;
    this.big = null;
    this.scale = 0;
    return this;
  }

  isZero(): boolean {
    return this.big === null && this.n === 0;
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

  /**
   * As Decimal's `toFixed(2)` gives it (half away from zero), without a Decimal when the scale is at most 2 (every
   * USD or EUR amount Shopify gives): a matched line's amount is written once per transaction of a million.
   */
  toFixed2(): string {
    if (this.scale > 2) return this.toDecimal().toFixed(2);
    if (this.big === null) {
      const m = Math.abs(this.n) * pow10n(2 - this.scale);
      if (Number.isSafeInteger(m)) {
        const digits = String(m).padStart(3, '0');
        return `${this.n < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
      }
    }
    const neg = this.v < 0n;
    const digits = ((neg ? -this.v : this.v) * pow10(2 - this.scale)).toString().padStart(3, '0');
    return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }

  /** Whether the sum is exactly `cents` whole cents (any scale). */
  isCents(cents: number): boolean {
    if (this.big === null && this.scale <= 2) {
      const m = this.n * pow10n(2 - this.scale);
      if (Number.isSafeInteger(m)) return m === cents;
    }
    const s = Math.max(this.scale, 2);
    return this.v * pow10(s - this.scale) === BigInt(cents) * pow10(s - 2);
  }

  /** The sum in whole cents when it is exactly that and a safe integer, else null (a sub-cent amount keeps its text). */
  exactCents(): number | null {
    if (this.big === null && this.scale <= 2) {
      const m = this.n * pow10n(2 - this.scale);
      // + 0: never -0 (a key compared with Object.is).
      if (Number.isSafeInteger(m)) return m + 0;
    }
    if (this.scale > 2 && this.v % pow10(this.scale - 2) !== 0n) return null;
    const c = this.scale > 2 ? this.v / pow10(this.scale - 2) : this.v * pow10(2 - this.scale);
    const n = Number(c);
    return Number.isSafeInteger(n) ? n : null;
  }

  /** Whole cents, half away from zero (an index key, like Decimal's ROUND_HALF_UP at 2 places). */
  cents(): number {
    if (this.scale <= 2) {
      if (this.big === null) {
        const m = this.n * pow10n(2 - this.scale);
        if (Number.isSafeInteger(m)) return m + 0;
      }
      return Number(this.v * pow10(2 - this.scale));
    }
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
