// MonitorHost over the runtime store: what the run and webhook monitors read, and where monitors record samples.
import { and, count, desc, eq, gte, inArray, isNotNull, lte, max, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { alias } from 'drizzle-orm/sqlite-core';
import { events, runs, steps } from '../../../runtime/store/schema.ts';
import type { FailedRuns, FlowDuration, MonitorHost, RunningRun } from '../../../runtime/node-api/monitoring.ts';
import { monitorSamples } from './schema.ts';

const replays = alias(runs, 'x');

export class StoreMonitorHost implements MonitorHost {
  constructor(
    private db: BetterSQLite3Database<any>,
    private now: () => number = Date.now,
  ) {}

  inProgress(): RunningRun[] {
    return this.db
      .select({ id: runs.id, flowId: runs.flowId, status: runs.status, startedAt: runs.startedAt, availableAt: runs.availableAt })
      .from(runs)
      .where(or(eq(runs.status, 'running'), and(eq(runs.status, 'queued'), or(lte(runs.availableAt, this.now()), isNotNull(runs.startedAt)))))
      .orderBy(runs.createdAt)
      .all()
      .map((r) => ({ runId: r.id, flowId: r.flowId, status: r.status as RunningRun['status'], since: r.startedAt ?? r.availableAt }));
  }

  durations(flowIds: string[], samples = 50): Map<string, FlowDuration> {
    const out = new Map<string, FlowDuration>();
    for (const flowId of new Set(flowIds)) {
      const ds = this.db
        .select({ d: sql<number>`${runs.finishedAt} - ${runs.startedAt}` })
        .from(runs)
        .where(and(eq(runs.flowId, flowId), eq(runs.status, 'succeeded'), isNotNull(runs.startedAt), isNotNull(runs.finishedAt)))
        .orderBy(desc(runs.createdAt))
        .limit(samples)
        .all()
        .map((r) => r.d)
        .sort((a, b) => a - b);
      const p95 = ds.length ? (ds[Math.min(ds.length - 1, Math.ceil(ds.length * 0.95) - 1)] ?? null) : null;
      out.set(flowId, { flowId, samples: ds.length, p95Ms: p95 });
    }
    return out;
  }

  failures(since: number): FailedRuns[] {
    const replaySucceeded = this.db
      .select({ one: sql`1` })
      .from(replays)
      .where(and(eq(replays.replayOf, runs.id), eq(replays.status, 'succeeded')));
    return this.db
      .select({
        flowId: runs.flowId,
        total: count(),
        failed: sql<number>`SUM(${runs.status} = 'failed' AND NOT EXISTS ${replaySucceeded})`,
        lastFailed: sql<string | null>`MAX(CASE WHEN ${runs.status} = 'failed' THEN ${runs.id} END)`,
      })
      .from(runs)
      .where(gte(runs.createdAt, since))
      .groupBy(runs.flowId)
      .all()
      .filter((r) => r.failed > 0)
      .map((r) => ({ flowId: r.flowId, failed: r.failed, total: r.total, lastRunId: r.lastFailed as string }));
  }

  lastEventAt(source: string): number | null {
    return (
      this.db
        .select({ at: max(events.receivedAt) })
        .from(events)
        .where(eq(events.source, source))
        .get()?.at ?? null
    );
  }

  stepErrors(codes: string[], since: number) {
    if (!codes.length) return [];
    const code = sql<string>`json_extract(${steps.error}, '$.code')`;
    return this.db
      .select({
        flowId: runs.flowId,
        nodeId: steps.nodeId,
        code: code.as('code'),
        count: count(),
        last: sql<number>`MAX(COALESCE(${steps.finishedAt}, ${steps.startedAt}))`,
      })
      .from(steps)
      .innerJoin(runs, eq(runs.id, steps.runId))
      .where(and(gte(runs.createdAt, since), isNotNull(steps.error), inArray(code, codes)))
      .groupBy(runs.flowId, steps.nodeId, sql`code`)
      .all();
  }

  sample(name: string, value: string | number, labels?: Record<string, string>, at = this.now()) {
    this.db
      .insert(monitorSamples)
      .values({ name, at, value: String(value), labels: labels ? JSON.stringify(labels) : null })
      .run();
  }
}
