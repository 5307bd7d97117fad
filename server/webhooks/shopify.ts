// POST /webhooks/shopify/:connectionId — verify, deduplicate, store the event and queue its runs in one
// transaction, then answer 200 (Shopify gives up after 5 s). Events no active flow wants are stored all the same.
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../api/http.ts';
import { errorBody } from '../api/http.ts';
import { verifyShopifyWebhook, webhookKey, type HeaderGetter } from './verify-shopify.ts';
import { GroupCommit } from './group-commit.ts';
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { COMPLIANCE_TOPICS, handleCompliance } from './compliance.ts';
import { pathKeys, shopifyKeys } from './keys.ts';
import { parseBodyExact } from '../../nodes/shopify/parse-exact.ts';
import { parseTopLevelLazy } from '../../nodes/shopify/parse-lazy.ts';
import { dedupKeyFor, orderIdentityFromBody } from '../../nodes/shopify/sweep.ts';
import { SWEEP_KEY } from '../sweeps.ts';
import { ReplayGuard, normaliseShopDomain, replayDigest, topicContradiction } from './ingress-guards.ts';
import type { IngestRequest } from '../../runtime/queue.ts';
import type { WebhookResult } from '../metrics.ts';
import { UnverifiedDeliveries } from './unverified.ts';
import type { AnyStore } from '../../runtime/store/any-store.ts';

import type { ActiveTrigger } from '../../runtime/flow-store.ts';

/** Does a Shopify trigger node's config ask for this connection and topic? */
export function triggerWants(config: Record<string, unknown>, connectionId: string, topic: string): boolean {
  if (config.mode === 'sweep') return false;
  const conn = config.connectionId ?? config.connection ?? config.shop;
  if (conn !== undefined && conn !== connectionId) return false;
  const topics = config.topics ?? config.topic;
  if (topics === undefined || topics === null || topics === '*') return true;
  return Array.isArray(topics) ? topics.includes(topic) : topics === topic;
}

const KEPT_HEADERS = [
  'x-shopify-topic',
  'x-shopify-shop-domain',
  'x-shopify-api-version',
  'x-shopify-webhook-id',
  'x-shopify-event-id',
  'x-shopify-triggered-at',
  'x-shopify-name',
];

function deliveryHeaders(h: HeaderGetter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT_HEADERS) {
    const v = h(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The request's headers by lower-case name: Node's own object when there is one (no fetch Headers built). */
export function headerGetter(incoming: IncomingMessage | undefined, fallback: () => Headers): HeaderGetter {
  if (!incoming) return (n) => fallback().get(n) ?? undefined;
  const h = incoming.headers;
  return (n) => {
    const v = h[n];
    return Array.isArray(v) ? v.join(', ') : v;
  };
}

/**
 * The body straight from Node's request stream, or null past `limit` bytes (declared or received). Reading it through
 * the fetch Request that Hono would build costs ~15 % of a delivery (a web stream over the socket, the Request).
 */
export function readBodyLimited(incoming: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    incoming.resume(); // discarded, so the connection can carry the answer and the next request
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.resume();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => (cleanup(), resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    const onError = (e: Error) => (cleanup(), reject(e));
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/** LEDGERLINE_INGEST_BATCH_MS: how long a delivery may wait for others to share its commit (default 0: same tick). */
export function ingestBatchMs(env: NodeJS.ProcessEnv): number {
  const v = env.LEDGERLINE_INGEST_BATCH_MS;
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new Error(`LEDGERLINE_INGEST_BATCH_MS must be an integer from 0 to 10000 (got "${v}")`);
  return n;
}

/** The secret a connection's webhooks are signed with (the app's client secret). */
export function webhookSecretOf(secrets: Record<string, unknown>): string | undefined {
  const s = secrets.webhookSecret ?? secrets.apiSecretKey ?? secrets.clientSecret;
  return typeof s === 'string' && s ? s : undefined;
}

/** One delivery as it arrived: the connection id from the path, Node's request (when there is one), the headers. */
export interface DeliveryInput {
  connectionId: string;
  incoming?: IncomingMessage;
  /** The body when there is no Node request to read it from (in-process requests). */
  body?: () => Promise<Buffer>;
  header: HeaderGetter;
}
export interface DeliveryAnswer {
  status: 200 | 400 | 401 | 404 | 413 | 422;
  body: unknown;
}

/**
 * Shopify delivery ingest, independent of the HTTP framework: `handle` answers one delivery; `routes()` mounts it in
 * Hono; `server/app.ts` also calls it straight from the node:http listener (no Fetch-API request/response per
 * delivery).
 */
/** PostgreSQL: a concurrent delivery of the same signed body committed its digest first. */
class ReplayLost extends Error {}

export function shopifyIngest(d: Deps, o: { batchMs?: number } = {}) {
  const rt = d.runtime;
  // Written for either store; the server's runtime is on SQLite until its other rooms are converted (issue 13).
  const store = rt.store as AnyStore;
  const group = new GroupCommit(store, o.batchMs ?? 0, () => d.metrics.ingestCommits.inc());
  const count = (result: WebhookResult) => d.metrics.webhooks.inc({ source: 'shopify', result });

  const targetsFor = async (connectionId: string, topic: string): Promise<ActiveTrigger[]> =>
    (await rt.flows.activeTriggers()).filter((t) => rt.lookup(t.type)?.trigger === 'shopify-webhook' && triggerWants(t.config, connectionId, topic));

  // Connection lookups and secret decryption cached until any connection changes (hot path: every delivery).
  let cacheGen = -1;
  const cache = new Map<string, { kind: string; key?: KeyObject; shopDomain?: string } | null>();
  const connectionFor = async (id: string) => {
    if (cacheGen !== d.connections.generation) cache.clear(), (cacheGen = d.connections.generation);
    let hit = cache.get(id);
    if (hit === undefined) {
      const gen = d.connections.generation;
      const conn = await d.connections.find(id);
      const secret = conn ? webhookSecretOf(await d.connections.secretsOf(id).catch(() => ({}))) : undefined;
      hit = conn ? { kind: conn.kind, key: secret ? webhookKey(secret) : undefined, shopDomain: normaliseShopDomain(conn.config.shopDomain) } : null;
      // Not kept if a connection changed meanwhile: what was read may be the old one.
      if (gen === d.connections.generation) cache.set(id, hit);
    }
    return hit;
  };

  const replays = new ReplayGuard(rt.store, d.now);
  const unverified = new UnverifiedDeliveries(d.exceptions, d.now, d.log);
  /** A signed delivery refused for what its unsigned headers claim: logged, counted and kept in the audit log. */
  const refuse = async (connectionId: string, reason: string, detail: Record<string, unknown>) => {
    count('refused');
    d.log.warn({ connectionId, reason, ...detail }, `webhook refused: ${reason}`);
    await d.audit.record('shopify-webhook', 'webhook.refused', `connection:${connectionId}`, { reason, ...detail });
  };

  const handle = async (input: DeliveryInput): Promise<DeliveryAnswer> => {
    const { connectionId, incoming, header } = input;
    const conn = await connectionFor(connectionId);
    if (conn?.kind !== 'shopify') {
      count('not_found');
      return { status: 404, body: errorBody('not_found', `no Shopify connection "${connectionId}"`) };
    }
    const key = conn.key;
    // Unread (app.ts leaves this route's body to it): read from the socket, with the server's body limit.
    const bytes = incoming && !incoming.readableEnded ? await readBodyLimited(incoming, d.options.bodyLimitBytes) : await input.body!();
    if (bytes === null) {
      count('too_large');
      return { status: 413, body: errorBody('too_large', `the body exceeds ${d.options.bodyLimitBytes} bytes`) };
    }
    if (!key) {
      count('unauthorized');
      d.log.warn({ connectionId }, 'webhook refused: the connection has no webhook secret (secrets.webhookSecret)');
      await unverified.refused(connectionId, undefined, 'no_secret');
      return { status: 401, body: errorBody('unauthorized', `connection "${connectionId}" has no webhook secret to verify with`) };
    }
    // The HMAC is over the bytes Shopify sent; the text they decode to is what is parsed and kept.
    const v = verifyShopifyWebhook(key, bytes, header);
    const raw = bytes.toString('utf8');
    if (!v.ok) {
      const headersMissing = v.reason === 'missing_headers';
      count(headersMissing ? 'invalid' : 'unauthorized');
      // Not Shopify's (it always sends them) unless signed: only a refused signature may be a secret gone stale.
      if (!headersMissing) await unverified.refused(connectionId, header('x-shopify-shop-domain') ?? undefined, v.reason);
      return headersMissing
        ? { status: 400, body: errorBody('invalid_webhook', `missing Shopify headers: ${(v.missingHeaders ?? []).join(', ')}`) }
        : { status: 401, body: errorBody('unauthorized', `webhook verification failed (${v.reason})`) };
    }
    const w = v.webhook;
    unverified.verified(connectionId);
    const ids = { topic: w.topic, shopDomain: w.shopDomain, eventId: w.eventId ?? null, webhookId: w.webhookId };
    // The shop domain header is not signed: a body signed with this app's secret for another shop is not ours.
    if (conn.shopDomain && normaliseShopDomain(w.shopDomain) !== conn.shopDomain) {
      await refuse(connectionId, `the delivery names shop ${w.shopDomain}, not the connection's ${conn.shopDomain}`, ids);
      return { status: 401, body: errorBody('unauthorized', `this connection is for ${conn.shopDomain}; the delivery names ${w.shopDomain}`) };
    }
    // A body that verifies is exactly what Shopify signed, and its retries are the same bytes: refusing it would only
    // have Shopify retry it for hours and then drop it. It is kept (nothing runs on it) and raised for operations.
    let unreadable: string | undefined;
    let body: unknown;
    let contradiction: string | undefined;
    try {
      // Ids past 2^53 keep their digits (parse-exact.ts). Only an order's top level is read here (its ids, name, dates):
      // its line items, addresses and price sets are parsed if something reads them (parse-lazy.ts), which ingest does
      // not unless a flow's business keys reach into them. A compliance request, small, is read whole: its handling
      // reads its nested members after the commit, too late to refuse a body broken inside one.
      body = COMPLIANCE_TOPICS.has(w.topic) ? parseBodyExact(raw) : parseTopLevelLazy(raw);
      // The topic header is not signed either: a body that contradicts it (an open order as orders/cancelled) is a
      // replay of another delivery under a new topic, refused so that no action rests on the header alone.
      contradiction = topicContradiction(w.topic, body);
    } catch (e) {
      unreadable = `the body is not JSON: ${printable((e as Error).message)}`;
    }
    if (contradiction) {
      await refuse(connectionId, `the body contradicts its topic: ${contradiction}`, ids);
      return { status: 422, body: errorBody('topic_mismatch', `refused: ${contradiction}`) };
    }
    const digest = replayDigest(connectionId, w.topic, v.signature);
    const now = d.now();
    const triggeredMs = w.triggeredAt ? Date.parse(w.triggeredAt) : NaN;
    const stale = Number.isFinite(triggeredMs) && now - triggeredMs > d.options.staleAfterMs;
    let targets = unreadable ? [] : await targetsFor(connectionId, w.topic);
    const specs: Record<string, string>[] = [];
    for (const t of targets) {
      const spec = (await rt.flows.version(t.flowId, t.version)).definition.settings?.businessKeys;
      if (spec) specs.push(spec);
    }
    const kept = deliveryHeaders(header);
    let keys: Record<string, string> = {};
    if (!unreadable)
      try {
        keys = shopifyKeys(w.topic, body);
        // The change's key, as a sweep of the same change would name it: a flow that also sweeps skips what came here.
        const changeKey = dedupKeyFor(w.topic, kept, orderIdentityFromBody(body));
        if (changeKey) keys[SWEEP_KEY] = changeKey;
        for (const spec of specs) keys = { ...pathKeys(spec, body), ...keys };
      } catch (e) {
        // A nested member read for a key that is not JSON inside (parse-lazy.ts): a body that is not JSON.
        if (!(e instanceof SyntaxError)) throw e;
        unreadable = `the body is not JSON: ${printable(e.message)}`;
        keys = {};
        targets = [];
      }
    // Stored in the next group commit, with the deliveries of the same tick; answered once that has committed.
    // The replay check runs inside it too, so two copies of one body in one batch cannot both be accepted.
    const dedupKey = w.eventId ?? w.webhookId;
    const payload = JSON.stringify({ headers: kept });
    d.metrics.webhooksAwaitingCommit.inc();
    type Stored = { replayOf: { eventId: string } } | { replayOf?: undefined; eventId: string; duplicate: boolean; runIds: string[] };
    const req: IngestRequest = {
      source: `shopify:${connectionId}`,
      dedupKey,
      topic: w.topic,
      // The delivery shape shopify.trigger takes, { body, headers }: the body as the exact text Shopify sent (18-digit
      // ids intact), stored apart so it is never escaped into JSON here (≈ 40 µs of a 15 KB order), and the headers
      // it reads its event metadata from. The HMAC is not kept.
      payload,
      // The text the bytes decode to (invalid UTF-8 is U+FFFD already). A JSON body holds no raw NUL; one that is not
      // JSON may, and PostgreSQL's text cannot: shown as U+FFFD too.
      body: unreadable ? raw.replaceAll('\u0000', '\uFFFD') : raw,
      meta: {
        connectionId,
        shopDomain: w.shopDomain,
        apiVersion: w.apiVersion,
        webhookId: w.webhookId,
        eventId: w.eventId ?? null,
        triggeredAt: w.triggeredAt ?? null,
        stale,
        ...(w.name ? { name: w.name } : {}),
        ...(unreadable ? { unreadable } : {}),
      },
      targets: targets.map((t) => ({ flowId: t.flowId, version: t.version })),
      keys,
    };
    let r: Stored;
    try {
      r = await group.submit<Stored>({
        // The same signed body for the same topic under ids not seen before is a replay (Shopify's own retries keep
        // their event id, which the queue's dedup key catches): answered like a duplicate, runs nothing.
        // The digest is kept in the event's own transaction: no crash can leave an accepted event without it.
        sqlite: () => {
          const replayOf = replays.seenSync(digest);
          if (replayOf && replayOf.eventId !== dedupKey) return { replayOf };
          const res = rt.queue.ingestSqlite(req);
          if (!res.duplicate) replays.rememberSync(digest, connectionId, w.topic, dedupKey);
          return res;
        },
        postgres: async () => {
          const replayOf = await replays.seen(digest);
          if (replayOf && replayOf.eventId !== dedupKey) return { replayOf };
          const res = await rt.queue.ingestPg(req);
          // A concurrent delivery of the same body took the digest first: this one is the replay, and rolls back.
          if (!res.duplicate && (await replays.claim(digest, connectionId, w.topic, dedupKey))) throw new ReplayLost();
          return res;
        },
      });
      if (!r.replayOf && r.runIds.length && store.dialect === 'postgres') rt.queue.notify(); // PostgreSQL: committed now
    } catch (e) {
      if (!(e instanceof ReplayLost)) throw e;
      r = { replayOf: (await replays.seen(digest)) ?? { eventId: 'unknown' } };
    } finally {
      d.metrics.webhooksAwaitingCommit.dec();
    }
    if (r.replayOf) {
      await refuse(connectionId, 'replay: the same signed body for the same topic was accepted under other ids within 48 h', {
        ...ids,
        firstEventId: r.replayOf.eventId,
      });
      count('duplicate');
      return { status: 200, body: { ok: true, eventId: null, duplicate: true, replay: true, runs: 0, stale: false } };
    }
    count(unreadable ? 'unreadable' : r.duplicate ? 'duplicate' : 'accepted');
    if (unreadable) {
      // Raised for the first delivery and again for a retry (one exception, counted), so a crash between the event's
      // commit and the raise loses neither.
      d.log.warn({ connectionId, eventId: r.eventId, topic: w.topic, webhookId: w.webhookId, reason: unreadable }, 'signed webhook kept unread');
      await d.exceptions.raise({
        type: 'unprocessable-event',
        key: `shopify:${connectionId}:${dedupKey}`,
        owner: 'operations',
        severity: 'high',
        title: `A signed ${w.topic} delivery from ${w.shopDomain} could not be read: nothing ran on it`,
        detail:
          `${unreadable}. The body Shopify signed is kept as event ${r.eventId} (GET /api/events/${r.eventId}) and was acknowledged, since Shopify ` +
          `would only send the same bytes again. Find what it was about in the body (an order's id or name), bring that ` +
          `change over from Shopify (for an order, the orphaned-order monitor finds it), then resolve this.`,
        links: {},
        data: {
          unreadable: true,
          eventId: r.eventId,
          connectionId,
          topic: w.topic,
          webhookId: w.webhookId,
          shopifyEventId: w.eventId ?? null,
          reason: unreadable,
        },
      });
      return { status: 200, body: { ok: true, eventId: r.eventId, duplicate: r.duplicate, runs: 0, stale, unreadable } };
    }
    if (!r.duplicate) {
      for (const t of targets) d.metrics.runsQueued.inc({ flow: t.flowId });
      // Per delivery: debug only (the metrics count them); at thousands a second an info line each costs ~7 % CPU.
      if (r.runIds.length) d.log.debug({ eventId: r.eventId, runIds: r.runIds, topic: w.topic }, 'runs queued');
      if (stale) d.log.warn({ eventId: r.eventId, topic: w.topic, triggeredAt: w.triggeredAt }, 'stale webhook delivery');
      if (COMPLIANCE_TOPICS.has(w.topic)) {
        const summary = await handleCompliance({
          store: rt.store,
          connectionId,
          topic: w.topic,
          shopDomain: w.shopDomain,
          eventId: r.eventId,
          body,
          now,
        });
        d.log.info({ eventId: r.eventId, topic: w.topic, summary: w.topic === 'customers/data_request' ? 'recorded' : summary }, 'compliance webhook handled');
      }
    }
    return { status: 200, body: { ok: true, eventId: r.eventId, duplicate: r.duplicate, runs: r.runIds.length, stale } };
  };

  return {
    handle,
    routes() {
      const app = new Hono<AppEnv>();
      app.post('/shopify/:connectionId', async (c) => {
        const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
        const a = await handle({
          connectionId: c.req.param('connectionId'),
          incoming,
          body: async () => Buffer.from(await c.req.arrayBuffer()),
          header: headerGetter(incoming, () => c.req.raw.headers),
        });
        return c.json(a.body as object, a.status);
      });
      return app;
    },
  };
}

/** A parser's message quotes the body: its control characters escaped, as PostgreSQL's text and JSON hold no NUL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const printable = (m: string) => m.replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const shopifyWebhookRoutes = (d: Deps, o: { batchMs?: number } = {}) => shopifyIngest(d, o).routes();
