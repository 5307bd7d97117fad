import type { MonthRow } from '../api/finance.ts';

const money = (v: string, cur: string) => `${v} ${cur}`;

export function MonthSummary({ m }: { m: MonthRow }) {
  const items: Array<[string, string]> = [
    ['Net deposits', m.net],
    ['Charges', m.charges],
    ['Refunds', m.refunds],
    ['Fees', m.fees],
    ['Adjustments', m.adjustments],
    ['Disputes', m.disputes],
    ['Reserves', m.reserves],
    // Cents Shopify and the ERP differed by within the tolerance, booked by the journals: shown when there are any.
    ...(m.rounding !== '0.00' ? [['Payout rounding', m.rounding] as [string, string]] : []),
    ['ERP variance', m.erpVariance],
    ['Shopify variance', m.shopifyVariance],
  ];
  return (
    <div className="card month-summary" data-testid={`month-${m.month}-${m.currency}`}>
      <div className="row">
        <h3>
          {m.month} · {m.currency}
        </h3>
        <span className={`pill ${m.reconciled ? 'ok' : 'bad'}`} data-testid="month-status">
          {m.reconciled ? 'reconciled' : 'not reconciled'}
        </span>
        <span className="muted small">
          {m.payouts} payouts: {m.balanced} balanced, {m.unbalanced} unbalanced, {m.waiting} waiting, {m.notPaid} not paid
        </span>
      </div>
      <dl className="figures">
        {items.map(([k, v]) => (
          <div key={k} className={k.includes('variance') && v !== '0.00' ? 'bad' : ''}>
            <dt>{k}</dt>
            <dd>{money(v, m.currency)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
