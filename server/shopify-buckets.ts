// Shopify's cost bucket per shop in the store, so that every process of the deployment (web, workers; on one data dir
// or one PostgreSQL) spends from one budget: Shopify counts per app and shop, and two processes each trusting a bucket
// of their own would both spend the same points and be THROTTLED. Each step is one transaction that locks the shop's
// bucket row, so two processes never take the same points.
import { randomUUID } from 'node:crypto';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { answeredLevel, type BucketLevel, type BucketStore, refilledLevel, type ThrottleStatus } from '../nodes/shopify/limiter.ts';
import type { Store } from '../runtime/store/db.ts';
import type { SqlDb, SqlStore } from '../runtime/store/sql-store.ts';
import { shopifyBucketHolds, shopifyBuckets } from './db/schema.ts';

type Row = typeof shopifyBuckets.$inferSelect;
type Tables = { buckets: typeof shopifyBuckets; holds: typeof shopifyBucketHolds };

export class SqlBucketStore implements BucketStore {
  constructor(private readonly store: SqlStore<Tables>) {}

  take(shop: string, cost: number, plan: { maximumAvailable: number; restoreRate: number }, now: number, holdMs: number) {
    const { buckets, holds } = this.store.tables;
    return this.store.tx(async (tx): Promise<{ hold: string } | { waitMs: number }> => {
      // The row first (created full if new), locked: every later read of this transaction is of a bucket no one else moves.
      await tx
        .insert(buckets)
        .values(fresh(shop, plan, now))
        .onConflictDoNothing();
      const [row] = await this.store.forUpdate(tx.select().from(buckets).where(eq(buckets.shop, shop)));
      await tx.delete(holds).where(and(eq(holds.shop, shop), lt(holds.until, now)));
      const b = refilled(row ?? fresh(shop, plan, now), now);
      const need = Math.min(cost, b.maximum);
      if (b.available < need) {
        await this.save(tx, b);
        return { waitMs: Math.ceil(((need - b.available) / b.restoreRate) * 1000) };
      }
      const hold = randomUUID();
      await this.save(tx, { ...b, available: b.available - cost });
      await tx.insert(holds).values({ id: hold, shop, cost, until: now + holdMs });
      return { hold };
    });
  }

  /** `now`: when Shopify's answer arrived (SharedCostLimiter passes that, not when its write gets here). */
  settle(shop: string, hold: string, status: ThrottleStatus | null, now: number): Promise<void> {
    const { buckets, holds } = this.store.tables;
    return this.store.tx(async (tx) => {
      const [row] = await this.store.forUpdate(tx.select({ answeredAt: buckets.answeredAt }).from(buckets).where(eq(buckets.shop, shop)));
      await tx.delete(holds).where(eq(holds.id, hold));
      if (!status) return;
      // A newer answer set the level already: it counted this request (Shopify answered this one first) and what
      // was charged since, which this older one did not see; applied now, it would put those points back and the
      // processes would overdraw the shop. Its hold is gone; the level stays (the newer answer subtracted this
      // hold as in flight as well, so the level errs low until it refills).
      if (row?.answeredAt != null && row.answeredAt > now) return;
      // The holds of every process count as in flight.
      await this.save(
        tx,
        {
          shop,
          maximum: status.maximumAvailable,
          restoreRate: status.restoreRate,
          available: answeredLevel(status, await this.inFlight(tx, shop, now)),
          at: now,
          answeredAt: now,
        },
        true,
      );
    });
  }

  release(shop: string, hold: string, now: number): Promise<void> {
    const { buckets, holds } = this.store.tables;
    return this.store.tx(async (tx) => {
      const [row] = await this.store.forUpdate(tx.select().from(buckets).where(eq(buckets.shop, shop)));
      const [h] = await tx.delete(holds).where(eq(holds.id, hold)).returning({ cost: holds.cost });
      if (!h || !row) return;
      const b = refilled(row, now);
      await this.save(tx, { ...b, available: Math.min(b.maximum, b.available + h.cost) });
    });
  }

  async level(shop: string, now: number): Promise<Omit<BucketLevel, 'waitedMs'> | null> {
    const { buckets } = this.store.tables;
    const [row] = await this.store.db.select().from(buckets).where(eq(buckets.shop, shop));
    if (!row) return null;
    const b = refilled(row, now);
    return { available: b.available, maximum: b.maximum, restoreRate: b.restoreRate, inFlight: await this.inFlight(this.store.db, shop, now) };
  }

  /** `answered`: the level is Shopify's answer (else a take or release moved it, and the last answer's time stays). */
  private async save(tx: SqlDb, b: Row, answered = false): Promise<void> {
    const { buckets } = this.store.tables;
    await tx
      .insert(buckets)
      .values(b)
      .onConflictDoUpdate({
        target: buckets.shop,
        set: { available: b.available, maximum: b.maximum, restoreRate: b.restoreRate, at: b.at, ...(answered ? { answeredAt: b.answeredAt } : {}) },
      });
  }

  private async inFlight(tx: SqlDb, shop: string, now: number): Promise<number> {
    const { holds } = this.store.tables;
    const [r] = await tx
      .select({ n: sql<number>`COALESCE(SUM(${holds.cost}), 0)` })
      .from(holds)
      .where(and(eq(holds.shop, shop), gte(holds.until, now)));
    return Number(r?.n ?? 0);
  }
}

/** The shared Shopify buckets of a store (either dialect). */
export const bucketStore = (store: Pick<Store, 'sql'>): BucketStore => new SqlBucketStore(store.sql({ buckets: shopifyBuckets, holds: shopifyBucketHolds }));

const fresh = (shop: string, plan: { maximumAvailable: number; restoreRate: number }, now: number): Row => ({
  shop,
  available: plan.maximumAvailable,
  maximum: plan.maximumAvailable,
  restoreRate: plan.restoreRate,
  at: now,
  answeredAt: null,
});

const refilled = (b: Row, now: number): Row => ({
  ...b,
  available: refilledLevel(b.available, b.maximum, b.restoreRate, now - b.at),
  at: Math.max(b.at, now),
});
