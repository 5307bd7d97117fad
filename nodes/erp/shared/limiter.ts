// Per-connection concurrency and rate limiting, enforced by the connector itself (not by caller luck).
import type { ErpLimits } from '../contract.ts';

export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Holds every new request until `ms` from now (e.g. after a 429 with Retry-After). */
  pause(ms: number): void;
  stats(): { active: number; queued: number; maxActive: number; started: number };
}

export function createLimiter(limits: ErpLimits, now: () => number = Date.now): Limiter {
  if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1)
    throw new Error(`limits.concurrency must be a positive integer, got ${limits.concurrency}`);
  let active = 0;
  let maxActive = 0;
  let started = 0;
  let pausedUntil = 0;
  const starts: number[] = []; // start times inside the rate window
  const queue: Array<() => void> = [];
  let timer: NodeJS.Timeout | null = null;

  const waitMs = (): number => {
    const t = now();
    let wait = Math.max(0, pausedUntil - t);
    if (limits.rate) {
      let oldest = starts[0];
      while (oldest !== undefined && oldest <= t - limits.rate.windowMs) {
        starts.shift();
        oldest = starts[0];
      }
      if (oldest !== undefined && starts.length >= limits.rate.requests) wait = Math.max(wait, oldest + limits.rate.windowMs - t);
    }
    return wait;
  };

  const pump = (): void => {
    while (queue.length && active < limits.concurrency) {
      const w = waitMs();
      if (w > 0) {
        if (!timer) {
          timer = setTimeout(() => {
            timer = null;
            pump();
          }, w);
        }
        return;
      }
      active++;
      started++;
      maxActive = Math.max(maxActive, active);
      if (limits.rate) starts.push(now());
      queue.shift()!();
    }
  };

  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          fn()
            .then(resolve, reject)
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
    },
    pause(ms: number) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    stats: () => ({ active, queued: queue.length, maxActive, started }),
  };
}
