// The Shopify delivery path straight from node:http, ahead of Hono: `POST /webhooks/shopify/:connectionId` answered
// with what the Hono route and its middleware do (store check, arrival deadline, body limit, metrics, security
// headers, error answers) but without a Fetch-API Request and Response per delivery.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isStoreDamageError } from '../../runtime/store/db.ts';
import { errorBody } from '../api/http.ts';
import { errorLine } from '../http/errors.ts';
import type { ArrivalDeadline, StoreHealth } from '../http/guards.ts';
import type { Metrics } from '../metrics.ts';
import type { StoreWatch } from '../store-watch.ts';
import { headerGetter, type shopifyIngest } from './shopify.ts';

const SHOPIFY_DELIVERY = /^\/webhooks\/shopify\/([^/?#]+)(?:\?.*)?$/;
const SECURITY_HEADERS =
  /^(content-security-policy|cross-origin-|origin-agent-cluster|referrer-policy|strict-transport-security|x-content-type-options|x-dns-prefetch-control|x-download-options|x-frame-options|x-permitted-cross-domain-policies|x-xss-protection)/;

export interface ListenerOptions {
  /** The app whose security headers the answers carry (taken once from one of its responses). */
  app: { request(path: string): Response | Promise<Response> };
  ingest: ReturnType<typeof shopifyIngest>;
  metrics: Metrics;
  log: Logger;
  scrub<T>(v: T): T;
  storeWatch: StoreWatch;
  webhookHealth(): StoreHealth;
  arrival: ArrivalDeadline;
}

/** Answers the request (true) when it is a Shopify delivery; false leaves it to Hono. */
export type DeliveryListener = (req: IncomingMessage, res: ServerResponse) => boolean;

export async function shopifyDeliveryListener(o: ListenerOptions): Promise<DeliveryListener> {
  const { metrics, log } = o;
  const securityHeaders: Record<string, string> = {};
  (await o.app.request('/webhooks/')).headers.forEach((v, k) => {
    if (SECURITY_HEADERS.test(k)) securityHeaders[k] = v;
  });
  return (req, res) => {
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
    const h = o.webhookHealth();
    if (!h.ok) {
      send(503, errorBody('store_unavailable', `not accepting work: ${h.problem}`), { 'retry-after': '60' });
      return true;
    }
    // A body that has not arrived whole in time: a slow-body attack or a dead client, its socket is closed.
    const ms = o.arrival.ms;
    const timer =
      ms && !req.complete
        ? setTimeout(() => {
            if (req.complete) return;
            log.warn({ path, ms }, 'webhook body not received in time; connection closed');
            req.socket.destroy();
          }, ms)
        : undefined;
    const hdr = req.headers;
    void o.ingest
      .handle({ connectionId, incoming: req, header: headerGetter(req, () => new Headers(hdr as Record<string, string>)) })
      .then(
        (a) => send(a.status, a.body),
        (e: unknown) => {
          if (isStoreDamageError(e)) {
            const deep = o.storeWatch.health({ deep: true });
            if (!deep.ok) return send(503, errorBody('store_unavailable', `not accepting work: ${deep.problem}`), { 'retry-after': '60' });
          }
          log.error({ err: o.scrub(errorLine(e)), method: 'POST', path }, 'request failed');
          send(500, errorBody('internal', 'internal error; the server log has the details'));
        },
      )
      .finally(() => clearTimeout(timer));
    return true;
  };
}
