// The ERP side of a reconciliation read in ledger windows: the same documents, amounts and order as one read of the
// whole range, however the documents' dates interleave with the order they were posted in.
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { addDays, docsFromLedger, LEDGER_WINDOW_DAYS, loadErpDocs } from './erp-docs.ts';
import { seedErpDocs, type SeedDoc } from './testing/bulk.ts';

let erp: SandboxErp | null = null;
afterEach(async () => {
  await erp?.close();
  erp = null;
});

const plain = (d: {
  uid: string;
  kind: string;
  externalId: string;
  number: string | null;
  date: string;
  cents?: number;
  amount: { toFixed(n: number): string };
}) => ({
  uid: d.uid,
  kind: d.kind,
  externalId: d.externalId,
  number: d.number,
  date: d.date,
  cents: d.cents,
  amount: d.amount.toFixed(3),
});

describe('loadErpDocs', () => {
  it('reads a long range in windows and gives the documents of one whole-range read, in ledger order', async () => {
    erp = createSandboxErp();
    const from = '2026-01-01';
    const days = LEDGER_WINDOW_DAYS * 4;
    // Posted out of date order (a late invoice, a credit memo backdated), sub-cent amounts, one document a day or more.
    const docs: SeedDoc[] = Array.from({ length: 300 }, (_, i) => ({
      kind: i % 7 === 3 ? 'credit-memo' : 'invoice',
      externalId: `${1000 + i}`,
      date: addDays(from, (i * 37) % days),
      gross: `${(5 + ((i * 7919) % 20000) / 1000).toFixed(3)}`,
    }));
    seedErpDocs(erp, docs);
    const to = addDays(from, days);
    const whole = docsFromLedger(await erp.listLedger({ from, to, accounts: ['1100', '1190'] }), '1100', '1190');
    const windowed = (await loadErpDocs(erp, { from, to }, '1100', '1190')).toArray();
    // The same through listLedger's LedgerLine objects (a connector without compact rows) as through listLedgerRows.
    const lines = (await loadErpDocs({ ...erp, listLedgerRows: undefined }, { from, to }, '1100', '1190')).toArray();
    expect(whole).toHaveLength(300);
    expect(lines.map(plain)).toEqual(windowed.map(plain));
    expect(windowed.map(plain)).toEqual(whole.map(plain));
    // Ledger order is posting order here, not date order: the windows were put back together.
    expect(windowed.map((d) => d.externalId)).toEqual(docs.map((d) => d.externalId));
    expect(windowed.find((d) => d.externalId === '1003')).toMatchObject({ kind: 'credit-memo', date: docs[3]?.date });
    // Within one window too: the compact rows come by date, the documents in ledger (posting) order.
    const month = { from, to: addDays(from, LEDGER_WINDOW_DAYS - 1) };
    const one = (await loadErpDocs(erp, month, '1100', '1190')).toArray();
    expect(one.length).toBeGreaterThan(50);
    expect(one.map(plain)).toEqual(docsFromLedger(await erp.listLedger({ ...month, accounts: ['1100', '1190'] }), '1100', '1190').map(plain));
    expect(one.map((d) => d.date)).not.toEqual([...one.map((d) => d.date)].sort());
  });
});
