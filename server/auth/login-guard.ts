// What stands between a login burst and the password hash. scrypt is deliberately expensive (32 MiB, ~100 ms), so
// an unauthenticated caller must not be able to start as many as it likes:
// - attempts per (address, email) are *reserved before* the password is checked, so concurrent guesses cannot all
//   slip through before the first failure is counted (30 at once against a limit of 10: 10 checked, 20 refused);
// - failed attempts per address are limited across emails (guessing many accounts from one address);
// - at most a few hashes run at once, and waiting logins are served one address at a time in turn, so one
//   address's burst of bogus logins delays another address's login by a hash or two, not by the whole burst.
import { HttpError } from '../api/http.ts';

/** Attempts per key in a sliding window; an attempt counts from its reservation until it succeeds. */
export class AttemptWindow {
  private readonly attempts = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves an attempt: 0 when it may go ahead (and it now counts), else milliseconds until one may. */
  reserve(key: string): number {
    const t = this.now();
    const list = (this.attempts.get(key) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length >= this.max) {
      this.attempts.set(key, list);
      return Math.max(1, (list[0] ?? t) + this.windowMs - t);
    }
    list.push(t);
    this.attempts.set(key, list);
    if (this.attempts.size > 10_000) for (const k of [...this.attempts.keys()].slice(0, 5_000)) this.attempts.delete(k);
    return 0;
  }

  /** A successful attempt clears the key's count. */
  clear(key: string): void {
    this.attempts.delete(key);
  }

  /** Gives back one reservation (an attempt that was never checked). */
  release(key: string): void {
    const list = this.attempts.get(key);
    if (list?.length) list.pop();
  }
}

/**
 * Bounds concurrent password hashing. Waiting work is queued per client address and served round-robin across
 * addresses; an address with too many waiting is refused at once.
 */
export class HashGate {
  private running = 0;
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueuedPerAddress: number,
  ) {}

  get inFlight(): number {
    return this.running;
  }

  async run<T>(address: string, f: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent || this.queues.size > 0) {
      const q = this.queues.get(address) ?? [];
      if (q.length >= this.maxQueuedPerAddress) throw new HttpError(429, 'rate_limited', 'too many logins in progress from this address; try again shortly');
      await new Promise<void>((go) => {
        q.push(go);
        this.queues.set(address, q);
      });
    } else {
      this.running++;
    }
    try {
      return await f();
    } finally {
      this.next();
    }
  }

  /** One slot freed: the next address in turn (Map order, re-queued at the back) gets it. */
  private next(): void {
    const first = this.queues.entries().next().value as [string, Array<() => void>] | undefined;
    if (!first) {
      this.running--;
      return;
    }
    const [address, q] = first;
    const go = q.shift()!;
    this.queues.delete(address);
    if (q.length) this.queues.set(address, q);
    go();
  }
}
