// The column table gives back every document as it was put in: uid, kind, ids, number, date and the exact amount,
// whether the ids are plain numbers or not and whether the amount has sub-cents.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { ErpDocTable } from './doc-table.ts';
import type { ErpDoc } from './erp-docs.ts';
import { MinorSum } from './minor.ts';

const doc = (uid: string, kind: ErpDoc['kind'], externalId: string, amount: string, date: string, number: string | null = `N-${externalId}`): ErpDoc => ({
  uid,
  kind,
  externalId,
  number,
  date,
  amount: new Decimal(amount),
});

const plain = (d: ErpDoc) => ({ uid: d.uid, kind: d.kind, externalId: d.externalId, number: d.number, date: d.date, amount: d.amount.toFixed() });

describe('ErpDocTable', () => {
  const docs = [
    doc('invoice:1', 'invoice', '1001', '12.50', '2026-01-01'),
    doc('credit-memo:x7', 'credit-memo', 'R-7', '0.005', '2026-01-02', null),
    doc('invoice:007', 'invoice', '007', '-3', '2026-01-01'),
    doc('sales-order:9', 'sales-order', '1234567890123456', '99999999999.99', '2026-01-03'),
    doc('invoice:10', 'invoice', '5812345678901', '7.125', '2026-01-02'),
  ];

  it('gives back the documents it was given, exactly', () => {
    const t = ErpDocTable.fromDocs(docs);
    expect(t.length).toBe(docs.length);
    expect(t.toArray().map(plain)).toEqual(docs.map(plain));
    expect(t.cents(1)).toBe(1); // 0.005 rounds half away from zero, its exact text is kept
    expect(t.hasSubCents(1) && !t.hasSubCents(0)).toBe(true);
    expect(t.exact(0)).toBe('12.50');
    expect(t.externalNumber(0)).toBe(1001);
    expect(t.externalNumber(2)).toBeNaN();
    expect(t.day(4)).toBe('2026-01-02');
  });

  it('makes the uid of a ledger entry from its id, and reorders without changing a document', () => {
    const t = new ErpDocTable();
    t.push('invoice', 41, true, '1001', 'INV-1', '2026-02-01', MinorSum.of('10.00'));
    t.push('credit-memo', '0042', true, '2002', 'CM-2', '2026-02-02', MinorSum.of('1.5'));
    t.push('invoice', '43', true, '3003', null, '2026-02-01', MinorSum.of('0.10', '0.20'));
    expect([t.uid(0), t.uid(1), t.uid(2)]).toEqual(['invoice:41', 'credit-memo:0042', 'invoice:43']);
    const r = t.reordered([2, 0, 1]);
    expect(r.toArray().map(plain)).toEqual([2, 0, 1].map((o) => plain(t.doc(o))));
    expect(r.doc(0).amount.toFixed(2)).toBe('0.30');
    expect(() => t.doc(3)).toThrow(/no ERP document at ledger position 3 of 3/);
  });
});
