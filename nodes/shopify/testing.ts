// Test support: reaching into answers and lists whose element may be missing (noUncheckedIndexedAccess), failing
// the test with what was missing instead of a TypeError on undefined; a client of the sandbox shop.
import { createShopifyConnection, type ShopifyClient } from './client.ts';
import type { SandboxStore } from './sandbox/server.ts';

/** The value, or a failed test naming what was left out. */
export function present<T>(v: T | null | undefined, what: string): T {
  if (v == null) throw new Error(`${what} is missing`);
  return v;
}

/** The first element, or a failed test naming what the list should have held. */
export function first<T>(items: readonly T[], what: string): T {
  return present(items[0], what);
}

/** A client of the sandbox shop, signed in with its access token. */
export const sandboxClient = (shop: Pick<SandboxStore, 'shopDomain' | 'url' | 'accessToken'>): ShopifyClient =>
  createShopifyConnection({ shopDomain: shop.shopDomain, endpoint: shop.url, auth: { kind: 'access-token', accessToken: shop.accessToken } });
