// The reconciliation records: staged until the step commits, indexed lookups, first claim wins, pending data kept.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AnyStore } from '../store/any-store.ts';
import { freshStores, testStores } from '../testing/stores.ts';
import { StepReconciliation } from './records.ts';

/** The step's success transaction, as the executor runs it. */
const commit = (s: AnyStore, step: StepReconciliation) =>
  s.sql({}).tx(async () => {
    await step.commit();
  });
const count = async (s: AnyStore, table: string) => Number((await s.sql({}).rows<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0]?.n);

describe.each(testStores())('StepReconciliation on $name', (kind) => {
  const fresh = freshStores(kind);

  it('shows a step its own writes, and nobody else until it commits', async () => {
    const s = (await fresh()).store;
    const step = new StepReconciliation(s, 'flow-a', () => 1);
    const r = step.scope('erp-1');
    await r.claim('p1', [{ docUid: 'invoice:1', item: 'charge:order:11', matchedBy: 'id' }]);
    r.setPending('p2', '2026-11-02', { legacyId: 'p2' });
    expect(await r.claimedBy(['invoice:1', 'invoice:2'])).toEqual(new Map([['invoice:1', 'p1']]));
    expect(await r.pending()).toEqual([{ payoutId: 'p2', issuedAt: '2026-11-02', data: { legacyId: 'p2' } }]);
    // A step that fails never commits: the next one sees nothing.
    expect((await new StepReconciliation(s, 'flow-a', () => 2).scope('erp-1').claimedBy(['invoice:1'])).size).toBe(0);
    await commit(s, step);
    await step.discard();
    const next = new StepReconciliation(s, 'flow-a', () => 3).scope('erp-1');
    expect(await next.claimedBy(['invoice:1'])).toEqual(new Map([['invoice:1', 'p1']]));
    expect(await next.standing(['p1', 'p2'])).toEqual(new Map([['p2', 'pending']]));
    // Scoped by flow and by scope.
    expect((await new StepReconciliation(s, 'flow-b', () => 3).scope('erp-1').claimedBy(['invoice:1'])).size).toBe(0);
    expect((await new StepReconciliation(s, 'flow-a', () => 3).scope('erp-2').claimedBy(['invoice:1'])).size).toBe(0);
  });

  it('stages claims outside the tables until the commit, per step, and drops them when the step fails', async () => {
    const s = (await fresh()).store;
    const claims = (n: number, payout: string) => Array.from({ length: n }, (_, i) => ({ docUid: `invoice:${i}`, item: `${payout}:${i}`, matchedBy: 'id' }));
    const a = new StepReconciliation(s, 'f', () => 1);
    const b = new StepReconciliation(s, 'f', () => 1);
    await a.scope('e').claim('pa', claims(3, 'pa'));
    await b.scope('e').claim('pb', claims(2, 'pb'));
    // Nothing reaches recon_claims while the steps run (a process dying here leaves no claim); each sees its own.
    expect(await count(s, 'recon_claims')).toBe(0);
    expect(await a.scope('e').claimedBy(['invoice:0', 'invoice:2'])).toEqual(
      new Map([
        ['invoice:0', 'pa'],
        ['invoice:2', 'pa'],
      ]),
    );
    expect(await b.scope('e').claimedBy(['invoice:0', 'invoice:2'])).toEqual(new Map([['invoice:0', 'pb']]));
    expect((await a.scope('e').claimsOf('pa')).map((c) => c.item)).toEqual(['pa:0', 'pa:1', 'pa:2']);
    // A document staged again (by another payout of the step) keeps its first claim, in reads and in the commit.
    await a.scope('e').claim('px', [{ docUid: 'invoice:1', item: 'px:1', matchedBy: 'amount-date' }]);
    expect((await a.scope('e').claimedBy(['invoice:1'])).get('invoice:1')).toBe('pa');
    expect(await a.scope('e').claimsOf('px')).toEqual([]);
    // The failed step's claims are gone; the other's commit in claim order.
    await b.discard();
    await commit(s, a);
    await a.discard();
    expect(await count(s, 'recon_claims')).toBe(3);
    if (kind.name === 'sqlite') expect(await count(s, 'temp.recon_claims_staged')).toBe(0);
    const c = new StepReconciliation(s, 'f', () => 2).scope('e');
    expect(await c.claimedBy(['invoice:0', 'invoice:1', 'invoice:2'])).toEqual(
      new Map([
        ['invoice:0', 'pa'],
        ['invoice:1', 'pa'],
        ['invoice:2', 'pa'],
      ]),
    );
    expect((await c.claimsOf('pa')).map((x) => x.item)).toEqual(['pa:0', 'pa:1', 'pa:2']);
    expect(await c.claimsOf('pb')).toEqual([]);
    expect(await c.claimsOf('px')).toEqual([]);
  });

  it('keeps the first claim of a document, drops pending data once posted, and looks up many ids at once', async () => {
    const s = (await fresh()).store;
    const a = new StepReconciliation(s, 'f', () => 1);
    await a.scope('e').claim(
      'p1',
      Array.from({ length: 25_000 }, (_, i) => ({ docUid: `invoice:${i}`, item: `charge:order:${i}`, matchedBy: 'amount-date' })),
    );
    a.scope('e').setPending('p9', '2026-11-09', { big: 'x'.repeat(1000) });
    await commit(s, a);
    const b = new StepReconciliation(s, 'f', () => 2);
    await b.scope('e').claim('p2', [{ docUid: 'invoice:7', item: 'charge:order:x', matchedBy: 'amount-date' }]);
    b.scope('e').setPosted('p9', '2026-11-09', 'p9');
    await commit(s, b);
    const c = new StepReconciliation(s, 'f', () => 3).scope('e');
    const found = await c.claimedBy(Array.from({ length: 30_000 }, (_, i) => `invoice:${i}`));
    expect([found.size, found.get('invoice:7')]).toEqual([25_000, 'p1']);
    expect(await c.claimsOf('p2')).toEqual([]);
    expect(await c.pending()).toEqual([]);
    expect(await s.sql({}).rows(sql`SELECT status, data, journal FROM recon_payouts WHERE payout_id = 'p9'`)).toEqual([
      { status: 'posted', data: null, journal: 'p9' },
    ]);
  });

  it('of two processes claiming the same document at once, exactly one wins', async () => {
    const first = await fresh();
    const twin = await first.twin();
    const docs = Array.from({ length: 500 }, (_, i) => ({ docUid: `invoice:${i}`, item: `charge:${i}`, matchedBy: 'amount-date' }));
    const steps = [new StepReconciliation(first.store, 'f', () => 1), new StepReconciliation(twin.store, 'f', () => 1)];
    await steps[0]!.scope('e').claim('pA', docs);
    await steps[1]!.scope('e').claim('pB', [...docs].reverse());
    await Promise.all(steps.map((step, i) => commit(i ? twin.store : first.store, step)));
    const owners = await new StepReconciliation(first.store, 'f', () => 2).scope('e').claimedBy(docs.map((d) => d.docUid));
    expect(owners.size).toBe(500);
    expect(await count(first.store, 'recon_claims')).toBe(500);
    // Every document has one owner, and it is the payout of whichever step committed it first: one list, not a mix.
    const mine = await Promise.all(['pA', 'pB'].map(async (p) => (await new StepReconciliation(twin.store, 'f', () => 2).scope('e').claimsOf(p)).length));
    expect(mine.sort()).toEqual([0, 500]);
  });

  it("gives a payout's claims in claim order, not in the documents' order the table keeps them by", async () => {
    const s = (await fresh()).store;
    const a = new StepReconciliation(s, 'f', () => 5);
    await a.scope('e').claim(
      'p1',
      ['invoice:9', 'invoice:10', 'invoice:1'].map((docUid, i) => ({ docUid, item: `c${i}`, matchedBy: 'id' })),
    );
    await a.scope('e').claim('p1', [{ docUid: 'credit-memo:3', item: 'c3', matchedBy: 'amount-date' }]);
    await commit(s, a);
    await a.discard();
    const later = new StepReconciliation(s, 'f', () => 6);
    await later.scope('e').claim('p1', [{ docUid: 'invoice:0', item: 'c4', matchedBy: 'id' }]);
    await commit(s, later);
    await later.discard();
    const r = new StepReconciliation(s, 'f', () => 7).scope('e');
    expect((await r.claimsOf('p1')).map((c) => [c.docUid, c.item])).toEqual([
      ['invoice:9', 'c0'],
      ['invoice:10', 'c1'],
      ['invoice:1', 'c2'],
      ['credit-memo:3', 'c3'],
      ['invoice:0', 'c4'],
    ]);
  });

  it('keeps a settlement pending with the step, settled at once, and never back to pending', async () => {
    const s = (await fresh()).store;
    const a = new StepReconciliation(s, 'flow-a', () => 1);
    a.scope('erp-1').setSettlement('p1', { items: [1] });
    expect(await new StepReconciliation(s, 'flow-a', () => 2).scope('erp-1').settlement('p1')).toBeNull();
    await commit(s, a);
    const b = new StepReconciliation(s, 'flow-a', () => 3).scope('erp-1');
    expect(await b.settlement('p1')).toEqual({ status: 'pending', data: { items: [1] }, result: null });
    // Settled is written at once: a step that then fails has still settled it.
    await b.markSettled('p1', { entry: 'JE1' });
    const c = new StepReconciliation(s, 'flow-a', () => 4);
    expect(await c.scope('erp-1').settlement('p1')).toEqual({ status: 'settled', data: { items: [1] }, result: { entry: 'JE1' } });
    // A replayed reconciliation staging it again does not reopen it.
    c.scope('erp-1').setSettlement('p1', { items: [2] });
    await commit(s, c);
    expect(await new StepReconciliation(s, 'flow-a', () => 5).scope('erp-1').settlement('p1')).toEqual({
      status: 'settled',
      data: { items: [1] },
      result: { entry: 'JE1' },
    });
    expect(await new StepReconciliation(s, 'flow-b', () => 5).scope('erp-1').settlement('p1')).toBeNull();
  });
});
