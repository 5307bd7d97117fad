// The reconciliation records: staged until the step commits, indexed lookups, first claim wins, pending data kept.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/db.ts';
import { tempDir } from '../testing/fixtures.ts';
import { StepReconciliation } from './records.ts';

let store: Store | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  store?.close();
  cleanup?.();
});

function open() {
  const t = tempDir('ledgerline-recon-records-');
  cleanup = t.cleanup;
  store = openStore(t.dir);
  return store;
}

describe('StepReconciliation', () => {
  it('shows a step its own writes, and nobody else until it commits', () => {
    const s = open();
    const step = new StepReconciliation(s, 'flow-a', () => 1);
    const r = step.scope('erp-1');
    r.claim('p1', [{ docUid: 'invoice:1', item: 'charge:order:11', matchedBy: 'id' }]);
    r.setPending('p2', '2026-11-02', { legacyId: 'p2' });
    expect(r.claimedBy(['invoice:1', 'invoice:2'])).toEqual(new Map([['invoice:1', 'p1']]));
    expect(r.pending()).toEqual([{ payoutId: 'p2', issuedAt: '2026-11-02', data: { legacyId: 'p2' } }]);
    // A step that fails never commits: the next one sees nothing.
    expect(new StepReconciliation(s, 'flow-a', () => 2).scope('erp-1').claimedBy(['invoice:1']).size).toBe(0);
    s.sqlite.transaction(() => step.commit())();
    const next = new StepReconciliation(s, 'flow-a', () => 3).scope('erp-1');
    expect(next.claimedBy(['invoice:1'])).toEqual(new Map([['invoice:1', 'p1']]));
    expect(next.standing(['p1', 'p2'])).toEqual(new Map([['p2', 'pending']]));
    // Scoped by flow and by scope.
    expect(new StepReconciliation(s, 'flow-b', () => 3).scope('erp-1').claimedBy(['invoice:1']).size).toBe(0);
    expect(new StepReconciliation(s, 'flow-a', () => 3).scope('erp-2').claimedBy(['invoice:1']).size).toBe(0);
  });

  it('stages claims outside the database file until the commit, per step, and drops them when the step fails', () => {
    const s = open();
    const claims = (n: number, payout: string) => Array.from({ length: n }, (_, i) => ({ docUid: `invoice:${i}`, item: `${payout}:${i}`, matchedBy: 'id' }));
    const inFile = () => (s.sqlite.prepare(`SELECT count(*) AS n FROM recon_claims`).get() as { n: number }).n;
    const a = new StepReconciliation(s, 'f', () => 1);
    const b = new StepReconciliation(s, 'f', () => 1);
    a.scope('e').claim('pa', claims(3, 'pa'));
    b.scope('e').claim('pb', claims(2, 'pb'));
    // Nothing reaches recon_claims while the steps run (a process dying here leaves no claim); each sees its own.
    expect(inFile()).toBe(0);
    expect(a.scope('e').claimedBy(['invoice:0', 'invoice:2'])).toEqual(
      new Map([
        ['invoice:0', 'pa'],
        ['invoice:2', 'pa'],
      ]),
    );
    expect(b.scope('e').claimedBy(['invoice:0', 'invoice:2'])).toEqual(new Map([['invoice:0', 'pb']]));
    expect(
      a
        .scope('e')
        .claimsOf('pa')
        .map((c) => c.item),
    ).toEqual(['pa:0', 'pa:1', 'pa:2']);
    // A document staged again (by another payout of the step) keeps its first claim, in reads and in the commit.
    a.scope('e').claim('px', [{ docUid: 'invoice:1', item: 'px:1', matchedBy: 'amount-date' }]);
    expect(a.scope('e').claimedBy(['invoice:1']).get('invoice:1')).toBe('pa');
    expect(a.scope('e').claimsOf('px')).toEqual([]);
    // The failed step's claims are gone; the other's commit in claim order.
    b.discard();
    s.sqlite.transaction(() => a.commit())();
    expect(inFile()).toBe(3);
    expect(s.sqlite.prepare(`SELECT count(*) AS n FROM temp.recon_claims_staged`).get()).toEqual({ n: 0 });
    const c = new StepReconciliation(s, 'f', () => 2).scope('e');
    expect(c.claimedBy(['invoice:0', 'invoice:1', 'invoice:2'])).toEqual(
      new Map([
        ['invoice:0', 'pa'],
        ['invoice:1', 'pa'],
        ['invoice:2', 'pa'],
      ]),
    );
    expect(c.claimsOf('pa').map((x) => x.item)).toEqual(['pa:0', 'pa:1', 'pa:2']);
    expect(c.claimsOf('pb')).toEqual([]);
    expect(c.claimsOf('px')).toEqual([]);
  });

  it('keeps the first claim of a document, drops pending data once posted, and looks up many ids at once', () => {
    const s = open();
    const a = new StepReconciliation(s, 'f', () => 1);
    a.scope('e').claim(
      'p1',
      Array.from({ length: 25_000 }, (_, i) => ({ docUid: `invoice:${i}`, item: `charge:order:${i}`, matchedBy: 'amount-date' })),
    );
    a.scope('e').setPending('p9', '2026-11-09', { big: 'x'.repeat(1000) });
    s.sqlite.transaction(() => a.commit())();
    const b = new StepReconciliation(s, 'f', () => 2);
    b.scope('e').claim('p2', [{ docUid: 'invoice:7', item: 'charge:order:x', matchedBy: 'amount-date' }]);
    b.scope('e').setPosted('p9', '2026-11-09', 'p9');
    s.sqlite.transaction(() => b.commit())();
    const c = new StepReconciliation(s, 'f', () => 3).scope('e');
    const found = c.claimedBy(Array.from({ length: 30_000 }, (_, i) => `invoice:${i}`));
    expect([found.size, found.get('invoice:7')]).toEqual([25_000, 'p1']);
    expect(c.claimsOf('p2')).toEqual([]);
    expect(c.pending()).toEqual([]);
    expect(s.sqlite.prepare(`SELECT status, data, journal FROM recon_payouts WHERE payout_id = 'p9'`).get()).toEqual({
      status: 'posted',
      data: null,
      journal: 'p9',
    });
  });

  it('keeps a settlement pending with the step, settled at once, and never back to pending', () => {
    const s = open();
    const a = new StepReconciliation(s, 'flow-a', () => 1);
    a.scope('erp-1').setSettlement('p1', { items: [1] });
    expect(new StepReconciliation(s, 'flow-a', () => 2).scope('erp-1').settlement('p1')).toBeNull();
    a.commit();
    const b = new StepReconciliation(s, 'flow-a', () => 3).scope('erp-1');
    expect(b.settlement('p1')).toEqual({ status: 'pending', data: { items: [1] }, result: null });
    // Settled is written at once: a step that then fails has still settled it.
    b.markSettled('p1', { entry: 'JE1' });
    const c = new StepReconciliation(s, 'flow-a', () => 4);
    expect(c.scope('erp-1').settlement('p1')).toEqual({ status: 'settled', data: { items: [1] }, result: { entry: 'JE1' } });
    // A replayed reconciliation staging it again does not reopen it.
    c.scope('erp-1').setSettlement('p1', { items: [2] });
    c.commit();
    expect(new StepReconciliation(s, 'flow-a', () => 5).scope('erp-1').settlement('p1')).toEqual({
      status: 'settled',
      data: { items: [1] },
      result: { entry: 'JE1' },
    });
    expect(new StepReconciliation(s, 'flow-b', () => 5).scope('erp-1').settlement('p1')).toBeNull();
  });
});
