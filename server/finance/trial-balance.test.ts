// The month-end trial balance over the scenario month run through the payout template on the sandbox ERP. The
// expected figures are worked out by hand below from the scenario's orders, refunds and payouts, not by the code.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../../nodes/erp/index.ts';
import { startHarness, type Harness } from '../../nodes/finance/testing/harness.ts';
import { erpMemo, erpOrder, ORDERS, REFUNDS, shopifyScenario } from '../../nodes/finance/testing/scenario-month.ts';
import { financeRoutes } from './routes.ts';
import { reconciliationsFromStore } from './source.ts';
import type { TrialBalance } from './trial-balance.ts';

let h: Harness;
let erp: SandboxErp;

beforeAll(async () => {
  erp = createSandboxErp();
  for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o));
  for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
  h = await startHarness(shopifyScenario(), erp);
  await h.runOnce();
  await h.runOnce();
});
afterAll(async () => {
  await h?.close();
  await erp?.close();
});

// By hand. Invoices (10 % tax per line): 44.00 + 13.20 + 39.60 + 53.90 + 43.98 + 26.40 = 221.08 receivable,
// net 200.98 revenue, 20.10 tax. Credit memos 6001 (20.00 + 2.00) and 6002 (19.99 + 2.00): 43.99.
// Payout 7001: bank 32.34, fees 3.71, reserve held 40.00, adjustment credit 1.25, clearing credit 74.80 (96.80 − 22.00).
// Payout 7002: bank 137.93, fees 4.36, reserve released 40.00, clearing credit 102.29 (124.28 − 21.99).
// Settlements: clearing 221.08 to receivable for the invoices, receivable 43.99 to clearing for the credit memos.
const NOVEMBER = [
  { account: '1000', opening: '0.00', debits: '170.27', credits: '0.00', closing: '170.27' },
  { account: '1100', opening: '0.00', debits: '265.07', credits: '265.07', closing: '0.00' },
  { account: '1190', opening: '0.00', debits: '221.08', credits: '221.08', closing: '0.00' },
  { account: '1195', opening: '0.00', debits: '40.00', credits: '40.00', closing: '0.00' },
  { account: '2100', opening: '0.00', debits: '4.00', credits: '20.10', closing: '-16.10' },
  { account: '4000', opening: '0.00', debits: '39.99', credits: '200.98', closing: '-160.99' },
  { account: '6100', opening: '0.00', debits: '8.07', credits: '0.00', closing: '8.07' },
  { account: '6200', opening: '0.00', debits: '0.00', credits: '1.25', closing: '-1.25' },
];

describe('month-end trial balance', () => {
  it('shows per account opening, debits, credits and closing; receivable and clearing close at zero', async () => {
    const app = financeRoutes({ load: () => reconciliationsFromStore(h.rt.store), erp: async () => erp });
    const res = await app.request('/trial-balance?month=2026-11');
    expect(res.status).toBe(200);
    const tb = (await res.json()) as TrialBalance;
    expect(tb.accounts).toEqual(NOVEMBER);
    expect(tb.totals).toEqual({ opening: '0.00', debits: '748.48', credits: '748.48', closing: '0.00' });
    expect(tb.balanced).toBe(true);
    expect(tb.checks).toEqual({ receivable: { account: '1100', closing: '0.00' }, clearing: { account: '1190', closing: '0.00' } });
    expect(tb.openReceivables).toEqual([]);

    // December opens where November closed.
    const dec = (await (await app.request('/trial-balance?month=2026-12')).json()) as TrialBalance;
    expect(dec.accounts.map((r) => [r.account, r.opening, r.debits, r.credits, r.closing])).toEqual(
      NOVEMBER.map((r) => [r.account, r.closing, '0.00', '0.00', r.closing]),
    );

    const csv = await app.request('/trial-balance?month=2026-11&format=csv');
    const rows = parse(await csv.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.at(-1)).toEqual({ Account: 'Total', Opening: '0.00', Debits: '748.48', Credits: '748.48', Closing: '0.00' });
    expect((await app.request('/trial-balance?month=2026-13x')).status).toBe(400);
  });

  it('lists every reconciled line with its own fee and net', async () => {
    const app = financeRoutes({ load: () => reconciliationsFromStore(h.rt.store), erp: async () => erp });
    const { lines } = (await (await app.request('/payout-lines?month=2026-11')).json()) as {
      lines: Array<{ bucket: string; orderId: string; fee: string; net: string; amount: string }>;
    };
    expect(lines.filter((l) => l.bucket === 'charge').map((l) => [l.orderId, l.fee])).toEqual(ORDERS.map((o) => [String(o.id), o.fee]));
    expect(lines.find((l) => l.orderId === '5001' && l.bucket === 'charge')).toMatchObject({ amount: '44.00', fee: '1.58', net: '42.42' });
    const csv = parse(await (await app.request('/payout-lines?month=2026-11&format=csv')).text(), { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((r) => r.Order === '5004' && r.Kind === 'charge')).toMatchObject({ Amount: '53.90', Fee: '1.81', Net: '52.09', Match: 'matched' });
  });

  it('lists the receivables a payout has not settled yet', async () => {
    const e = createSandboxErp();
    try {
      await e.createSalesOrder(erpOrder(ORDERS[0]!));
      const app = financeRoutes({ load: () => [], erp: async () => e });
      const tb = (await (await app.request('/trial-balance?month=2026-11')).json()) as TrialBalance;
      expect(tb.checks.receivable.closing).toBe('44.00');
      expect(tb.openReceivables).toEqual([expect.objectContaining({ kind: 'invoice', externalId: '5001', amount: '44.00' })]);
    } finally {
      await e.close();
    }
  });
});
