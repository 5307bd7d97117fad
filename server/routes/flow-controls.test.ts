// The controls triage's buttons use: an operator pauses a throttled scheduled flow and resumes it on the same
// version; changes how often the stock push fires (published as a new version, draft kept in step) and undoes it.
// Refused: webhook flows (their events would be dropped), a flow a consultant deactivated, crons firing too often,
// a stale version, and roles outside triage. Each act is in the audit log, and triage offers the button accordingly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flow, testServer, type TestServer } from '../testing.ts';
import { inventoryPush } from '../../nodes/shopify/inventory-push.ts';

let t: TestServer;
const schedule = (cron: string) => ({ id: 'every', type: 'trigger.schedule', name: 'Every 15 minutes', config: { cron, timezone: 'UTC' } });
const push = { id: 'push', type: 'shopify.inventory-push', config: { connection: 'shop-a', locations: { WH: 'gid://shopify/Location/1' } } };

async function install(doc: ReturnType<typeof flow>) {
  expect((await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc })).status).toBe(201);
  const pub = await t.json('POST', `/api/flows/${doc.id}/publish`, { token: t.tokens.consultant, body: { message: 'first' } });
  expect(pub.status, JSON.stringify(pub.body)).toBe(201);
  expect((await t.json('POST', `/api/flows/${doc.id}/activate`, { token: t.tokens.consultant, body: {} })).status).toBe(200);
}
const auditOf = async (target: string) => (await t.server.deps.audit.list(200)).filter((a) => a.target.startsWith(target));
const triageOf = async (id: string) => (await t.json('GET', `/api/assist/exceptions/${id}`, { token: t.tokens.operator })).body.triage;

beforeAll(async () => {
  t = await testServer({ withRoles: true, extraNodes: [inventoryPush] });
  // The connection the stock push names: publishing refuses a flow naming one this server does not have.
  await t.server.deps.connections.create({ id: 'shop-a', kind: 'shopify', provider: 'shopify', name: 'Shop A', config: { shopDomain: 'a.myshopify.com' } });
  await install(flow('stock', [schedule('*/15 * * * *'), push], ['every->push']));
  await install(flow('nightly', [schedule('0 2 * * *'), { id: 'x', type: 'test.add', config: { n: 1 } }], ['every->x']));
  await install(
    flow(
      'orders',
      [
        { id: 'hook', type: 'test.shopify-trigger', config: { connectionId: 'shop-a' } },
        { id: 'x', type: 'test.add', config: { n: 1 } },
      ],
      ['hook->x'],
    ),
  );
});
afterAll(async () => t?.close());

describe('pause and resume', () => {
  it('an operator pauses a throttled scheduled flow from its triage and resumes it on the same version', async () => {
    const ex = (
      await t.server.deps.exceptions.raise({
        type: 'rate-limited',
        key: 'erp:nightly/x',
        title: 'The ERP throttled 5 steps of nightly / x',
        links: { flowId: 'nightly', nodeId: 'x' },
        data: { system: 'erp' },
      })
    ).id;
    expect((await triageOf(ex)).action).toMatchObject({ kind: 'pause-flow', label: 'Pause flow nightly', params: { flowId: 'nightly' } });
    expect((await t.json('POST', '/api/flows/nightly/pause', { token: t.tokens.client, body: { exceptionId: ex } })).status).toBe(403);
    expect((await t.json('POST', '/api/flows/nightly/pause', { token: t.tokens.viewer })).status).toBe(403);

    const p = await t.json('POST', '/api/flows/nightly/pause', { token: t.tokens.operator, body: { exceptionId: ex } });
    expect(p.status).toBe(200);
    expect(p.body.flow).toMatchObject({ id: 'nightly', active: false, activeVersion: 1 });
    expect(p.body.message).toBe('Flow nightly paused: its schedule (At 02:00) does not fire until it is resumed on version 1.');
    expect((await t.server.runtime.flows.activeTriggers()).map((x) => x.flowId)).not.toContain('nightly');
    expect((await auditOf('flow:nightly'))[0]).toMatchObject({
      action: 'flow.pause',
      details: { exceptionId: ex, before: { active: true, activeVersion: 1 } },
    });
    // The inbox now offers the undo.
    expect((await triageOf(ex)).action).toMatchObject({ kind: 'resume-flow', params: { flowId: 'nightly', pausedBy: expect.stringContaining('operator') } });
    expect((await t.json('POST', '/api/flows/nightly/pause', { token: t.tokens.operator })).status).toBe(409);
    const listed = (await t.json('GET', '/api/flows', { token: t.tokens.viewer })).body.flows;
    expect(listed.find((f: { id: string }) => f.id === 'nightly').paused).toMatchObject({ by: expect.stringContaining('operator') });
    expect(listed.find((f: { id: string }) => f.id === 'stock').paused).toBeUndefined();

    const r = await t.json('POST', '/api/flows/nightly/resume', { token: t.tokens.operator, body: { exceptionId: ex } });
    expect(r.status).toBe(200);
    expect(r.body.flow).toMatchObject({ active: true, activeVersion: 1 });
    expect((await t.server.runtime.flows.activeTriggers()).map((x) => x.flowId)).toContain('nightly');
    expect((await auditOf('flow:nightly'))[0]).toMatchObject({ action: 'flow.resume' });
    expect((await triageOf(ex)).action.kind).toBe('pause-flow');
  });

  it('refuses a webhook flow (its events would start no runs), offers no button for it, and never resumes a flow a consultant deactivated', async () => {
    const ex = (
      await t.server.deps.exceptions.raise({
        type: 'rate-limited',
        key: 'erp:orders/x',
        title: 'The ERP throttled 5 steps of orders / x',
        links: { flowId: 'orders', nodeId: 'x' },
      })
    ).id;
    expect((await triageOf(ex)).action).toBeNull();
    const p = await t.json('POST', '/api/flows/orders/pause', { token: t.tokens.operator });
    expect(p.status).toBe(409);
    expect(p.body.error.message).toMatch(/starts on test.shopify-trigger, not a schedule: events arriving while it is paused would start no runs/);
    expect((await t.server.runtime.flows.get('orders')).active).toBe(true);

    expect((await t.json('POST', '/api/flows/nightly/deactivate', { token: t.tokens.consultant })).status).toBe(200);
    const r = await t.json('POST', '/api/flows/nightly/resume', { token: t.tokens.operator });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/was deactivated, not paused: a consultant activates it/);
    expect((await t.server.runtime.flows.get('nightly')).active).toBe(false);
    expect((await t.json('POST', '/api/flows/nope/pause', { token: t.tokens.operator })).status).toBe(404);
    expect((await t.json('POST', '/api/flows/nightly/activate', { token: t.tokens.consultant, body: {} })).status).toBe(200);
  });
});

describe('stock push schedule', () => {
  it('after drift an operator makes the push more frequent (a new version; the draft follows) and undoes it', async () => {
    // A consultant's unpublished work in the draft must neither go live nor be lost.
    const draft = (await t.server.runtime.flows.draft('stock')) as { description?: string };
    await t.server.runtime.flows.updateDraft('stock', { ...draft, description: 'work in progress' });
    const ex = (
      await t.server.deps.exceptions.raise({
        type: 'inventory-drift',
        key: 'shop-a:TEE-M@WH',
        title: 'TEE-M at WH: Shopify shows 9, ERP allows 4 (+5)',
        links: { flowId: 'drift-monitor', nodeId: 'check' },
      })
    ).id;
    const a = (await triageOf(ex)).action;
    expect(a).toMatchObject({
      kind: 'raise-stock-push-interval',
      params: { flowId: 'stock', nodeId: 'every', from: '*/15 * * * *', to: '*/10 * * * *', direction: 'more-often', version: '1' },
    });
    expect(a.label).toBe('Push stock more often: every 10 minutes instead of every 15 minutes (stock)');

    expect((await t.json('POST', '/api/flows/stock/schedule', { token: t.tokens.viewer, body: { cron: a.params.to } })).status).toBe(403);
    const stale = await t.json('POST', '/api/flows/stock/schedule', { token: t.tokens.operator, body: { cron: a.params.to, expectedVersion: 7 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/now runs version 1, not 7/);
    const tooOften = await t.json('POST', '/api/flows/stock/schedule', { token: t.tokens.operator, body: { cron: '0-9 * * * *' } });
    expect(tooOften.status).toBe(409);
    expect(tooOften.body.error.message).toMatch(/nodes\.every\.config\.cron: "0-9 \* \* \* \*" fires every 1 min; at most every 5 min/);
    expect((await t.json('POST', '/api/flows/stock/schedule', { token: t.tokens.operator, body: { cron: 'often' } })).body.error.message).toMatch(
      /invalid cron expression "often"/,
    );

    const ok = await t.json('POST', '/api/flows/stock/schedule', {
      token: t.tokens.operator,
      body: { cron: a.params.to, expectedVersion: 1, exceptionId: ex },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      flowId: 'stock',
      version: 2,
      from: '*/15 * * * *',
      to: '*/10 * * * *',
      message: 'stock now runs every 10 minutes (was every 15 minutes), as version 2.',
    });
    const running = (await t.server.runtime.flows.activeTriggers()).find((x) => x.flowId === 'stock')!;
    expect(running).toMatchObject({ version: 2, config: { cron: '*/10 * * * *' } });
    const v2 = (await t.server.runtime.flows.version('stock', 2)).definition as { description?: string; nodes: Array<{ id: string; name?: string }> };
    expect(v2.description).toBeUndefined();
    // The trigger named for its schedule is renamed with it.
    expect(v2.nodes.find((x) => x.id === 'every')!.name).toBe('Every 10 minutes');
    const after = (await t.server.runtime.flows.draft('stock')) as { description?: string; nodes: Array<{ id: string; config: { cron?: string } }> };
    expect(after.description).toBe('work in progress');
    expect(after.nodes.find((n) => n.id === 'every')!.config.cron).toBe('*/10 * * * *');
    expect((await auditOf('flow:stock@2'))[0]).toMatchObject({
      action: 'flow.schedule',
      details: { before: { cron: '*/15 * * * *', version: 1 }, after: { cron: '*/10 * * * *', version: 2 }, exceptionId: ex },
    });
    // Triage reads the new schedule.
    expect((await triageOf(ex)).action.params).toMatchObject({ from: '*/10 * * * *', to: '*/5 * * * *' });

    const undo = await t.json('POST', '/api/flows/stock/schedule', {
      token: t.tokens.operator,
      body: { cron: ok.body.from, expectedVersion: ok.body.version },
    });
    expect(undo.status).toBe(200);
    expect(undo.body).toMatchObject({ version: 3, to: '*/15 * * * *' });
    expect((await t.server.runtime.flows.activeTriggers()).find((x) => x.flowId === 'stock')!.config.cron).toBe('*/15 * * * *');
  });

  it('under Shopify throttling offers the push less often, for the flow pushing to that shop only', async () => {
    const ex = (
      await t.server.deps.exceptions.raise({
        type: 'rate-limited',
        key: 'shopify:shop-a',
        title: 'Shopify shop-a has been at its API rate limit for 20 min',
        links: { flowId: 'rate-monitor', nodeId: 'check' },
      })
    ).id;
    expect((await triageOf(ex)).action).toMatchObject({
      kind: 'raise-stock-push-interval',
      params: { flowId: 'stock', from: '*/15 * * * *', to: '*/30 * * * *', direction: 'less-often' },
    });
    const other = (
      await t.server.deps.exceptions.raise({
        type: 'rate-limited',
        key: 'shopify:shop-b',
        title: 'Shopify shop-b has been at its API rate limit for 20 min',
        links: { flowId: 'rate-monitor', nodeId: 'check' },
      })
    ).id;
    expect((await triageOf(other)).action).toBeNull();
  });
});
