// Builds the whole server (runtime, store, vault, routers, webhooks, schedules, metrics) without listening, so
// tests drive it with `app.request()` and main.ts serves it on a port.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono, MiddlewareHandler } from 'hono';
import pino, { type Logger } from 'pino';
import { createRuntime, type Runtime } from '../runtime/index.ts';
import { isSqlite } from '../runtime/store/any-store.ts';
import { type Leadership, leaseStore } from '../runtime/leases.ts';
import type { NodeServices, NodeType } from '../runtime/node-api.ts';
import type { Sandbox } from '../runtime/sandbox/types.ts';
import { readMigrationState } from '../runtime/store/migration-state.ts';
import type { WorkerOptions } from '../runtime/worker.ts';
import { type AppEnv, errorBody, HttpError } from './api/http.ts';
import { trustProxyFromEnv } from './auth/client.ts';
import { authenticate } from './auth/middleware.ts';
import { ownUserScope, type UserScope } from './auth/user-scope.ts';
import { openServerCore } from './core.ts';
import type { Deps } from './deps.ts';
import { startAlerts } from './alerts/index.ts';
import { connectRuns, type ExceptionAction, openExceptionService } from './exceptions/store/index.ts';
import { ChangeRequests } from './flows/change-requests.ts';
import { isTestFlow } from './flows/test-run.ts';
import { testServices } from './flows/test-services.ts';
import { errorHandler } from './http/errors.ts';
import { type ArrivalDeadline, installGuards } from './http/guards.ts';
import { healthApp, healthHandlers, metricsHandlers } from './http/health.ts';
import { Metrics } from './metrics.ts';
import { mountRoutes } from './routes/mount.ts';
import { type SandboxMode, startSandboxMode } from './sandbox-mode.ts';
import { INITIAL_STOCK_SYNC, initialStockSync } from './sandbox/initial-sync.ts';
import { schedulerElection, schedulerLeaseMs } from './scheduler-election.ts';
import { Scheduler } from './schedules.ts';
import { StartupError } from './startup-error.ts';
import { designerStatic } from './static.ts';
import { watchStore } from './store-watch.ts';
import { SweepScheduler } from './sweeps.ts';
import { installTemplates } from './templates.ts';
import { DEFAULT_WORKSPACE } from './workspaces/directory.ts';
import type { ConnectionFactory } from './vault/connections.ts';
import { VERSION } from './version.ts';
import { shopifyDeliveryListener } from './webhooks/listener.ts';
import { ingestBatchMs, shopifyIngest } from './webhooks/shopify.ts';

export { StartupError } from './startup-error.ts';
export { VERSION } from './version.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The package folder (designer/dist lives there): `root` itself, or its parent when this file runs from dist/. */
const packageRoot = existsSync(join(root, 'package.json')) ? root : dirname(root);
/** The head of /api/openapi.json; scripts/api-types.ts builds the same document without a request. */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: { title: 'Ledgerline API', version: VERSION, description: 'Flows, runs, connections, users and webhooks of a Ledgerline server.' },
};

export interface ServerOptions {
  dataDir: string;
  /**
   * PostgreSQL instead of the SQLite file under `dataDir` (LEDGERLINE_DATABASE_URL): the workspace's store is its schema
   * in this database; `dataDir` still holds the vault's key file and the sandbox.
   */
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Default: the isolated-vm sandbox pool (runtime/sandbox). */
  sandbox?: Sandbox;
  nodeTypes?: NodeType[];
  /** Default: designer/dist when it has been built; null turns it off. */
  designerDir?: string | null;
  /** Default: flows/templates, installed on a fresh data dir in sandbox mode; null turns it off. */
  templatesDir?: string | null;
  /** Sandbox connections on a fresh data dir (default true; LEDGERLINE_SANDBOX=0 also turns it off). */
  sandboxMode?: boolean;
  /** Start the worker pool and the scheduler (default true). `workers` and `scheduler` override it each. */
  start?: boolean;
  /** Claim and execute runs in this process (default: `start`). Off: runs are only queued here (a web process). */
  workers?: boolean;
  /**
   * Take part in the scheduler election (default: `start`): the process holding the `scheduler` lease fires crons and
   * Shopify sweeps and prunes old runs; others wait to take over. Off: never (web and worker processes).
   */
  scheduler?: boolean;
  /**
   * Serves the API, designer and webhooks (default true; main.ts serves `app` or `healthApp` accordingly). False (a
   * worker or scheduler process): the sandbox store is not started here and `sandbox-shop` is left as the web
   * processes set it.
   */
  web?: boolean;
  worker?: WorkerOptions;
  connectionFactories?: Record<string, ConnectionFactory>;
  /** Called once when the first admin is created with a generated password (main.ts prints it). */
  onFirstAdmin?: (a: { email: string; generatedPassword?: string }) => void;
  now?: () => number;
  staleAfterMs?: number;
  bodyLimitBytes?: number;
  loginAttempts?: Deps['options']['loginAttempts'];
  defaultMetrics?: boolean;
  /** Set by the deployment (server/workspaces/deployment.ts) when this server is one workspace's cell. */
  cell?: CellOptions;
}

/** What a cell takes from its deployment: who callers are (the directory) and what role they have here. */
export interface CellOptions {
  workspaceId: string;
  /** The deployment's users (those of the default cell); absent for the default cell, whose own users they are. */
  users?: import('./auth/users.ts').Users;
  /** The caller's role in this workspace; null: not a member, so everything of it answers 404. */
  roleOf(userId: string): Promise<import('./auth/roles.ts').Role | null>;
  /** Deployment-level routes (e.g. /api/workspaces) mounted in the cell's app, so they are in its OpenAPI document. */
  routes?(app: OpenAPIHono<AppEnv>): void;
  /** Whether the user may manage deployment-wide users (/api/users, /api/tokens) from this cell. */
  manageUsers?(userId: string): Promise<boolean>;
  /** Which users this cell's /api/users shows and changes: the workspace's members, their role there. */
  userScope?: UserScope;
}

export interface LedgerlineServer {
  app: OpenAPIHono<AppEnv>;
  /** On the workspace's store (see Deps.runtime). */
  runtime: Runtime;
  deps: Deps;
  sandboxMode: boolean;
  sandbox: SandboxMode | null;
  scheduler: Scheduler;
  sweeps: SweepScheduler;
  /** The scheduler election of this process; null when it takes no part (`scheduler: false`, or not started). */
  leadership: Leadership | null;
  /** /healthz and /readyz alone: what a process without the web role serves on its port. */
  healthApp: Hono;
  /** After listening: lets the sandbox store send its webhooks here. */
  attach(baseUrl: string): void;
  /** /metrics alone, for a port of its own (LEDGERLINE_METRICS_PORT). */
  metricsApp: Hono;
  /** Webhook requests not received whole within this time have their socket closed (main.ts sets it). */
  setWebhookTimeout(ms: number): void;
  /**
   * For the node:http listener, ahead of Hono: answers `POST /webhooks/shopify/:connectionId` itself (true) with what
   * the Hono route and its middleware do (store check, arrival deadline, body limit, metrics, security headers,
   * errors), without a Fetch-API Request and Response per delivery; false for every other request.
   */
  shopifyWebhookListener(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Stops: no more claims, runs in flight get `graceMs` to finish (default: wait for them) and the rest have their
   * leases released; the scheduler lease is released; the store is closed.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** LEDGERLINE_RETENTION_DAYS (default 30) and LEDGERLINE_RETENTION_MAX_RUNS (default 100,000) bound the store. */
export function retentionFromEnv(env: NodeJS.ProcessEnv) {
  const num = (name: string) => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${v}")`);
    return n;
  };
  const days = num('LEDGERLINE_RETENTION_DAYS');
  return { maxAgeMs: days === undefined ? undefined : days * 86_400_000, maxRuns: num('LEDGERLINE_RETENTION_MAX_RUNS') };
}

export async function createServer(o: ServerOptions): Promise<LedgerlineServer> {
  const env = o.env ?? process.env;
  const workersOn = o.workers ?? o.start !== false;
  const schedulerOn = o.scheduler ?? o.start !== false;
  const now = o.now ?? Date.now;
  const dataDir = resolve(o.dataDir);
  const databaseUrl = o.databaseUrl ?? (env.LEDGERLINE_DATABASE_URL || undefined);
  const storeExisted = existsSync(join(dataDir, 'ledgerline.db'));
  const log = o.log ?? pino({ level: env.LOG_LEVEL ?? 'info' });

  const nodeTypes = o.nodeTypes ?? (await import('../nodes/registry.ts')).nodeTypes;
  const byType = new Map(nodeTypes.map((t) => [t.type, t]));
  const lookup = (t: string) => byType.get(t);
  const ownSandbox = !o.sandbox;
  // Without workers the code sandbox serves only designer test runs: its child processes start on first use.
  const rawSandbox = o.sandbox ?? (workersOn ? (await import('../runtime/sandbox/index.ts')).createSandbox() : lazySandbox());

  // Built in dependency order, so the runtime is handed everything it uses when it is created: the store and what
  // reads it (server tables, vault, connections, the scrubber that knows their secrets, lookup tables), then the runtime.
  const {
    store,
    vault,
    secrets,
    connections,
    users: ownUsers,
    audit,
    scrub,
    lookups,
  } = await openServerCore({
    dataDir,
    databaseUrl,
    workspaceId: o.cell?.workspaceId ?? DEFAULT_WORKSPACE,
    masterKey: env.LEDGERLINE_MASTER_KEY,
    connectionFactories: o.connectionFactories,
    log,
    now,
  });
  // A fresh store (a new data dir; on PostgreSQL, the workspace's schema created by this open) gets the sandbox
  // connections and templates; a store another process created already has them.
  const fresh = isSqlite(store) ? !storeExisted : store.created;
  // Users are deployment-wide: a further workspace's cell authenticates against the default cell's users.
  const users = o.cell?.users ?? ownUsers;
  // Sandbox mode (the sandbox store and its connections) needs only the vault; the metrics count the store's requests.
  const sandbox = o.sandboxMode !== false ? await startSandboxMode({ fresh, connections, secrets, log, env, serving: o.web, dataDir }) : null;
  // Scraped only once the server is built: by then `runtime` (below, after the code sandbox it measures) exists.
  const metrics = new Metrics({
    queueDepth: (): Promise<{ queued: number; running: number }> => runtime.queue.depth(),
    defaultMetrics: o.defaultMetrics,
    sandboxStoreRequests: () => sandbox?.store?.stats?.requests,
  });

  const runtimeLog = log.child({ component: 'runtime' });
  // Exceptions: failed runs and monitors raise them; people triage them; every action they take is audited. The inbox
  // serves the runtime's nodes, so it exists first; it listens to the runtime's runs once those exist (connectRuns).
  const exceptionOptions = {
    log: runtimeLog,
    ignoreFlow: isTestFlow,
    // The inbox awaits this once the action is committed (the triage request answers after its audit entry) and
    // logs a failure as 'exception action hook failed'.
    onAction: async (a: ExceptionAction) => {
      if (a.actor === 'system') return;
      await audit.record(a.actor, `exception.${a.action}`, `exception:${a.exceptionId}`, { note: a.note, ...a.data });
    },
  };
  const exceptions = openExceptionService(store, exceptionOptions);
  const services: NodeServices = { lookups, exceptions, monitoring: exceptions.monitoring };
  // Test runs of drafts reach the lookup tables but no production sink (exception inbox, monitor series).
  const testSvc = testServices(services, runtimeLog);
  const runtime: Runtime = createRuntime({
    services,
    servicesFor: (flowId) => (isTestFlow(flowId) ? testSvc : undefined),
    dataDir,
    store,
    lookup,
    sandbox: metrics.instrumentSandbox(rawSandbox),
    connection: connections.resolve,
    // Run state changes are logged from runtime.events below; the runtime's own lines stay at warn and above.
    log: {
      debug() {},
      info() {},
      warn: (obj, msg) => runtimeLog.warn(scrub(obj) as object, msg),
      error: (obj, msg) => runtimeLog.error(scrub(obj) as object, msg),
    },
    redact: scrub.text,
    retention: retentionFromEnv(env),
    ...(env.LEDGERLINE_STEP_BATCH_MS !== undefined ? { stepBatchMs: stepBatchMs(env.LEDGERLINE_STEP_BATCH_MS) } : {}),
    worker: o.worker,
    now: o.now,
  });
  metrics.watch(runtime.events, (flowId) => !isTestFlow(flowId));
  connectRuns(exceptions, store, runtime, exceptionOptions);
  const alerts = env.LEDGERLINE_ALERTS
    ? startAlerts(exceptions, JSON.parse(env.LEDGERLINE_ALERTS), {
        log,
        ...(o.cell && o.cell.workspaceId !== DEFAULT_WORKSPACE ? { workspace: o.cell.workspaceId } : {}),
      })
    : null;
  const storeWatch = watchStore(runtime, {
    log,
    everyMs: Number(env.LEDGERLINE_STORE_CHECK_MS) || 2000,
    alert: alerts ? (subject, text) => alerts.critical(subject, text) : undefined,
  });

  if (
    !o.cell?.users &&
    env.LEDGERLINE_ADMIN_PASSWORD !== undefined &&
    env.LEDGERLINE_ADMIN_PASSWORD !== '' &&
    env.LEDGERLINE_ADMIN_PASSWORD.length < 8 &&
    (await users.count()) === 0
  ) {
    throw new StartupError(
      `LEDGERLINE_ADMIN_PASSWORD must have at least 8 characters (it has ${env.LEDGERLINE_ADMIN_PASSWORD.length}); set a longer one, or unset it to have a password generated and printed once`,
    );
  }
  // Hashing the first admin's password (scrypt, ~100 ms on the thread pool) overlaps the rest of the start.
  const firstAdmin = (
    o.cell?.users ? Promise.resolve(null) : users.ensureFirstAdmin({ email: env.LEDGERLINE_ADMIN_EMAIL, password: env.LEDGERLINE_ADMIN_PASSWORD })
  ).then((first) => {
    if (first) {
      log.info({ email: first.email, passwordFrom: first.generatedPassword ? 'generated' : 'LEDGERLINE_ADMIN_PASSWORD' }, 'first admin user created');
      o.onFirstAdmin?.(first);
    }
  });
  firstAdmin.catch(() => {}); // awaited below; a start failing before then must not add an unhandled rejection

  const scheduler = new Scheduler(runtime, log.child({ component: 'scheduler' }), (flowId) => metrics.runsQueued.inc({ flow: flowId }));
  const sweeps = new SweepScheduler(runtime, connections.resolve, log.child({ component: 'shopify-sweep' }));
  // Entered once the server is built (below): only the leader fires crons and sweeps.
  const election = schedulerOn
    ? schedulerElection({
        leases: leaseStore(runtime.store),
        scheduler,
        sweeps,
        log: log.child({ component: 'scheduler' }),
        ttlMs: schedulerLeaseMs(env),
      })
    : null;
  const deps: Deps = {
    runtime,
    users,
    userScope: o.cell?.userScope ?? ownUserScope(users),
    audit,
    connections,
    vault,
    secrets,
    metrics,
    lookups,
    exceptions,
    changeRequests: new ChangeRequests(runtime.store, runtime.flows, now),
    log,
    scrub,
    now,
    onTriggersChanged: async () => {
      // Only where schedules fire: the leader, or (no election in this process) unless the scheduler is switched off.
      if (!(election ? election.leadership.isLeader : o.scheduler !== false)) return;
      // The change is made; a schedule not re-read now is re-read at the next interval.
      await Promise.all([scheduler.refresh(), sweeps.refresh()]).catch((e: Error) => log.error({ err: e.message }, 're-reading the schedules failed'));
    },
    options: {
      staleAfterMs: o.staleAfterMs ?? 60 * 60_000,
      bodyLimitBytes: o.bodyLimitBytes ?? 5 * 1024 * 1024,
      loginAttempts: o.loginAttempts ?? { max: 10, windowMs: 15 * 60_000, hashConcurrency: Number(env.LEDGERLINE_LOGIN_CONCURRENCY) || 1 },
      trustProxy: trustProxyFromEnv(env),
    },
  };

  if (sandbox && fresh && o.templatesDir !== null) {
    const t = await installTemplates(runtime, o.templatesDir ?? join(root, 'flows', 'templates'), log);
    if (t.published.length || t.drafts.length) log.info(t, 'templates installed');
    await (await import('./lookups/seed.ts')).installSandboxLookups(lookups);
    if (t.published.includes(INITIAL_STOCK_SYNC))
      sandbox.onReady(({ fromSeed }) => {
        if (fromSeed) void initialStockSync(deps, log);
      });
  }

  await firstAdmin;

  const app = new OpenAPIHono<AppEnv>();
  const arrival: ArrivalDeadline = { ms: 0 };
  const { webhookHealth, storeGone } = installGuards(app, { metrics, log, bodyLimitBytes: deps.options.bodyLimitBytes, storeWatch, arrival });
  app.use('/api/*', authenticate(users));
  if (o.cell) app.use('/api/*', cellMembership(o.cell));

  const shopifyIn = shopifyIngest(deps, { batchMs: ingestBatchMs(env) });
  mountRoutes(app, deps, { nodeTypes, templatesDir: o.templatesDir ?? undefined, env, sandbox, shopifyIngest: shopifyIn, cellRoutes: o.cell?.routes });
  app.doc31('/api/openapi.json', OPENAPI_CONFIG);

  // Every part of the store has migrated by now (each at its own start, above): /readyz compares against this.
  // (PostgreSQL: the store's own check compares its schema's migrations with this build's.)
  const sqliteStore = isSqlite(runtime.store) ? runtime.store : undefined;
  const health = healthHandlers({
    storeWatch,
    sandboxMode: !!sandbox,
    ...(sqliteStore ? { sqlite: sqliteStore.sqlite, migrationsAtStart: readMigrationState(sqliteStore.sqlite) } : {}),
  });
  app.get('/healthz', health.healthz);
  app.get('/readyz', health.readyz);
  const metricsRoutes = metricsHandlers(metrics, env);
  app.get('/metrics', metricsRoutes.guarded);

  const designerDir = o.designerDir === null ? null : (o.designerDir ?? join(packageRoot, 'designer', 'dist'));
  const statics = designerDir ? designerStatic(designerDir) : null;
  if (statics) app.use('*', statics);
  else if (designerDir)
    log.warn(
      { designerDir },
      'the designer is not built: no web UI at / (run `npm install` with dev dependencies, or `npx vite build --config designer/vite.config.ts`)',
    );
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(errorHandler({ log, scrub, storeWatch, storeGone }));

  const shopifyWebhookListener = await shopifyDeliveryListener({ app, ingest: shopifyIn, metrics, log, scrub, storeWatch, webhookHealth, arrival });
  // Deliveries are answered after their commit: WAL checkpoints run on a worker thread, not inside those commits
  // (runtime/store/checkpointer.ts); the runtime's close() stops them with the store.
  sqliteStore?.checkpointInBackground?.({ onProblem: (m) => log.warn({ path: sqliteStore.path }, m) });

  if (workersOn || schedulerOn) runtime.start({ worker: workersOn, retention: schedulerOn });
  await election?.start();

  let closed = false;
  return {
    app,
    runtime,
    deps,
    sandboxMode: !!sandbox,
    sandbox,
    scheduler,
    sweeps,
    leadership: election?.leadership ?? null,
    healthApp: healthApp(health),
    attach: (baseUrl) => sandbox?.attach(baseUrl),
    metricsApp: metricsRoutes.metricsApp,
    setWebhookTimeout: (ms) => {
      arrival.ms = ms;
    },
    shopifyWebhookListener,
    async close(opts = {}) {
      if (closed) return;
      closed = true;
      await election?.stop();
      scheduler.stop();
      storeWatch.stop();
      sweeps.stop();
      await alerts?.stop();
      exceptions.detach();
      await runtime.close(opts);
      await connections.close();
      await sandbox?.stop();
      if (ownSandbox) await rawSandbox.close();
    },
  };
}

/**
 * A workspace cell's API answers only its members: anyone else gets 404 for all of it (its existence is not
 * revealed). The deployment's own routes (/api/workspaces) and signing in/out do their own checks.
 */
function cellMembership(cell: CellOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get('user');
    const p = c.req.path;
    if (!user || p === '/api/auth/login' || p === '/api/auth/logout' || p === '/api/workspaces' || p.startsWith('/api/workspaces/')) return next();
    const role = await cell.roleOf(user.id);
    if (!role) throw new HttpError(404, 'not_found', `no route for ${c.req.method} ${p}`);
    c.set('user', { ...user, role });
    if (cell.manageUsers && (p.startsWith('/api/users') || p.startsWith('/api/tokens')) && !(await cell.manageUsers(user.id))) {
      throw new HttpError(403, 'forbidden', 'users are deployment-wide: add them to this workspace with /api/workspaces/{id}/members');
    }
    return next();
  };
}

function stepBatchMs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 60_000)
    throw Object.assign(new Error(`LEDGERLINE_STEP_BATCH_MS must be a whole number of milliseconds from 0 to 60000, not ${JSON.stringify(v)}`), {
      userFacing: true,
    });
  return n;
}

/** A Sandbox whose child processes start on its first call. */
function lazySandbox(): Sandbox {
  let pool: Promise<Sandbox> | undefined;
  const get = () => (pool ??= import('../runtime/sandbox/index.ts').then((m) => m.createSandbox()));
  return {
    run: async (call) => (await get()).run(call),
    runBatch: async (call) => (await get()).runBatch(call),
    close: async () => {
      if (pool !== undefined) await (await pool).close();
    },
  };
}
