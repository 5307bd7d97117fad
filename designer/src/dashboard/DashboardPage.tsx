// At a glance: are the flows healthy, what waits for whom, how many orders went through, is stock drifting, are
// payouts reconciled. Fed by /api/dashboard (server/dashboard/routes.ts).
import { useEffect, useMemo, useState } from 'react';
import { dashboardApi, type DashboardSummary } from '../api/dashboard.ts';
import { Link } from '../app/Link.tsx';
import { Chart, type ChartSeries } from './Chart.tsx';
import { FlowHealthTable } from './FlowHealthTable.tsx';
import { driftColumns, ordersColumns, payoutColumns, percent, totals, type DriftPoint, type OrdersPoint, type PayoutPoint } from './series.ts';

interface Data {
  summary: DashboardSummary;
  orders: OrdersPoint[];
  drift: DriftPoint[];
  payouts: PayoutPoint[];
  /** When the series were read: the end of the drift chart's window. */
  at: number;
}

/** The drift chart's window, in days. */
const DRIFT_DAYS = 7;

const ORDERS: ChartSeries[] = [{ label: 'Orders synced', color: '#2f6fed', bars: true }];
const DRIFT: ChartSeries[] = [
  { label: 'SKUs drifting', color: '#c77c02', rightAxis: true },
  { label: 'Units off', color: '#d64545' },
];
const PAYOUTS: ChartSeries[] = [
  { label: 'Waiting', color: '#c5cdd6', bars: true },
  { label: 'Unbalanced', color: '#d64545', bars: true },
  { label: 'Reconciled', color: '#1f9d55', bars: true },
];

export function DashboardPage() {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([dashboardApi.summary(24), dashboardApi.orders(48), dashboardApi.drift(DRIFT_DAYS), dashboardApi.payouts(12)]).then(
      ([summary, o, d, p]) => setData({ summary, orders: o.points, drift: d.points, payouts: p.points, at: Date.now() }),
      (e: Error) => setError(e.message),
    );
  }, []);
  const orders = useMemo(() => (data ? ordersColumns(data.orders) : null), [data]);
  const drift = useMemo(() => (data ? driftColumns(data.drift, { from: data.at - DRIFT_DAYS * 86_400_000, to: data.at }) : null), [data]);
  const payouts = useMemo(() => (data ? payoutColumns(data.payouts) : null), [data]);

  if (error) return <p className="error page">{error}</p>;
  if (!data || !orders || !drift || !payouts) return <p className="muted page">Loading the dashboard…</p>;
  const t = totals(data.summary.flows);
  const ordersToday = data.orders.slice(-24).reduce((a, p) => a + p.orders, 0);
  return (
    <section className="page dashboard" data-testid="dashboard">
      <h2>
        At a glance <span className="muted small">last {data.summary.windowHours} h</span>
      </h2>
      <div className="kpis">
        <Kpi label="Orders synced (24 h)" value={String(ordersToday)} testId="kpi-orders" />
        <Kpi label="Run success" value={percent(t.rate)} sub={`${t.runs} runs, ${t.failed} failed`} bad={t.failed > 0} testId="kpi-success" />
        <Kpi label="Backlog" value={String(t.backlog)} sub="queued or running" />
        {(['operations', 'finance', 'ecommerce'] as const).map((o) => {
          const c = data.summary.exceptionsByOwner[o];
          return (
            <Kpi
              key={o}
              label={`Exceptions · ${o}`}
              value={String(c.open + c.acknowledged)}
              sub={`${c.open} open, ${c.high} high`}
              bad={c.open > 0}
              to={`/exceptions`}
              testId={`kpi-exc-${o}`}
            />
          );
        })}
      </div>
      <div className="dash-grid">
        <Chart title="Orders synced per hour" data={orders} series={ORDERS} testId="chart-orders" />
        <Chart title="Payouts per month" data={payouts} series={PAYOUTS} time="month" testId="chart-payouts" />
        <Chart title={`Inventory drift, last ${DRIFT_DAYS} days`} data={drift} series={DRIFT} testId="chart-drift" />
        <FlowHealthTable flows={data.summary.flows} />
      </div>
    </section>
  );
}

function Kpi({ label, value, sub, bad, to, testId }: { label: string; value: string; sub?: string; bad?: boolean; to?: string; testId?: string }) {
  const body = (
    <>
      <div className="kpi-label">{label}</div>
      <div className={`kpi-value ${bad ? 'bad' : ''}`}>{value}</div>
      {sub && <div className="help">{sub}</div>}
    </>
  );
  return (
    <div className="card kpi" data-testid={testId}>
      {to ? <Link to={to}>{body}</Link> : body}
    </div>
  );
}
