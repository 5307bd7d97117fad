// Group commit: the deliveries whose handlers reach their store step in the same turn of the event loop (or within
// LEDGERLINE_INGEST_BATCH_MS) are written in ONE SQLite transaction, and each is answered only once that
// transaction has committed. One commit (one WAL append, and with synchronous=FULL one fsync) per batch instead of
// per delivery; the contract per delivery is unchanged: its event and the runs it starts are stored, in one
// transaction, before its 200. Each delivery's writes run in a savepoint of their own, so one that fails (a
// constraint, a bad value) is rolled back and answered with its error without taking the others with it.
//
// On PostgreSQL each delivery is its own transaction, concurrent on the pool: a commit there is a round trip the
// pool's connections make side by side, not the one file's lock, and batching would make each delivery wait for
// the others' statements.
import type { AnyStore } from '../../runtime/store/any-store.ts';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import { inTransaction } from '../../runtime/store/in-transaction.ts';

/** One delivery's writes, in each dialect's form: synchronous raw SQLite work, or awaited statements on PostgreSQL. */
export interface DeliveryWork<T> {
  sqlite: () => T;
  postgres: () => Promise<T>;
}

interface Item {
  work: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private pending: Item[] = [];
  private scheduled = false;
  /** PostgreSQL: deliveries in their own transaction now. */
  private open = 0;
  private readonly lite?: Store;
  private readonly sql?: SqlStore;

  constructor(
    store: AnyStore,
    private windowMs = 0,
    /** Called after each committed batch with its size (metrics). */
    private onCommit: (size: number) => void = () => {},
  ) {
    if (store.dialect === 'sqlite') this.lite = store;
    else this.sql = store.sql({});
  }

  /** Deliveries waiting for their commit: received, not yet acknowledged. */
  get waiting(): number {
    return this.pending.length + this.open;
  }

  /** Runs `work` in the next group transaction (PostgreSQL: a transaction of its own); settles after it commits. */
  submit<T>(work: DeliveryWork<T>): Promise<T> {
    if (this.sql) return this.alone(this.sql, work.postgres);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work: work.sqlite, resolve: resolve as (v: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      if (this.windowMs > 0) setTimeout(() => void this.flush(), this.windowMs);
      else setImmediate(() => void this.flush());
    });
  }

  private async alone<T>(sql: SqlStore, work: () => Promise<T>): Promise<T> {
    this.open++;
    try {
      const r = await sql.tx(work);
      this.onCommit(1);
      return r;
    } finally {
      this.open--;
    }
  }

  /** Commits what is waiting now (SQLite). */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const store = this.lite;
    if (!batch.length || !store) return;
    const { sqlite } = store;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      // Through exclusive: never inside another caller's open SqlStore transaction (it runs at once when none is).
      await store.exclusive(() => {
        for (const item of batch) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a throw rolls back this delivery's writes only.
            outcomes.push({ ok: true, value: inTransaction(sqlite, item.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored, every delivery gets the error (Shopify retries).
      for (const item of batch) item.reject(error);
      return;
    }
    this.onCommit(batch.length);
    batch.forEach((item, i) => {
      const o = outcomes[i]!; // the transaction pushed one outcome per item, in order
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
