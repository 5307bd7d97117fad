// The two ways payout transactions reach the reconciliation give the same result: shopify.payouts with
// `transactions: inline` (every transaction in the step output, as before) and `stored` (pages written into the
// payout rows, the output carrying a count and digest per payout). Same Shopify store, same ERP documents, two
// runtimes: the reconciliation outputs, exceptions, claims, settlements and journals are compared field by field.
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import type { Scenario } from '../shopify/index.ts';
import { startHarness, type Harness } from './testing/harness.ts';
import { seedErpDocs, type SeedDoc } from './testing/bulk.ts';
import { nth } from './testing/defined.ts';
import { rawRows } from '../../runtime/testing/raw.ts';

const open: Array<{ h: Harness; erp: SandboxErp }> = [];
afterEach(async () => {
  for (const { h, erp } of open.splice(0)) {
    await h.close();
    await erp.close();
  }
});

interface Tx {
  id: number;
  type: string;
  amount: string;
  fee: string;
  order: number | null;
  orderTx: number | null;
  sourceType: string;
  date: string;
}

/**
 * Six payouts of 150 transactions: charges with their invoice, every 20th a refund with its credit memo (keyed by the
 * order transaction), every 50th a shipping label; payout 2 misses 5 invoices, payout 3 has 5 at a wrong amount,
 * payout 4's invoices carry the ERP's own ids (matched by amount and date), payout 5 is still in transit, payout 6
 * holds a chargeback and a transaction type Ledgerline does not know. One ERP invoice Shopify never paid sits in
 * payout 1's dates.
 */
function month(): { scenario: Scenario; docs: SeedDoc[] } {
  const txs: Array<Tx & { payout: number }> = [];
  const docs: SeedDoc[] = [];
  const payouts: Array<{ id: number; status: string; date: string }> = [];
  for (let p = 1; p <= 6; p++) {
    const day = `2026-10-${String(p * 4).padStart(2, '0')}`;
    payouts.push({ id: 8000 + p, status: p === 5 ? 'in_transit' : 'paid', date: day });
    for (let i = 0; i < 150; i++) {
      const id = p * 100_000 + i;
      const order = p * 10_000 + i;
      const price = new Decimal(5 + ((p * 31 + i * 17) % 400) / 4).toFixed(2);
      if (i % 50 === 49) {
        txs.push({
          id,
          type: 'shipping_label',
          amount: '-4.50',
          fee: '0.00',
          order: null,
          orderTx: null,
          sourceType: 'adjustment',
          date: `${day}T10:00:00Z`,
          payout: 8000 + p,
        });
        continue;
      }
      if (i % 20 === 19) {
        txs.push({
          id,
          type: 'refund',
          amount: `-${price}`,
          fee: '0.00',
          order,
          orderTx: id + 7,
          sourceType: 'refund',
          date: `${day}T11:00:00Z`,
          payout: 8000 + p,
        });
        docs.push({ kind: 'credit-memo', externalId: String(id + 7), date: day, gross: price });
        continue;
      }
      txs.push({ id, type: 'charge', amount: price, fee: '0.59', order, orderTx: null, sourceType: 'charge', date: `${day}T09:00:00Z`, payout: 8000 + p });
      if (p === 2 && i % 30 === 0) continue;
      const gross = p === 3 && i % 30 === 0 ? new Decimal(price).plus('1.00').toFixed(2) : price;
      docs.push({ kind: 'invoice', externalId: p === 4 ? `ERP-${order}` : String(order), date: day, gross });
    }
    if (p === 6) {
      txs.push({
        id: 699_001,
        type: 'dispute',
        amount: '-30.00',
        fee: '15.00',
        order: 60_001,
        orderTx: null,
        sourceType: 'dispute',
        date: `${day}T12:00:00Z`,
        payout: 8006,
      });
      txs.push({
        id: 699_002,
        type: 'shop_cash_credit_new',
        amount: '2.00',
        fee: '0.00',
        order: null,
        orderTx: null,
        sourceType: 'adjustment',
        date: `${day}T12:00:00Z`,
        payout: 8006,
      });
    }
  }
  docs.push({ kind: 'invoice', externalId: '99999', date: '2026-10-04', gross: '77.00' });
  const net = (p: number) =>
    txs
      .filter((t) => t.payout === p)
      .reduce((a, t) => a.plus(t.amount).minus(t.fee), new Decimal(0))
      .toFixed(2);
  const scenario = {
    shop: { name: 'Stored vs inline', currency: 'USD' },
    orders: [],
    refunds: [],
    payouts: payouts.map((p) => ({ id: p.id, status: p.status, date: p.date, currency: 'USD', amount: net(p.id), summary: {} })),
    balanceTransactions: txs.map((t) => ({
      id: t.id,
      type: t.type,
      test: false,
      payout_id: t.payout,
      payout_status: 'paid',
      currency: 'USD',
      amount: t.amount,
      fee: t.fee,
      net: new Decimal(t.amount).minus(t.fee).toFixed(2),
      source_id: t.sourceType === 'dispute' ? 9960 : t.id,
      source_type: t.sourceType,
      source_order_id: t.order,
      source_order_transaction_id: t.orderTx,
      processed_at: t.date,
      adjustment_order_transactions: [],
      adjustment_reason: null,
    })),
  } as unknown as Scenario;
  return { scenario, docs };
}

async function start(transactions: 'inline' | 'stored', items: 'all' | 'problems' = 'all') {
  const { scenario, docs } = month();
  const erp = createSandboxErp();
  seedErpDocs(erp, docs);
  // Plan plus: its cost bucket holds both reads whole, so the test does not wait on Shopify's rate limit.
  const h = await startHarness(scenario, erp, {
    plan: 'plus',
    patch: (flow) => {
      const payouts = flow.nodes.find((n: { type: string }) => n.type === 'shopify.payouts');
      payouts.config = { ...payouts.config, since: '2026-10-01', transactions };
      const reconcile = flow.nodes.find((n: { type: string }) => n.type === 'finance.reconcile-payouts');
      reconcile.config = { ...reconcile.config, items };
    },
  });
  open.push({ h, erp });
  return { h, erp };
}

type Run = Awaited<ReturnType<Harness['runOnce']>>;
const step = (run: Run, id: string) => run.steps.find((s) => s.nodeId === id)!;
/** Everything the run produced but the clock: the reconciliation time is the only field allowed to differ. */
const comparable = (run: Run) => {
  const out = structuredClone(step(run, 'reconcile').output) as { reconciliations: Array<{ reconciledAt?: string }> };
  for (const r of out.reconciliations) delete r.reconciledAt;
  return {
    status: run.status,
    port: step(run, 'reconcile').port,
    reconcile: out,
    journal: step(run, 'post-journal').output,
    settle: step(run, 'settle').output,
  };
};
const tables = async (h: Harness) => ({
  claims: await rawRows<{ matched_by: string }>(h.rt.store, `SELECT payout_id, doc_uid, item, matched_by FROM recon_claims ORDER BY payout_id, doc_uid`),
  payouts: await rawRows(h.rt.store, `SELECT payout_id, status, journal FROM recon_payouts ORDER BY payout_id`),
  settlements: await rawRows(h.rt.store, `SELECT payout_id, status, data FROM recon_settlements ORDER BY payout_id`),
});
const exceptions = (h: Harness) =>
  h.sink
    .open()
    .map((e) => ({ ...e, links: { ...e.links, runId: undefined }, firstSeen: undefined, lastSeen: undefined }))
    .sort((a, b) => `${a.type}${a.key}`.localeCompare(`${b.type}${b.key}`));
const journals = async (erp: SandboxErp) =>
  (await erp.listLedger({ from: '2026-10-01', to: '2026-12-31' }))
    .filter((l) => l.source.type === 'journal')
    .map((l) => [l.source.externalId, l.account, l.debit, l.credit]);

describe('payout transactions stored in the payout rows vs carried in the step output', () => {
  it('reconcile to the same outputs, exceptions, claims, settlements and journals, run after run', async () => {
    const inline = await start('inline');
    const stored = await start('stored');

    const a = await inline.h.runOnce();
    const b = await stored.h.runOnce();
    expect(a.status, JSON.stringify(a.error)).toBe('succeeded');
    expect(b.status, JSON.stringify(b.error)).toBe('succeeded');

    // The stored run's payouts step carries references only; the inline one every transaction.
    const refs = (
      step(b, 'payouts').output as {
        payouts: Array<{ legacyId: string; balanceTransactions: unknown[]; stored?: { count: number; digest: string; from: string } }>;
      }
    ).payouts;
    expect(refs.map((p) => [p.legacyId, p.balanceTransactions.length, p.stored?.count, p.stored?.from])).toEqual(
      [1, 2, 3, 4, 5, 6].map((p) => [String(8000 + p), 0, p === 6 ? 152 : 150, `2026-10-${String(p * 4).padStart(2, '0')}`]),
    );
    const inlineTxs = (step(a, 'payouts').output as { payouts: Array<{ balanceTransactions: unknown[] }> }).payouts.reduce(
      (n, p) => n + p.balanceTransactions.length,
      0,
    );
    expect(inlineTxs).toBe(902);
    expect(JSON.stringify(step(b, 'payouts').output).length).toBeLessThan(JSON.stringify(step(a, 'payouts').output).length / 50);

    const ca = comparable(a);
    const cb = comparable(b);
    // Field by field, so a difference names its path.
    expect(cb.reconcile).toEqual(ca.reconcile);
    expect(cb).toEqual(ca);
    const recs = (ca.reconcile as unknown as { reconciliations: Array<{ payoutId: string; status: string; counts: Record<string, number> }> }).reconciliations;
    // The data exercises what it should: every kind of outcome is there.
    expect(recs.map((r) => [r.payoutId, r.status])).toEqual([
      ['8001', 'balanced'],
      ['8002', 'unbalanced'],
      ['8003', 'unbalanced'],
      ['8004', 'balanced'],
      ['8005', 'waiting'],
      ['8006', 'balanced'],
    ]);
    expect(nth(recs, 0).counts['erp-only']).toBe(1);
    expect(nth(recs, 1).counts['missing-in-erp']).toBe(5);
    expect(nth(recs, 2).counts['amount-mismatch']).toBe(5);
    expect(await tables(stored.h)).toEqual(await tables(inline.h));
    expect((await tables(stored.h)).claims.filter((c) => c.matched_by === 'amount-date')).toHaveLength(141);
    expect(exceptions(stored.h)).toEqual(exceptions(inline.h));
    expect(exceptions(stored.h).map((e) => e.type)).toContain('payout-dispute');
    expect(await journals(stored.erp)).toEqual(await journals(inline.erp));

    // Rows of posted payouts are gone with the step; those of payouts still waiting stay for the next run.
    const rows = await rawRows<{ payout_id: string; n: number | string }>(
      stored.h.rt.store,
      `SELECT payout_id, SUM(count) AS n FROM recon_balance_pages GROUP BY payout_id ORDER BY payout_id`,
    );
    expect(rows.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
      { payout_id: '8002', n: 150 },
      { payout_id: '8003', n: 150 },
      { payout_id: '8005', n: 150 },
    ]);

    // Finance posts the missing invoices; the next run reconciles the waiting payouts from what each path kept.
    for (const { erp } of [inline, stored]) {
      seedErpDocs(
        erp,
        Array.from({ length: 5 }, (_, k) => k * 30).map((i) => ({
          kind: 'invoice' as const,
          externalId: String(20_000 + i),
          date: '2026-10-08',
          gross: new Decimal(5 + ((2 * 31 + i * 17) % 400) / 4).toFixed(2),
        })),
      );
    }
    const a2 = await inline.h.runOnce();
    const b2 = await stored.h.runOnce();
    const [c2a, c2b] = [comparable(a2), comparable(b2)];
    expect(c2b).toEqual(c2a);
    expect((c2a.reconcile as unknown as { payoutIds: string[] }).payoutIds).toEqual(['8002']);
    expect(await tables(stored.h)).toEqual(await tables(inline.h));
    expect(exceptions(stored.h)).toEqual(exceptions(inline.h));
    expect(await journals(stored.erp)).toEqual(await journals(inline.erp));
  }, 120_000);

  it('with the output listing problems only (as above 20,000 transactions), settle, claim and raise exactly what the full listing does', async () => {
    const inline = await start('inline', 'all');
    const stored = await start('stored', 'problems');
    const a = await inline.h.runOnce();
    const b = await stored.h.runOnce();
    expect(b.status, JSON.stringify(b.error)).toBe('succeeded');
    const ca = comparable(a);
    const cb = comparable(b);
    // The full listing, cut to what finance must look at, is the problems listing; counts cover every item in both.
    type Out = { items: string; reconciliations: Array<{ items: Array<{ status: string; note?: string }> }> };
    const full = ca.reconcile as unknown as Out;
    for (const r of full.reconciliations) r.items = r.items.filter((i) => ['missing-in-erp', 'amount-mismatch', 'erp-only'].includes(i.status) || i.note);
    full.items = 'problems';
    expect(cb.reconcile).toEqual(full);
    expect([cb.journal, cb.settle]).toEqual([ca.journal, ca.settle]);
    expect(await tables(stored.h)).toEqual(await tables(inline.h));
    expect(exceptions(stored.h)).toEqual(exceptions(inline.h));
    expect(await journals(stored.erp)).toEqual(await journals(inline.erp));
  }, 120_000);
});
