import type { PayoutRow } from '../api/finance.ts';
import { Link } from '../app/Link.tsx';

/** `ledger`: 'checking', 'checked', or why the ERP ledger could not be read. */
export function PayoutTable({ rows, ledger = 'checked' }: { rows: PayoutRow[]; ledger?: string }) {
  return (
    <table className="table payouts-table" data-testid="payout-rows">
      <thead>
        <tr>
          <th>Date</th>
          <th>Payout</th>
          <th>Status</th>
          <th className="num">Net</th>
          <th className="num">Charges</th>
          <th className="num">Refunds</th>
          <th className="num">Fees</th>
          <th className="num">ERP variance</th>
          <th>Matched</th>
          <th>Not matched</th>
          <th>Journal</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.payoutId} data-payout={p.payoutId}>
            <td>{p.date}</td>
            <td>
              <code>{p.payoutId}</code> <span className="muted small">{p.shopifyStatus}</span>
            </td>
            <td>
              <span className={`pill ${p.status === 'balanced' ? 'ok' : p.status === 'unbalanced' ? 'bad' : ''}`}>{p.status}</span>
            </td>
            <td className="num">{p.net}</td>
            <td className="num">{p.charges}</td>
            <td className="num">{p.refunds}</td>
            <td className="num">{p.fees}</td>
            <td className={`num ${p.erpVariance !== '0.00' ? 'error' : ''}`}>{p.erpVariance}</td>
            <td>
              {p.matched}
              {p.rounding !== '0.00' && (
                <span className="muted small" data-testid="rounding" title="Matched within the amount tolerance; the journal books it as payout rounding">
                  {' '}
                  · rounding {p.rounding}
                </span>
              )}
            </td>
            <td className={p.missingInErp + p.amountMismatches + p.erpOnly ? 'error' : ''} data-testid="not-matched">
              {p.missingInErp + p.amountMismatches + p.erpOnly ? (
                <Link to={`/exceptions?payout=${encodeURIComponent(p.payoutId)}`} title="The exceptions raised for these items">
                  {`${p.missingInErp} missing in ERP, ${p.amountMismatches} amount, ${p.erpOnly} ERP only`}
                </Link>
              ) : (
                '—'
              )}
            </td>
            <td data-testid="journal">{journalCell(p, ledger)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function journalCell(p: PayoutRow, ledger: string) {
  if (p.ledger) {
    if (!p.ledger.posted)
      return (
        <span className="error" title={p.ledger.problems?.join('; ')}>
          not in the ERP
        </span>
      );
    return p.ledger.ties ? (
      <span className="ok">{p.ledger.entryNumber ?? ''} ✓ ties</span>
    ) : (
      <span className="error" title={p.ledger.problems?.join('; ')}>
        {p.ledger.entryNumber ?? ''} ✗ {p.ledger.problems?.[0] ?? 'off'}
      </span>
    );
  }
  if (p.status !== 'balanced')
    return (
      <span className="muted" title="a journal is posted once the payout balances">
        —
      </span>
    );
  if (ledger === 'checking') return <span className="muted">checking the ERP…</span>;
  if (ledger === 'checked') return <span className="muted">—</span>;
  return (
    <span className="muted" title={ledger}>
      not checked: ERP unreadable
    </span>
  );
}
