// `npm start` / `ledgerline serve`: one port for the designer, the API, webhooks, /healthz and /metrics, of every
// workspace of the data dir (server/workspaces/deployment.ts; a fresh data dir has one).
// `--role` (LEDGERLINE_ROLE) splits the work between processes sharing one data dir: `web` answers HTTP and queues
// runs, `worker` runs them, `scheduler` fires crons and sweeps (one leader at a time); `all` (default) does everything.
import { serve as listen, type ServerType } from '@hono/node-server';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { createLogger } from './logger.ts';
import type { LedgerlineServer, ServerOptions } from './app.ts';
import { createDeployment, type Deployment } from './workspaces/deployment.ts';
import { isLoopback } from './auth/client.ts';

/** Limits of the listening socket(s); each is an environment variable (see README). */
export interface HttpLimits {
  /** Time a client has to send the request headers (default 10 s; Node's default is 60 s). */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request (default 30 s; Node's default is 300 s). */
  requestTimeoutMs: number;
  /** Time a webhook request has to arrive whole (default 10 s: Shopify itself gives up after 5 s). */
  webhookTimeoutMs: number;
  /** Open sockets one remote client address may hold; further ones are closed at once (default 64; 0: no cap; loopback exempt). */
  maxSocketsPerAddress: number;
}

export function httpLimitsFromEnv(env: NodeJS.ProcessEnv): HttpLimits {
  const num = (name: string, dflt: number, min: number) => {
    const v = env[name];
    if (v === undefined || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min} (got "${v}")`);
    return n;
  };
  return {
    headersTimeoutMs: num('LEDGERLINE_HEADERS_TIMEOUT_MS', 10_000, 1000),
    requestTimeoutMs: num('LEDGERLINE_REQUEST_TIMEOUT_MS', 30_000, 1000),
    webhookTimeoutMs: num('LEDGERLINE_WEBHOOK_TIMEOUT_MS', 10_000, 1000),
    maxSocketsPerAddress: num('LEDGERLINE_MAX_SOCKETS_PER_ADDRESS', 64, 0),
  };
}

/** Applies the limits to a Node http server: header/request timeouts and a cap on sockets per client address. */
export function applyHttpLimits(http: Server, limits: HttpLimits): void {
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  if (limits.maxSocketsPerAddress <= 0) return;
  const open = new Map<string, number>();
  http.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress ?? 'unknown';
    // This machine's own clients (the sandbox store's webhooks, a local proxy) are not the threat the cap is for.
    if (isLoopback(addr)) return;
    const n = (open.get(addr) ?? 0) + 1;
    if (n > limits.maxSocketsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(addr, n);
    socket.once('close', () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left <= 0) open.delete(addr);
      else open.set(addr, left);
    });
  });
}

export const ROLES = ['all', 'web', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

export function roleFrom(value: string | undefined): Role {
  const v = value === undefined || value === '' ? 'all' : value;
  if ((ROLES as readonly string[]).includes(v)) return v as Role;
  throw Object.assign(new Error(`the role must be one of ${ROLES.join(', ')} (got "${v}")`), { userFacing: true });
}

/** What createServer runs in a process of each role. */
export function roleSwitches(role: Role): { web: boolean; workers: boolean; scheduler: boolean } {
  return { web: role === 'all' || role === 'web', workers: role === 'all' || role === 'worker', scheduler: role === 'all' || role === 'scheduler' };
}

/** LEDGERLINE_DRAIN_GRACE_MS (default 25 s): how long runs in flight may take to finish on SIGTERM. */
export function drainGraceMs(env: NodeJS.ProcessEnv): number {
  const v = env.LEDGERLINE_DRAIN_GRACE_MS;
  if (v === undefined || v === '') return 25_000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw Object.assign(new Error(`LEDGERLINE_DRAIN_GRACE_MS must be a whole number of milliseconds (got "${v}")`), { userFacing: true });
  return n;
}

/** LEDGERLINE_RUN_LEASE_MS (default 30 s): how long a run claimed by a worker that died waits before another resumes it. */
function runLeaseMs(env: NodeJS.ProcessEnv): number | undefined {
  const v = env.LEDGERLINE_RUN_LEASE_MS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1000)
    throw Object.assign(new Error(`LEDGERLINE_RUN_LEASE_MS must be a whole number of milliseconds of at least 1000 (got "${v}")`), { userFacing: true });
  return n;
}

export interface Serving {
  url: string;
  port: number;
  role: Role;
  /** Where /metrics is served when it has a port of its own. */
  metricsUrl?: string;
  /** The default workspace's server (the data dir root). */
  server: LedgerlineServer;
  /** Every workspace's server behind one app. */
  deployment: Deployment;
  close(): Promise<void>;
}

export async function serve(
  opts: Partial<ServerOptions> & {
    port?: number;
    host?: string;
    handleSignals?: boolean;
    limits?: Partial<HttpLimits>;
    metricsPort?: number;
    role?: Role;
  } = {},
): Promise<Serving> {
  const env = opts.env ?? process.env;
  const role = opts.role ?? roleFrom(env.LEDGERLINE_ROLE);
  const parts = roleSwitches(role);
  const graceMs = drainGraceMs(env);
  const leaseMs = runLeaseMs(env);
  const log = (opts.log ?? createLogger(env)).child({ role });
  const started = performance.now();
  const deployment = await createDeployment({
    ...parts,
    ...opts,
    ...(leaseMs ? { worker: { leaseMs, ...opts.worker } } : {}),
    dataDir: resolve(opts.dataDir ?? env.LEDGERLINE_DATA_DIR ?? './data'),
    env,
    log,
    onFirstAdmin:
      opts.onFirstAdmin ??
      ((a) => {
        // Printed once, to the terminal only (not the log): it is never shown again.
        if (a.generatedPassword)
          process.stdout.write(
            `\n  First admin user: ${a.email}\n  Password (shown once; change it after signing in, under your name at the top right): ${a.generatedPassword}\n\n`,
          );
      }),
  });
  const server = deployment.defaultCell;
  const port = opts.port ?? Number(env.PORT ?? 3000);
  // 0.0.0.0 by default so a container's port mapping reaches it; HOST=127.0.0.1 keeps it to this machine.
  const host = opts.host ?? env.HOST ?? '0.0.0.0';
  const limits = { ...httpLimitsFromEnv(env), ...opts.limits };
  deployment.setWebhookTimeout(limits.webhookTimeoutMs);
  let http!: ServerType;
  const info = await new Promise<AddressInfo>((ok, fail) => {
    // connectionsCheckingInterval: how often Node enforces the two timeouts (its default, 30 s, would let a slow
    // client hold a socket well past them).
    // A worker or scheduler process answers /healthz and /readyz only.
    http = listen(
      {
        fetch: parts.web ? deployment.app.fetch : server.healthApp.fetch,
        port,
        hostname: host,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
          connectionsCheckingInterval: 1000,
        },
      },
      (i) => ok(i),
    );
    http.once('error', fail);
  });
  applyHttpLimits(http as Server, limits);
  // Shopify deliveries are answered before Hono sees them (server/app.ts shopifyWebhookListener); the rest goes on.
  const honoListeners = http.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!parts.web || !deployment.shopifyWebhookListener(req, res)) for (const l of honoListeners) l(req, res);
  });
  // /metrics on a port of its own (LEDGERLINE_METRICS_PORT), by default on loopback only.
  let metricsHttp: ServerType | undefined;
  const metricsPort = opts.metricsPort ?? (env.LEDGERLINE_METRICS_PORT ? Number(env.LEDGERLINE_METRICS_PORT) : undefined);
  let metricsUrl: string | undefined;
  if (metricsPort !== undefined) {
    const metricsHost = env.LEDGERLINE_METRICS_HOST ?? '127.0.0.1';
    const mi = await new Promise<AddressInfo>((ok, fail) => {
      metricsHttp = listen({ fetch: deployment.metricsApp.fetch, port: metricsPort, hostname: metricsHost }, (i) => ok(i));
      metricsHttp.once('error', fail);
    });
    applyHttpLimits(metricsHttp as Server, limits);
    metricsUrl = `http://${metricsHost === '0.0.0.0' || metricsHost === '::' ? '127.0.0.1' : metricsHost}:${mi.port}`;
  }
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${info.port}`;
  if (parts.web) deployment.attach(url);
  log.info(
    {
      url,
      ...(metricsUrl ? { metricsUrl } : {}),
      dataDir: resolve(opts.dataDir ?? env.LEDGERLINE_DATA_DIR ?? './data'),
      sandboxMode: server.sandboxMode,
      startMs: Math.round(performance.now() - started),
    },
    'ledgerline listening',
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down');
      if (metricsHttp) metricsHttp.close();
      await new Promise<void>((r) => {
        http.close(() => r());
        // Keep-alive connections would hold close() open; after a grace period they are cut.
        setTimeout(() => ('closeAllConnections' in http ? (http as { closeAllConnections(): void }).closeAllConnections() : undefined), 2000).unref();
      });
      // Workers stop claiming; runs in flight get the grace period, the rest are released for another worker.
      await deployment.close({ graceMs });
      log.info('stopped');
      log.flush?.();
    })());

  if (opts.handleSignals !== false) {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'signal received');
      close().then(
        () => process.exit(0),
        (e) => {
          log.error({ err: (e as Error).message }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, port: info.port, role, metricsUrl, server, deployment, close };
}
