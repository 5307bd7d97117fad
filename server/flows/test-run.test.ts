import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, permanentError } from '../../runtime/node-api.ts';
import { shopifyTrigger } from '../../nodes/shopify/trigger.ts';
import { flow, testServer, type TestServer } from '../testing.ts';

// Records what it got; raises a finance exception through the host and fails when the order total is over a limit.
const seen: unknown[] = [];
const guard = defineNode({
  type: 'test.guard',
  version: 1,
  title: 'Guard',
  category: 'finance',
  description: 'raises when over the limit',
  config: z.object({ limit: z.number() }),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: { name: '#1', total: 0 } as { name?: string; total: number },
  async execute(ctx, input: { order?: { name?: string; currentTotal?: { shop?: { amount?: string } } } }) {
    seen.push(input);
    const total = Number(input.order?.currentTotal?.shop?.amount ?? 0);
    if (total > ctx.config.limit) {
      await ctx.exceptions?.raise({ type: 'payout-mismatch', key: `guard:${input.order?.name}`, title: 'over the limit', severity: 'high' });
      throw permanentError(`order ${input.order?.name} is over ${ctx.config.limit}`, { code: 'OVER_LIMIT' });
    }
    return { name: input.order?.name, total };
  },
});

const body = readFileSync(new URL('../../nodes/shopify/samples/orders-paid.example.json', import.meta.url), 'utf8');
const orderFlow = (limit: number) =>
  flow(
    'orders',
    [
      { id: 'shopify', type: 'shopify.trigger', config: { connection: 'shop', topic: 'orders/paid' } },
      { id: 'guard', type: 'test.guard', config: { limit } },
      { id: 'add', type: 'test.add', config: { n: 1 } },
    ],
    ['shopify->guard', 'guard->add'],
  );

let t: TestServer;
beforeEach(async () => {
  seen.length = 0;
  t = await testServer({ withRoles: true, extraNodes: [shopifyTrigger, guard] });
});
afterEach(() => t.close());

const test = (id: string, bodyJson: unknown) => t.json('POST', `/api/flows/${id}/test`, { token: t.tokens.consultant, body: bodyJson });

describe('test runs of a draft', () => {
  it("runs from the trigger's sample: the converted sample is pinned as the trigger's output, not fed back as a raw webhook", async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1_000_000) });
    const r = await test('orders', {});
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('succeeded');
    expect(r.body.input).toEqual({ kind: 'sample', label: 'Sample of Shopify event' });
    expect(r.body.pinned).toEqual(['shopify']);
    expect(r.body.steps[0]).toMatchObject({ nodeId: 'shopify', status: 'succeeded', reusedFrom: 'pinned' });
    expect((seen[0] as { order: { id: string } }).order.id).toBe((shopifyTrigger.sampleOutput as { order: { id: string } }).order.id);
  });

  it('runs from a pasted raw webhook body, converting it in the trigger (ids exact)', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1_000_000) });
    const r = await test('orders', { input: { kind: 'payload', body } });
    expect(r.body.status).toBe('succeeded');
    expect(r.body.input.kind).toBe('payload');
    expect(r.body.pinned).toEqual([]);
    expect(r.body.steps[0].output.order.id).toMatch(/^gid:\/\/shopify\/Order\/\d{15,}$/);
    expect(r.body.steps[0].output.order.id).toBe((shopifyTrigger.sampleOutput as { order: { id: string } }).order.id);
  });

  it("runs from a past run's event and refuses runs of other flows", async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1_000_000) });
    const first = await test('orders', { input: { kind: 'payload', body } });
    const again = await test('orders', { input: { kind: 'run', runId: first.body.runId } });
    expect(again.body.status).toBe('succeeded');
    expect(again.body.input).toEqual({ kind: 'run', label: `Event of run ${first.body.runId}` });
    expect(again.body.steps[0].output).toEqual(first.body.steps[0].output);
    expect((await test('orders', { input: { kind: 'run', runId: 'run_nope' } })).status).toBe(422);
  });

  it('executes one node alone with the outputs upstream of it pinned from an earlier run', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1_000_000) });
    const first = await test('orders', { input: { kind: 'payload', body } });
    seen.length = 0;
    const one = await test('orders', { nodeId: 'guard', pinFrom: first.body.runId });
    expect(one.body.status).toBe('succeeded');
    expect(one.body.steps.map((s: { nodeId: string; reusedFrom?: string }) => [s.nodeId, s.reusedFrom ?? 'ran'])).toEqual([
      ['shopify', 'pinned'],
      ['guard', 'ran'],
    ]);
    // The inspector's "last input" of the node is the pinned upstream output.
    expect(one.body.steps[1].input).toEqual(first.body.steps[0].output);
    expect(seen).toHaveLength(1);
  });

  it("pins the trigger's output of the earlier run even when this test's own input is another order", async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1_000_000) });
    // The trigger's output is stored as a reference and made again from the event: the pin must be that run's order.
    const first = await test('orders', { input: { kind: 'payload', body: body.replace('"name": "#9999"', '"name": "#PIN-1"') } });
    expect(first.body.steps[0].output.order.name).toBe('#PIN-1');
    seen.length = 0;
    const one = await test('orders', { nodeId: 'guard', pinFrom: first.body.runId, input: { kind: 'payload', body } });
    expect(one.body.status).toBe('succeeded');
    expect(one.body.steps[0]).toMatchObject({ nodeId: 'shopify', reusedFrom: 'pinned' });
    expect((seen[0] as { order: { name: string } }).order.name).toBe('#PIN-1');
    expect(one.body.steps[1].input).toEqual(first.body.steps[0].output);
  });

  it('keeps test runs out of production: no exception, no runs list, no dashboard; they have their own list and can be cleared', async () => {
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: orderFlow(1) });
    const r = await test('orders', {});
    expect(r.body.status).toBe('failed');
    expect(r.body.error.message).toMatch(/over 1/);
    await new Promise((ok) => setTimeout(ok, 50));
    const exc = await t.json('GET', '/api/exceptions?state=unresolved', { token: t.tokens.owner });
    expect(exc.body.total).toBe(0);
    expect((await t.json('GET', '/api/runs', { token: t.tokens.owner })).body.runs).toEqual([]);
    const dash = await t.json('GET', '/api/dashboard/summary', { token: t.tokens.owner });
    expect(dash.status).toBe(200);
    expect(JSON.stringify(dash.body)).toContain('"orders"');
    expect(JSON.stringify(dash.body)).not.toContain('__test.');
    const metrics = await t.server.deps.metrics.registry.metrics();
    expect(metrics).toContain('ledgerline_runs_total');
    expect(metrics).not.toContain('__test.');
    const list = await t.json('GET', '/api/flows/orders/test-runs', { token: t.tokens.consultant });
    expect(list.body.runs.map((x: { runId: string }) => x.runId)).toEqual([r.body.runId]);
    const cleared = await t.json('DELETE', '/api/flows/orders/test-runs', { token: t.tokens.consultant });
    expect(cleared.body).toEqual({ deleted: 1 });
    expect((await t.json('GET', '/api/flows/orders/test-runs', { token: t.tokens.consultant })).body.runs).toEqual([]);
    expect((await t.json('GET', `/api/runs/${r.body.runId}`, { token: t.tokens.owner })).status).toBe(404);
  });

  it('says what is missing in words a person reads', async () => {
    const doc = orderFlow(1);
    doc.nodes[0]!.config = { topic: 'orders/paid' };
    await t.json('POST', '/api/flows', { token: t.tokens.consultant, body: doc });
    const r = await test('orders', {});
    expect(r.status).toBe(422);
    expect(r.body.error.problems).toContainEqual({
      where: 'shopify',
      path: '$.nodes[0].config.connection',
      message: 'The Shopify event trigger needs a connection',
    });
  });
});
