// Sweep: recovers order webhooks Shopify never delivered (it tells apps to reconcile on a schedule) by querying orders
// updated since a stored cursor. It shares the dedupe with the webhook path through one key per *change*:
//
//   orders/create     created:<order gid>                  an order is created once
//   orders/paid       paid:<order gid>                     an order becomes paid once
//   orders/cancelled  cancelled:<order gid>                an order is cancelled once
//   orders/updated    updated:<order gid>:<updated_at UTC> each change stamps a new updated_at
//   anything else     X-Shopify-Event-Id (else X-Shopify-Webhook-Id), as before
//
// Why not the event id: X-Shopify-Event-Id is per delivery event and the Admin API never shows it, so a sweep cannot
// produce it. Keys from the order itself can be computed on both paths: the webhook body carries the GID and the
// updated_at of the change it reports, the sweep reads the same from GraphQL (updated_at is normalised to UTC, since
// REST bodies carry the shop's offset and GraphQL answers in Z). Shopify's own duplicate deliveries share the content,
// so they still collide. Hosts store events unique on (source `shopify:<connectionId>`, key): the prefixes keep topics
// apart. Limit: a sweep sees each order's latest state only, so for orders/updated it recovers the last change of a
// missed series, not every intermediate one (their webhooks, when they do arrive, have keys of their own).
import { permanentError, transientError, type FlowState } from '../../runtime/node-api.ts';
import type { OrderByIdQuery, OrdersUpdatedSinceQuery, RefundsForOrderQuery } from './admin-types.generated.ts';
import type { ShopifyClient, ShopifyResponse } from './client.ts';
import { orderFromGraphql } from './convert-graphql.ts';
import { ORDER_BY_ID, ORDERS_UPDATED_SINCE, REFUNDS_FOR_ORDER } from './documents.ts';
import { ADMIN_API_VERSION } from './schema.ts';
import type { ShopifyOrder } from './types.ts';
import type { ShopifyWebhookObject } from './webhook-convert.ts';

export const SWEEP_TOPICS = ['orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled'] as const;
export type SweepTopic = (typeof SWEEP_TOPICS)[number];
export const isSweepTopic = (t: string): t is SweepTopic => (SWEEP_TOPICS as readonly string[]).includes(t);

/** Header a host sets on swept deliveries so the trigger reads the body as Admin GraphQL, not REST. */
export const SWEEP_SOURCE_HEADER = 'x-ledgerline-source';

type Headers = Record<string, string | string[] | undefined> | undefined;
type OrderIdentity = { id: string; updatedAt?: string | null };

function header(h: Headers, name: string): string | null {
  if (!h) return null;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  const v = key ? h[key] : undefined;
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** `2008-01-10T11:00:00-05:00` and `2008-01-10T16:00:00Z` are the same instant, hence the same key. */
export function utcInstant(t: string): string {
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: "${t}"`);
  return new Date(ms).toISOString();
}

function identityOf(canonical: ShopifyWebhookObject | ShopifyOrder | OrderIdentity | null | undefined): OrderIdentity | null {
  if (!canonical) return null;
  if ('kind' in canonical) return canonical.kind === 'order' ? canonical.order : null;
  return typeof canonical.id === 'string' ? canonical : null;
}

/**
 * The dedupe key for an event, the same for a webhook and a sweep of the same change (table above). `canonical` is
 * the converted webhook (convertWebhook), a ShopifyOrder, or just `{ id, updatedAt }` (see orderIdentityFromBody).
 * Returns null when there is nothing to key on (no order and no event/webhook id).
 */
export function dedupKeyFor(topic: string, headers: Headers, canonical: ShopifyWebhookObject | ShopifyOrder | OrderIdentity | null | undefined): string | null {
  const order = isSweepTopic(topic) ? identityOf(canonical) : null;
  if (order?.id.startsWith('gid://shopify/Order/')) {
    switch (topic as SweepTopic) {
      case 'orders/create':
        return `created:${order.id}`;
      case 'orders/paid':
        return `paid:${order.id}`;
      case 'orders/cancelled':
        return `cancelled:${order.id}`;
      case 'orders/updated':
        if (order.updatedAt) return `updated:${order.id}:${utcInstant(order.updatedAt)}`;
    }
  }
  return header(headers, 'x-shopify-event-id') ?? header(headers, 'x-shopify-webhook-id');
}

/** `{ id, updatedAt }` straight from a REST order body (parsed losslessly), without converting the whole order. */
export function orderIdentityFromBody(body: unknown): OrderIdentity | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const id =
    typeof b.admin_graphql_api_id === 'string'
      ? b.admin_graphql_api_id
      : (typeof b.id === 'string' && /^\d+$/.test(b.id)) || (typeof b.id === 'number' && Number.isSafeInteger(b.id))
        ? `gid://shopify/Order/${b.id}`
        : null;
  if (!id) return null;
  return { id, updatedAt: typeof b.updated_at === 'string' ? b.updated_at : typeof b.created_at === 'string' ? b.created_at : null };
}

export interface SweepCursor {
  /** The first sweep's start: orders created before it are never reported as paid (that happened before we looked). */
  origin: string;
  /** Orders updated at or after this instant (less the overlap) are queried next time. */
  updatedAtMin: string;
  /** Keys already emitted by sweeps inside the overlap window, so they are not fetched again. */
  keys: string[];
}

export interface SweepOptions {
  topic: SweepTopic;
  /** First sweep (no cursor yet): orders updated on or after this instant. Default: 24 h before now. */
  since?: string;
  /** Re-read this far behind the cursor: Shopify's search index lags writes by seconds. Default 10 min. */
  overlapMs?: number;
  pageSize?: number;
  /** Stop after emitting this many; the cursor stops there and `more` is true. Default 500. */
  maxOrders?: number;
  /** The host's dedupe table: keys it already holds (from webhooks or earlier sweeps) are not fetched. */
  isKnown?: (dedupKey: string) => boolean | Promise<boolean>;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface SweptDelivery {
  topic: SweepTopic;
  dedupKey: string;
  /** Shopify-like headers plus `X-Ledgerline-Source: sweep`; there is no event id (the API has none). */
  headers: Record<string, string>;
  /** JSON text of the Admin GraphQL order (ids are GID strings), for the trigger node to convert. */
  body: string;
  order: ShopifyOrder;
}

export interface SweepResult {
  deliveries: SweptDelivery[];
  cursor: SweepCursor;
  scanned: number;
  skippedKnown: number;
  more: boolean;
  calls: number;
  cost: number;
}

export const sweepStateKey = (topic: SweepTopic) => `shopify.sweep.${topic}`;
const LINE_ITEMS = 40; // ~860 points per order: under the 1,000-point cap

type OrderStub = OrdersUpdatedSinceQuery['orders']['nodes'][number];

/**
 * Does this order, as it is now, show the change `topic` reports, inside the window? The API has no "paid at", so an
 * order counts as newly paid when it is paid (or refunded since) and was created after the first sweep's start.
 */
function qualifies(topic: SweepTopic, o: OrderStub, fromMs: number, originMs: number): boolean {
  switch (topic) {
    case 'orders/create':
      return Date.parse(o.createdAt) >= fromMs;
    case 'orders/updated':
      return true;
    case 'orders/paid':
      return Date.parse(o.createdAt) >= originMs && ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(o.displayFinancialStatus ?? '');
    case 'orders/cancelled':
      return o.cancelledAt !== null && Date.parse(o.cancelledAt) >= fromMs;
  }
}

/**
 * One sweep for `topic`: pages orders updated since the cursor in `state` (oldest first), fetches the ones whose key
 * is neither in the cursor nor known to the host, and returns them as deliveries. Advances the cursor in `state`.
 */
export async function sweepOrders(client: ShopifyClient, state: FlowState, opts: SweepOptions): Promise<SweepResult> {
  if (!isSweepTopic(opts.topic))
    throw permanentError(`shopify sweep: topic "${opts.topic}" cannot be swept; use one of ${SWEEP_TOPICS.join(', ')}`, { code: 'BAD_SWEEP_TOPIC' });
  const now = opts.now?.() ?? new Date();
  const overlap = opts.overlapMs ?? 10 * 60_000;
  const prev = await state.get<SweepCursor>(sweepStateKey(opts.topic));
  const since = prev?.updatedAtMin ?? (opts.since ? utcInstant(opts.since) : new Date(now.getTime() - 86_400_000).toISOString());
  const origin = prev?.origin ?? since;
  const originMs = Date.parse(origin) - overlap;
  const fromMs = Date.parse(since) - overlap;
  const from = new Date(fromMs).toISOString();
  const seen = new Set(prev?.keys ?? []);
  const max = opts.maxOrders ?? 500;
  const out: SweepResult = { deliveries: [], cursor: { origin, updatedAtMin: since, keys: [] }, scanned: 0, skippedKnown: 0, more: false, calls: 0, cost: 0 };
  const handled: { key: string; updatedAt: string }[] = [];
  let latest = since;
  let after: string | null = null;
  outer: do {
    const page: ShopifyResponse<OrdersUpdatedSinceQuery> = await client.request(
      ORDERS_UPDATED_SINCE,
      { query: `updated_at:>='${from}'`, first: opts.pageSize ?? 100, after },
      { signal: opts.signal },
    );
    out.calls++;
    out.cost += page.cost.actual ?? page.cost.requested;
    const conn = page.data.orders;
    for (const stub of conn.nodes) {
      out.scanned++;
      if (qualifies(opts.topic, stub, fromMs, originMs)) {
        const key = dedupKeyFor(opts.topic, undefined, stub)!;
        if (seen.has(key)) {
          // emitted by an earlier sweep
        } else if (await opts.isKnown?.(key)) {
          out.skippedKnown++;
        } else {
          if (out.deliveries.length >= max) {
            out.more = true;
            break outer;
          }
          out.deliveries.push(await fetchOrder(client, opts, key, stub, now, out));
        }
        handled.push({ key, updatedAt: stub.updatedAt });
      }
      if (Date.parse(stub.updatedAt) > Date.parse(latest)) latest = utcInstant(stub.updatedAt);
    }
    after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  } while (after);
  const keepFrom = Date.parse(latest) - overlap;
  const keys = new Set([...(prev?.keys ?? []), ...handled.map((h) => h.key)]);
  out.cursor = {
    origin,
    updatedAtMin: latest,
    // Keys older than the next window cannot come back, so the cursor stays small.
    keys: [...keys]
      .filter((k) => {
        const h = handled.find((x) => x.key === k);
        return !h || Date.parse(h.updatedAt) >= keepFrom;
      })
      .slice(-2000),
  };
  state.set(sweepStateKey(opts.topic), out.cursor);
  return out;
}

async function fetchOrder(client: ShopifyClient, opts: SweepOptions, key: string, stub: OrderStub, now: Date, out: SweepResult): Promise<SweptDelivery> {
  const res: ShopifyResponse<OrderByIdQuery> = await client.request(ORDER_BY_ID, { id: stub.id, lineItems: LINE_ITEMS }, { signal: opts.signal });
  out.calls++;
  out.cost += res.cost.actual ?? res.cost.requested;
  const node = res.data.order;
  if (!node) throw transientError(`shopify sweep: order ${stub.id} (${stub.name}) disappeared between listing and reading`, { code: 'ORDER_GONE' });
  const withRefunds = await withRefundsIfShortened(client, node, opts.signal, (r) => {
    out.calls++;
    out.cost += r.cost.actual ?? r.cost.requested;
  });
  return sweptDelivery(client, opts.topic, key, withRefunds, now);
}

type OrderNode = NonNullable<OrderByIdQuery['order']>;
/** A swept order; `refunds` when they were read (the conversion then knows what was refunded). */
type SweptNode = OrderNode & { refunds?: NonNullable<RefundsForOrderQuery['order']>['refunds'] };

/**
 * The order with its refunds when a line has fewer units left than were ordered. Shopify's `currentQuantity` leaves
 * out refunded and removed units alike, and only the refunds tell them apart: without them such an order cannot be
 * posted (the conversion's `postedFigures`). Read apart, and only then, because refunds cost ≈ 600 points and the
 * order's own query is near the 1,000-point cap already.
 */
export async function withRefundsIfShortened(
  client: ShopifyClient,
  node: OrderNode,
  signal?: AbortSignal,
  charged: (r: ShopifyResponse<unknown>) => void = () => {},
): Promise<SweptNode> {
  if (node.lineItems.nodes.every((l) => l.currentQuantity === l.quantity)) return node;
  const res = await client.request(REFUNDS_FOR_ORDER, { id: node.id }, { signal });
  charged(res);
  if (!res.data.order) throw transientError(`shopify: order ${node.id} (${node.name}) disappeared while its refunds were read`, { code: 'ORDER_GONE' });
  return { ...node, refunds: res.data.order.refunds };
}

function sweptDelivery(client: ShopifyClient, topic: SweepTopic, key: string, node: SweptNode, now: Date): SweptDelivery {
  if (node.lineItems.pageInfo.hasNextPage) {
    throw permanentError(`shopify sweep: order ${node.name} has more than ${LINE_ITEMS} line items, which the sweep cannot read yet`, {
      code: 'ORDER_TOO_LARGE',
      details: { orderId: node.id },
    });
  }
  return {
    topic,
    dedupKey: key,
    body: JSON.stringify(node),
    order: orderFromGraphql(node, `sweep.${node.id}`),
    headers: {
      'X-Shopify-Topic': topic,
      'X-Shopify-Shop-Domain': client.shopDomain,
      'X-Shopify-API-Version': ADMIN_API_VERSION,
      'X-Shopify-Triggered-At': now.toISOString(),
      'X-Ledgerline-Source': 'sweep',
      'X-Ledgerline-Dedup-Key': key,
    },
  };
}

/**
 * One order read from Shopify by id, as a sweep delivers it for `topic` (the same dedupe key as the change's webhook):
 * for an order whose webhook never came and that a person brings over. Null when Shopify has no such order.
 */
export async function fetchOrderDelivery(
  client: ShopifyClient,
  orderGid: string,
  topic: SweepTopic,
  now = new Date(),
  signal?: AbortSignal,
): Promise<SweptDelivery | null> {
  const res: ShopifyResponse<OrderByIdQuery> = await client.request(ORDER_BY_ID, { id: orderGid, lineItems: LINE_ITEMS }, { signal });
  const node = res.data.order;
  if (!node) return null;
  return sweptDelivery(client, topic, dedupKeyFor(topic, undefined, node)!, await withRefundsIfShortened(client, node, signal), now);
}
