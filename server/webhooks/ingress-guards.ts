// What a Shopify delivery's signature does not cover. The HMAC signs the body only: the topic, shop domain and
// event/webhook ids are unsigned headers. So a signed body is checked against the headers it came with before
// anything is queued: the shop must be the connection's, the body must not contradict its topic, and the same
// body for the same topic under new ids is a replay (kept for Shopify's 48-hour retry window).
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { eq, lt, lte } from 'drizzle-orm';
import { type AnyStore, isSqlite } from '../../runtime/store/any-store.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import { webhookDigests } from '../db/schema.ts';

export const REPLAY_WINDOW_MS = 48 * 3600_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** `shop.myshopify.com`, lower case, without scheme or slash. */
export function normaliseShopDomain(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  return v
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

/** The GID type each resource's own `admin_graphql_api_id` must carry. */
const RESOURCE_TYPE: Record<string, string> = {
  orders: 'Order',
  refunds: 'Refund',
  fulfillments: 'Fulfillment',
  products: 'Product',
  order_transactions: 'OrderTransaction',
  returns: 'Return',
  customers: 'Customer',
};

/**
 * Why this body cannot be a delivery of this topic, or undefined when nothing contradicts it. Only contradictions
 * Shopify's own payloads never show are refused (Shopify's published examples all pass).
 */
export function topicContradiction(topic: string, body: unknown): string | undefined {
  if (!isObj(body)) return undefined; // non-object bodies carry no order, nothing to run against
  const [resource = ''] = topic.split('/');
  const gid = typeof body.admin_graphql_api_id === 'string' ? /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(body.admin_graphql_api_id)?.[1] : undefined;
  const want = RESOURCE_TYPE[resource];
  if (topic === 'orders/edited') {
    if (!isObj(body.order_edit)) return 'an orders/edited delivery carries an "order_edit" object; this body has none';
    return undefined;
  }
  if (want && gid && gid !== want)
    return `the body is a ${gid} (admin_graphql_api_id ${String(body.admin_graphql_api_id)}) but the topic ${topic} is about a ${want}`;
  if (topic === 'orders/cancelled' && (typeof body.cancelled_at !== 'string' || !body.cancelled_at)) {
    return `an orders/cancelled delivery names when the order was cancelled; this body has cancelled_at ${JSON.stringify(body.cancelled_at ?? null)}`;
  }
  if (topic === 'refunds/create') {
    if (body.order_id === undefined || body.order_id === null) return 'a refunds/create delivery names its order (order_id); this body has none';
    if ('line_items' in body || 'financial_status' in body) return 'the body is an order, not a refund, but the topic is refunds/create';
  }
  if (resource === 'orders' && 'refund_line_items' in body && !('line_items' in body)) return `the body is a refund, not an order, but the topic is ${topic}`;
  return undefined;
}

/**
 * The digest a replay is recognised by: the connection, the topic and the exact signed body, the body stood for by
 * its verified signature (HMAC-SHA256 under the connection's secret, the header value once it has matched). One body
 * has one signature under one secret and two bodies the same signature only as often as SHA-256 collides, so this is
 * the body's digest without hashing the body a second time (~10 µs on a 15 KB order). A body accepted before the
 * secret changed is not recognised when it comes back signed with the new one; only Shopify could sign it so.
 */
export function replayDigest(connectionId: string, topic: string, verifiedSignature: string): string {
  return createHash('sha256').update(connectionId).update('\0').update(topic).update('\0').update(verifiedSignature).digest('base64url');
}

/** Body digests of accepted deliveries, pruned after the replay window. */
export class ReplayGuard {
  private lastPrune = 0;
  private readonly store: SqlStore<{ webhookDigests: typeof webhookDigests }>;
  private readonly sqlite: Database.Database | null;
  // Raw prepared statements on the SQLite ingest hot path, prepared once (compiling the SQL per delivery was a
  // measurable part of ingest): bench/webhook.ts (bench/README.md "Issue 15", "the replay guard's statements prepared once").
  private seenStmt?: Statement;
  private rememberStmt?: Statement;
  private pruneStmt?: Statement;

  constructor(
    store: AnyStore,
    private now: () => number,
  ) {
    this.store = store.sql({ webhookDigests });
    this.sqlite = isSqlite(store) ? store.sqlite : null;
  }

  /** The event id the same body was first accepted under within the window, if any (on either store). */
  async seen(digest: string): Promise<{ eventId: string; seenAt: number } | undefined> {
    const t = this.now();
    const { webhookDigests: w } = this.store.tables;
    const [r] = await this.store.db.select({ eventId: w.eventId, seenAt: w.seenAt }).from(w).where(eq(w.digest, digest));
    return r && r.seenAt > t - REPLAY_WINDOW_MS ? r : undefined;
  }

  /**
   * Seen and remembered, decided by one statement, in the caller's transaction (the event's own), on either store: the event id
   * the same body was accepted under within the window, when it is another's (a replay: keep nothing); else the digest
   * is kept under `eventId` and undefined returned. On PostgreSQL two transactions do not see each other's digests
   * until they commit, so a look then a write could accept one body twice at once; here the second waits on the
   * first's row and finds it.
   */
  async claim(digest: string, connectionId: string, topic: string, eventId: string): Promise<{ eventId: string; seenAt: number } | undefined> {
    const t = this.now();
    const { webhookDigests: w } = this.store.tables;
    const kept = await this.store.db
      .insert(w)
      .values({ digest, connectionId, topic, eventId, seenAt: t })
      // An earlier acceptance replaced only once it is past the window.
      .onConflictDoUpdate({ target: w.digest, set: { connectionId, topic, eventId, seenAt: t }, setWhere: lte(w.seenAt, t - REPLAY_WINDOW_MS) })
      .returning({ digest: w.digest });
    if (this.pruneDue(t)) await this.store.db.delete(w).where(lt(w.seenAt, t - REPLAY_WINDOW_MS));
    if (kept.length) return undefined;
    const [first] = await this.store.db.select({ eventId: w.eventId, seenAt: w.seenAt }).from(w).where(eq(w.digest, digest));
    // The same event again (Shopify's own retry keeps its id): the queue's dedup key answers it, not the guard.
    return first && first.eventId !== eventId ? first : undefined;
  }

  /** `seen`, synchronously, inside a raw SQLite transaction (the SQLite group commit's). */
  seenSync(digest: string): { eventId: string; seenAt: number } | undefined {
    const t = this.now();
    const r = (this.seenStmt ??= this.raw().prepare('SELECT event_id AS eventId, seen_at AS seenAt FROM webhook_digests WHERE digest = ?')).get(digest) as
      | { eventId: string; seenAt: number }
      | undefined;
    return r && r.seenAt > t - REPLAY_WINDOW_MS ? r : undefined;
  }

  /**
   * Keeps the digest of an accepted delivery, synchronously, inside a raw SQLite transaction (the SQLite group commit's:
   * its transactions run one at a time, so `seenSync` then this cannot interleave with another's).
   */
  rememberSync(digest: string, connectionId: string, topic: string, eventId: string): void {
    const t = this.now();
    (this.rememberStmt ??= this.raw().prepare(
      'INSERT INTO webhook_digests (digest, connection_id, topic, event_id, seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET event_id = excluded.event_id, seen_at = excluded.seen_at',
    )).run(digest, connectionId, topic, eventId, t);
    if (this.pruneDue(t)) (this.pruneStmt ??= this.raw().prepare('DELETE FROM webhook_digests WHERE seen_at < ?')).run(t - REPLAY_WINDOW_MS);
  }

  /** At most once a minute: the window is 48 h, so a minute's expired digests more are harmless. */
  private pruneDue(t: number): boolean {
    if (t - this.lastPrune <= 60_000) return false;
    this.lastPrune = t;
    return true;
  }

  private raw(): Database.Database {
    if (!this.sqlite) throw new Error('ReplayGuard: the synchronous forms are for the SQLite store; on PostgreSQL use seen/remember in a transaction');
    return this.sqlite;
  }
}
