// Builds clients from stored connections: Shopify through nodes/shopify, ERPs through nodes/erp. Imported statically
// and typed, so a connector that is missing or changes its signature fails the build, not the first connection.
import { join } from 'node:path';
import { createShopifyConnection, type ShopifyAuth, type ShopifyClient } from '../../nodes/shopify/client.ts';
import { LOCATIONS } from '../../nodes/shopify/documents.ts';
import type { BucketStore } from '../../nodes/shopify/limiter.ts';
import { createErpConnection } from '../../nodes/erp/connection.ts';
import { createSandboxErp } from '../../nodes/erp/sandbox/index.ts';
import { createSandboxErpClient } from '../../nodes/erp/sandbox/http-client.ts';
import type { ErpConnector } from '../../nodes/erp/contract.ts';
import type { ConnectionFactory, ResolvedConnection } from './connections.ts';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

const planOf = (v: unknown) => (v && typeof v === 'object' ? { plan: v as { maximumAvailable: number; restoreRate: number } } : {});

/** `buckets`: the shops' cost buckets in the store, shared by every process of the deployment. */
export function shopifyFactory(o: { buckets?: BucketStore } = {}): ConnectionFactory<ShopifyClient> {
  return {
    create(c: ResolvedConnection) {
      const shopDomain = str(c.config.shopDomain);
      if (!shopDomain) throw new Error(`connection "${c.id}": config.shopDomain is required`);
      const accessToken = str(c.secrets.accessToken);
      const clientSecret = str(c.secrets.clientSecret);
      const clientId = str(c.config.clientId) ?? str(c.secrets.clientId);
      const auth: ShopifyAuth | null = accessToken
        ? { kind: 'access-token', accessToken }
        : clientId && clientSecret
          ? { kind: 'client-credentials', clientId, clientSecret }
          : null;
      if (!auth) throw new Error(`connection "${c.id}": secrets need accessToken, or clientSecret with config.clientId`);
      const endpoint = str(c.config.endpoint);
      return createShopifyConnection({
        shopDomain,
        auth,
        webhookSecret: str(c.secrets.webhookSecret) ?? clientSecret,
        ...(endpoint ? { endpoint } : {}),
        ...planOf(c.config.plan),
        ...(o.buckets ? { buckets: o.buckets } : {}),
      });
    },
    async test(client, c) {
      const r = await client.request(LOCATIONS, { first: 1 });
      return `reached ${String(c.config.shopDomain)} (${r?.data?.locations?.nodes?.length ?? 0} location(s) on the first page)`;
    },
  };
}

export function erpFactory(dataDir: string): ConnectionFactory<ErpConnector> {
  return {
    create(c: ResolvedConnection) {
      // A sandbox ERP in its own process (config.url) is reached over HTTP, as a real ERP would be.
      if (c.provider === 'sandbox' && str(c.config.url)) return createSandboxErpClient({ url: str(c.config.url)! });
      if (c.provider === 'sandbox')
        return createSandboxErp({ file: str(c.config.file) ?? join(dataDir, 'sandbox-erp.sqlite'), currency: str(c.config.currency) });
      return createErpConnection({ id: c.id, kind: c.provider, provider: c.provider, config: c.config, secrets: c.secrets });
    },
    async test(client) {
      const w = await client.listWarehouses();
      return `reached the ${client.kind ?? 'ERP'} (${w.length} warehouse(s))`;
    },
    async close(client) {
      await client.close();
    },
  };
}
