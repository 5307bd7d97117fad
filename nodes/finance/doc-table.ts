// The ERP documents of a reconciliation as columns: a year's ledger is a million documents, held for the whole step.
// As objects they were a million objects and four million strings (uid, amount text, ...) that every major garbage
// collection marks again; as columns they are a few typed arrays plus the external ids and numbers. An `ErpDoc` is
// made only for the few documents read whole (a mismatch, an ERP-only document, an item shown).
import { Decimal } from 'decimal.js';
import type { ErpDoc } from './erp-docs.ts';
import { numericId } from './id-map.ts';
import { MinorSum } from './minor.ts';
import { PackedTexts } from './packed-texts.ts';

const KINDS: readonly ErpDoc['kind'][] = ['invoice', 'credit-memo', 'sales-order'];
const KIND_CODE: Record<ErpDoc['kind'], number> = { invoice: 0, 'credit-memo': 1, 'sales-order': 2 };

/** A whole number of cents as decimal text ("-0.05", "12.30"). */
const centsText = (c: number) => {
  const neg = c < 0;
  const digits = String(neg ? -c : c).padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

export class ErpDocTable {
  length = 0;
  private kinds = new Uint8Array(1024);
  /** Ledger entry ids: the uid is `${kind}:${entry}`; NaN when the uid is not of that form (kept in `uids`). */
  private entries = new Float64Array(1024);
  private readonly uids = new Map<number, string>();
  /** External ids that are plain numbers (most Shopify ids), as numbers; NaN when the id is kept as text in `extText`. */
  private extNum = new Float64Array(1024);
  private readonly extText = new Map<number, string>();
  /** Document numbers (`ERP-000123`), packed: a million strings held for the step were a cost of every major GC. */
  private readonly numbers = new PackedTexts();
  private dayCodes = new Uint16Array(1024);
  private readonly dayNames: string[] = [];
  private readonly dayCode = new Map<string, number>();
  /** The amount in whole cents (half away from zero when it has sub-cents: the amount-and-date index key). */
  private centsCol = new Float64Array(1024);
  /** The exact amount of a document with sub-cents (else it is `cents` / 100 exactly). */
  private readonly subCent = new Map<number, string>();

  private grow(): void {
    const n = this.kinds.length * 2;
    const more = <A extends Uint8Array | Uint16Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kinds = more(this.kinds, (k) => new Uint8Array(k));
    this.entries = more(this.entries, (k) => new Float64Array(k));
    this.dayCodes = more(this.dayCodes, (k) => new Uint16Array(k));
    this.centsCol = more(this.centsCol, (k) => new Float64Array(k));
    this.extNum = more(this.extNum, (k) => new Float64Array(k));
  }

  /** Appends a document: `entry` is its ledger entry id (uid `${kind}:${entry}`) or, when it is not one, its uid. */
  push(kind: ErpDoc['kind'], entry: number | string, uidIsEntry: boolean, externalId: string, number: string | null, date: string, amount: MinorSum): number {
    const ord = this.length;
    if (ord === this.kinds.length) this.grow();
    this.kinds[ord] = KIND_CODE[kind];
    const e = uidIsEntry ? Number(entry) : Number.NaN;
    // Only an entry id that reads back as itself is kept as a number ("007" or "12.0" keep their text).
    if (uidIsEntry && Number.isSafeInteger(e) && String(e) === String(entry)) this.entries[ord] = e;
    else {
      this.entries[ord] = Number.NaN;
      this.uids.set(ord, uidIsEntry ? `${kind}:${entry}` : String(entry));
    }
    const x = numericId(externalId);
    this.extNum[ord] = x;
    if (Number.isNaN(x)) this.extText.set(ord, externalId);
    this.numbers.push(number);
    let d = this.dayCode.get(date);
    if (d === undefined) {
      d = this.dayNames.length;
      if (d > 0xffff) throw new Error(`ERP documents span more than ${0xffff} distinct dates (at ${date})`);
      this.dayNames.push(date);
      this.dayCode.set(date, d);
    }
    this.dayCodes[ord] = d;
    const exact = amount.exactCents();
    if (exact !== null) this.centsCol[ord] = exact;
    else {
      this.centsCol[ord] = amount.cents();
      this.subCent.set(ord, amount.toString());
    }
    this.length = ord + 1;
    return ord;
  }

  static fromDocs(docs: readonly ErpDoc[]): ErpDocTable {
    const t = new ErpDocTable();
    for (const d of docs) t.push(d.kind, d.uid, false, d.externalId, d.number, d.date, MinorSum.of(d.exact ?? d.amount.toFixed()));
    return t;
  }

  /** The same documents in the order of `ords` (each position once). */
  reordered(ords: ArrayLike<number>): ErpDocTable {
    const t = new ErpDocTable();
    for (let i = 0; i < ords.length; i++) {
      const o = ords[i]!;
      const uid = this.uids.get(o);
      t.push(this.kind(o), uid ?? this.entries[o]!, uid === undefined, this.externalId(o), this.numbers.get(o), this.day(o), MinorSum.of(this.exact(o)));
    }
    return t;
  }

  /** The external id (Shopify's legacy id), made from its number when it is one. */
  externalId(ord: number): string {
    const x = this.extNum[ord]!;
    return Number.isNaN(x) ? this.extText.get(ord)! : String(x);
  }

  /** The external id as a number (`numericId`), NaN when it is not a plain number. */
  externalNumber(ord: number): number {
    return this.extNum[ord]!;
  }

  kind(ord: number): ErpDoc['kind'] {
    return KINDS[this.kinds[ord]!]!;
  }

  /** The kind's code (invoice 0, credit memo 1, sales order 2): an index key without a string. */
  kindCode(ord: number): number {
    return this.kinds[ord]!;
  }

  uid(ord: number): string {
    return this.uids.get(ord) ?? `${this.kind(ord)}:${this.entries[ord]}`;
  }

  day(ord: number): string {
    return this.dayNames[this.dayCodes[ord]!]!;
  }

  /** How many distinct dates the documents have (day codes are 0 to this − 1). */
  get dayCount(): number {
    return this.dayNames.length;
  }

  /** The date of a day code. */
  dayName(code: number): string {
    return this.dayNames[code]!;
  }

  /** The day's code, in the order days were first seen (an index key without a string). */
  dayCodeOf(ord: number): number {
    return this.dayCodes[ord]!;
  }

  codeOfDay(date: string): number | undefined {
    return this.dayCode.get(date);
  }

  cents(ord: number): number {
    return this.centsCol[ord]!;
  }

  /** Whether `exact` holds more than whole cents (then `cents` is rounded). */
  hasSubCents(ord: number): boolean {
    return this.subCent.has(ord);
  }

  /** The positive gross as exact decimal text. */
  exact(ord: number): string {
    return this.subCent.get(ord) ?? centsText(this.centsCol[ord]!);
  }

  amount(ord: number): Decimal {
    return new Decimal(this.exact(ord));
  }

  /** The document as an object (made on each call, not kept). */
  doc(ord: number): ErpDoc {
    if (!(ord >= 0 && ord < this.length)) throw new Error(`no ERP document at ledger position ${ord} of ${this.length}`);
    const exact = this.exact(ord);
    return {
      uid: this.uid(ord),
      kind: this.kind(ord),
      externalId: this.externalId(ord),
      number: this.numbers.get(ord),
      date: this.day(ord),
      amount: new Decimal(exact),
      cents: this.cents(ord),
      exact,
    };
  }

  toArray(): ErpDoc[] {
    return Array.from({ length: this.length }, (_, o) => this.doc(o));
  }
}
