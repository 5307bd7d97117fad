import type { RetryPolicy } from '../flows/schema.ts';

export const defaultRetry: RetryPolicy = { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 60_000 };

/** Exponential backoff with full jitter: a random delay in [base/2, base], base doubling per attempt. */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}
