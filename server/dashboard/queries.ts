// The dashboard's figures, read straight from the runtime store (runs, run keys), the exception inbox and monitor
// samples, and the finance helper's reconciliation outputs (server/finance/source.ts): no second copy to drift.
import type Database from 'better-sqlite3';
import type { Store } from '../../runtime/store/db.ts';
import { reconciliationsFromStore } from '../finance/source.ts';
import { latestPerPayout } from '../finance/report.ts';

export interface FlowHealth {
  flowId: string;
  name: string;
  active: boolean;
  lastRun: { runId: string; status: string; at: number } | null;
  /** Finished runs in the window. */
  succeeded: number;
  failed: number;
  /** Scheduled runs in the window that found no work (not counted in succeeded nor in the success rate). */
  idle: number;
  /** succeeded / (succeeded + failed) in the window, idle scheduled runs left out; null without finished runs. */
  successRate: number | null;
  /** Runs queued or running now. */
  backlog: number;
}

export type OwnerCounts = Record<'finance' | 'operations' | 'ecommerce', { open: number; acknowledged: number; high: number }>;

/**
 * SQL (over `runs r`) true for a scheduled run that found no work: fired by a schedule, and ended skipped or
 * succeeded past a branch or route that skipped the rest (a fulfilment poll with no shipment, a payout run with no
 * new payout). Such runs say nothing about orders, so success rates leave them out.
 */
export const IDLE_SCHEDULED_RUN = `(r.status IN ('succeeded', 'skipped')
  AND EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id AND e.source = 'schedule')
  AND (r.status = 'skipped' OR EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.status = 'skipped')))`;

export function flowHealth(sqlite: Database.Database, since: number): FlowHealth[] {
  const flows = sqlite.prepare(`SELECT id, name, active FROM flows WHERE substr(id, 1, 7) <> '__test.' ORDER BY name`).all() as Array<{
    id: string;
    name: string;
    active: number;
  }>;
  const last = sqlite.prepare(
    `SELECT id, status, COALESCE(finished_at, started_at, created_at) AS at FROM runs WHERE flow_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  const counts = sqlite.prepare(
    `SELECT SUM(status = 'succeeded' AND NOT idle) AS ok, SUM(status = 'failed') AS bad, SUM(idle) AS idle
       FROM (SELECT r.status, ${IDLE_SCHEDULED_RUN} AS idle FROM runs r WHERE r.flow_id = ? AND r.created_at >= ?)`,
  );
  const backlog = sqlite.prepare(`SELECT COUNT(*) AS n FROM runs WHERE flow_id = ? AND status IN ('queued','running')`);
  return flows.map((f) => {
    const l = last.get(f.id) as { id: string; status: string; at: number } | undefined;
    const c = counts.get(f.id, since) as { ok: number | null; bad: number | null; idle: number | null };
    const ok = c.ok ?? 0;
    const bad = c.bad ?? 0;
    return {
      flowId: f.id,
      name: f.name,
      active: f.active === 1,
      lastRun: l ? { runId: l.id, status: l.status, at: l.at } : null,
      succeeded: ok,
      failed: bad,
      idle: c.idle ?? 0,
      successRate: ok + bad ? Math.round((ok / (ok + bad)) * 10_000) / 10_000 : null,
      backlog: (backlog.get(f.id) as { n: number }).n,
    };
  });
}

export function openExceptionsByOwner(sqlite: Database.Database): OwnerCounts {
  const out: OwnerCounts = {
    finance: { open: 0, acknowledged: 0, high: 0 },
    operations: { open: 0, acknowledged: 0, high: 0 },
    ecommerce: { open: 0, acknowledged: 0, high: 0 },
  };
  const rows = sqlite
    .prepare(`SELECT owner, state, severity, COUNT(*) AS n FROM exceptions WHERE state <> 'resolved' GROUP BY owner, state, severity`)
    .all() as Array<{ owner: keyof OwnerCounts; state: 'open' | 'acknowledged'; severity: string; n: number }>;
  for (const r of rows) {
    const o = out[r.owner];
    if (!o) continue;
    o[r.state] += r.n;
    if (r.severity === 'high') o.high += r.n;
  }
  return out;
}

/**
 * Orders that reached the ERP, per UTC hour: distinct sales-order business keys whose document the ERP confirmed
 * (a claim completes only with a confirmed document, never a draft kept for a tax mismatch). A succeeded run is not
 * enough: other flows (gift cards, monitors) also succeed on an order the ERP never received.
 */
export function ordersPerHour(sqlite: Database.Database, from: number, to: number, flowId?: string): Array<{ hour: string; orders: number }> {
  const rows = sqlite
    .prepare(
      `SELECT (completed_at / 3600000) AS h, COUNT(DISTINCT key) AS n FROM business_claims
        WHERE state = 'done' AND substr(key, 1, 12) = 'sales-order:' AND substr(flow_id, 1, 7) <> '__test.' AND completed_at >= ? AND completed_at < ? ${flowId ? 'AND flow_id = ?' : ''} GROUP BY h`,
    )
    .all(...[from, to, ...(flowId ? [flowId] : [])]) as Array<{ h: number; n: number }>;
  const by = new Map(rows.map((r) => [r.h, r.n]));
  const out: Array<{ hour: string; orders: number }> = [];
  for (let h = Math.floor(from / 3_600_000); h * 3_600_000 < to; h++) out.push({ hour: new Date(h * 3_600_000).toISOString(), orders: by.get(h) ?? 0 });
  return out;
}

/** Drift monitor samples over time: SKUs drifting and total units off, summed over shops per check time. */
export function driftSeries(sqlite: Database.Database, from: number, to: number): Array<{ at: number; skus: number; units: number }> {
  const rows = sqlite
    .prepare(
      `SELECT at, name, SUM(CAST(value AS REAL)) AS v FROM monitor_samples WHERE name IN ('inventory.drift.skus', 'inventory.drift.units') AND at >= ? AND at < ? GROUP BY at, name ORDER BY at`,
    )
    .all(from, to) as Array<{ at: number; name: string; v: number }>;
  const by = new Map<number, { at: number; skus: number; units: number }>();
  for (const r of rows) {
    const p = by.get(r.at) ?? { at: r.at, skus: 0, units: 0 };
    if (r.name === 'inventory.drift.skus') p.skus = r.v;
    else p.units = r.v;
    by.set(r.at, p);
  }
  return [...by.values()];
}

/** Payouts per month (by payout date), from the latest reconciliation of each: reconciled = balanced. */
export function payoutsPerMonth(
  store: Store,
  months?: number,
): Array<{ month: string; payouts: number; reconciled: number; unbalanced: number; waiting: number }> {
  const by = new Map<string, { month: string; payouts: number; reconciled: number; unbalanced: number; waiting: number }>();
  for (const r of latestPerPayout(reconciliationsFromStore(store))) {
    const month = r.date.slice(0, 7);
    const m = by.get(month) ?? { month, payouts: 0, reconciled: 0, unbalanced: 0, waiting: 0 };
    m.payouts++;
    if (r.status === 'balanced') m.reconciled++;
    else if (r.status === 'unbalanced') m.unbalanced++;
    else m.waiting++;
    by.set(month, m);
  }
  const all = [...by.values()].sort((a, b) => a.month.localeCompare(b.month));
  return months ? all.slice(-months) : all;
}
