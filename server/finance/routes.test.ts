// Month-end report over real reconciliation runs (template through the runtime, Shopify sandbox store, sandbox ERP),
// read from the runtime store and served by the finance sub-app, JSON and CSV, with the ledger read back.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxErp, type SandboxErp } from '../../nodes/erp/index.ts';
import { startHarness, type Harness } from '../../nodes/finance/testing/harness.ts';
import { erpMemo, erpOrder, ORDERS, REFUNDS, shopifyScenario } from '../../nodes/finance/testing/scenario-month.ts';
import { monthEndReport } from './report.ts';
import { financeRoutes } from './routes.ts';
import { MonthEndReportSchema } from './schemas.ts';
import { reconciliationsFromStore } from './source.ts';

let h: Harness;
let erp: SandboxErp;

beforeAll(async () => {
  erp = createSandboxErp();
  // 5006 is in the ERP at the wrong price: payout 7002 stays unbalanced.
  for (const o of ORDERS) await erp.createSalesOrder(erpOrder(o, o.id === 5006 ? { price: '25.00' } : {}));
  for (const r of REFUNDS) await erp.createCreditMemo(erpMemo(r));
  h = await startHarness(shopifyScenario(), erp);
  await h.runOnce();
  await h.runOnce();
});
afterAll(async () => {
  await h?.close();
  await erp?.close();
});

describe('month-end payout report', () => {
  it('keeps the latest reconciliation per payout and totals the month', async () => {
    const report = monthEndReport(await reconciliationsFromStore(h.rt.store), { month: '2026-11' });
    expect(report.payouts.map((p) => [p.payoutId, p.status, p.net, p.erpVariance])).toEqual([
      ['7001', 'balanced', '32.34', '0.00'],
      ['7002', 'unbalanced', '137.93', '-1.10'],
    ]);
    expect(report.months).toEqual([
      expect.objectContaining({
        month: '2026-11',
        currency: 'USD',
        payouts: 2,
        balanced: 1,
        unbalanced: 1,
        net: '170.27',
        charges: '221.08',
        refunds: '-43.99',
        fees: '8.07',
        reserves: '0.00',
        erpVariance: '-1.10',
        reconciled: false,
      }),
    ]);
  });

  it('serves JSON with the ledger read back from the ERP, and a CSV for finance', async () => {
    const app = financeRoutes({ load: () => reconciliationsFromStore(h.rt.store), erp: async () => erp });
    const res = await app.request('/month-end?month=2026-11&ledger=true');
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReturnType<typeof monthEndReport>;
    // What the designer compiles against (the documented schema) is what the route sends.
    expect(() => MonthEndReportSchema.parse(body)).not.toThrow();
    expect(body.payouts[0]?.ledger).toMatchObject({ posted: true, ties: true, problems: [] });
    expect(body.payouts[1]?.ledger).toBeNull();

    const csv = await app.request('/month-end?month=2026-11&format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [payoutPart = '', monthPart = ''] = (await csv.text()).split('\n\n');
    const rows = parse(payoutPart, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.Payout, r.Reconciliation, r['Net deposit'], r['Amount mismatches']])).toEqual([
      ['7001', 'balanced', '32.34', '0'],
      ['7002', 'unbalanced', '137.93', '1'],
    ]);
    expect((parse(monthPart, { columns: true }) as Array<Record<string, string>>)[0]).toMatchObject({
      Month: '2026-11',
      'Net deposits': '170.27',
      Reconciled: 'no',
    });

    const payouts = (await (await app.request('/payouts?month=2026-11')).json()) as {
      payouts: Array<{ payoutId: string; items: Array<{ status: string; orderId: string | null; delta: string | null }> }>;
    };
    expect(payouts.payouts[1]?.items.find((i) => i.status === 'amount-mismatch')).toMatchObject({ orderId: '5006', delta: '-1.10' });
    expect((await app.request('/month-end?month=11-2026')).status).toBe(400);
  });
});
