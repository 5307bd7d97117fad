// Connections for `ledgerline run`: the sandbox ERP (kept in the data dir) and the Shopify sandbox store (started
// on first use), under the ids the templates use. Anything else is refused by name.
import type { ErpConnector } from '../nodes/erp/contract.ts';
import type { ShopifyClient, SandboxStore } from '../nodes/shopify/index.ts';

export const SANDBOX_SHOP = 'sandbox-shop';
export const SANDBOX_ERP = 'sandbox-erp';
/** The connections `ledgerline validate` and `run` know, with their kinds. */
export const CLI_CONNECTIONS = [
  { id: SANDBOX_SHOP, kind: 'shopify' },
  { id: SANDBOX_ERP, kind: 'erp' },
] as const;

export function cliConnections(dataDir: string) {
  let erp: Promise<ErpConnector> | undefined;
  let shop: Promise<{ store: SandboxStore; client: ShopifyClient }> | undefined;
  return {
    async connection(kind: string, id: string): Promise<unknown> {
      if (kind === 'erp' && id === SANDBOX_ERP) {
        erp ??= import('../nodes/erp/index.ts').then((m) => m.createErpConnection({ kind: 'sandbox', dataDir }));
        return erp;
      }
      if (kind === 'shopify' && id === SANDBOX_SHOP) {
        shop ??= import('../nodes/shopify/index.ts').then(async (m) => {
          const store = await m.startShopifySandbox({ port: 0 });
          const client = m.createShopifyConnection({
            shopDomain: store.shopDomain,
            endpoint: store.url,
            auth: { kind: 'access-token', accessToken: store.accessToken },
          });
          return { store, client };
        });
        return (await shop).client;
      }
      throw new Error(
        `no ${kind} connection "${id}" here: \`ledgerline run\` provides only ${SANDBOX_SHOP} and ${SANDBOX_ERP}; use the server for real connections`,
      );
    },
    async close() {
      if (shop) await (await shop).store.stop();
      if (erp) await (await erp).close();
    },
  };
}
