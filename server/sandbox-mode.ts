// Sandbox mode: on an empty data dir the server wires a Shopify sandbox store (in-process, on a free loopback port)
// and the sandbox ERP as the connections `sandbox-shop` and `sandbox-erp`, so flows run without any account.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connections } from './vault/connections.ts';
import type { SecretStore } from './vault/secrets.ts';

export const SANDBOX_SHOP = 'sandbox-shop';
export const SANDBOX_ERP = 'sandbox-erp';
const MARKER = 'sandbox-mode';

interface SandboxStoreLike {
  url: string;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  stats?: { requests: number };
  setWebhookTarget?(url: string | undefined): void;
  stop(): Promise<void>;
}

export interface SandboxMode {
  store?: SandboxStoreLike;
  /** Points the sandbox store's webhooks at this server once it listens. */
  attach(baseUrl: string): void;
  stop(): Promise<void>;
}

export const isSandboxMode = (secrets: SecretStore) => secrets.get(MARKER) === 'on';

export async function startSandboxMode(o: { fresh: boolean; connections: Connections; secrets: SecretStore; log: Logger; env: NodeJS.ProcessEnv }): Promise<SandboxMode | null> {
  if (o.fresh && o.env.LEDGERLINE_SANDBOX !== '0') o.secrets.set(MARKER, 'on');
  if (!isSandboxMode(o.secrets)) return null;

  let webhookSecret = o.env.LEDGERLINE_SANDBOX_WEBHOOK_SECRET || o.secrets.get('sandbox-webhook-secret');
  if (!webhookSecret) webhookSecret = 'shpss_' + randomBytes(16).toString('hex');
  o.secrets.set('sandbox-webhook-secret', webhookSecret);
  const accessToken = o.secrets.get('sandbox-access-token') ?? 'shpat_' + randomBytes(16).toString('hex');
  o.secrets.set('sandbox-access-token', accessToken);

  let store: SandboxStoreLike | undefined;
  try {
    const mod = (await import('../nodes/shopify/sandbox/server.ts')) as { startShopifySandbox(opts: Record<string, unknown>): Promise<SandboxStoreLike> };
    store = await mod.startShopifySandbox({ port: 0, webhookSecret, accessToken, shopDomain: 'ledgerline-sandbox.myshopify.com' });
  } catch (e) {
    o.log.warn({ err: (e as Error).message.split('\n')[0] }, 'Shopify sandbox store unavailable; sandbox-shop accepts webhooks but has no API');
  }
  const shop = {
    provider: 'sandbox',
    name: 'Sandbox shop',
    config: { shopDomain: store?.shopDomain ?? 'ledgerline-sandbox.myshopify.com', ...(store ? { endpoint: store.url } : {}) },
    secrets: { accessToken: store?.accessToken ?? accessToken, webhookSecret },
  };
  if (o.connections.find(SANDBOX_SHOP)) o.connections.update(SANDBOX_SHOP, shop);
  else o.connections.create({ id: SANDBOX_SHOP, kind: 'shopify', ...shop });
  if (!o.connections.find(SANDBOX_ERP)) o.connections.create({ id: SANDBOX_ERP, kind: 'erp', provider: 'sandbox', name: 'Sandbox ERP', config: {} });
  o.log.info({ shop: store?.url ?? null, connections: [SANDBOX_SHOP, SANDBOX_ERP] }, 'sandbox mode: sandbox connections ready');

  return {
    store,
    attach(baseUrl) {
      store?.setWebhookTarget?.(`${baseUrl}/webhooks/shopify/${SANDBOX_SHOP}`);
    },
    async stop() {
      await store?.stop();
    },
  };
}
