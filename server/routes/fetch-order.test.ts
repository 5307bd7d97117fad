// A paid order whose webhooks never reached Ledgerline, on a real server in sandbox mode: the orphaned-order check
// raises it with nothing to retry; triage proposes fetching it; an operator does, which runs the flows that take
// orders/paid (the ERP gets its sales order) and the next check resolves the exception. A second fetch queues nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload } from '../sandbox/payloads.ts';
import type { SandboxStore } from '../../nodes/shopify/index.ts';
import { sandboxServing, until, type SandboxServing } from '../testing/sandbox-serving.ts';

let srv: SandboxServing;
let operator = '';
let client = '';
let owner = '';
const call: SandboxServing['call'] = (...a) => srv.call(...a);

/** Runs the orphaned-order check now and waits for it to finish. */
async function check() {
  const { body } = await call('POST', '/api/flows/monitor-orphaned-orders/run-now', operator);
  await until(async () => {
    const r = (await call('GET', `/api/runs/${body.runId}`, operator)).body;
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, 'the orphaned-order check');
}

beforeAll(async () => {
  srv = await sandboxServing('fetch-order', 'fetch-order-pw-1', ['operator', 'client']);
  ({ owner, operator, client } = srv.tokens as Record<'owner' | 'operator' | 'client', string>);
}, 120_000);

afterAll(async () => srv?.close());

describe('fetching an orphaned order from Shopify', () => {
  it('runs the flows that take paid orders for an order whose webhooks never came, and the check resolves it', async () => {
    const shop = srv.s.server.sandbox!.store as SandboxStore;
    // The shop's webhooks go nowhere: the order is paid in Shopify and Ledgerline never hears of it.
    shop.setWebhookTarget(undefined);
    const order = orderPayload('paid-order', 90, new Date(Date.now() - 60 * 60_000));
    shop.createOrder(order.body);

    await check();
    const { items } = (await call('GET', '/api/exceptions?type=orphaned-order&state=unresolved', operator)).body;
    const exc = items.find((e: any) => e.links.shopify === order.gid);
    expect(exc, JSON.stringify(items)).toMatchObject({ retryable: false, links: { shopifyName: order.name } });
    const triage = (await call('GET', `/api/assist/triage?ids=${exc.id}`, operator)).body.triage[exc.id];
    expect(triage.action).toEqual({ kind: 'fetch-order', label: 'Fetch the order from Shopify and run it', params: { exceptionId: exc.id } });
    expect(triage.nextStep).toMatch(/webhook never came/);

    // A client cannot; an operator can. Shopify failing is said, and queues nothing.
    expect((await call('POST', `/api/exceptions/${exc.id}/fetch-order`, client)).status).toBe(403);
    shop.failNext(1, 401); // e.g. the access token revoked
    const down = await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator);
    expect([down.status, down.body.error.code]).toEqual([503, 'shopify_unavailable']);
    expect(down.body.error.message).toContain(`could not read order ${order.gid} from Shopify`);
    const fetched = await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator);
    expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
    expect(fetched.body.order).toEqual({ id: order.gid, name: order.name });
    expect(fetched.body.queued.map((q: any) => q.flowId).sort()).toEqual(['gift-card-liability', 'order-to-erp']);
    const run = await until(async () => {
      const r = (await call('GET', `/api/runs/${fetched.body.queued.find((q: any) => q.flowId === 'order-to-erp').runId}`, operator)).body;
      return ['succeeded', 'failed', 'skipped'].includes(r.status) ? r : undefined;
    }, 'the fetched order to post');
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.keys).toMatchObject({ shopifyOrderId: order.gid, shopifyOrderName: order.name, shopifyDedupKey: `paid:${order.gid}` });

    // Fetched again before the check: every flow has it, nothing is queued twice.
    const again = await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator);
    expect(again.body).toMatchObject({ queued: [], already: expect.arrayContaining(['order-to-erp', 'gift-card-liability']) });

    await check();
    expect((await call('GET', `/api/exceptions/${exc.id}`, operator)).body).toMatchObject({ state: 'resolved', autoResolved: true });
    expect((await call('POST', `/api/exceptions/${exc.id}/fetch-order`, operator)).status).toBe(409);
    const { entries } = (await call('GET', '/api/audit?limit=1000', owner)).body;
    expect(entries.filter((e: any) => e.action === 'exception.fetch-order').map((e: any) => e.details?.order)).toEqual([order.name, order.name]);
  }, 120_000);
});
