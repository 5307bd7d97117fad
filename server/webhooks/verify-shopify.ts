// Shopify webhook verification through @shopify/shopify-api 13 (HMAC-SHA256 of the raw body, base64, constant-time
// compare, required headers). We use the library's node adapter, which nodes/shopify/client.ts also loads: the
// web-api adapter would replace the fetch function client.ts installs to reach the sandbox store, so one adapter
// for the whole process it is. The node adapter only needs { headers, method, url } of the request.
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';

export interface VerifiedWebhook {
  topic: string;
  shopDomain: string;
  apiVersion: string;
  webhookId: string;
  eventId?: string;
  triggeredAt?: string;
  name?: string;
}

export type VerifyResult = { ok: true; webhook: VerifiedWebhook } | { ok: false; reason: string; missingHeaders?: string[] };

const apis = new Map<string, Shopify>();

function apiFor(secret: string): Shopify {
  let api = apis.get(secret);
  if (!api) {
    api = shopifyApi({
      apiSecretKey: secret,
      apiKey: 'ledgerline',
      hostName: 'localhost',
      apiVersion: ApiVersion.October25,
      isEmbeddedApp: false,
      isCustomStoreApp: false,
      logger: { level: LogSeverity.Error, log: async () => {} },
    });
    if (apis.size > 1000) apis.clear();
    apis.set(secret, api);
  }
  return api;
}

export async function verifyShopifyWebhook(secret: string, rawBody: string, headers: Headers, method = 'POST', url = '/'): Promise<VerifyResult> {
  const plain: Record<string, string> = {};
  // Only Shopify's headers: the library canonicalises every header it is given, which is measurable per delivery.
  headers.forEach((v, k) => {
    if (k.startsWith('x-shopify-') || k.startsWith('shopify-')) plain[k] = v;
  });
  const r = (await apiFor(secret).webhooks.validate({ rawBody, rawRequest: { headers: plain, method, url } as never })) as unknown as Record<string, unknown>;
  if (!r.valid) return { ok: false, reason: String(r.reason), ...(r.missingHeaders ? { missingHeaders: r.missingHeaders as string[] } : {}) };
  return {
    ok: true,
    webhook: {
      // The library normalises topics for its handler registry (ORDERS_CREATE); flows use Shopify's own spelling.
      topic: headers.get('x-shopify-topic') ?? headers.get('shopify-topic') ?? String(r.topic),
      shopDomain: String(r.domain),
      apiVersion: String(r.apiVersion),
      webhookId: String(r.webhookId),
      ...(r.eventId ? { eventId: String(r.eventId) } : {}),
      ...(r.triggeredAt ? { triggeredAt: String(r.triggeredAt) } : {}),
      ...(r.name ? { name: String(r.name) } : {}),
    },
  };
}
