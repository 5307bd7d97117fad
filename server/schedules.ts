// Fires `trigger.schedule` flows. One timer per active schedule, rebuilt when activations change (and every
// `refreshMs`, for changes made by another process such as the CLI). A firing is deduplicated on
// flow + scheduled time, so two servers on one data dir, or a restart mid-minute, never double-fire.
import { Cron } from 'croner';
import type { Runtime } from '../runtime/index.ts';
import type { Logger } from 'pino';
import { nextFire } from '../nodes/core/trigger-schedule.ts';

interface Job {
  key: string;
  cron: Cron;
}

export class Scheduler {
  private jobs = new Map<string, Job>();
  private timer?: NodeJS.Timeout;

  constructor(private rt: Runtime, private log: Logger, private onQueued: (flowId: string) => void = () => {}) {}

  start(refreshMs = 10_000) {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  /** Re-reads the active schedule triggers. */
  refresh() {
    const wanted = new Map<string, { flowId: string; version: number; cron: string; timezone: string }>();
    for (const t of this.rt.flows.activeTriggers()) {
      if (t.type !== 'trigger.schedule') continue;
      const cron = String(t.config.cron);
      const timezone = String(t.config.timezone ?? 'UTC');
      wanted.set(t.flowId, { flowId: t.flowId, version: t.version, cron, timezone });
    }
    for (const [flowId, job] of this.jobs) {
      const w = wanted.get(flowId);
      if (!w || job.key !== `${w.version}|${w.cron}|${w.timezone}`) {
        job.cron.stop();
        this.jobs.delete(flowId);
      }
    }
    for (const [flowId, w] of wanted) {
      if (this.jobs.has(flowId)) continue;
      try {
        const cron = new Cron(w.cron, { timezone: w.timezone, protect: true }, (self: Cron) => {
          this.fire(w.flowId, w.version, w.timezone, self);
        });
        this.jobs.set(flowId, { key: `${w.version}|${w.cron}|${w.timezone}`, cron });
        this.log.info({ flowId, cron: w.cron, timezone: w.timezone, next: nextFire({ cron: w.cron, timezone: w.timezone }, new Date())?.toISOString() }, 'schedule armed');
      } catch (e) {
        this.log.error({ flowId, err: (e as Error).message }, 'cannot schedule flow');
      }
    }
  }

  /** Queues one run for the given scheduled time (exposed for tests, which cannot wait a minute). */
  fire(flowId: string, version: number, timezone: string, self?: Cron, scheduledFor = self?.currentRun() ?? new Date()) {
    const at = new Date(Math.floor(scheduledFor.getTime() / 1000) * 1000).toISOString();
    try {
      const r = this.rt.queue.ingest({
        source: 'schedule',
        dedupKey: `${flowId}@${at}`,
        topic: 'schedule',
        payload: { scheduledFor: at, firedAt: new Date().toISOString(), timezone },
        targets: [{ flowId, version }],
      });
      if (!r.duplicate) {
        this.onQueued(flowId);
        this.log.info({ flowId, scheduledFor: at, runIds: r.runIds }, 'schedule fired');
      }
      return r;
    } catch (e) {
      this.log.error({ flowId, err: (e as Error).message }, 'schedule firing failed');
      return null;
    }
  }

  get armed(): string[] {
    return [...this.jobs.keys()];
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    for (const j of this.jobs.values()) j.cron.stop();
    this.jobs.clear();
  }
}
