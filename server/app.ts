// Builds the whole server (runtime, store, vault, routers, webhooks, schedules, metrics) without listening, so
// tests drive it with `app.request()` and main.ts serves it on a port.
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { isLoopback, peerAddress, trustProxyFromEnv } from './auth/client.ts';
import { watchStore } from './store-watch.ts';
import { isStoreDamageError } from '../runtime/store/db.ts';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import pino, { type Logger } from 'pino';
import { ZodError } from 'zod';
import { createRuntime, type Runtime } from '../runtime/index.ts';
import { Leadership, SqliteLeaseStore } from '../runtime/leases.ts';
import { newId } from '../runtime/ids.ts';
import { migrationsSince, readMigrationState } from '../runtime/store/migration-state.ts';
import { hostname } from 'node:os';
import { FlowInvalidError, NotFoundError } from '../runtime/flow-store.ts';
import { RunStateError } from '../runtime/runs.ts';
import type { NodeType, NodeServices } from '../runtime/node-api.ts';
import type { Sandbox } from '../runtime/sandbox/types.ts';
import type { WorkerOptions } from '../runtime/worker.ts';
import { UserError } from './auth/users.ts';
import { authenticate } from './auth/middleware.ts';
import { ConnectionError, type ConnectionFactory } from './vault/connections.ts';
import { openServerCore } from './core.ts';
import { Metrics } from './metrics.ts';
import { Scheduler } from './schedules.ts';
import { HttpError, errorBody, requirePermission, type AppEnv } from './api/http.ts';
import { documentInfraRoutes } from './api/openapi-extra.ts';
import { docsPageRoutes } from './api/docs-page.ts';
import { flowsRouter } from './routes/flows.ts';
import { runsRouter } from './routes/runs.ts';
import { connectionsRouter } from './routes/connections.ts';
import { catalogRouter } from './routes/catalog.ts';
import { templatesRouter } from './routes/templates.ts';
import { monitorsRouter } from './monitors/routes.ts';
import { usersRouter } from './routes/users.ts';
import { authRouter } from './routes/auth.ts';
import { eventsRouter } from './routes/events.ts';
import { headerGetter, ingestBatchMs, shopifyIngest } from './webhooks/shopify.ts';
import { flowWebhookRoutes } from './webhooks/flow.ts';
import { designerStatic } from './static.ts';
import { startSandboxMode, type SandboxMode } from './sandbox-mode.ts';
import { installTemplates } from './templates.ts';
import { lookupRoutes } from './lookups/routes.ts';
import { mappingRouter } from './routes/mapping.ts';
import { assistRouter } from './assist/routes.ts';
import { reportingRoutes } from './routes/reporting.ts';
import { createExceptionService } from './exceptions/store/index.ts';
import { exceptionRoutes } from './exceptions/routes.ts';
import { retryWaitingOnLookup } from './exceptions/waiting.ts';
import { retriesRouter } from './routes/retries.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { startAlerts } from './alerts/index.ts';
import { SweepScheduler } from './sweeps.ts';
import { flowControlsRouter } from './routes/flow-controls.ts';
import { runNowRouter } from './routes/run-now.ts';
import { sandboxRouter } from './sandbox/routes.ts';
import type { Deps } from './deps.ts';
import { isTestFlow } from './flows/test-run.ts';
import { testServices } from './flows/test-services.ts';
import { erpReferences } from './lookups/erp-references.ts';
import { ChangeRequests } from './flows/change-requests.ts';
import { changeRequestsRouter } from './routes/change-requests.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The package folder (designer/dist lives there): `root` itself, or its parent when this file runs from dist/. */
const packageRoot = existsSync(join(root, 'package.json')) ? root : dirname(root);
export const VERSION = '0.1.0';
/** The head of /api/openapi.json; scripts/api-types.ts builds the same document without a request. */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: { title: 'Ledgerline API', version: VERSION, description: 'Flows, runs, connections, users and webhooks of a Ledgerline server.' },
};

/** A configuration the server cannot start with, said plainly (no stack trace needed). */
export class StartupError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface ServerOptions {
  dataDir: string;
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
  roleOf(userId: string): import('./auth/roles.ts').Role | null;
  /** Deployment-level routes (e.g. /api/workspaces) mounted in the cell's app, so they are in its OpenAPI document. */
  routes?(app: OpenAPIHono<AppEnv>): void;
  /** Whether the user may manage deployment-wide users (/api/users, /api/tokens) from this cell. */
  manageUsers?(userId: string): boolean;
}

export interface LedgerlineServer {
  app: OpenAPIHono<AppEnv>;
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
  const fresh = !existsSync(join(dataDir, 'ledgerline.db'));
  const log = o.log ?? pino({ level: env.LOG_LEVEL ?? 'info' });

  const nodeTypes = o.nodeTypes ?? (await import('../nodes/registry.ts')).nodeTypes;
  const byType = new Map(nodeTypes.map((t) => [t.type, t]));
  const lookup = (t: string) => byType.get(t);
  let sandbox: SandboxMode | null = null;
  // Scraped only once the server is built: by then `runtime` (declared below, after the sandbox it measures) is set.
  const metrics = new Metrics({
    queueDepth: () => runtime.queue.depth(),
    defaultMetrics: o.defaultMetrics,
    sandboxStoreRequests: () => sandbox?.store?.stats?.requests,
  });
  const ownSandbox = !o.sandbox;
  // Without workers the code sandbox serves only designer test runs: its child processes start on first use.
  const rawSandbox = o.sandbox ?? (workersOn ? (await import('../runtime/sandbox/index.ts')).createSandbox() : lazySandbox());

  // Built in dependency order, so the runtime is handed everything it uses when it is created: the store and what
  // reads it (server tables, vault, connections, the scrubber that knows their secrets, lookup tables), then the runtime.
  const {
    store,
    db,
    vault,
    secrets,
    connections,
    users: ownUsers,
    audit,
    scrub,
    lookups,
  } = openServerCore({
    dataDir,
    masterKey: env.LEDGERLINE_MASTER_KEY,
    connectionFactories: o.connectionFactories,
    log,
    now,
  });
  // Users are deployment-wide: a further workspace's cell authenticates against the default cell's users.
  const users = o.cell?.users ?? ownUsers;

  const runtimeLog = log.child({ component: 'runtime' });
  // The exception inbox listens to the runtime's runs, so it joins these services once the runtime exists (below).
  const services: NodeServices = { lookups };
  let testSvc: NodeServices | undefined;
  const runtime: Runtime = createRuntime({
    services,
    // Test runs of drafts reach the lookup tables but no production sink (exception inbox, monitor series).
    servicesFor: (flowId) => (isTestFlow(flowId) ? (testSvc ??= testServices(services, runtimeLog)) : undefined),
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

  // Exceptions: failed runs and monitors raise them; people triage them; every action they take is audited.
  const exceptions = createExceptionService(runtime.store, runtime, {
    log: runtimeLog,
    ignoreFlow: isTestFlow,
    onAction: (a) => {
      if (a.actor !== 'system') audit.record(a.actor, `exception.${a.action}`, `exception:${a.exceptionId}`, { note: a.note, ...a.data });
    },
  });
  Object.assign(services, { exceptions, monitoring: exceptions.monitoring });
  const alerts = env.LEDGERLINE_ALERTS ? startAlerts(exceptions, JSON.parse(env.LEDGERLINE_ALERTS), { log }) : null;
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
    users.count() === 0
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

  let leadership: Leadership | null = null;
  const scheduler = new Scheduler(runtime, log.child({ component: 'scheduler' }), (flowId) => metrics.runsQueued.inc({ flow: flowId }));
  const sweeps = new SweepScheduler(runtime, connections.resolve, log.child({ component: 'shopify-sweep' }));
  const deps: Deps = {
    runtime,
    db,
    users,
    audit,
    connections,
    vault,
    secrets,
    metrics,
    lookups,
    exceptions,
    changeRequests: new ChangeRequests(db, runtime.flows, now),
    log,
    scrub,
    now,
    onTriggersChanged: () => {
      // Only where schedules fire: the leader, or (no election in this process) unless the scheduler is switched off.
      if (!(leadership ? leadership.isLeader : o.scheduler !== false)) return;
      scheduler.refresh();
      sweeps.refresh();
    },
    options: {
      staleAfterMs: o.staleAfterMs ?? 60 * 60_000,
      bodyLimitBytes: o.bodyLimitBytes ?? 5 * 1024 * 1024,
      loginAttempts: o.loginAttempts ?? { max: 10, windowMs: 15 * 60_000, hashConcurrency: Number(env.LEDGERLINE_LOGIN_CONCURRENCY) || 1 },
      trustProxy: trustProxyFromEnv(env),
    },
  };

  runtime.events.on('run', (e: { runId: string; flowId: string; status: string; startedAt: number | null }) => {
    const line = { runId: e.runId, flowId: e.flowId, status: e.status, ms: e.startedAt ? now() - e.startedAt : undefined };
    if (e.status === 'failed') log.warn(line, 'run failed');
    else log.info(line, `run ${e.status}`);
  });

  if (o.sandboxMode !== false) {
    sandbox = await startSandboxMode({ fresh, connections, secrets, log, env, serving: o.web });
    if (sandbox && fresh && o.templatesDir !== null) {
      const t = installTemplates(runtime, o.templatesDir ?? join(root, 'flows', 'templates'), log);
      if (t.published.length || t.drafts.length) log.info(t, 'templates installed');
      (await import('./lookups/seed.ts')).installSandboxLookups(lookups);
    }
  }

  await firstAdmin;

  const app = new OpenAPIHono<AppEnv>();
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    const route =
      c.req.routePath && c.req.routePath !== '/*'
        ? c.req.routePath
        : c.res.status === 404
          ? 'unmatched'
          : c.req.path.startsWith('/api')
            ? c.req.path
            : 'static';
    metrics.http.observe({ method: c.req.method, route, status: String(c.res.status) }, ms / 1000);
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(ms * 100) / 100 };
    // Webhook deliveries (thousands a second) are counted and timed by the metrics, not logged one by one at info;
    // refusals are logged where they are decided, server errors here.
    if (!c.req.path.startsWith('/webhooks/')) log.info(line, 'request');
    else if (c.res.status >= 500) log.warn(line, 'request');
    else log.debug(line, 'request');
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      referrerPolicy: 'same-origin',
      crossOriginEmbedderPolicy: false,
    }),
  );
  const limit = bodyLimit({
    maxSize: deps.options.bodyLimitBytes,
    onError: (c) => {
      if (c.req.path.startsWith('/webhooks/'))
        metrics.webhooks.inc({ source: c.req.path.startsWith('/webhooks/shopify') ? 'shopify' : 'flow', result: 'too_large' });
      return c.json(errorBody('too_large', `the body exceeds ${deps.options.bodyLimitBytes} bytes`), 413);
    },
  });
  // A webhook whose body has not arrived whole in time is a slow-body attack or a dead client: its socket is
  // closed. Only the arrival is timed (cleared once the body has been read), never our own handling of it.
  let webhookTimeoutMs = 0;
  app.use('/webhooks/*', async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!webhookTimeoutMs || !incoming || incoming.complete) return next();
    const timer = setTimeout(() => {
      if (incoming.complete) return;
      log.warn({ path: c.req.path, ms: webhookTimeoutMs }, 'webhook body not received in time; connection closed');
      incoming.socket.destroy();
    }, webhookTimeoutMs);
    const done = () => clearTimeout(timer);
    incoming.once('end', done);
    try {
      await next();
    } finally {
      done();
      incoming.off('end', done);
    }
  });
  // Shopify deliveries read their body from the socket themselves, under the same limit (server/webhooks/shopify.ts):
  // this middleware would build a fetch Request and a web stream per delivery just to count its bytes.
  app.use('/webhooks/*', (c, next) =>
    c.req.path.startsWith('/webhooks/shopify/') && (c.env as { incoming?: IncomingMessage } | undefined)?.incoming ? next() : limit(c, next),
  );
  app.use('/api/*', limit);
  // A store that is no longer the file we opened cannot keep what we would acknowledge: 503, so senders retry.
  const storeGone = (c: import('hono').Context, problem: string) => {
    c.header('Retry-After', '60');
    return c.json(errorBody('store_unavailable', `not accepting work: ${problem}`), 503);
  };
  // Checked once per turn of the event loop for the deliveries arriving in it (they share one group commit too):
  // a stat and a header read per delivery were ~7 % of ingest.
  let turnHealth: ReturnType<typeof storeWatch.health> | undefined;
  const webhookHealth = () => {
    if (!turnHealth) {
      turnHealth = storeWatch.health();
      setImmediate(() => (turnHealth = undefined));
    }
    return turnHealth;
  };
  app.use('/webhooks/*', async (c, next) => {
    const h = webhookHealth();
    return h.ok ? next() : storeGone(c, h.problem);
  });
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const h = storeWatch.health();
    return h.ok ? next() : storeGone(c, h.problem);
  });
  app.use('/api/*', authenticate(users));
  const cell = o.cell;
  if (cell) {
    // A caller who is not a member of this workspace gets 404 for all of it: its existence is not revealed. The
    // deployment's own routes (/api/workspaces) and signing in/out do their own checks.
    app.use('/api/*', async (c, next) => {
      const user = c.get('user');
      const p = c.req.path;
      if (!user || p === '/api/auth/login' || p === '/api/auth/logout' || p === '/api/workspaces' || p.startsWith('/api/workspaces/')) return next();
      const role = cell.roleOf(user.id);
      if (!role) throw new HttpError(404, 'not_found', `no route for ${c.req.method} ${p}`);
      c.set('user', { ...user, role });
      if (cell.manageUsers && (p.startsWith('/api/users') || p.startsWith('/api/tokens')) && !cell.manageUsers(user.id)) {
        throw new HttpError(403, 'forbidden', 'users are deployment-wide: add them to this workspace with /api/workspaces/{id}/members');
      }
      return next();
    });
  }

  const healthz = (c: import('hono').Context) => c.json({ ok: true, version: VERSION, sandboxMode: !!sandbox }, 200);
  // Ready to take work: the store is still the one opened (and passes SQLite's quick check), and its schema is the
  // one this build migrates to (a newer build's process may have migrated it further).
  const readyz = (c: import('hono').Context) => {
    const h = storeWatch.health({ deep: c.req.query('deep') === '1' });
    if (!h.ok) return c.json({ ok: false, problem: h.problem, since: new Date(h.since).toISOString() }, 503);
    let m: ReturnType<typeof migrationsSince>;
    try {
      // Reads the store (its migration tables): also what says it answers queries at all.
      m = migrationsSince(migrationsAtStart, runtime.store.sqlite);
    } catch (e) {
      m = { ok: false, problem: `the store does not answer: ${(e as Error).message}` };
    }
    return m.ok ? c.json({ ok: true }, 200) : c.json({ ok: false, problem: m.problem }, 503);
  };
  app.get('/healthz', healthz);
  app.get('/readyz', readyz);
  const healthApp = new Hono();
  healthApp.get('/healthz', healthz);
  healthApp.get('/readyz', readyz);
  const serveMetrics = async (c: import('hono').Context) => c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  // /metrics says how busy the server is and which flows run: not for the public. With LEDGERLINE_METRICS_TOKEN it
  // needs that bearer token; with LEDGERLINE_METRICS_PORT it lives on that port instead; with neither, only
  // callers on this machine (loopback) get it.
  const metricsToken = env.LEDGERLINE_METRICS_TOKEN ? createHash('sha256').update(env.LEDGERLINE_METRICS_TOKEN).digest() : null;
  app.get('/metrics', async (c) => {
    if (metricsToken) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), metricsToken)) {
        return c.json(errorBody('unauthenticated', '/metrics needs Authorization: Bearer <LEDGERLINE_METRICS_TOKEN>'), 401);
      }
      return serveMetrics(c);
    }
    if (env.LEDGERLINE_METRICS_PORT) return c.json(errorBody('not_found', '/metrics is served on LEDGERLINE_METRICS_PORT'), 404);
    if (!isLoopback(peerAddress(c)))
      return c.json(
        errorBody('forbidden', '/metrics answers this machine only; set LEDGERLINE_METRICS_TOKEN (or LEDGERLINE_METRICS_PORT) to scrape it from elsewhere'),
        403,
      );
    return serveMetrics(c);
  });
  const metricsApp = new Hono();
  metricsApp.get('/metrics', serveMetrics);

  app.route('/api', authRouter(deps));
  app.route('/api', flowsRouter(deps));
  app.route('/api', changeRequestsRouter(deps));
  app.route('/api', runsRouter(deps));
  app.route('/api', connectionsRouter(deps));
  app.route(
    '/api',
    catalogRouter(deps, () => nodeTypes),
  );
  app.route('/api', templatesRouter(deps, o.templatesDir ?? undefined));
  app.route('/api', usersRouter(deps));
  o.cell?.routes?.(app);
  app.route('/api', eventsRouter(deps));
  app.route('/api', mappingRouter(deps));
  app.route('/api', assistRouter(deps, { env }));
  app.route('/api', runNowRouter(deps));
  app.route('/api', monitorsRouter(deps));
  app.route('/api', flowControlsRouter(deps));
  app.route(
    '/api',
    sandboxRouter(deps, () => sandbox),
  );
  reportingRoutes(app, deps);
  app.route('/api', retriesRouter(deps));
  app.route('/api/exceptions', exceptionRoutes(exceptions, { authorize: (p) => requirePermission(p) }));
  app.route('/api/dashboard', dashboardRoutes(runtime.store, { authorize: (p) => requirePermission(p) }));
  app.route(
    '/api/lookups',
    lookupRoutes(lookups, {
      authorize: (perm) => requirePermission(perm),
      references: erpReferences({ runtime, connections, lookups }),
      onChange: (e) => {
        audit.record(e.by ?? 'unknown', `lookup.${e.action}`, `lookup:${e.scope}/${e.name}`, { version: e.version });
        // Saving rows may resolve what failed runs were waiting for: retry those at once (the response lists them).
        if (!/rows|restore|csv/.test(e.action)) return;
        return { retried: retryWaitingOnLookup(exceptions, lookups, { scope: e.scope, name: e.name }, e.by ?? 'unknown') };
      },
    }),
  );
  const shopifyIn = shopifyIngest(deps, { batchMs: ingestBatchMs(env) });
  app.route('/webhooks', shopifyIn.routes());
  app.route('/webhooks', flowWebhookRoutes(deps));
  documentInfraRoutes(app);
  docsPageRoutes(app);
  app.doc31('/api/openapi.json', OPENAPI_CONFIG);

  const designerDir = o.designerDir === null ? null : (o.designerDir ?? join(packageRoot, 'designer', 'dist'));
  const statics = designerDir ? designerStatic(designerDir) : null;
  if (statics) app.use('*', statics);
  else if (designerDir)
    log.warn(
      { designerDir },
      'the designer is not built: no web UI at / (run `npm install` with dev dependencies, or `npx vite build --config designer/vite.config.ts`)',
    );

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((e, c) => {
    if (isStoreDamageError(e)) {
      const h = storeWatch.health({ deep: true });
      if (!h.ok) return storeGone(c, h.problem);
    }
    if (e instanceof HttpError) return c.json(errorBody(e.code, e.message, e.problems), e.status);
    if (e instanceof FlowInvalidError) return c.json(errorBody('invalid_flow', e.message, e.problems), 422);
    if (e instanceof NotFoundError) return c.json(errorBody('not_found', e.message), 404);
    if (e instanceof RunStateError) return c.json(errorBody('conflict', e.message), 409);
    if (e instanceof UserError || e instanceof ConnectionError)
      return c.json(errorBody(e.status === 409 ? 'conflict' : e.status === 404 ? 'not_found' : 'invalid_request', e.message), e.status);
    if (e instanceof ZodError) {
      const problems = e.issues.map((i) => ({
        where: 'body',
        path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
        message: i.message,
      }));
      return c.json(errorBody('invalid_request', problems.map((p) => `${p.path} ${p.message}`).join('; '), problems), 400);
    }
    if (e instanceof HTTPException) {
      return c.json(errorBody(e.status === 413 ? 'too_large' : 'invalid_request', e.message || `HTTP ${e.status}`), e.status);
    }
    log.error(
      { err: scrub(e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) }), method: c.req.method, path: c.req.path },
      'request failed',
    );
    return c.json(errorBody('internal', 'internal error; the server log has the details'), 500);
  });

  // The Shopify delivery path straight from node:http (see LedgerlineServer.shopifyWebhookListener). The security
  // headers are Hono's own, taken once from a response of the app.
  const SHOPIFY_DELIVERY = /^\/webhooks\/shopify\/([^/?#]+)(?:\?.*)?$/;
  const SECURITY_HEADERS =
    /^(content-security-policy|cross-origin-|origin-agent-cluster|referrer-policy|strict-transport-security|x-content-type-options|x-dns-prefetch-control|x-download-options|x-frame-options|x-permitted-cross-domain-policies|x-xss-protection)/;
  const securityHeaders: Record<string, string> = {};
  (await app.request('/webhooks/')).headers.forEach((v, k) => {
    if (SECURITY_HEADERS.test(k)) securityHeaders[k] = v;
  });
  const shopifyWebhookListener = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const m = SHOPIFY_DELIVERY.exec(req.url ?? '');
    if (!m) return false;
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(m[1]!); // the pattern's one group always takes part
    } catch {
      return false; // Hono answers what it makes of it
    }
    const t0 = performance.now();
    const path = req.url!.split('?')[0];
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra });
      res.end(text);
      const ms = performance.now() - t0;
      metrics.http.observe({ method: 'POST', route: '/webhooks/shopify/:connectionId', status: String(status) }, ms / 1000);
      const line = { method: 'POST', path, status, ms: Math.round(ms * 100) / 100 };
      if (status >= 500) log.warn(line, 'request');
      else log.debug(line, 'request');
    };
    const h = webhookHealth();
    if (!h.ok) {
      send(503, errorBody('store_unavailable', `not accepting work: ${h.problem}`), { 'retry-after': '60' });
      return true;
    }
    // A body that has not arrived whole in time: a slow-body attack or a dead client, its socket is closed.
    const timer =
      webhookTimeoutMs && !req.complete
        ? setTimeout(() => {
            if (req.complete) return;
            log.warn({ path, ms: webhookTimeoutMs }, 'webhook body not received in time; connection closed');
            req.socket.destroy();
          }, webhookTimeoutMs)
        : undefined;
    const hdr = req.headers;
    void shopifyIn
      .handle({ connectionId, incoming: req, header: headerGetter(req, () => new Headers(hdr as Record<string, string>)) })
      .then(
        (a) => send(a.status, a.body),
        (e: unknown) => {
          if (isStoreDamageError(e)) {
            const deep = storeWatch.health({ deep: true });
            if (!deep.ok) return send(503, errorBody('store_unavailable', `not accepting work: ${deep.problem}`), { 'retry-after': '60' });
          }
          log.error(
            { err: scrub(e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) }), method: 'POST', path },
            'request failed',
          );
          send(500, errorBody('internal', 'internal error; the server log has the details'));
        },
      )
      .finally(() => clearTimeout(timer));
    return true;
  };

  // Every part of the store has migrated by now (each at its own start, above).
  const migrationsAtStart = readMigrationState(runtime.store.sqlite);
  let sweepRefresh: NodeJS.Timeout | undefined;
  if (workersOn || schedulerOn) runtime.start({ worker: workersOn, retention: schedulerOn });
  if (schedulerOn) {
    const ttlMs = schedulerLeaseMs(env);
    leadership = new Leadership(new SqliteLeaseStore(runtime.store), {
      name: 'scheduler',
      holder: `${hostname()}:${process.pid}:${newId('sched')}`,
      ttlMs,
      log: log.child({ component: 'scheduler' }),
      onGain: (previous) => {
        scheduler.start();
        // Taking over from a leader that died: what fell due since its last renewal may not have fired.
        if (previous) scheduler.catchUp(Math.max(previous.expiresAt - ttlMs, Date.now() - 2 * ttlMs));
        sweeps.refresh();
        // Like the scheduler: activations made by another process (the CLI) are picked up within seconds.
        sweepRefresh = setInterval(() => sweeps.refresh(), 10_000);
        sweepRefresh.unref();
      },
      onLose: () => {
        scheduler.stop();
        if (sweepRefresh) clearInterval(sweepRefresh);
        sweeps.stop();
      },
    });
    await leadership.start();
  }

  let closed = false;
  return {
    app,
    runtime,
    deps,
    sandboxMode: !!sandbox,
    sandbox,
    scheduler,
    sweeps,
    leadership,
    healthApp,
    attach: (baseUrl) => sandbox?.attach(baseUrl),
    metricsApp,
    setWebhookTimeout: (ms) => {
      webhookTimeoutMs = ms;
    },
    shopifyWebhookListener,
    async close(opts = {}) {
      if (closed) return;
      closed = true;
      await leadership?.stop();
      scheduler.stop();
      storeWatch.stop();
      if (sweepRefresh) clearInterval(sweepRefresh);
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

function stepBatchMs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 60_000)
    throw Object.assign(new Error(`LEDGERLINE_STEP_BATCH_MS must be a whole number of milliseconds from 0 to 60000, not ${JSON.stringify(v)}`), {
      userFacing: true,
    });
  return n;
}

/** LEDGERLINE_SCHEDULER_LEASE_MS (default 15 s): how long a dead scheduler leader can leave crons unfired. */
function schedulerLeaseMs(env: NodeJS.ProcessEnv): number {
  const v = env.LEDGERLINE_SCHEDULER_LEASE_MS;
  if (v === undefined || v === '') return 15_000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 500)
    throw new StartupError(`LEDGERLINE_SCHEDULER_LEASE_MS must be a whole number of milliseconds of at least 500, not ${JSON.stringify(v)}`);
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
      if (pool) await (await pool).close();
    },
  };
}
