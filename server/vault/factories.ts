// Builds clients from stored connections: Shopify through nodes/shopify, ERPs through nodes/erp. Connector modules
// are loaded on first use, so the server starts (and the rest of it works) while a connector is still missing.
import { join } from 'node:path';
import type { ConnectionFactory, ResolvedConnection } from './connections.ts';

type Mod = Record<string, unknown>;

/** `name` from the module, said plainly when it does not load. Literal import() calls: the build bundles them. */
async function load<T>(name: string, what: string, importer: () => Promise<unknown>): Promise<T> {
  let problem: string;
  try {
    const m = (await importer()) as Mod;
    if (typeof m[name] === 'function') return m[name] as T;
    problem = `no export ${name}`;
  } catch (e) {
    problem = (e as Error).message.split('\n')[0];
  }
  throw new Error(`${name} is not available (${what}: ${problem})`);
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function shopifyFactory(): ConnectionFactory {
  return {
    async create(c: ResolvedConnection) {
      const createShopifyConnection = await load<(cfg: unknown) => unknown>('createShopifyConnection', 'nodes/shopify/client.ts', () => import('../../nodes/shopify/client.ts'));
      const shopDomain = str(c.config.shopDomain);
      if (!shopDomain) throw new Error(`connection "${c.id}": config.shopDomain is required`);
      const accessToken = str(c.secrets.accessToken);
      const clientSecret = str(c.secrets.clientSecret);
      const clientId = str(c.config.clientId) ?? str(c.secrets.clientId);
      const auth = accessToken
        ? { kind: 'access-token', accessToken }
        : clientId && clientSecret
          ? { kind: 'client-credentials', clientId, clientSecret }
          : null;
      if (!auth) throw new Error(`connection "${c.id}": secrets need accessToken, or clientSecret with config.clientId`);
      return createShopifyConnection({
        shopDomain,
        auth,
        webhookSecret: str(c.secrets.webhookSecret) ?? clientSecret,
        ...(str(c.config.endpoint) ? { endpoint: str(c.config.endpoint) } : {}),
        ...(c.config.plan && typeof c.config.plan === 'object' ? { plan: c.config.plan } : {}),
      });
    },
    async test(client, c) {
      const { LOCATIONS } = (await import('../../nodes/shopify/documents.ts')) as { LOCATIONS: string };
      const r = (await (client as { request(d: string, v: unknown): Promise<{ data: { locations?: { nodes?: unknown[] } } }> }).request(LOCATIONS, { first: 1 })) ?? {};
      return `reached ${String(c.config.shopDomain)} (${r.data?.locations?.nodes?.length ?? 0} location(s) on the first page)`;
    },
  };
}

export function erpFactory(dataDir: string): ConnectionFactory {
  return {
    async create(c: ResolvedConnection) {
      if (c.provider === 'sandbox') {
        const createSandboxErp = await load<(o: unknown) => unknown>('createSandboxErp', 'nodes/erp/sandbox/index.ts', () => import('../../nodes/erp/sandbox/index.ts'));
        return createSandboxErp({ file: str(c.config.file) ?? join(dataDir, 'sandbox-erp.sqlite'), currency: str(c.config.currency) });
      }
      const createErpConnection = await load<(o: unknown) => unknown>('createErpConnection', 'nodes/erp/index.ts', () => import('../../nodes/erp/index.ts'));
      return createErpConnection({ id: c.id, kind: c.provider, provider: c.provider, config: c.config, secrets: c.secrets });
    },
    async test(client) {
      const erp = client as { kind?: string; listWarehouses(): Promise<unknown[]> };
      const w = await erp.listWarehouses();
      return `reached the ${erp.kind ?? 'ERP'} (${w.length} warehouse(s))`;
    },
    async close(client) {
      await (client as { close?: () => Promise<void> }).close?.();
    },
  };
}
