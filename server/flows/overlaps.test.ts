import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testServer, type TestServer } from '../testing.ts';
import { nodeTypes } from '../../nodes/registry.ts';
import { TEMPLATES_DIR } from '../routes/templates.ts';
import { postKeys } from './overlaps.ts';

const template = (name: string) =>
  JSON.parse(readFileSync(join(TEMPLATES_DIR, `${name}.json`), 'utf8')) as { nodes: Array<{ type: string; config: Record<string, unknown> }> };
const orderFlow = (id: string, name: string, erp = 'sandbox-erp') => {
  const doc = template('order-to-erp');
  return {
    ...doc,
    id,
    name,
    nodes: doc.nodes.map((n) => (n.type.startsWith('erp.') && n.config.connection ? { ...n, config: { ...n.config, connection: erp } } : n)),
  };
};

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true, nodeTypes });
  // The connections the flows below name: publishing refuses one naming a connection this server does not have.
  const c = t.server.deps.connections;
  await c.create({ id: 'sandbox-shop', kind: 'shopify', provider: 'shopify', name: 'Shop', config: { shopDomain: 'shop.myshopify.com' } });
  for (const id of ['sandbox-erp', 'other-erp']) await c.create({ id, kind: 'erp', provider: 'sandbox', name: id, config: {} });
});
afterEach(() => t.close());

describe('two active flows posting the same event to the same ERP', () => {
  it('keys a flow by Shopify connection and topic × ERP posting node and connection', () => {
    expect(postKeys(template('order-to-erp'))).toEqual([
      { shop: 'sandbox-shop', topic: 'orders/paid', erp: 'sandbox-erp', post: 'erp.post-sales-order' },
      { shop: 'sandbox-shop', topic: 'orders/create', erp: 'sandbox-erp', post: 'erp.post-sales-order' },
    ]);
    // Gift cards post a journal on orders/paid: a different document, so no clash with the sales order flow.
    expect(postKeys(template('gift-card-liability'))).toEqual([{ shop: 'sandbox-shop', topic: 'orders/paid', erp: 'sandbox-erp', post: 'erp.post-journal' }]);
    expect(postKeys(template('inventory-to-shopify'))).toEqual([]);
    expect(postKeys({ nodes: 'nope' })).toEqual([]);
  });

  it('activating (or publishing) the second flow warns, naming both; other ERPs and inactive flows do not', async () => {
    const tok = t.tokens.consultant;
    const publish = (id: string) => t.json('POST', `/api/flows/${id}/publish`, { token: tok, body: { message: 'v' } });
    for (const [id, name, erp] of [
      ['orders-a', 'Orders A', 'sandbox-erp'],
      ['orders-b', 'Orders B', 'sandbox-erp'],
      ['orders-c', 'Orders C', 'other-erp'],
    ] as const) {
      expect((await t.json('POST', '/api/flows', { token: tok, body: orderFlow(id, name, erp) })).status).toBe(201);
      const p = await publish(id);
      expect(p.status, JSON.stringify(p.body)).toBe(201);
      expect(p.body.warnings).toEqual([]);
    }
    const a = await t.json('POST', '/api/flows/orders-a/activate', { token: tok, body: {} });
    expect(a.body).toMatchObject({ active: true, warnings: [] });
    // Another ERP connection: no clash.
    expect((await t.json('POST', '/api/flows/orders-c/activate', { token: tok, body: {} })).body.warnings).toEqual([]);

    const b = await t.json('POST', '/api/flows/orders-b/activate', { token: tok, body: {} });
    expect(b.status).toBe(200);
    expect(b.body.active).toBe(true);
    expect(b.body.warnings).toHaveLength(1);
    expect(b.body.warnings[0]).toMatchObject({ flowId: 'orders-a', flowName: 'Orders A' });
    expect(b.body.warnings[0].message).toMatch(
      /^"Orders B" and "Orders A" are both active and both post Shopify orders\/paid from "sandbox-shop" to ERP "sandbox-erp" \(erp\.post-sales-order\).*posted twice/,
    );
    // Each side sees the other: on its read, and on publishing while active.
    expect((await t.json('GET', '/api/flows/orders-a', { token: t.tokens.viewer })).body.warnings.map((w: { flowId: string }) => w.flowId)).toEqual([
      'orders-b',
    ]);
    expect((await publish('orders-a')).body.warnings.map((w: { flowId: string }) => w.flowId)).toEqual(['orders-b']);

    await t.json('POST', '/api/flows/orders-b/deactivate', { token: tok });
    expect((await t.json('GET', '/api/flows/orders-a', { token: tok })).body.warnings).toEqual([]);
  });
});
