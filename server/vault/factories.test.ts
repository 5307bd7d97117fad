// The connection factories build real clients from stored connections and prove them with one live call: Shopify
// against the sandbox store (Shopify's contract, our fake), the ERP against the sandbox ERP.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type SandboxStore } from '../../nodes/shopify/index.ts';
import { tempDir } from '../../runtime/testing/fixtures.ts';
import { erpFactory, shopifyFactory } from './factories.ts';
import type { ResolvedConnection } from './connections.ts';

const conn = (kind: 'shopify' | 'erp', provider: string, config: Record<string, unknown>, secrets: Record<string, unknown> = {}): ResolvedConnection =>
  ({ id: `${kind}-1`, kind, provider, name: kind, config, hasSecret: Object.keys(secrets).length > 0, secrets }) as ResolvedConnection;

let store: SandboxStore;
const tmp = tempDir('ll-factories-');
beforeAll(async () => {
  store = await startShopifySandbox({ port: 0 });
});
afterAll(async () => {
  await store.stop();
  tmp.cleanup();
});

describe('shopifyFactory', () => {
  it('builds a client from an access token and reaches the store', async () => {
    const f = shopifyFactory();
    const c = conn('shopify', 'shopify', { shopDomain: store.shopDomain, endpoint: store.url }, { accessToken: store.accessToken });
    const client = await f.create(c);
    const n = store.state.locations.size;
    expect(await f.test!(client, c)).toBe(`reached ${store.shopDomain} (${Math.min(n, 1)} location(s) on the first page)`);
  });

  it('says which setting is missing', async () => {
    const f = shopifyFactory();
    expect(() => f.create(conn('shopify', 'shopify', {}, { accessToken: 'x' }))).toThrow('connection "shopify-1": config.shopDomain is required');
    expect(() => f.create(conn('shopify', 'shopify', { shopDomain: store.shopDomain }, { clientSecret: 'only-the-secret' }))).toThrow(
      'connection "shopify-1": secrets need accessToken, or clientSecret with config.clientId',
    );
  });
});

describe('erpFactory', () => {
  it('builds the sandbox ERP in the data dir and reaches it', async () => {
    const f = erpFactory(tmp.dir);
    const client = await f.create(conn('erp', 'sandbox', {}));
    expect(await f.test!(client, conn('erp', 'sandbox', {}))).toMatch(/^reached the \S+ \([1-9]\d* warehouse\(s\)\)$/);
    await f.close!(client);
  });

  it('refuses an ERP config the connector cannot use, naming the field', () => {
    const f = erpFactory(join(tmp.dir, 'x'));
    expect(() => f.create(conn('erp', 'tryton', {}))).toThrow(/invalid ERP connection config: .+/);
  });
});
