// Fires `trigger.schedule` flows. One timer per active schedule, rebuilt when activations change (and every
// `refreshMs`, for changes made by another process such as the CLI). A firing is deduplicated on
// flow + scheduled time, so two servers on one data dir, or a restart mid-minute, never double-fire. Where several
// scheduler processes run, only the holder of the `scheduler` lease runs this (server/app.ts), and a process taking
// over from a dead one fires what fell due in the gap (catchUp).
import { Cron } from 'croner';
import type { Runtime } from '../runtime/index.ts';
import type { Logger } from 'pino';
import { nextFire } from '../nodes/core/trigger-schedule.ts';

interface Job {
  key: string;
  cron: Cron;
  version: number;
  timezone: string;
}

export class Scheduler {
  private jobs = new Map<string, Job>();
  private timer?: NodeJS.Timeout;
  /** Refreshes run one after another, so an older read of the triggers never lands after a newer one. */
  private refreshing: Promise<void> = Promise.resolve();
  /** Set by stop: a refresh still reading then arms nothing. */
  private stopped = false;

  constructor(
    private rt: Runtime,
    private log: Logger,
    private onQueued: (flowId: string) => void = () => {},
  ) {}

  /** Arms the active schedules (resolves once they are armed), then re-reads them every `refreshMs`. */
  async start(refreshMs = 10_000) {
    this.stopped = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.refresh().catch((e: Error) => this.log.error({ err: e.message }, 'cannot read the schedules')), refreshMs);
    this.timer.unref();
    await this.refresh();
  }

  /** Re-reads the active schedule triggers. */
  refresh(): Promise<void> {
    const next = this.refreshing.then(() => this.rearm());
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private async rearm() {
    const triggers = await this.rt.flows.activeTriggers();
    if (this.stopped) return;
    const wanted = new Map<string, { flowId: string; version: number; cron: string; timezone: string }>();
    for (const t of triggers) {
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
          void this.fire(w.flowId, w.version, w.timezone, self); // fire() logs its own failure
        });
        this.jobs.set(flowId, { key: `${w.version}|${w.cron}|${w.timezone}`, cron, version: w.version, timezone: w.timezone });
        this.log.info(
          { flowId, cron: w.cron, timezone: w.timezone, next: nextFire({ cron: w.cron, timezone: w.timezone }, new Date())?.toISOString() },
          'schedule armed',
        );
      } catch (e) {
        this.log.error({ flowId, err: (e as Error).message }, 'cannot schedule flow');
      }
    }
  }

  /** Queues one run for the given scheduled time (exposed for tests, which cannot wait a minute). */
  async fire(flowId: string, version: number, timezone: string, self?: Cron, scheduledFor = self ? scheduledOccurrence(self) : new Date()) {
    const at = new Date(Math.floor(scheduledFor.getTime() / 1000) * 1000).toISOString();
    try {
      const r = await this.rt.queue.ingest({
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

  /**
   * Fires the occurrences of each armed schedule that fell due after `since` (and before now, at most `max` each):
   * what a leader that died may have missed. One that did fire is a duplicate of its stored event, so nothing runs
   * twice.
   */
  async catchUp(since: number, now = Date.now(), max = 100): Promise<number> {
    let fired = 0;
    for (const [flowId, job] of this.jobs) {
      const missed = job.cron
        .previousRuns(max, new Date(now))
        .filter((d) => d.getTime() > since)
        .reverse();
      for (const at of missed) {
        const r = await this.fire(flowId, job.version, job.timezone, undefined, at);
        if (r && !r.duplicate) {
          fired++;
          this.log.info({ flowId, scheduledFor: at.toISOString() }, 'schedule caught up after a leader change');
        }
      }
    }
    return fired;
  }

  get armed(): string[] {
    return [...this.jobs.keys()];
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const j of this.jobs.values()) j.cron.stop();
    this.jobs.clear();
  }
}

/**
 * The occurrence a firing belongs to: the pattern's latest time at or before now. Croner's currentRun() is the time
 * the callback actually ran, which a busy event loop delays past the occurrence (by a second or more under load):
 * keyed on that, one occurrence would be stored under another second and fired again by a catch-up.
 */
export function scheduledOccurrence(cron: Cron, now = new Date()): Date {
  return cron.previousRuns(1, new Date(now.getTime() + 1))[0] ?? cron.currentRun() ?? now;
}
