// The inventory push's cost model: per-call GraphQL spends points from a share of the shop's bucket; a bulk operation
// spends ~20 points and time. Each choice is the path with the smaller modelled duration, and says why.
import type { ShopifyClient } from './client.ts';
import { sleep } from './limiter.ts';

export interface BulkModel {
  /** What we expect Shopify to process per second in a bulk operation (objects: JSONL lines, or mutations + list elements). */
  objectsPerSecond: number;
  /** Seconds before an operation starts running, plus a poll interval's wait for its end. */
  overheadSeconds: number;
}

export interface PathChoice {
  kind: 'bulk' | 'per-call';
  reason: string;
  /** Modelled seconds of each path. */
  estimate: { bulkS: number; perCallS: number; perCallPoints: number; bulkObjects: number };
}

/**
 * The push's own slice of the shop's cost bucket: `share` of its size and of its restore rate, so that at least
 * 1 − share of the bucket stays for order and fulfilment calls while the push runs.
 */
export class PushBudget {
  private tokens: number;
  private at = performance.now();
  waitedMs = 0;

  constructor(
    private readonly client: ShopifyClient,
    readonly share: number,
  ) {
    this.tokens = this.capacity;
  }

  get capacity(): number {
    return this.client.bucketLevel.maximum * this.share;
  }

  get rate(): number {
    return this.client.bucketLevel.restoreRate * this.share;
  }

  /** Waits until the push's slice holds `cost` points, then spends them. */
  async take(cost: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.rate);
      this.at = now;
      const need = Math.min(cost, this.capacity);
      if (this.tokens >= need) break;
      const ms = Math.ceil(((need - this.tokens) / this.rate) * 1000);
      await sleep(ms, signal);
      this.waitedMs += performance.now() - now;
    }
    this.tokens -= cost;
  }

  /** Modelled seconds to spend `points` through this slice (it starts full). */
  secondsFor(points: number): number {
    return Math.max(0, points - this.capacity) / this.rate;
  }
}

export function choosePath(
  what: string,
  budget: PushBudget,
  perCallPoints: number,
  perCallCalls: number,
  bulkObjects: number,
  model: BulkModel,
  forced: 'auto' | 'bulk' | 'per-call',
): PathChoice {
  // A request's round trip (~0.1 s) counts too when the budget is not the limit.
  const perCallS = budget.secondsFor(perCallPoints) + perCallCalls * 0.1;
  const bulkS = model.overheadSeconds + bulkObjects / model.objectsPerSecond;
  const estimate = { bulkS: round(bulkS), perCallS: round(perCallS), perCallPoints, bulkObjects };
  const figures = `per call ${perCallPoints} points in ${perCallCalls} calls ≈ ${round(perCallS)} s at ${Math.round(budget.share * 100)} % of the bucket; bulk ${bulkObjects} objects ≈ ${round(bulkS)} s`;
  if (forced !== 'auto') return { kind: forced, reason: `${what}: ${forced} (set in the node's config); ${figures}`, estimate };
  const kind = bulkS < perCallS ? 'bulk' : 'per-call';
  return { kind, reason: `${what}: ${kind} is faster by the cost model (${figures})`, estimate };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
