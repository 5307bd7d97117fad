// The dashboard's figures, read straight from the runtime store (runs, run keys), the exception inbox and monitor
// samples, and the finance helper's reconciliation outputs (server/finance/source.ts): no second copy to drift.
import { and, count, desc, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { RuntimeDb, Store } from '../../runtime/store/db.ts';
import { businessClaims, events, flows, runs, steps } from '../../runtime/store/schema.ts';
import { exceptions, monitorSamples } from '../exceptions/store/schema.ts';
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
 * SQL (over `runs`) true for a scheduled run that found no work: fired by a schedule, and ended skipped or
 * succeeded past a branch or route that skipped the rest (a fulfilment poll with no shipment, a payout run with no
 * new payout). Such runs say nothing about orders, so success rates leave them out.
 */
export const IDLE_SCHEDULED_RUN = sql`(${runs.status} IN ('succeeded', 'skipped')
  AND EXISTS (SELECT 1 FROM ${events} WHERE ${events.id} = ${runs.eventId} AND ${events.source} = 'schedule')
  AND (${runs.status} = 'skipped' OR EXISTS (SELECT 1 FROM ${steps} WHERE ${steps.runId} = ${runs.id} AND ${steps.status} = 'skipped')))`;

const notTestFlow = (id: SQLiteColumn) => sql`substr(${id}, 1, 7) <> '__test.'`;

export function flowHealth(db: RuntimeDb, since: number): FlowHealth[] {
  const list = db.select({ id: flows.id, name: flows.name, active: flows.active }).from(flows).where(notTestFlow(flows.id)).orderBy(flows.name).all();
  return list.map((f) => {
    const l = db
      .select({ id: runs.id, status: runs.status, at: sql<number>`COALESCE(${runs.finishedAt}, ${runs.startedAt}, ${runs.createdAt})` })
      .from(runs)
      .where(eq(runs.flowId, f.id))
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(1)
      .get();
    const c = db
      .select({
        ok: sql<number | null>`SUM(${runs.status} = 'succeeded' AND NOT ${IDLE_SCHEDULED_RUN})`,
        bad: sql<number | null>`SUM(${runs.status} = 'failed')`,
        idle: sql<number | null>`SUM(${IDLE_SCHEDULED_RUN})`,
      })
      .from(runs)
      .where(and(eq(runs.flowId, f.id), gte(runs.createdAt, since)))
      .get();
    const backlog = db
      .select({ n: count() })
      .from(runs)
      .where(and(eq(runs.flowId, f.id), inArray(runs.status, ['queued', 'running'])))
      .get();
    const ok = c?.ok ?? 0;
    const bad = c?.bad ?? 0;
    return {
      flowId: f.id,
      name: f.name,
      active: f.active,
      lastRun: l ? { runId: l.id, status: l.status, at: l.at } : null,
      succeeded: ok,
      failed: bad,
      idle: c?.idle ?? 0,
      successRate: ok + bad ? Math.round((ok / (ok + bad)) * 10_000) / 10_000 : null,
      backlog: backlog?.n ?? 0,
    };
  });
}

export function openExceptionsByOwner(db: RuntimeDb): OwnerCounts {
  const out: OwnerCounts = {
    finance: { open: 0, acknowledged: 0, high: 0 },
    operations: { open: 0, acknowledged: 0, high: 0 },
    ecommerce: { open: 0, acknowledged: 0, high: 0 },
  };
  const rows = db
    .select({ owner: exceptions.owner, state: exceptions.state, severity: exceptions.severity, n: count() })
    .from(exceptions)
    .where(ne(exceptions.state, 'resolved'))
    .groupBy(exceptions.owner, exceptions.state, exceptions.severity)
    .all();
  for (const r of rows) {
    const o = out[r.owner as keyof OwnerCounts];
    if (!o) continue;
    o[r.state as 'open' | 'acknowledged'] += r.n;
    if (r.severity === 'high') o.high += r.n;
  }
  return out;
}

/**
 * Orders that reached the ERP, per UTC hour: distinct sales-order business keys whose document the ERP confirmed
 * (a claim completes only with a confirmed document, never a draft kept for a tax mismatch). A succeeded run is not
 * enough: other flows (gift cards, monitors) also succeed on an order the ERP never received.
 */
export function ordersPerHour(db: RuntimeDb, from: number, to: number, flowId?: string): Array<{ hour: string; orders: number }> {
  const hour = sql<number>`(${businessClaims.completedAt} / 3600000)`;
  const rows = db
    .select({ h: hour, n: sql<number>`COUNT(DISTINCT ${businessClaims.key})` })
    .from(businessClaims)
    .where(
      and(
        eq(businessClaims.state, 'done'),
        sql`substr(${businessClaims.key}, 1, 12) = 'sales-order:'`,
        notTestFlow(businessClaims.flowId),
        gte(businessClaims.completedAt, from),
        lt(businessClaims.completedAt, to),
        flowId ? eq(businessClaims.flowId, flowId) : undefined,
      ),
    )
    .groupBy(hour)
    .all();
  const by = new Map(rows.map((r) => [r.h, r.n]));
  const out: Array<{ hour: string; orders: number }> = [];
  for (let h = Math.floor(from / 3_600_000); h * 3_600_000 < to; h++) out.push({ hour: new Date(h * 3_600_000).toISOString(), orders: by.get(h) ?? 0 });
  return out;
}

/** Drift monitor samples over time: SKUs drifting and total units off, summed over shops per check time. */
export function driftSeries(db: RuntimeDb, from: number, to: number): Array<{ at: number; skus: number; units: number }> {
  const rows = db
    .select({ at: monitorSamples.at, name: monitorSamples.name, v: sql<number>`SUM(CAST(${monitorSamples.value} AS REAL))` })
    .from(monitorSamples)
    .where(and(inArray(monitorSamples.name, ['inventory.drift.skus', 'inventory.drift.units']), gte(monitorSamples.at, from), lt(monitorSamples.at, to)))
    .groupBy(monitorSamples.at, monitorSamples.name)
    .orderBy(monitorSamples.at)
    .all();
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
