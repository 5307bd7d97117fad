// Dashboard API points → the column arrays uPlot draws (x in Unix seconds), plus the summary figures.
import type { DriftPoint, FlowHealth, OrdersPoint, PayoutPoint } from '../api/dashboard.ts';

export type { DriftPoint, OrdersPoint, PayoutPoint };

export type Columns = [number[], ...Array<Array<number | null>>];

const sec = (ms: number) => Math.floor(ms / 1000);

/** Hours are ISO strings (`2026-11-27T04:00:00.000Z` or `2026-11-27T04`); both parse as UTC. */
export function hourMs(hour: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour) ? `${hour}:00:00Z` : hour;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an hour: "${hour}"`);
  return ms;
}

export function ordersColumns(points: OrdersPoint[]): Columns {
  const sorted = [...points].sort((a, b) => hourMs(a.hour) - hourMs(b.hour));
  return [sorted.map((p) => sec(hourMs(p.hour))), sorted.map((p) => p.orders)];
}

/**
 * Drift checks in time order. With `window` (ms), its two ends are on the axis too, as gaps: one check alone (the
 * first hour of a new install) stretched the axis over years, and a day of checks filled a chart meant for a week.
 */
export function driftColumns(points: DriftPoint[], window?: { from: number; to: number }): Columns {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const xs = sorted.map((p) => sec(p.at));
  const skus: Array<number | null> = sorted.map((p) => p.skus);
  const units: Array<number | null> = sorted.map((p) => p.units);
  if (window) {
    const [from, to] = [sec(window.from), sec(window.to)];
    if (!xs.length || from < xs[0]!) xs.unshift(from), skus.unshift(null), units.unshift(null);
    if (to > xs[xs.length - 1]!) xs.push(to), skus.push(null), units.push(null);
  }
  return [xs, skus, units];
}

/** `count` months ending with the month of `now` (UTC), oldest first, as YYYY-MM. */
export function lastMonths(count: number, now = new Date()): string[] {
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

/**
 * Months on x (first day, UTC); stacked totals so the bars of reconciled, unbalanced and waiting sit on each other.
 * Every month of the window is present (empty ones as 0): with one month alone the time axis would stretch over
 * years (it ran to 2029).
 */
export function payoutColumns(points: PayoutPoint[], window = lastMonths(12)): Columns {
  const by = new Map(points.map((p) => [p.month, p]));
  const months = [...new Set([...window, ...points.map((p) => p.month)])].sort();
  const sorted = months.map((month) => by.get(month) ?? { month, payouts: 0, reconciled: 0, unbalanced: 0, waiting: 0 });
  const xs = sorted.map((p) => sec(Date.parse(`${p.month}-01T00:00:00Z`)));
  const rec = sorted.map((p) => p.reconciled);
  const unb = sorted.map((p) => p.reconciled + p.unbalanced);
  const wait = sorted.map((p) => p.reconciled + p.unbalanced + p.waiting);
  return [xs, wait, unb, rec];
}

export function totals(flows: FlowHealth[]): { runs: number; failed: number; rate: number | null; backlog: number } {
  const ok = flows.reduce((a, f) => a + f.succeeded, 0);
  const failed = flows.reduce((a, f) => a + f.failed, 0);
  return { runs: ok + failed, failed, rate: ok + failed ? ok / (ok + failed) : null, backlog: flows.reduce((a, f) => a + f.backlog, 0) };
}

export const percent = (r: number | null) => (r === null ? '—' : `${(Math.floor(r * 1000) / 10).toFixed(1)} %`);
