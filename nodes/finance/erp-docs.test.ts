// The ERP side of a reconciliation read in ledger windows: the same documents, amounts and order as one read of the
// whole range, however the documents' dates interleave with the order they were posted in.
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { addDays, docsFromLedger, LEDGER_WINDOW_DAYS, LEDGER_WINDOW_LINES, loadErpDocs, nextWindowDays } from './erp-docs.ts';
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

  it("sizes each window from the last one's lines: a dense ledger in narrow windows, a sparse one in months", async () => {
    erp = createSandboxErp();
    const from = '2026-01-01';
    // 40 documents a day for 10 days, then one a week for 20 weeks.
    const docs: SeedDoc[] = [
      ...Array.from({ length: 400 }, (_, i) => ({ kind: 'invoice' as const, externalId: `${5000 + i}`, date: addDays(from, i % 10), gross: '10.00' })),
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'invoice' as const, externalId: `${9000 + i}`, date: addDays(from, 10 + 7 * i), gross: '3.50' })),
    ];
    seedErpDocs(erp, docs);
    const to = addDays(from, 150);
    const calls: Array<{ from: string; to: string; lines: number }> = [];
    const source = erp;
    const counting = {
      ...source,
      listLedgerRows: async (q: { from: string; to: string; accounts?: string[] }) => {
        const rows = await source.listLedgerRows!(q);
        calls.push({ from: q.from, to: q.to, lines: rows.length });
        return rows;
      },
    };
    const read = (await loadErpDocs(counting, { from, to }, '1100', '1190', { windowLines: 80 })).toArray();
    expect(read.map(plain)).toEqual(docsFromLedger(await erp.listLedger({ from, to, accounts: ['1100', '1190'] }), '1100', '1190').map(plain));
    // The windows tile the range, none more than a month; after the first, the dense days come two at a time.
    expect(calls[0]).toMatchObject({ from, to: addDays(from, 6), lines: 280 });
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.from).toBe(addDays(calls[i - 1]!.to, 1));
    expect(calls.at(-1)!.to).toBe(to);
    expect(calls[1]).toMatchObject({ from: addDays(from, 7), to: addDays(from, 8), lines: 80 });
    expect(Math.max(...calls.slice(1).map((c) => c.lines))).toBeLessThanOrEqual(80);
    expect(calls.filter((c) => c.to === addDays(c.from, LEDGER_WINDOW_DAYS - 1)).length).toBeGreaterThanOrEqual(3);
  });

  it('asks for the next window before taking in the one it has, so an ERP in its own process reads while we work', async () => {
    erp = createSandboxErp();
    const from = '2026-01-01';
    const docs: SeedDoc[] = Array.from({ length: 120 }, (_, i) => ({ kind: 'invoice', externalId: `${7000 + i}`, date: addDays(from, i), gross: '4.00' }));
    seedErpDocs(erp, docs);
    const source = erp;
    const log: string[] = [];
    let calls = 0;
    const watching = {
      ...source,
      listLedgerRows: async (q: { from: string; to: string; accounts?: string[] }) => {
        const n = ++calls;
        log.push(`ask ${n}`);
        const rows = await source.listLedgerRows!(q);
        // Taking a window in reads its rows: the first read of a row says which window is being processed.
        let seen = false;
        return rows.map((r, i) =>
          i === 0
            ? new Proxy(r, {
                get(t, k, rcv) {
                  if (!seen) (seen = true), log.push(`take ${n}`);
                  return Reflect.get(t, k, rcv);
                },
              })
            : r,
        );
      },
    };
    const read = (await loadErpDocs(watching, { from, to: addDays(from, 119) }, '1100', '1190', { windowLines: 10 })).toArray();
    expect(read).toHaveLength(120);
    expect(calls).toBeGreaterThan(3);
    const expected = ['ask 1'];
    for (let n = 1; n <= calls; n++) expected.push(...(n < calls ? [`ask ${n + 1}`] : []), `take ${n}`);
    expect(log).toEqual(expected);
  });

  it('fails with the ERP read that failed, also when it failed while the window before was taken in', async () => {
    erp = createSandboxErp();
    seedErpDocs(erp, [{ kind: 'invoice', externalId: '7500', date: '2026-01-02', gross: '1.00' }]);
    const source = erp;
    let calls = 0;
    const failing = {
      ...source,
      listLedgerRows: async (q: { from: string; to: string; accounts?: string[] }) => {
        if (++calls === 2) throw new Error('ERP read failed: connection reset');
        return source.listLedgerRows!(q);
      },
    };
    await expect(loadErpDocs(failing, { from: '2026-01-01', to: '2026-03-01' }, '1100', '1190')).rejects.toThrow('connection reset');
  });

  it('nextWindowDays aims at the target lines, from one day to a month', () => {
    expect(nextWindowDays(7, 70_000)).toBe(1);
    expect(nextWindowDays(7, 7_000, 10_000)).toBe(10);
    expect(nextWindowDays(7, (7 * LEDGER_WINDOW_LINES) / 10)).toBe(10);
    expect(nextWindowDays(31, 100)).toBe(LEDGER_WINDOW_DAYS);
    expect(nextWindowDays(20, 0)).toBe(LEDGER_WINDOW_DAYS);
    expect(nextWindowDays(4, 10, 5)).toBe(2);
    // After a quiet stretch it grows by doubling, so a dense month that follows is not read in one call.
    expect(nextWindowDays(5, 0)).toBe(10);
    expect(nextWindowDays(2, 10)).toBe(4);
  });
});

describe('docsFromLedger', () => {
  // One entry per document: its lines on receivable 1100, clearing 1190 and elsewhere, as the ledger lists them.
  let n = 0;
  const entry = (type: 'invoice' | 'credit-memo' | 'journal', externalId: string, lines: Array<[account: string, debit: string, credit: string]>) => {
    const entryId = String(++n);
    return lines.map(([account, debit, credit]) => ({
      id: `${entryId}-${account}`,
      entryId,
      entryNumber: `E${entryId}`,
      date: '2026-11-08',
      account,
      debit,
      credit,
      description: null,
      source: { type, externalId, number: null },
      reconciled: false,
    }));
  };

  it("counts a refund's gift-card re-issue with its credit memo, as an order's redemption is counted with its invoice", () => {
    const lines = [
      ...entry('invoice', '500', [
        ['1100', '15.00', '0.00'],
        ['4000', '0.00', '15.00'],
      ]),
      ...entry('journal', 'giftcard:500', [
        ['2300', '5.00', '0.00'],
        ['1190', '0.00', '5.00'],
      ]),
      ...entry('credit-memo', 'gid://shopify/Refund/600', [
        ['4000', '15.00', '0.00'],
        ['1100', '0.00', '15.00'],
      ]),
      ...entry('journal', 'giftcard-refund:600', [
        ['1190', '5.00', '0.00'],
        ['2300', '0.00', '5.00'],
      ]),
      // A payout journal on clearing is no document.
      ...entry('journal', '7001', [
        ['1000', '10.00', '0.00'],
        ['1190', '0.00', '10.00'],
      ]),
    ];
    const docs = docsFromLedger(lines, '1100', '1190').map((d) => [d.kind, d.externalId, d.amount.toFixed(2)]);
    // Charge = invoice 15.00 − redeemed 5.00; card refund = memo 15.00 − 5.00 back on the gift card.
    expect(docs).toEqual([
      ['invoice', '500', '15.00'],
      ['invoice', '500', '-5.00'],
      ['credit-memo', '600', '15.00'],
      ['credit-memo', '600', '-5.00'],
    ]);
    // Without the clearing account nothing but the receivable counts.
    expect(docsFromLedger(lines, '1100').map((d) => d.amount.toFixed(2))).toEqual(['15.00', '15.00']);
  });
});
