// Watches that the store is still the one the server opened. On SQLite: the file it opened (runtime/store/db.ts
// checks). When it is not, the server stops acknowledging what it could not keep: webhooks and API writes answer 503
// (Shopify retries later), /readyz fails, workers stop claiming runs, and the problem is logged at fatal level and sent
// to every alert channel. Nothing clears it but a restart, which refuses to start on a missing or foreign store by
// itself. On PostgreSQL: the database answers and its schema is the one this build migrates to (runtime/store/pg-store.ts);
// a problem there can pass (the database restarts, the network comes back), so it lasts as long as the checks find it.
import type { Logger } from 'pino';
import type { StoreHealth } from '../runtime/store/db.ts';
import { type AnyStore, isSqlite } from '../runtime/store/any-store.ts';

export interface StoreWatch {
  /**
   * The store's health now, without waiting, for every write and delivery. On SQLite a fresh check (a stat and a header
   * read; `deep` adds quick_check), and a problem once found stays. On PostgreSQL, whose check is a query, the result of
   * the latest check (every `everyMs`, and every `check()`).
   */
  health(opts?: { deep?: boolean }): StoreHealth;
  /** A fresh check, awaited (/readyz): on PostgreSQL it asks the database. */
  check(opts?: { deep?: boolean }): Promise<StoreHealth>;
  stop(): void;
}

export interface WatchedRuntime {
  store: AnyStore;
  worker: { stop(): Promise<unknown> };
}

export function watchStore(
  runtime: WatchedRuntime,
  o: { log: Logger; everyMs: number; alert?: (subject: string, text: string) => Promise<unknown> },
): StoreWatch {
  const store = runtime.store;
  const where = isSqlite(store) ? store.path : `${store.where} (schema ${store.schema})`;
  let repeat: NodeJS.Timeout | undefined;
  const alert = (subject: string, text: string) => void o.alert?.(subject, text).catch(() => undefined);

  if (isSqlite(store)) {
    let reported = false;
    const report = (h: Extract<StoreHealth, { ok: false }>) => {
      if (reported) return;
      reported = true;
      const say = () =>
        o.log.fatal(
          { store: where, problem: h.problem, since: new Date(h.since).toISOString() },
          `STORE LOST: ${h.problem}. Webhooks and API writes now answer 503 and no runs are processed until the store is restored and the server restarted.`,
        );
      say();
      // Loud: repeated every minute until someone restarts the server.
      repeat = setInterval(say, 60_000);
      repeat.unref();
      void runtime.worker.stop().catch(() => undefined);
      alert(
        'The store is lost: Ledgerline stopped accepting work',
        `${h.problem}.\nWebhooks and API writes answer 503 (Shopify retries them for 48 hours). Restore ${where} from a backup and restart the server.`,
      );
    };
    const health = (opts: { deep?: boolean } = {}): StoreHealth => {
      const h = store.check(opts);
      if (!h.ok) report(h);
      return h;
    };
    const timer = setInterval(() => health(), o.everyMs);
    timer.unref();
    return {
      health,
      check: async (opts) => health(opts),
      stop() {
        clearInterval(timer);
        if (repeat) clearInterval(repeat);
      },
    };
  }

  // PostgreSQL: the store opened migrated, so it is taken as healthy until the first check (started at once) says otherwise.
  let last: StoreHealth = { ok: true };
  let running: Promise<StoreHealth> | undefined;
  const seen = (h: StoreHealth) => {
    if (!h.ok && last.ok) {
      o.log.error(
        { store: where, problem: h.problem, since: new Date(h.since).toISOString() },
        `STORE UNAVAILABLE: ${h.problem}. Webhooks and API writes answer 503 until it answers again.`,
      );
      alert(
        'The store is unavailable: Ledgerline is refusing work',
        `${h.problem}.\nWebhooks and API writes answer 503 (Shopify retries them for 48 hours) until the database answers again.`,
      );
    } else if (h.ok && !last.ok) o.log.info({ store: where }, 'the store answers again: accepting work');
    last = h;
    return h;
  };
  // One check at a time: a database that does not answer must not pile up checks behind it.
  const check = () =>
    (running ??= store
      .check()
      .then(seen)
      .finally(() => {
        running = undefined;
      }));
  const timer = setInterval(() => void check(), o.everyMs);
  timer.unref();
  void check();
  return {
    health: () => last,
    check: () => check(),
    stop() {
      clearInterval(timer);
    },
  };
}
