// What the audit reads from Shopify, against the sandbox store: every variant, and the recent orders with their tax
// lines and fulfilment locations, named (a location lookup table may be keyed by the location's name).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startShopifySandbox, type SandboxStore } from '../../nodes/shopify/sandbox/server.ts';
import { shopifyAuditData } from './collect.ts';
import { sandboxClient } from '../../nodes/shopify/testing.ts';

let shop: SandboxStore;
beforeAll(async () => {
  shop = await startShopifySandbox({ plan: 'plus' });
});
afterAll(() => shop?.stop());

it('reads the catalogue and the orders with their fulfilment locations by id and name', async () => {
  const client = sandboxClient(shop);
  const { variants, orders } = await shopifyAuditData(client, { sinceDays: 100_000 });
  expect(variants.length).toBe(shop.state.variants.size);
  expect(orders.length).toBeGreaterThan(0);
  const located = orders.flatMap((o) => o.locations);
  expect(located.length).toBeGreaterThan(0);
  for (const l of located) {
    expect(l.id).toMatch(/^gid:\/\/shopify\/Location\//);
    expect(l.name).toBeTruthy();
  }
});
