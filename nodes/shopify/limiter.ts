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
  /** The hold in the shared bucket (SharedCostLimiter). */
  hold?: string;
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

/** The bucket's level after `elapsedMs` of refilling at `restoreRate`, never above `maximum`. */
export const refilledLevel = (available: number, maximum: number, restoreRate: number, elapsedMs: number) =>
  Math.min(maximum, available + (Math.max(0, elapsedMs) / 1000) * restoreRate);

/** The level Shopify's answer says, less the points of requests still in flight (maybe not yet counted by Shopify). */
export const answeredLevel = (status: ThrottleStatus, inFlight: number) =>
  Math.min(status.maximumAvailable, Math.max(-status.maximumAvailable, status.currentlyAvailable - inFlight));

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
    this.available = refilledLevel(this.available, this.maximum, this.restoreRate, t - this.at);
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
      this.available = answeredLevel(status, this.inFlight);
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

/**
 * A shop's bucket kept where every process of a deployment sees it (the host's store). Shopify's budget is per app
 * and shop, not per process: two workers each with a bucket of their own would both spend the same points and get
 * THROTTLED. Each call is one atomic step on the shared state; `now` is wall-clock milliseconds (shared by processes).
 */
export interface BucketStore {
  /**
   * Refills by the time elapsed, then takes `cost` points when min(cost, maximum) are available, holding them as
   * in flight until settled, released or `holdMs` passes (a process that died does not hold them for ever).
   */
  take(
    shop: string,
    cost: number,
    plan: { maximumAvailable: number; restoreRate: number },
    now: number,
    holdMs: number,
  ): Promise<{ hold: string } | { waitMs: number }>;
  /**
   * Shopify's answer for a hold, arrived at `now`: its throttle status, when it carried one, is the level minus the
   * other holds, unless an answer that arrived later set the level already.
   */
  settle(shop: string, hold: string, status: ThrottleStatus | null, now: number): Promise<void>;
  /** A request that never reached Shopify: the hold's points go back. */
  release(shop: string, hold: string, now: number): Promise<void>;
  level(shop: string, now: number): Promise<Omit<BucketLevel, 'waitedMs'> | null>;
}

/** How long a hold outlives its request at most: Shopify's own request timeout is well under this. */
const HOLD_MS = 120_000;

/** The CostLimiter's contract over a BucketStore: the bucket shared by every process of the deployment. */
export class SharedCostLimiter {
  private waitedMs = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly plan: { maximumAvailable: number; restoreRate: number };
  private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly store: BucketStore,
    private readonly shop: string,
    opts: Omit<LimiterOptions, 'now'> & { now?: () => number } = {},
  ) {
    this.plan = { maximumAvailable: opts.maximumAvailable ?? 2000, restoreRate: opts.restoreRate ?? 100 };
    this.sleepFn = opts.sleep ?? sleep;
    this.now = opts.now ?? Date.now;
    this.onLevel = opts.onLevel;
  }

  private readonly now: () => number;
  private readonly onLevel?: (level: BucketLevel) => void;

  /** The level as the store last told this process (the store is read after every take, settle and release). */
  get level(): BucketLevel {
    const l = this.known;
    return l
      ? { ...l, waitedMs: this.waitedMs }
      : {
          available: this.plan.maximumAvailable,
          maximum: this.plan.maximumAvailable,
          restoreRate: this.plan.restoreRate,
          inFlight: 0,
          waitedMs: this.waitedMs,
        };
  }

  private known: Omit<BucketLevel, 'waitedMs'> | null = null;
  /** The last store write that failed; the hold it concerned lapses by itself (HOLD_MS), so nothing is spent twice. */
  lastError: unknown;

  /** FIFO within this process, like CostLimiter; across processes the store decides who has the points. */
  acquire(cost: number, signal?: AbortSignal): Promise<Reservation> {
    if (cost > MAX_REQUESTED_COST) throw new RangeError(`requested cost ${cost} exceeds Shopify's single-query limit of ${MAX_REQUESTED_COST}`);
    const turn = this.queue.then(async () => {
      for (;;) {
        await this.writes;
        const r = await this.store.take(this.shop, cost, this.plan, this.now(), HOLD_MS);
        if ('hold' in r) return r.hold;
        const t0 = this.now();
        await this.sleepFn(Math.max(1, r.waitMs), signal);
        this.waitedMs += this.now() - t0;
      }
    });
    this.queue = turn.then(
      () => {},
      () => {},
    );
    return turn.then(async (hold) => {
      await this.refresh();
      return { cost, settled: false, hold };
    });
  }

  settle(r: Reservation, status?: ThrottleStatus | null): void {
    if (r.settled) return;
    r.settled = true;
    const hold = r.hold;
    // The answer's time, not the write's: the write waits behind this process's earlier ones, and the store orders
    // answers of every process by it (an older answer must not undo a newer one).
    const answeredAt = this.now();
    if (hold) this.afterwards(() => this.store.settle(this.shop, hold, status && Number.isFinite(status.currentlyAvailable) ? status : null, answeredAt));
  }

  release(r: Reservation): void {
    if (r.settled) return;
    r.settled = true;
    const hold = r.hold;
    if (hold) this.afterwards(() => this.store.release(this.shop, hold, this.now()));
  }

  /** Settles and releases, in order: the request does not wait for them, the next take of this process does. */
  private writes: Promise<void> = Promise.resolve();

  /** Resolves once the settles and releases made so far are written, with the level read afresh. */
  async idle(): Promise<void> {
    await this.writes;
    await this.refresh();
  }

  private afterwards(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).then(
      () => this.refresh(),
      (e: unknown) => {
        this.lastError = e;
      },
    );
  }

  private async refresh(): Promise<void> {
    try {
      this.known = await this.store.level(this.shop, this.now());
    } catch (e) {
      this.lastError = e;
    }
    if (this.onLevel) this.onLevel(this.level);
  }
}
