import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { testServer, type TestServer } from '../testing.ts';
import { TEMPLATES_DIR } from './templates.ts';
import { nodeTypes } from '../../nodes/registry.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer({ withRoles: true, nodeTypes });
});
afterEach(() => t.close());

describe('/api/templates', () => {
  it('lists every template file with its description, trigger and steps; a flow created from one validates', async () => {
    const r = await t.json('GET', '/api/templates', { token: t.tokens.consultant });
    expect(r.status).toBe(200);
    const ids = r.body.templates.map((x: { id: string }) => x.id);
    expect(ids).toEqual(
      readdirSync(TEMPLATES_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort(),
    );
    const order = r.body.templates.find((x: { id: string }) => x.id === 'order-to-erp');
    expect(order.name).toBe('Shopify order to ERP sales order');
    expect(order.description).toMatch(/^When Shopify reports an order/);
    expect(order.trigger).toMatchObject({ type: 'shopify.trigger', topic: expect.stringMatching(/^orders\//) });
    expect(order.steps.length).toBe(order.flow.nodes.length - 1);
    const scheduled = r.body.templates.find((x: { id: string }) => x.id === 'inventory-to-shopify');
    expect(scheduled.trigger).toMatchObject({ type: 'trigger.schedule', cron: expect.any(String) });

    // The designer creates the flow from the document under a new id and name.
    const created = await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: { ...order.flow, id: 'my-orders', name: 'My orders' } });
    expect(created.status).toBe(201);
    // The template names the sandbox's connections: on a server without them each node that names one says so.
    const v = await t.json('POST', '/api/flows/my-orders/validate', { token: t.tokens.consultant });
    expect(v.body.valid).toBe(false);
    expect(v.body.problems[0]).toEqual({
      where: 'shopify',
      path: '$.nodes[0].config.connection',
      message: 'there is no connection "sandbox-shop" here; this node takes a Shopify connection: create one under Settings → Connections',
    });
    expect(v.body.problems.every((p: { message: string }) => /^there is no connection "sandbox-(shop|erp)" here/.test(p.message))).toBe(true);
    const c = t.server.deps.connections;
    await c.create({ id: 'sandbox-shop', kind: 'shopify', provider: 'shopify', name: 'Shop', config: { shopDomain: 'shop.myshopify.com' } });
    await c.create({ id: 'sandbox-erp', kind: 'erp', provider: 'sandbox', name: 'ERP', config: {} });
    expect((await t.json('POST', '/api/flows/my-orders/validate', { token: t.tokens.consultant })).body).toEqual({ valid: true, problems: [] });
  });
});
