// Which stored page holds which payout row while one read of a payout is written (payout-rows.ts stores a page per
// write). Shopify's pages may overlap when data changes under the cursor: the row read last wins, in its new position,
// so an id seen again takes its row out of the page that held it (a rare path: that page is rewritten).

/**
 * Where an id sits, as one number (page × SLOT + index in the page as written): a payout of a million rows keeps a
 * million of these, and a number costs less than an object each. No page is written with this many rows.
 */
const SLOT = 2 ** 26;

/** A page's text: its rows joined by newlines (no row holds one: encodeTransactionRow's JSON escapes it). */
export function pageText(rows: readonly string[]): string {
  return rows.join('\n');
}

export const pageRows = (text: string): string[] => text.split('\n');

/** A stored page without the rows at these positions; `expected` guards against a page changed by someone else. */
export function withoutRows(text: string, positions: ReadonlySet<number>, expected: number, where: string): string {
  const rows = pageRows(text);
  if (rows.length !== expected) throw new Error(`${where}: holds ${rows.length} rows, expected ${expected}: written by another read meanwhile`);
  return pageText(rows.filter((_, i) => !positions.has(i)));
}

export interface PlannedPage {
  page: number;
  count: number;
  data: string;
  /** Earlier pages that lose rows (positions in their stored text); `left` 0 means the page goes. */
  rewrites: Array<{ page: number; drop: Set<number>; held: number; left: number }>;
}

export class PageBook {
  private at = new Map<string, number>();
  /** Pages that lost rows: the indices (as written) they still hold; other pages hold all they were written with. */
  private alive = new Map<number, number[]>();
  private counts: number[] = [];
  /** A row came twice: the digest must be taken from the rows as stored. */
  repeated = false;

  constructor(private where: string) {}

  /** Rows stored (each id once). */
  get size(): number {
    return this.at.size;
  }

  next(rows: ReadonlyArray<{ id: string; data: string }>): PlannedPage {
    const page = this.counts.length;
    if (rows.length >= SLOT) throw new Error(`${this.where}: a page of ${rows.length} rows is more than one page can hold`);
    const lose = new Map<number, number[]>();
    const texts: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const { id, data } = rows[i]!;
      if (data.includes('\n')) throw new Error(`${this.where}: row ${id} holds a newline, which separates rows in a page`);
      const prev = this.at.get(id);
      if (prev !== undefined) {
        this.repeated = true;
        const p = Math.floor(prev / SLOT);
        let l = lose.get(p);
        if (!l) lose.set(p, (l = []));
        l.push(prev % SLOT);
      }
      this.at.set(id, page * SLOT + i);
      texts.push(data);
    }
    this.counts.push(rows.length);
    // Repeats within this page: its own text leaves them out before it is written.
    const own = lose.get(page);
    lose.delete(page);
    let data: string;
    let count = rows.length;
    if (own) {
      const keep = this.drop(page, own);
      data = pageText(keep.map((i) => texts[i]!));
      count = keep.length;
    } else data = pageText(texts);
    const rewrites: PlannedPage['rewrites'] = [];
    for (const [p, indices] of lose) {
      const before = this.held(p);
      const drop = new Set(indices.map((i) => before.indexOf(i)));
      rewrites.push({ page: p, drop, held: before.length, left: this.drop(p, indices).length });
    }
    return { page, count, data, rewrites };
  }

  private held(page: number): number[] {
    return this.alive.get(page) ?? Array.from({ length: this.counts[page]! }, (_, i) => i);
  }

  private drop(page: number, indices: number[]): number[] {
    const gone = new Set(indices);
    const keep = this.held(page).filter((i) => !gone.has(i));
    this.alive.set(page, keep);
    return keep;
  }
}
