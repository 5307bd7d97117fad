// A model of Shopify's per app+shop leaky bucket for the Admin GraphQL API. Every response's
// extensions.cost.throttleStatus re-seeds it; between responses it refills at restoreRate. A request waits until the
// bucket holds its requested cost, so we stay under the limit instead of collecting THROTTLED errors.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface BucketLevel {
  available: number;
  maximum: number;
  restoreRate: number;
  /** Points reserved by requests sent and not yet answered. */
  inFlight: number;
  /** Total ms callers spent waiting for points. */
  waitedMs: number;
}

export interface LimiterOptions {
  /** Until Shopify's first answer tells us the plan, assume the smallest current plan (Standard). */
  maximumAvailable?: number;
  restoreRate?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onLevel?: (level: BucketLevel) => void;
}

export interface Reservation {
  cost: number;
  settled: boolean;
}

export const MAX_REQUESTED_COST = 1000;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class CostLimiter {
  private maximum: number;
  private restoreRate: number;
  private available: number;
  private at: number;
  private inFlight = 0;
  private waitedMs = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onLevel?: (level: BucketLevel) => void;

  constructor(opts: LimiterOptions = {}) {
    this.maximum = opts.maximumAvailable ?? 2000;
    this.restoreRate = opts.restoreRate ?? 100;
    this.available = this.maximum;
    this.now = opts.now ?? (() => performance.now());
    this.at = this.now();
    this.sleepFn = opts.sleep ?? sleep;
    this.onLevel = opts.onLevel;
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.maximum, this.available + ((t - this.at) / 1000) * this.restoreRate);
    this.at = t;
  }

  get level(): BucketLevel {
    this.refill();
    return { available: this.available, maximum: this.maximum, restoreRate: this.restoreRate, inFlight: this.inFlight, waitedMs: this.waitedMs };
  }

  /** Waits (FIFO, so a large request is not starved by small ones) until `cost` points are available, then takes them. */
  acquire(cost: number, signal?: AbortSignal): Promise<Reservation> {
    if (cost > MAX_REQUESTED_COST) throw new RangeError(`requested cost ${cost} exceeds Shopify's single-query limit of ${MAX_REQUESTED_COST}`);
    const turn = this.queue.then(async () => {
      for (;;) {
        this.refill();
        const need = Math.min(cost, this.maximum);
        if (this.available >= need) break;
        const ms = Math.ceil(((need - this.available) / this.restoreRate) * 1000);
        const t0 = this.now();
        await this.sleepFn(ms, signal);
        this.waitedMs += this.now() - t0;
      }
      this.available -= cost;
      this.inFlight += cost;
      this.emit();
    });
    // The next caller queues behind this one whether it succeeds or is aborted.
    this.queue = turn.catch(() => {});
    return turn.then(() => ({ cost, settled: false }));
  }

  /** Records the answer: Shopify's throttle status when the response carried one (it has the refunds applied). */
  settle(r: Reservation, status?: ThrottleStatus | null): void {
    if (r.settled) return;
    r.settled = true;
    this.inFlight -= r.cost;
    if (status && Number.isFinite(status.currentlyAvailable)) {
      this.maximum = status.maximumAvailable;
      this.restoreRate = status.restoreRate;
      // Requests still in flight were (maybe) not yet counted by Shopify: keep their points reserved.
      this.available = Math.min(this.maximum, Math.max(-this.maximum, status.currentlyAvailable - this.inFlight));
      this.at = this.now();
    }
    this.emit();
  }

  /** A request that never reached Shopify gets its points back. */
  release(r: Reservation): void {
    if (r.settled) return;
    r.settled = true;
    this.inFlight -= r.cost;
    this.refill();
    this.available = Math.min(this.maximum, this.available + r.cost);
    this.emit();
  }

  private emit(): void {
    if (this.onLevel)
      this.onLevel({ available: this.available, maximum: this.maximum, restoreRate: this.restoreRate, inFlight: this.inFlight, waitedMs: this.waitedMs });
  }
}
