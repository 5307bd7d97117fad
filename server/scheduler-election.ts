// The scheduler role of a process: it takes part in the `scheduler` lease election, and only while it leads does it
// fire crons and Shopify sweeps (and prune old runs), so each fires once however many processes run.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { newId } from '../runtime/ids.ts';
import { Leadership, type LeaseStore } from '../runtime/leases.ts';
import type { Scheduler } from './schedules.ts';
import { StartupError } from './startup-error.ts';
import type { SweepScheduler } from './sweeps.ts';

export interface ElectionOptions {
  leases: LeaseStore;
  scheduler: Scheduler;
  sweeps: SweepScheduler;
  log: Logger;
  ttlMs: number;
}

export interface SchedulerElection {
  leadership: Leadership;
  /** Enters the election (the first round runs before it resolves). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function schedulerElection(o: ElectionOptions): SchedulerElection {
  const { scheduler, sweeps, ttlMs } = o;
  let sweepRefresh: NodeJS.Timeout | undefined;
  const stopSweeps = () => {
    if (sweepRefresh) clearInterval(sweepRefresh);
    sweepRefresh = undefined;
    sweeps.stop();
  };
  const leadership = new Leadership(o.leases, {
    name: 'scheduler',
    holder: `${hostname()}:${process.pid}:${newId('sched')}`,
    ttlMs,
    log: o.log,
    onGain: async (previous) => {
      // Armed before the catch-up, which fires the armed schedules' missed occurrences.
      await scheduler.start();
      // Taking over from a leader that died: what fell due since its last renewal may not have fired.
      if (previous) await scheduler.catchUp(Math.max(previous.expiresAt - ttlMs, Date.now() - 2 * ttlMs));
      await sweeps.refresh();
      // Like the scheduler: activations made by another process (the CLI) are picked up within seconds.
      sweepRefresh = setInterval(() => void sweeps.refresh().catch((e: Error) => o.log?.error({ err: e.message }, 'cannot read the sweeps')), 10_000);
      sweepRefresh.unref();
    },
    onLose: () => {
      scheduler.stop();
      stopSweeps();
    },
  });
  return {
    leadership,
    start: () => leadership.start(),
    async stop() {
      await leadership.stop();
      scheduler.stop();
      stopSweeps();
    },
  };
}

/** LEDGERLINE_SCHEDULER_LEASE_MS (default 15 s): how long a dead scheduler leader can leave crons unfired. */
export function schedulerLeaseMs(env: NodeJS.ProcessEnv): number {
  const v = env.LEDGERLINE_SCHEDULER_LEASE_MS;
  if (v === undefined || v === '') return 15_000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 500)
    throw new StartupError(`LEDGERLINE_SCHEDULER_LEASE_MS must be a whole number of milliseconds of at least 500, not ${JSON.stringify(v)}`);
  return n;
}
