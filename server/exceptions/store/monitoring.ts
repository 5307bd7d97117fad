// MonitorHost over the runtime store (either dialect): what the run and webhook monitors read, and where monitors
// record samples.
import { and, count, desc, eq, gte, inArray, isNotNull, lte, max, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Store } from '../../../runtime/store/db.ts';
import type { SqlStore } from '../../../runtime/store/sql-store.ts';
import { events, runKeys, runs, steps } from '../../../runtime/store/schema.ts';
import type { FailedRuns, FlowDuration, MonitorHost, RunningRun } from '../../../runtime/node-api/monitoring.ts';
import { monitorSamples } from './schema.ts';

type MonitorTables = { runs: typeof runs; steps: typeof steps; events: typeof events; monitorSamples: typeof monitorSamples; runKeys: typeof runKeys };

export class StoreMonitorHost implements MonitorHost {
  private readonly store: SqlStore<MonitorTables>;

  constructor(
    store: Pick<Store, 'sql'>,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ runs, steps, events, monitorSamples, runKeys });
  }

  async runsOf(key: string, value: string): Promise<Array<{ runId: string; flowId: string; status: string; createdAt: number }>> {
    const { runs: r, runKeys: k } = this.store.tables;
    return this.store.db
      .select({ runId: r.id, flowId: r.flowId, status: r.status, createdAt: r.createdAt })
      .from(k)
      .innerJoin(r, eq(r.id, k.runId))
      .where(and(eq(k.key, key), eq(k.value, value)))
      .orderBy(desc(r.createdAt), desc(r.id))
      .limit(50);
  }

  async inProgress(): Promise<RunningRun[]> {
    const { runs: r } = this.store.tables;
    const rows = await this.store.db
      .select({ id: r.id, flowId: r.flowId, status: r.status, startedAt: r.startedAt, availableAt: r.availableAt })
      .from(r)
      .where(or(eq(r.status, 'running'), and(eq(r.status, 'queued'), or(lte(r.availableAt, this.now()), isNotNull(r.startedAt)))))
      .orderBy(r.createdAt);
    return rows.map((x) => ({ runId: x.id, flowId: x.flowId, status: x.status as RunningRun['status'], since: x.startedAt ?? x.availableAt }));
  }

  async durations(flowIds: string[], samples = 50): Promise<Map<string, FlowDuration>> {
    const { runs: r } = this.store.tables;
    const out = new Map<string, FlowDuration>();
    for (const flowId of new Set(flowIds)) {
      const ds = (
        await this.store.db
          .select({ d: sql<number>`${r.finishedAt} - ${r.startedAt}`.mapWith(Number) })
          .from(r)
          .where(and(eq(r.flowId, flowId), eq(r.status, 'succeeded'), isNotNull(r.startedAt), isNotNull(r.finishedAt)))
          .orderBy(desc(r.createdAt))
          .limit(samples)
      )
        .map((x) => x.d)
        .sort((a, b) => a - b);
      const p95 = ds.length ? (ds[Math.min(ds.length - 1, Math.ceil(ds.length * 0.95) - 1)] ?? null) : null;
      out.set(flowId, { flowId, samples: ds.length, p95Ms: p95 });
    }
    return out;
  }

  async failures(since: number): Promise<FailedRuns[]> {
    const { runs: r } = this.store.tables;
    // The alias is taken of this dialect's table (its pg-core form on PostgreSQL).
    const replays = alias(r, 'x');
    const replaySucceeded = this.store.db
      .select({ one: sql`1` })
      .from(replays)
      .where(and(eq(replays.replayOf, r.id), eq(replays.status, 'succeeded')));
    const rows = await this.store.db
      .select({
        flowId: r.flowId,
        total: count(),
        failed: sql<number>`SUM(CASE WHEN ${r.status} = 'failed' AND NOT EXISTS ${replaySucceeded} THEN 1 ELSE 0 END)`.mapWith(Number),
        lastFailed: sql<string | null>`MAX(CASE WHEN ${r.status} = 'failed' THEN ${r.id} END)`,
      })
      .from(r)
      .where(gte(r.createdAt, since))
      .groupBy(r.flowId);
    return rows.filter((x) => x.failed > 0).map((x) => ({ flowId: x.flowId, failed: x.failed, total: x.total, lastRunId: x.lastFailed as string }));
  }

  async lastEventAt(source: string): Promise<number | null> {
    const { events: e } = this.store.tables;
    const [row] = await this.store.db
      .select({ at: max(e.receivedAt) })
      .from(e)
      .where(eq(e.source, source));
    return row?.at ?? null;
  }

  async stepErrors(codes: string[], since: number) {
    if (!codes.length) return [];
    const { runs: r, steps: s } = this.store.tables;
    // The error is JSON text; each dialect reads its code its own way.
    const code: SQL<string> = this.store.dialect === 'postgres' ? sql<string>`(${s.error}::json ->> 'code')` : sql<string>`json_extract(${s.error}, '$.code')`;
    return this.store.db
      .select({
        flowId: r.flowId,
        nodeId: s.nodeId,
        code: sql<string>`${code}`,
        count: count(),
        last: sql<number>`MAX(COALESCE(${s.finishedAt}, ${s.startedAt}))`.mapWith(Number),
      })
      .from(s)
      .innerJoin(r, eq(r.id, s.runId))
      .where(and(gte(r.createdAt, since), isNotNull(s.error), inArray(code, codes)))
      .groupBy(r.flowId, s.nodeId, code);
  }

  async sample(name: string, value: string | number, labels?: Record<string, string>, at = this.now()): Promise<void> {
    await this.store.db.insert(this.store.tables.monitorSamples).values({ name, at, value: String(value), labels: labels ? JSON.stringify(labels) : null });
  }
}
