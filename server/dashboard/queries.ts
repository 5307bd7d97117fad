// The dashboard's figures, read straight from the runtime store (runs, run keys), the exception inbox and monitor
// samples, and the finance helper's reconciliation outputs (server/finance/source.ts): no second copy to drift.
import { and, count, desc, eq, gte, inArray, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Store } from '../../runtime/store/db.ts';
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

type RunTables = { runs: typeof runs; events: typeof events; steps: typeof steps };

/**
 * SQL (over `runs`) true for a scheduled run that found no work: fired by a schedule, and ended skipped or
 * succeeded past a branch or route that skipped the rest (a fulfilment poll with no shipment, a payout run with no
 * new payout). Such runs say nothing about orders, so success rates leave them out.
 */
export const idleScheduledRun = ({ runs, events, steps }: RunTables) => sql`(${runs.status} IN ('succeeded', 'skipped')
  AND EXISTS (SELECT 1 FROM ${events} WHERE ${events.id} = ${runs.eventId} AND ${events.source} = 'schedule')
  AND (${runs.status} = 'skipped' OR EXISTS (SELECT 1 FROM ${steps} WHERE ${steps.runId} = ${runs.id} AND ${steps.status} = 'skipped')))`;

// Counted with CASE: PostgreSQL does not sum booleans.
const countWhere = (cond: SQL) => sql<number | null>`SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;

const notTestFlow = (id: SQLiteColumn) => sql`substr(${id}, 1, 7) <> '__test.'`;

export async function flowHealth(from: Pick<Store, 'sql'>, since: number): Promise<FlowHealth[]> {
  const store = from.sql({ flows, runs, events, steps });
  const t = store.tables;
  const { flows: f, runs: r } = t;
  const list = await store.db.select({ id: f.id, name: f.name, active: f.active }).from(f).where(notTestFlow(f.id)).orderBy(f.name);
  const idle = idleScheduledRun(t);
  return Promise.all(
    list.map(async (fl) => {
      const [l] = await store.db
        .select({ id: r.id, status: r.status, at: sql<number>`COALESCE(${r.finishedAt}, ${r.startedAt}, ${r.createdAt})` })
        .from(r)
        .where(eq(r.flowId, fl.id))
        .orderBy(desc(r.createdAt), desc(r.id))
        .limit(1);
      const [c] = await store.db
        .select({
          ok: countWhere(sql`${r.status} = 'succeeded' AND NOT ${idle}`),
          bad: countWhere(sql`${r.status} = 'failed'`),
          idle: countWhere(idle),
        })
        .from(r)
        .where(and(eq(r.flowId, fl.id), gte(r.createdAt, since)));
      const [backlog] = await store.db
        .select({ n: count() })
        .from(r)
        .where(and(eq(r.flowId, fl.id), inArray(r.status, ['queued', 'running'])));
      const ok = c?.ok ?? 0;
      const bad = c?.bad ?? 0;
      return {
        flowId: fl.id,
        name: fl.name,
        active: fl.active,
        lastRun: l ? { runId: l.id, status: l.status, at: l.at } : null,
        succeeded: ok,
        failed: bad,
        idle: c?.idle ?? 0,
        successRate: ok + bad ? Math.round((ok / (ok + bad)) * 10_000) / 10_000 : null,
        backlog: backlog?.n ?? 0,
      };
    }),
  );
}

export async function openExceptionsByOwner(from: Pick<Store, 'sql'>): Promise<OwnerCounts> {
  const store = from.sql({ exceptions });
  const { exceptions: e } = store.tables;
  const out: OwnerCounts = {
    finance: { open: 0, acknowledged: 0, high: 0 },
    operations: { open: 0, acknowledged: 0, high: 0 },
    ecommerce: { open: 0, acknowledged: 0, high: 0 },
  };
  const rows = await store.db
    .select({ owner: e.owner, state: e.state, severity: e.severity, n: count() })
    .from(e)
    .where(ne(e.state, 'resolved'))
    .groupBy(e.owner, e.state, e.severity);
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
export async function ordersPerHour(from: Pick<Store, 'sql'>, since: number, to: number, flowId?: string): Promise<Array<{ hour: string; orders: number }>> {
  const store = from.sql({ businessClaims });
  const { businessClaims: b } = store.tables;
  const hour = sql<number>`(${b.completedAt} / 3600000)`;
  const rows = await store.db
    .select({ h: hour, n: sql<number>`COUNT(DISTINCT ${b.key})` })
    .from(b)
    .where(
      and(
        eq(b.state, 'done'),
        sql`substr(${b.key}, 1, 12) = 'sales-order:'`,
        notTestFlow(b.flowId),
        gte(b.completedAt, since),
        lt(b.completedAt, to),
        flowId ? eq(b.flowId, flowId) : undefined,
      ),
    )
    .groupBy(hour);
  const by = new Map(rows.map((r) => [Number(r.h), Number(r.n)]));
  const out: Array<{ hour: string; orders: number }> = [];
  for (let h = Math.floor(since / 3_600_000); h * 3_600_000 < to; h++) out.push({ hour: new Date(h * 3_600_000).toISOString(), orders: by.get(h) ?? 0 });
  return out;
}

/** Drift monitor samples over time: SKUs drifting and total units off, summed over shops per check time. */
export async function driftSeries(from: Pick<Store, 'sql'>, since: number, to: number): Promise<Array<{ at: number; skus: number; units: number }>> {
  const store = from.sql({ monitorSamples });
  const { monitorSamples: m } = store.tables;
  // DOUBLE PRECISION: a float in both dialects (SQLite reads the name as REAL; PostgreSQL's REAL is single precision).
  const rows = await store.db
    .select({ at: m.at, name: m.name, v: sql<number>`SUM(CAST(${m.value} AS DOUBLE PRECISION))` })
    .from(m)
    .where(and(inArray(m.name, ['inventory.drift.skus', 'inventory.drift.units']), gte(m.at, since), lt(m.at, to)))
    .groupBy(m.at, m.name)
    .orderBy(m.at);
  const by = new Map<number, { at: number; skus: number; units: number }>();
  for (const r of rows) {
    const p = by.get(r.at) ?? { at: r.at, skus: 0, units: 0 };
    if (r.name === 'inventory.drift.skus') p.skus = Number(r.v);
    else p.units = Number(r.v);
    by.set(r.at, p);
  }
  return [...by.values()];
}

/** Payouts per month (by payout date), from the latest reconciliation of each: reconciled = balanced. */
export async function payoutsPerMonth(
  store: Pick<Store, 'sql'>,
  months?: number,
): Promise<Array<{ month: string; payouts: number; reconciled: number; unbalanced: number; waiting: number }>> {
  const by = new Map<string, { month: string; payouts: number; reconciled: number; unbalanced: number; waiting: number }>();
  for (const r of latestPerPayout(await reconciliationsFromStore(store))) {
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
