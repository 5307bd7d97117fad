// The direct HMAC check must decide exactly as @shopify/shopify-api's `webhooks.validate` (which it replaced on the
// hot path): same validity, same reason, same missing headers, same fields, for valid, tampered and wrong-key
// deliveries, both header families, and missing pieces.
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headersOf, verifyShopifyWebhook, webhookKey } from './verify-shopify.ts';

const SECRET = 'shpss_verify_test_secret_0123456789';
const body = readFileSync(new URL('../../../shared/fixtures/shopify/webhook-2026-04.orders.create.json', import.meta.url), 'utf8');
const api = shopifyApi({
  apiSecretKey: SECRET,
  apiKey: 'ledgerline',
  hostName: 'localhost',
  apiVersion: ApiVersion.October25,
  isEmbeddedApp: false,
  isCustomStoreApp: false,
  logger: { level: LogSeverity.Error, log: async () => {} },
});
const sign = (text: string, secret = SECRET) => createHmac('sha256', secret).update(text).digest('base64');

const classic = (text: string, o: { hmac?: string | null; drop?: string[] } = {}) => {
  const h: Record<string, string> = {
    'x-shopify-hmac-sha256': o.hmac === undefined ? sign(text) : (o.hmac ?? ''),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'shop1.myshopify.com',
    'x-shopify-api-version': '2026-04',
    'x-shopify-webhook-id': 'wh-1',
    'x-shopify-event-id': 'ev-1',
    'x-shopify-triggered-at': '2026-12-04T03:00:00.000Z',
    'x-shopify-name': 'orders-create-sub',
  };
  if (o.hmac === null) delete h['x-shopify-hmac-sha256'];
  for (const k of o.drop ?? []) delete h[k];
  return h;
};
const events = (text: string, o: { drop?: string[] } = {}) => {
  const h: Record<string, string> = {
    'shopify-hmac-sha256': sign(text),
    'shopify-topic': 'orders/create',
    'shopify-shop-domain': 'shop1.myshopify.com',
    'shopify-api-version': '2026-04',
    'shopify-webhook-id': 'wh-2',
    'shopify-event-id': 'ev-2',
    'shopify-triggered-at': '2026-12-04T03:00:00.000Z',
  };
  for (const k of o.drop ?? []) delete h[k];
  return h;
};

/** Both verdicts, in the shape ours reports. */
async function both(text: string, headers: Record<string, string>, key = webhookKey(SECRET)) {
  const lib = (await api.webhooks.validate({
    rawBody: text,
    rawRequest: { headers, method: 'POST', url: '/webhooks/shopify/shop1' } as never,
  })) as unknown as Record<string, unknown>;
  const verdict = verifyShopifyWebhook(key, Buffer.from(text, 'utf8'), headersOf(new Headers(headers)));
  // The library has no such field: ours reports the matched signature (the replay digest is derived from it).
  const { signature, ...ours } = verdict as typeof verdict & { signature?: string };
  if (verdict.ok) expect(signature).toBe(headers['x-shopify-hmac-sha256'] ?? headers['shopify-hmac-sha256']);
  else expect(signature).toBeUndefined();
  const libShape = lib.valid
    ? {
        ok: true,
        webhook: {
          // The library reports the topic as its registry key (ORDERS_CREATE); the header is Shopify's spelling.
          topic: headers['x-shopify-topic'] ?? headers['shopify-topic'],
          shopDomain: lib.domain,
          apiVersion: lib.apiVersion,
          webhookId: lib.webhookId,
          ...(lib.eventId ? { eventId: lib.eventId } : {}),
          ...(lib.triggeredAt ? { triggeredAt: lib.triggeredAt } : {}),
          ...(lib.name ? { name: lib.name } : {}),
        },
      }
    : { ok: false, reason: lib.reason, ...(lib.missingHeaders ? { missingHeaders: lib.missingHeaders } : {}) };
  return { lib: libShape, ours };
}

describe('verifyShopifyWebhook agrees with @shopify/shopify-api', () => {
  it('accepts a validly signed delivery, with the same fields', async () => {
    const r = await both(body, classic(body));
    expect(r.ours.ok).toBe(true);
    expect(r.ours).toEqual(r.lib);
  });

  it('refuses a tampered body (one byte changed, a byte appended, whitespace reformatted)', async () => {
    const signedFor = sign(body);
    for (const tampered of [body.replace('"note": null', '"note": "x"'), `${body} `, JSON.stringify(JSON.parse(body))]) {
      const r = await both(tampered, classic(tampered, { hmac: signedFor }));
      expect(r.ours).toEqual({ ok: false, reason: 'invalid_hmac' });
      expect(r.ours).toEqual(r.lib);
    }
  });

  it('refuses a body signed with another key, a truncated or garbled signature, and an empty one', async () => {
    for (const hmac of [sign(body, 'shpss_another_apps_secret'), sign(body).slice(0, 20), sign(body).toLowerCase(), 'not base64 at all ✓'.replace('✓', '')]) {
      const r = await both(body, classic(body, { hmac }));
      expect(r.ours).toEqual({ ok: false, reason: 'invalid_hmac' });
      expect(r.ours).toEqual(r.lib);
    }
    // Verified with the wrong key object (another connection's): refused too.
    const wrongKey = await both(body, classic(body), webhookKey('shpss_another_apps_secret'));
    expect(wrongKey.ours).toEqual({ ok: false, reason: 'invalid_hmac' });
    for (const hmac of ['', null]) {
      const r = await both(body, classic(body, { hmac }));
      expect(r.ours).toEqual({ ok: false, reason: 'missing_hmac' });
      expect(r.ours).toEqual(r.lib);
    }
  });

  it('refuses an empty body and names the missing headers as the library does', async () => {
    const empty = await both('', classic(''));
    expect(empty.ours).toEqual({ ok: false, reason: 'missing_body' });
    expect(empty.ours).toEqual(empty.lib);
    const missing = await both(body, classic(body, { drop: ['x-shopify-topic', 'x-shopify-webhook-id'] }));
    expect(missing.ours).toEqual({ ok: false, reason: 'missing_headers', missingHeaders: ['X-Shopify-Topic', 'X-Shopify-Webhook-Id'] });
    expect(missing.ours).toEqual(missing.lib);
    // Optional headers stay optional.
    const bare = await both(body, classic(body, { drop: ['x-shopify-event-id', 'x-shopify-triggered-at', 'x-shopify-name'] }));
    expect(bare.ours.ok).toBe(true);
    expect(bare.ours).toEqual(bare.lib);
  });

  it('handles the Shopify-* (events) header family the same way', async () => {
    const ok = await both(body, events(body));
    expect(ok.ours.ok).toBe(true);
    expect(ok.ours).toEqual(ok.lib);
    const noEventId = await both(body, events(body, { drop: ['shopify-event-id'] }));
    expect(noEventId.ours).toEqual({ ok: false, reason: 'missing_headers', missingHeaders: ['shopify-event-id'] });
    expect(noEventId.ours).toEqual(noEventId.lib);
  });
});
