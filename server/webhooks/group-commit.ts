// Group commit: the deliveries whose handlers reach their store step in the same turn of the event loop (or within
// LEDGERLINE_INGEST_BATCH_MS) are written in ONE SQLite transaction, and each is answered only once that
// transaction has committed. One commit (one WAL append, and with synchronous=FULL one fsync) per batch instead of
// per delivery; the contract per delivery is unchanged: its event and the runs it starts are stored, in one
// transaction, before its 200. Each delivery's writes run in a savepoint of their own, so one that fails (a
// constraint, a bad value) is rolled back and answered with its error without taking the others with it.
import type Database from 'better-sqlite3';

interface Item {
  work: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private pending: Item[] = [];
  private scheduled = false;
  constructor(
    private sqlite: Database.Database,
    private windowMs = 0,
    /** Called after each committed batch with its size (metrics). */
    private onCommit: (size: number) => void = () => {},
  ) {}

  /** Deliveries waiting for their commit: received, not yet acknowledged. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Runs `work` (synchronous SQLite writes) in the next group transaction; settles after that transaction commits. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
      else setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting now. */
  flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (!batch.length) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.sqlite.transaction(() => {
        for (const item of batch) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a throw rolls back this delivery's writes only.
            outcomes.push({ ok: true, value: this.sqlite.transaction(item.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
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
