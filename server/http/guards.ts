// The middleware every request passes before its route: timing and logging, Hono's security headers, body limits,
// the arrival deadline of webhook bodies, and refusing work while the store is not the one we opened.
import type { IncomingMessage } from 'node:http';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { errorBody, type AppEnv } from '../api/http.ts';
import type { Metrics } from '../metrics.ts';
import type { StoreWatch } from '../store-watch.ts';

export type StoreHealth = ReturnType<StoreWatch['health']>;

/** How long a webhook body may take to arrive whole (0: no deadline); main.ts sets it once it listens. */
export interface ArrivalDeadline {
  ms: number;
}

export interface GuardOptions {
  metrics: Metrics;
  log: Logger;
  bodyLimitBytes: number;
  storeWatch: StoreWatch;
  arrival: ArrivalDeadline;
}

export interface Guards {
  /** The store's health, read once per turn of the event loop for the deliveries arriving in it. */
  webhookHealth(): StoreHealth;
  /** 503 with Retry-After: a store that is not the file we opened cannot keep what we would acknowledge. */
  storeGone(c: Context, problem: string): Response;
}

export function installGuards(app: Hono<AppEnv>, o: GuardOptions): Guards {
  const { metrics, log } = o;
  app.use('*', observe(metrics, log));
  app.use('*', securityHeaders());
  const limit = bodyLimit({
    maxSize: o.bodyLimitBytes,
    onError: (c) => {
      if (c.req.path.startsWith('/webhooks/'))
        metrics.webhooks.inc({ source: c.req.path.startsWith('/webhooks/shopify') ? 'shopify' : 'flow', result: 'too_large' });
      return c.json(errorBody('too_large', `the body exceeds ${o.bodyLimitBytes} bytes`), 413);
    },
  });
  // A webhook whose body has not arrived whole in time is a slow-body attack or a dead client: its socket is
  // closed. Only the arrival is timed (cleared once the body has been read), never our own handling of it.
  app.use('/webhooks/*', async (c, next) => {
    const incoming = incomingOf(c);
    const ms = o.arrival.ms;
    if (!ms || !incoming || incoming.complete) return next();
    const timer = setTimeout(() => {
      if (incoming.complete) return;
      log.warn({ path: c.req.path, ms }, 'webhook body not received in time; connection closed');
      incoming.socket.destroy();
    }, ms);
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
  app.use('/webhooks/*', (c, next) => (c.req.path.startsWith('/webhooks/shopify/') && incomingOf(c) ? next() : limit(c, next)));
  app.use('/api/*', limit);

  const storeGone = (c: Context, problem: string) => {
    c.header('Retry-After', '60');
    return c.json(errorBody('store_unavailable', `not accepting work: ${problem}`), 503);
  };
  // A stat and a header read per delivery were ~7 % of ingest: once per turn, shared by the deliveries in it (they
  // share one group commit too).
  let turnHealth: StoreHealth | undefined;
  const webhookHealth = () => {
    if (!turnHealth) {
      turnHealth = o.storeWatch.health();
      setImmediate(() => {
        turnHealth = undefined;
      });
    }
    return turnHealth;
  };
  app.use('/webhooks/*', async (c, next) => {
    const h = webhookHealth();
    return h.ok ? next() : storeGone(c, h.problem);
  });
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const h = o.storeWatch.health();
    return h.ok ? next() : storeGone(c, h.problem);
  });
  return { webhookHealth, storeGone };
}

const incomingOf = (c: Context) => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/** Times every request into the metrics and logs it (webhook deliveries only when they fail: thousands a second). */
function observe(metrics: Metrics, log: Logger): MiddlewareHandler {
  return async (c, next) => {
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
    // Refusals are logged where they are decided, server errors here.
    if (!c.req.path.startsWith('/webhooks/')) log.info(line, 'request');
    else if (c.res.status >= 500) log.warn(line, 'request');
    else log.debug(line, 'request');
  };
}

function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
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
  });
}
