// Shopify's cost bucket per shop in the store, so that every process of the deployment (web, workers, on one data
// dir) spends from one budget: Shopify counts per app and shop, and two processes each trusting a bucket of their
// own would both spend the same points and be THROTTLED. Each step is one immediate transaction.
import { randomUUID } from 'node:crypto';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { answeredLevel, type BucketLevel, type BucketStore, refilledLevel, type ThrottleStatus } from '../nodes/shopify/limiter.ts';
import type { ServerDb } from './db/db.ts';
import { shopifyBucketHolds as holds, shopifyBuckets as buckets } from './db/schema.ts';

type Row = typeof buckets.$inferSelect;

export class SqliteBucketStore implements BucketStore {
  constructor(private readonly db: ServerDb) {}

  take(shop: string, cost: number, plan: { maximumAvailable: number; restoreRate: number }, now: number, holdMs: number) {
    return this.db.transaction(
      (tx) => {
        tx.delete(holds)
          .where(and(eq(holds.shop, shop), lt(holds.until, now)))
          .run();
        const b = refilled(tx.select().from(buckets).where(eq(buckets.shop, shop)).get() ?? fresh(shop, plan, now), now);
        const need = Math.min(cost, b.maximum);
        if (b.available < need) {
          upsert(tx, b);
          return { waitMs: Math.ceil(((need - b.available) / b.restoreRate) * 1000) };
        }
        const hold = randomUUID();
        upsert(tx, { ...b, available: b.available - cost });
        tx.insert(holds)
          .values({ id: hold, shop, cost, until: now + holdMs })
          .run();
        return { hold };
      },
      { behavior: 'immediate' },
    );
  }

  settle(shop: string, hold: string, status: ThrottleStatus | null, now: number): void {
    this.db.transaction(
      (tx) => {
        tx.delete(holds).where(eq(holds.id, hold)).run();
        if (!status) return;
        // The holds of every process count as in flight.
        upsert(tx, {
          shop,
          maximum: status.maximumAvailable,
          restoreRate: status.restoreRate,
          available: answeredLevel(status, inFlightOf(tx, shop, now)),
          at: now,
        });
      },
      { behavior: 'immediate' },
    );
  }

  release(shop: string, hold: string, now: number): void {
    this.db.transaction(
      (tx) => {
        const h = tx.select().from(holds).where(eq(holds.id, hold)).get();
        if (!h) return;
        tx.delete(holds).where(eq(holds.id, hold)).run();
        const row = tx.select().from(buckets).where(eq(buckets.shop, shop)).get();
        if (!row) return;
        const b = refilled(row, now);
        upsert(tx, { ...b, available: Math.min(b.maximum, b.available + h.cost) });
      },
      { behavior: 'immediate' },
    );
  }

  level(shop: string, now: number): Omit<BucketLevel, 'waitedMs'> | null {
    const row = this.db.select().from(buckets).where(eq(buckets.shop, shop)).get();
    if (!row) return null;
    const b = refilled(row, now);
    return { available: b.available, maximum: b.maximum, restoreRate: b.restoreRate, inFlight: inFlightOf(this.db, shop, now) };
  }
}

type Tx = Pick<ServerDb, 'select' | 'insert' | 'delete'>;

const fresh = (shop: string, plan: { maximumAvailable: number; restoreRate: number }, now: number): Row => ({
  shop,
  available: plan.maximumAvailable,
  maximum: plan.maximumAvailable,
  restoreRate: plan.restoreRate,
  at: now,
});

const refilled = (b: Row, now: number): Row => ({
  ...b,
  available: refilledLevel(b.available, b.maximum, b.restoreRate, now - b.at),
  at: Math.max(b.at, now),
});

function upsert(tx: Tx, b: Row): void {
  tx.insert(buckets)
    .values(b)
    .onConflictDoUpdate({ target: buckets.shop, set: { available: b.available, maximum: b.maximum, restoreRate: b.restoreRate, at: b.at } })
    .run();
}

function inFlightOf(tx: Tx, shop: string, now: number): number {
  const r = tx
    .select({ n: sql<number>`COALESCE(SUM(${holds.cost}), 0)` })
    .from(holds)
    .where(and(eq(holds.shop, shop), gte(holds.until, now)))
    .get();
  return r?.n ?? 0;
}
