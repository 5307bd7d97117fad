// Watches that the store is still the file the server opened (runtime/store/db.ts checks). When it is not, the
// server stops acknowledging what it could not keep: webhooks and API writes answer 503 (Shopify retries later),
// /readyz fails, workers stop claiming runs, and the problem is logged at fatal level and sent to every alert
// channel. Nothing clears it but a restart, which refuses to start on a missing or foreign store by itself.
import type { Logger } from 'pino';
import type { SqliteRuntime as Runtime } from '../runtime/index.ts';
import type { StoreHealth } from '../runtime/store/db.ts';

export interface StoreWatch {
  /** Cheap check (stat + header); a problem once found stays. */
  health(opts?: { deep?: boolean }): StoreHealth;
  stop(): void;
}

export function watchStore(runtime: Runtime, o: { log: Logger; everyMs: number; alert?: (subject: string, text: string) => Promise<unknown> }): StoreWatch {
  let reported = false;
  let repeat: NodeJS.Timeout | undefined;
  const report = (h: Extract<StoreHealth, { ok: false }>) => {
    if (reported) return;
    reported = true;
    const say = () =>
      o.log.fatal(
        { store: runtime.store.path, problem: h.problem, since: new Date(h.since).toISOString() },
        `STORE LOST: ${h.problem}. Webhooks and API writes now answer 503 and no runs are processed until the store is restored and the server restarted.`,
      );
    say();
    // Loud: repeated every minute until someone restarts the server.
    repeat = setInterval(say, 60_000);
    repeat.unref();
    void runtime.worker.stop().catch(() => undefined);
    void o
      .alert?.(
        'The store is lost: Ledgerline stopped accepting work',
        `${h.problem}.\nWebhooks and API writes answer 503 (Shopify retries them for 48 hours). Restore ${runtime.store.path} from a backup and restart the server.`,
      )
      .catch(() => undefined);
  };
  const health = (opts: { deep?: boolean } = {}): StoreHealth => {
    const h = runtime.store.check(opts);
    if (!h.ok) report(h);
    return h;
  };
  const timer = setInterval(() => health(), o.everyMs);
  timer.unref();
  return {
    health,
    stop() {
      clearInterval(timer);
      if (repeat) clearInterval(repeat);
    },
  };
}
