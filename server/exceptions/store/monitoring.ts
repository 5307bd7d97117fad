// MonitorHost over the runtime store: what the run and webhook monitors read, and where monitors record samples.
import type Database from 'better-sqlite3';
import type { FailedRuns, FlowDuration, MonitorHost, RunningRun } from '../../../runtime/node-api/monitoring.ts';

export class StoreMonitorHost implements MonitorHost {
  /** Named statements; the key list makes a misspelt `this.q.x` a compile error. */
  private q: Record<'inProgress' | 'durations' | 'failures' | 'lastEvent' | 'sample', Database.Statement>;
  constructor(
    private sqlite: Database.Database,
    private now: () => number = Date.now,
  ) {
    const s = sqlite;
    this.q = {
      inProgress: s.prepare(
        `SELECT id, flow_id, status, started_at, available_at FROM runs WHERE status = 'running' OR (status = 'queued' AND (available_at <= ? OR started_at IS NOT NULL)) ORDER BY created_at`,
      ),
      durations: s.prepare(
        `SELECT finished_at - started_at AS d FROM runs WHERE flow_id = ? AND status = 'succeeded' AND started_at IS NOT NULL AND finished_at IS NOT NULL ORDER BY created_at DESC LIMIT ?`,
      ),
      failures: s.prepare(
        `SELECT r.flow_id, COUNT(*) AS total,
                SUM(r.status = 'failed' AND NOT EXISTS (SELECT 1 FROM runs x WHERE x.replay_of = r.id AND x.status = 'succeeded')) AS failed,
                MAX(CASE WHEN r.status = 'failed' THEN r.id END) AS last_failed
           FROM runs r WHERE r.created_at >= ? GROUP BY r.flow_id`,
      ),
      lastEvent: s.prepare(`SELECT MAX(received_at) AS at FROM events WHERE source = ?`),
      sample: s.prepare(`INSERT INTO monitor_samples (name, at, value, labels) VALUES (?, ?, ?, ?)`),
    };
  }

  inProgress(): RunningRun[] {
    return (this.q.inProgress.all(this.now()) as Array<Record<string, any>>).map((r) => ({
      runId: r.id,
      flowId: r.flow_id,
      status: r.status,
      since: r.started_at ?? r.available_at,
    }));
  }

  durations(flowIds: string[], samples = 50): Map<string, FlowDuration> {
    const out = new Map<string, FlowDuration>();
    for (const flowId of new Set(flowIds)) {
      const ds = (this.q.durations.all(flowId, samples) as Array<{ d: number }>).map((r) => r.d).sort((a, b) => a - b);
      const p95 = ds.length ? (ds[Math.min(ds.length - 1, Math.ceil(ds.length * 0.95) - 1)] ?? null) : null;
      out.set(flowId, { flowId, samples: ds.length, p95Ms: p95 });
    }
    return out;
  }

  failures(since: number): FailedRuns[] {
    return (this.q.failures.all(since) as Array<Record<string, any>>)
      .filter((r) => r.failed > 0)
      .map((r) => ({ flowId: r.flow_id, failed: r.failed, total: r.total, lastRunId: r.last_failed }));
  }

  lastEventAt(source: string): number | null {
    return (this.q.lastEvent.get(source) as { at: number | null }).at ?? null;
  }

  stepErrors(codes: string[], since: number) {
    if (!codes.length) return [];
    const rows = this.sqlite
      .prepare(
        `SELECT r.flow_id, s.node_id, json_extract(s.error, '$.code') AS code, COUNT(*) AS n, MAX(COALESCE(s.finished_at, s.started_at)) AS last
           FROM steps s JOIN runs r ON r.id = s.run_id
          WHERE r.created_at >= ? AND s.error IS NOT NULL AND json_extract(s.error, '$.code') IN (${codes.map(() => '?').join(',')})
          GROUP BY r.flow_id, s.node_id, code`,
      )
      .all(since, ...codes) as Array<Record<string, any>>;
    return rows.map((r) => ({ flowId: r.flow_id, nodeId: r.node_id, code: r.code, count: r.n, last: r.last }));
  }

  sample(name: string, value: string | number, labels?: Record<string, string>, at = this.now()) {
    this.q.sample.run(name, at, String(value), labels ? JSON.stringify(labels) : null);
  }
}
