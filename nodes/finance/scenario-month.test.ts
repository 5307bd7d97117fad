// The "done when" month on the sandbox ERP: 41 orders (USD shop, presented in USD and GBP; a VAT-inclusive
// and a multi-tax-line one; a voided and a pending one; a gift card sold and one redeemed), two partial refunds
// restocked at different locations and a shipping-only refund, two payouts with fees, an adjustment and a
// chargeback, all through the shipped templates. The month-end trial balance must equal expected.json, which
// flows/templates/scenarios/month/expected.py works out from the fixture without Ledgerline code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../erp/index.ts';
import { trialBalance } from '../../server/finance/trial-balance.ts';
import { loadExpected, runMonth, type MonthRun } from './testing/month.ts';
import type { ErpSettlement } from '../erp/contract.ts';
import { classifyFailedRun } from '../../server/exceptions/store/classify.ts';
import { defaultsFor } from '../../server/exceptions/store/defaults.ts';
import { defined, nth } from './testing/defined.ts';

let m: MonthRun;
let erp: SandboxErp;
const expected = loadExpected();

beforeAll(async () => {
  erp = createSandboxErp();
  m = await runMonth(erp);
}, 600_000);
afterAll(async () => {
  await m?.close();
  await erp?.close();
});

describe('scenario month on the sandbox ERP', () => {
  it('posts every paid order once, skips the voided and pending ones, and books every refund', () => {
    for (const o of m.month.orders) {
      const runs = defined(m.orderRuns.get(o.id), `runs of order ${o.id}`);
      const [order, gift] = [nth(runs, 0, 'order run'), nth(runs, 1, 'gift-card run')];
      const kind = m.month.kinds[String(o.id)];
      if (kind === 'voided' || kind === 'pending') expect([order.status, o.name]).toEqual(['skipped', o.name]);
      else expect([order.status, o.name, JSON.stringify(order.error ?? null)]).toEqual(['succeeded', o.name, 'null']);
      // The gift-card flow books a journal for the order with gift cards (50.00 sold, 30.00 redeemed), none for the others.
      const journal = gift.steps.find((s) => s.nodeId === 'post-journal');
      if (kind === 'gift-card')
        expect(journal?.output).toMatchObject({ externalId: `giftcard:${o.id}`, created: true, totals: { debit: '80.00', credit: '80.00' } });
      else expect([gift.status, journal?.status ?? 'skipped']).toEqual(['succeeded', 'skipped']);
    }
    expect(m.refundRuns.map((r) => [r.status, JSON.stringify(r.error ?? null)])).toEqual(m.month.refunds.map(() => ['succeeded', 'null']));
  });

  it('posts and settles both payouts; the month-end trial balance is the one worked out by hand', async () => {
    for (const r of m.payoutRuns) expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    // Both payouts are journaled (and settled) in the first run: a backlog goes out in one run.
    const posted = m.payoutRuns
      .flatMap((r) => (r.steps.find((s) => s.nodeId === 'post-journal')?.output as { journals?: Array<{ externalId: string }> } | undefined)?.journals ?? [])
      .map((j) => j.externalId);
    expect(posted).toEqual(m.month.payouts.map((p) => String(p.id)));
    const settled = m.payoutRuns
      .flatMap(
        (r) =>
          (r.steps.find((s) => s.nodeId === 'settle')?.output as { settlements?: Array<{ settlement: ErpSettlement | null }> } | undefined)?.settlements ?? [],
      )
      .flatMap((x) => x.settlement?.items ?? []);
    expect(settled.filter((i) => i.status !== 'settled')).toEqual([]);
    expect(settled.find((i) => i.kind === 'chargeback')).toMatchObject({ externalId: String(m.month.chargebackOrder), invoiceStatus: 'disputed' });

    const tb = await trialBalance(erp, expected.month, { receivable: '1100', clearing: '1190' });
    expect(tb.accounts).toEqual(expected.accounts);
    expect(tb.balanced).toBe(true);
    // Receivables of paid-out orders are zero: what stays open is the chargebacked order, and clearing is zero.
    expect(tb.checks).toEqual({ receivable: { account: '1100', closing: expected.receivableOpen }, clearing: { account: '1190', closing: '0.00' } });
  });

  it('raises every planted divergence once, as the right type, owned by finance', () => {
    const open = m.sink.open().map((e) => [e.type, e.key, e.owner, e.count]);
    expect(open).toEqual([['payout-dispute', `dispute:order:${expected.chargebackOrder}`, 'finance', 1]]);
  });

  // The goodwill refund (lines 22.00, cash 10.00), sent after the close: the memo is checked against the cash returned.
  it('refuses the goodwill refund whose lines are not the cash returned, and raises it to finance once', async () => {
    const run = nth(await m.send('refunds/create', m.month.goodwillRefund, ['refund-to-credit-memo']), 0, 'run');
    expect(run.status).toBe('failed');
    expect(classifyFailedRun(run)).toMatchObject({ type: 'refund-cash-mismatch' });
    expect(defaultsFor('refund-cash-mismatch').owner).toBe('finance');
    const again = nth(await m.send('refunds/create', m.month.goodwillRefund, ['refund-to-credit-memo']), 0, 'run');
    expect(classifyFailedRun(again)).toMatchObject({ type: 'refund-cash-mismatch', key: classifyFailedRun(run)!.key });
  });
});
