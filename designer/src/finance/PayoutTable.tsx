import type { PayoutRow } from '../api/finance.ts';

export function PayoutTable({ rows }: { rows: PayoutRow[] }) {
  return (
    <table className="table payouts-table" data-testid="payout-rows">
      <thead>
        <tr><th>Date</th><th>Payout</th><th>Status</th><th className="num">Net</th><th className="num">Charges</th><th className="num">Refunds</th><th className="num">Fees</th><th className="num">ERP variance</th><th>Matched</th><th>Not matched</th><th>Journal</th></tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.payoutId} data-payout={p.payoutId}>
            <td>{p.date}</td>
            <td><code>{p.payoutId}</code> <span className="muted small">{p.shopifyStatus}</span></td>
            <td><span className={`pill ${p.status === 'balanced' ? 'ok' : p.status === 'unbalanced' ? 'bad' : ''}`}>{p.status}</span></td>
            <td className="num">{p.net}</td>
            <td className="num">{p.charges}</td>
            <td className="num">{p.refunds}</td>
            <td className="num">{p.fees}</td>
            <td className={`num ${p.erpVariance !== '0.00' ? 'error' : ''}`}>{p.erpVariance}</td>
            <td>{p.matched}</td>
            <td className={p.missingInErp + p.amountMismatches + p.erpOnly ? 'error' : ''}>
              {p.missingInErp + p.amountMismatches + p.erpOnly ? `${p.missingInErp} missing in ERP, ${p.amountMismatches} amount, ${p.erpOnly} ERP only` : '—'}
            </td>
            <td>{p.ledger ? `${p.ledger.entryNumber ?? ''} ${p.ledger.ties ? '✓ ties' : '✗ off'}` : <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
