// Shopify ids (legacy, numeric) to ledger positions, for a million ERP documents: an open-addressing table in typed
// arrays where the id is a plain number (no leading zero, at most 15 digits: exact in a double), a Map for any other
// id. A Map of a million strings was a million entries to grow, hash and mark at every major garbage collection.

/** The id as a number when its text is exactly that number's (so the text is given back by `String`), else NaN. */
export function numericId(id: string): number {
  const n = id.length;
  if (n === 0 || n > 15 || (n > 1 && id.charCodeAt(0) === 48)) return Number.NaN;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

const slot = (v: number, mask: number) => {
  const lo = v >>> 0;
  const hi = (v / 4294967296) >>> 0;
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) & mask;
};

/**
 * Id -> one position (the usual case) or several in insertion order (`all`). Positions are whole numbers ≥ 0.
 */
export class IdPositions {
  private keys: Float64Array;
  /** Per slot: the position, or −(index in `lists`) − 1 when the id has several. */
  private vals: Int32Array;
  private used = 0;
  private readonly lists: number[][] = [];
  private readonly other = new Map<string, number | number[]>();

  /** `expected`: how many ids will be added, when known: the table is made that large at once (no doubling on the way). */
  constructor(expected = 0) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.keys = new Float64Array(size).fill(Number.NaN);
    this.vals = new Int32Array(size);
  }

  add(id: string, pos: number): void {
    const v = numericId(id);
    if (!Number.isNaN(v)) {
      this.addNumber(v, pos);
      return;
    }
    const at = this.other.get(id);
    if (at === undefined) this.other.set(id, pos);
    else if (typeof at === 'number') this.other.set(id, [at, pos]);
    else at.push(pos);
  }

  /** `add` of an id already read as a number (`numericId`). */
  addNumber(v: number, pos: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = slot(v, mask);
    for (;;) {
      const k = this.keys[i]!;
      if (Number.isNaN(k)) {
        this.keys[i] = v;
        this.vals[i] = pos;
        this.used++;
        return;
      }
      if (k === v) {
        const at = this.vals[i]!;
        if (at >= 0) {
          this.lists.push([at, pos]);
          this.vals[i] = -this.lists.length;
        } else this.lists[-at - 1]!.push(pos);
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(keys.length * 2).fill(Number.NaN);
    this.vals = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      if (Number.isNaN(k)) continue;
      let i = slot(k, mask);
      while (!Number.isNaN(this.keys[i]!)) i = (i + 1) & mask;
      this.keys[i] = k;
      this.vals[i] = vals[j]!;
    }
  }

  /** The one position of the id, or −1 when it has none, or −2 when it has several (read them with `all`). */
  one(id: string): number {
    const v = numericId(id);
    if (Number.isNaN(v)) {
      const at = this.other.get(id);
      return at === undefined ? -1 : typeof at === 'number' ? at : -2;
    }
    const mask = this.keys.length - 1;
    for (let i = slot(v, mask); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (Number.isNaN(k)) return -1;
      if (k === v) return this.vals[i]! >= 0 ? this.vals[i]! : -2;
    }
  }

  /** Every position of the id, in the order they were added. */
  all(id: string): readonly number[] {
    const one = this.one(id);
    if (one >= 0) return [one];
    if (one === -1) return [];
    const v = numericId(id);
    if (Number.isNaN(v)) return this.other.get(id) as number[];
    const mask = this.keys.length - 1;
    let i = slot(v, mask);
    while (this.keys[i] !== v) i = (i + 1) & mask;
    return this.lists[-this.vals[i]! - 1]!;
  }

  has(id: string): boolean {
    return this.one(id) !== -1;
  }
}
