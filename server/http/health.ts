// /healthz (the process is alive), /readyz (it can take work: the store is the one opened and answers, and its
// schema is the one this build migrates to) and /metrics with its access rule.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { migrationsSince, type MigrationState } from '../../runtime/store/migration-state.ts';
import type Database from 'better-sqlite3';
import { errorBody } from '../api/http.ts';
import { isLoopback, peerAddress } from '../auth/client.ts';
import type { Metrics } from '../metrics.ts';
import type { StoreWatch } from '../store-watch.ts';
import { VERSION } from '../version.ts';

export interface HealthOptions {
  storeWatch: StoreWatch;
  /** The SQLite store's connection, with `migrationsAtStart`; a PostgreSQL store's check compares its migrations itself. */
  sqlite?: Database.Database;
  sandboxMode: boolean;
  /** The migrations applied when this process started (read once every part of the store has migrated). */
  migrationsAtStart?: MigrationState;
}

export function healthHandlers(o: HealthOptions) {
  const healthz = (c: Context) => c.json({ ok: true, version: VERSION, sandboxMode: o.sandboxMode }, 200);
  const readyz = async (c: Context) => {
    const h = await o.storeWatch.check({ deep: c.req.query('deep') === '1' });
    if (!h.ok) return c.json({ ok: false, problem: h.problem, since: new Date(h.since).toISOString() }, 503);
    if (!o.sqlite || !o.migrationsAtStart) return c.json({ ok: true }, 200);
    let m: ReturnType<typeof migrationsSince>;
    try {
      // Reads the store (its migration tables): also what says it answers queries at all.
      m = migrationsSince(o.migrationsAtStart, o.sqlite);
    } catch (e) {
      m = { ok: false, problem: `the store does not answer: ${(e as Error).message}` };
    }
    return m.ok ? c.json({ ok: true }, 200) : c.json({ ok: false, problem: m.problem }, 503);
  };
  return { healthz, readyz };
}

/** /healthz and /readyz alone: what a process without the web role serves on its port. */
export function healthApp(h: ReturnType<typeof healthHandlers>): Hono {
  const app = new Hono();
  app.get('/healthz', h.healthz);
  app.get('/readyz', h.readyz);
  return app;
}

/**
 * /metrics says how busy the server is and which flows run: not for the public. With LEDGERLINE_METRICS_TOKEN it
 * needs that bearer token; with LEDGERLINE_METRICS_PORT it lives on that port instead (`metricsApp`); with neither,
 * only callers on this machine (loopback) get it.
 */
export function metricsHandlers(metrics: Metrics, env: NodeJS.ProcessEnv) {
  const serve = async (c: Context) => c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  const token = env.LEDGERLINE_METRICS_TOKEN ? createHash('sha256').update(env.LEDGERLINE_METRICS_TOKEN).digest() : null;
  const guarded = async (c: Context) => {
    if (token) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), token)) {
        return c.json(errorBody('unauthenticated', '/metrics needs Authorization: Bearer <LEDGERLINE_METRICS_TOKEN>'), 401);
      }
      return serve(c);
    }
    if (env.LEDGERLINE_METRICS_PORT) return c.json(errorBody('not_found', '/metrics is served on LEDGERLINE_METRICS_PORT'), 404);
    if (!isLoopback(peerAddress(c)))
      return c.json(
        errorBody('forbidden', '/metrics answers this machine only; set LEDGERLINE_METRICS_TOKEN (or LEDGERLINE_METRICS_PORT) to scrape it from elsewhere'),
        403,
      );
    return serve(c);
  };
  const metricsApp = new Hono();
  metricsApp.get('/metrics', serve);
  return { guarded, metricsApp };
}
