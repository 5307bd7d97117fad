// Shopify webhook verification: HMAC-SHA256 of the raw body with the app's secret, base64, compared in constant
// time, then the headers Shopify always sends. Done directly with node:crypto (the key object made once per
// connection) rather than through @shopify/shopify-api's `webhooks.validate`, which per delivery imports a WebCrypto
// key, builds an undici Request and canonicalises every header: ~17 % of the ingest CPU for one HMAC. The results
// (validity, reason, missing headers, fields) are the library's, checked against it in verify-shopify.test.ts.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface VerifiedWebhook {
  topic: string;
  shopDomain: string;
  apiVersion: string;
  webhookId: string;
  eventId?: string;
  triggeredAt?: string;
  name?: string;
}

export type VerifyResult =
  /** `signature`: the HMAC header's value, which matched the body's HMAC (base64): the body's digest under the key. */
  { ok: true; webhook: VerifiedWebhook; signature: string } | { ok: false; reason: string; missingHeaders?: string[] };

/** A header by its lower-case name (Node's IncomingMessage headers, or a fetch Headers object). */
export type HeaderGetter = (lowerCaseName: string) => string | undefined;

export const headersOf =
  (h: Headers): HeaderGetter =>
  (n) =>
    h.get(n) ?? undefined;

/** The key a connection's deliveries are verified with: made once, kept with the connection. */
export const webhookKey = (secret: string): KeyObject => createSecretKey(Buffer.from(secret, 'utf8'));

// Shopify's two header families: classic webhooks (X-Shopify-*) and the newer events (Shopify-*), told apart by
// which HMAC header is present, as the library does. Names as the library reports them when missing.
const CLASSIC = {
  hmac: 'X-Shopify-Hmac-Sha256',
  topic: 'X-Shopify-Topic',
  domain: 'X-Shopify-Shop-Domain',
  apiVersion: 'X-Shopify-API-Version',
  webhookId: 'X-Shopify-Webhook-Id',
  eventId: 'X-Shopify-Event-Id',
  triggeredAt: 'X-Shopify-Triggered-At',
  name: 'X-Shopify-Name',
};
const EVENTS = {
  hmac: 'shopify-hmac-sha256',
  topic: 'shopify-topic',
  domain: 'shopify-shop-domain',
  apiVersion: 'shopify-api-version',
  webhookId: 'shopify-webhook-id',
  eventId: 'shopify-event-id',
  triggeredAt: 'shopify-triggered-at',
  name: undefined,
};

/** Verifies one delivery. `body` is the raw body as received (bytes, or the text they decode to). */
export function verifyShopifyWebhook(key: KeyObject, body: Buffer | string, header: HeaderGetter): VerifyResult {
  const events = !!header('shopify-hmac-sha256');
  const names = events ? EVENTS : CLASSIC;
  const get = (n: string) => header(n.toLowerCase()) || undefined;
  if (body.length === 0) return { ok: false, reason: 'missing_body' };
  const hmac = get(names.hmac);
  if (!hmac) return { ok: false, reason: 'missing_hmac' };
  const expected = createHmac('sha256', key).update(body).digest('base64');
  // The header is compared as text, as sent: a different length is already a mismatch.
  if (hmac.length !== expected.length || !timingSafeEqual(Buffer.from(hmac, 'latin1'), Buffer.from(expected, 'latin1')))
    return { ok: false, reason: 'invalid_hmac' };
  const missing: string[] = [];
  const need = (n: string) => {
    const v = get(n);
    if (!v) missing.push(n);
    return v ?? '';
  };
  const topic = need(names.topic);
  const shopDomain = need(names.domain);
  const apiVersion = need(names.apiVersion);
  const webhookId = need(names.webhookId);
  const eventId = events ? need(names.eventId) : get(names.eventId);
  if (missing.length) return { ok: false, reason: 'missing_headers', missingHeaders: missing };
  const triggeredAt = get(names.triggeredAt);
  const name = names.name ? get(names.name) : undefined;
  return {
    ok: true,
    webhook: { topic, shopDomain, apiVersion, webhookId, ...(eventId ? { eventId } : {}), ...(triggeredAt ? { triggeredAt } : {}), ...(name ? { name } : {}) },
    signature: expected,
  };
}
