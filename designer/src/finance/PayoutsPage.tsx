// Month-end payout reconciliation: per month totals and whether it is reconciled, then each payout with its
// variances and what did not match; CSV export for the spreadsheet finance keeps. Amounts stay decimal strings.
import { useEffect, useState } from 'react';
import { financeApi, type MonthEndReport } from '../api/finance.ts';
import { navigate } from '../app/router.ts';
import { downloadText } from '../lookups/download.ts';
import { MonthSummary } from './MonthSummary.tsx';
import { PayoutTable } from './PayoutTable.tsx';

export function currentMonth(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function PayoutsPage({ month: asked }: { month?: string }) {
  const month = asked && /^\d{4}-\d{2}$/.test(asked) ? asked : currentMonth();
  const [report, setReport] = useState<MonthEndReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The journals are read back from the ERP after the report shows (the ERP may be slow or down): until then, and if
  // it cannot be read, the report stands and the Journal column says why.
  const [ledger, setLedger] = useState<'checking' | 'checked' | string>('checking');
  useEffect(() => {
    let live = true;
    setReport(null);
    setError(null);
    setLedger('checking');
    financeApi.monthEnd(month).then(
      (r) => {
        if (!live) return;
        setReport(r);
        if (!r.payouts.some((p) => p.status === 'balanced')) return setLedger('checked');
        financeApi.monthEnd(month, { ledger: true }).then(
          (withLedger) => live && (setReport(withLedger), setLedger('checked')),
          (e: Error) => live && setLedger(e.message),
        );
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [month]);

  async function exportCsv(kind: 'payouts' | 'payout-lines' | 'trial-balance' = 'payouts') {
    try {
      // The export carries what the page shows: with the journals read back from the ledger once the page has them.
      const withLedger = ledger === 'checked' && !!report?.payouts.some((p) => p.status === 'balanced');
      const get = {
        payouts: (m: string) => financeApi.monthEndCsv(m, { ledger: withLedger }),
        'payout-lines': financeApi.linesCsv,
        'trial-balance': financeApi.trialBalanceCsv,
      }[kind];
      downloadText(`${kind}-${month}.csv`, await get(month));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="page payouts" data-testid="payouts-page">
      <div className="row">
        <h2>Payout reconciliation</h2>
        <input
          type="month"
          aria-label="Month"
          value={month}
          onChange={(e) => e.target.value && navigate(`/finance/payouts?month=${e.target.value}`)}
          style={{ width: 170 }}
        />
        <span className="spacer" />
        <button type="button" onClick={() => void exportCsv()} disabled={!report}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportCsv('payout-lines')} disabled={!report} title="Every reconciled line with its own fee">
          Lines with fees (CSV)
        </button>
        <button type="button" onClick={() => void exportCsv('trial-balance')} title="Per account: opening, debits, credits, closing">
          Trial balance (CSV)
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {!report && !error && <p className="muted">Loading…</p>}
      {report && (
        <>
          {report.months.length === 0 ? (
            <p className="muted" data-testid="no-payouts">
              No payouts reconciled for {month} yet.
            </p>
          ) : (
            report.months.map((m) => <MonthSummary key={`${m.month}-${m.currency}`} m={m} />)
          )}
          {report.payouts.length > 0 && <PayoutTable rows={report.payouts} ledger={ledger} />}
        </>
      )}
    </section>
  );
}
