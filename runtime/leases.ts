// Leadership between processes sharing one store: a named lease (holder, expires_at) that its holder renews on an
// interval and that any process may take over once it has expired. The scheduler role uses it so crons and sweeps
// fire in one process however many run; when the leader dies (even kill -9) another takes over within the lease.
//
// `LeaseStore` is all a store has to provide. The one below is one UPSERT, on either store: atomic under SQLite's
// write lock, and per row on PostgreSQL (INSERT … ON CONFLICT DO UPDATE … WHERE locks the conflicting row).
import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Store } from './store/db.ts';
import type { SqlStore } from './store/sql-store.ts';
import { leases } from './store/schema.ts';
import type { Logger } from './node-api.ts';

export interface LeaseInfo {
  holder: string;
  expiresAt: number;
  term: number;
}

export interface LeaseStore {
  /** Takes the lease (free or expired) or renews it (already ours) until now + ttlMs; false when another holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once (only if ours), so another process need not wait for it to expire. */
  release(name: string, holder: string): Promise<void>;
  current(name: string): Promise<LeaseInfo | null>;
}

type LeaseTables = { leases: typeof leases };

/** Leases in the store's `leases` table, on either dialect: the take-over is one upsert, atomic per row on both. */
export class SqlLeaseStore implements LeaseStore {
  constructor(
    private readonly store: SqlStore<LeaseTables>,
    private now: () => number = Date.now,
  ) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const { leases: l } = this.store.tables;
    const sameHolder = sql`${l.holder} = excluded.holder`;
    const taken = await this.store.db
      .insert(l)
      .values({ name, holder, expiresAt: now + ttlMs, acquiredAt: now, term: 1 })
      .onConflictDoUpdate({
        target: l.name,
        set: {
          expiresAt: sql`excluded.expires_at`,
          acquiredAt: sql`CASE WHEN ${sameHolder} THEN ${l.acquiredAt} ELSE excluded.acquired_at END`,
          term: sql`CASE WHEN ${sameHolder} THEN ${l.term} ELSE ${l.term} + 1 END`,
          holder: sql`excluded.holder`,
        },
        setWhere: or(sameHolder, lte(l.expiresAt, now)),
      })
      .returning({ term: l.term });
    return taken.length > 0;
  }

  // Expired (as of now) rather than deleted: the term keeps counting, and the next holder sees when it ended.
  async release(name: string, holder: string): Promise<void> {
    const { leases: l } = this.store.tables;
    const now = this.now();
    await this.store.db
      .update(l)
      .set({ expiresAt: sql`CASE WHEN ${l.expiresAt} < ${now} THEN ${l.expiresAt} ELSE ${now} END` })
      .where(and(eq(l.name, name), eq(l.holder, holder)));
  }

  async current(name: string): Promise<LeaseInfo | null> {
    const { leases: l } = this.store.tables;
    const [r] = await this.store.db.select({ holder: l.holder, expiresAt: l.expiresAt, term: l.term }).from(l).where(eq(l.name, name));
    return r ?? null;
  }
}

/** The lease store of a store (either dialect). */
export const leaseStore = (store: Pick<Store, 'sql'>, now?: () => number): LeaseStore => new SqlLeaseStore(store.sql({ leases }), now);

export interface LeadershipOptions {
  name: string;
  holder: string;
  /** How long a lease lasts unrenewed: the longest time crons go unfired after the leader dies. */
  ttlMs: number;
  /** How often the holder renews and the others try to take over (default ttlMs / 3). */
  renewMs?: number;
  /**
   * Called when this process becomes the leader, with the lease as it was just before (null: never held), and when
   * it stops being it (lost or given up).
   */
  onGain: (previous: LeaseInfo | null) => void | Promise<void>;
  onLose: () => void | Promise<void>;
  log?: Logger;
}

/**
 * Keeps trying to hold one named lease. A leader that cannot renew (the store refused, or another process took the
 * lease because ours had lapsed) stops leading at once; the renewal interval is a third of the lease so two renewals
 * can fail before it lapses.
 */
export class Leadership {
  private leading = false;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private leases: LeaseStore,
    private o: LeadershipOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries once at once (so a lone process leads from its first moment), then on the interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.renewMs ?? Math.max(50, Math.floor(this.o.ttlMs / 3)));
    this.timer.unref();
  }

  /** One renewal or takeover attempt (ticks never overlap). */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(async () => {
      if (this.stopped) return;
      let ok = false;
      let before: LeaseInfo | null = null;
      try {
        if (!this.leading) before = await this.leases.current(this.o.name);
        ok = await this.leases.acquire(this.o.name, this.o.holder, this.o.ttlMs);
      } catch (e) {
        this.o.log?.error({ lease: this.o.name, err: (e as Error).message }, 'lease renewal failed');
      }
      if (ok && !this.leading) {
        this.leading = true;
        const info = await this.leases.current(this.o.name).catch(() => null);
        this.o.log?.info(
          {
            lease: this.o.name,
            holder: this.o.holder,
            term: info?.term,
            previousHolder: before?.holder,
            previousExpiredAt: before ? new Date(before.expiresAt).toISOString() : undefined,
          },
          'became leader',
        );
        await this.o.onGain(before);
      } else if (!ok && this.leading) {
        this.leading = false;
        this.o.log?.warn({ lease: this.o.name, holder: this.o.holder }, 'lost leadership');
        await this.o.onLose();
      }
    });
    return this.ticking;
  }

  /** Stops trying; a leader stops leading and releases the lease, so another process takes over at its next try. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    if (!this.leading) return;
    this.leading = false;
    await this.o.onLose();
    try {
      await this.leases.release(this.o.name, this.o.holder);
      this.o.log?.info({ lease: this.o.name, holder: this.o.holder }, 'leadership released');
    } catch (e) {
      this.o.log?.error({ lease: this.o.name, err: (e as Error).message }, 'releasing the lease failed; it expires by itself');
    }
  }
}
