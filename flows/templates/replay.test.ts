// Replays of order-to-erp through the real runtime, lookup store and sandbox ERP (issue 12, section 4): a replay after
// a lookup fix re-runs the lookup step (new output) and the ERP post; a replay of a run whose ERP post succeeded
// reuses the posted document instead of posting again.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxErp } from '../../nodes/erp/index.ts';
import { FIXTURES, asPaidOrder, erpTable, outputOf, scenario, startHarness, stepOf, type Harness } from './testing/harness.ts';

let h: Harness;
const erp = () => h.erp as SandboxErp;
const drained = async (runId: string) => {
  await h.rt.drain(120_000);
  return h.rt.runs.get(runId);
};

beforeAll(async () => {
  h = await startHarness();
  await h.install('order-to-erp');
}, 60_000);
afterAll(async () => h?.close());

describe('replay of order-to-erp', () => {
  it('after a lookup row is corrected, replaying from the failed step re-runs the lookup (new output) and posts with the right tax', async () => {
    erp().admin.addTaxCode('US-OH-RESORT-7', 'Ohio Resort Tax 7%', '0.07');
    // A row naming an ERP tax code that does not exist: the lookup succeeds, the ERP post fails.
    await h.lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'Ohio Resort Tax', rate: '7%', taxCode: 'US-OH-RESRT-7' }], { by: 'client@shop' });
    const tablesBefore = (await h.lookups.get({ name: 'tax-codes' })).version;
    const failed = await h.run('order-to-erp', scenario('unmapped-tax-rate.orders-paid.json'));
    expect(failed.status).toBe('failed');
    expect((failed.error as { nodeId: string }).nodeId).toBe('post');
    const taxStep = stepOf(failed, 'tax-codes')!;
    expect(taxStep.reads).toMatchObject({ flowVersion: 1, lookups: [{ table: 'tax-codes', scope: 'shared', version: tablesBefore }] });
    expect((taxStep.output as any).gate.order.lineItems[0].taxCodes).toEqual(['US-OH-RESRT-7']);

    await h.lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'Ohio Resort Tax', rate: '7%', taxCode: 'US-OH-RESORT-7' }], { by: 'operator@shop' });
    const plan = await h.rt.runs.planReplay(failed.runId);
    const action = Object.fromEntries(plan.steps.map((s) => [s.nodeId, s.action]));
    // The steps before the tax lookup read nothing that changed; the lookup re-runs because its table changed, and
    // everything after it because its input may change.
    expect(action).toMatchObject({
      shopify: 'reuse',
      gate: 'reuse',
      'customer-fields': 'reuse',
      customer: 'reuse',
      'tax-codes': 'rerun',
      warehouse: 'rerun',
      'sales-order-fields': 'rerun',
      post: 'rerun',
      'read-back': 'rerun',
    });
    expect(plan.steps.find((s) => s.nodeId === 'tax-codes')!.reason).toBe(`lookup table "tax-codes" changed (version ${tablesBefore} → ${tablesBefore + 1})`);
    expect(plan.steps.find((s) => s.nodeId === 'post')!.reason).toBe('it failed');

    const replay = await h.rt.runs.replay(failed.runId);
    expect(replay.reused).toEqual(['shopify', 'gate', 'customer-fields', 'customer']);
    const run = await drained(replay.runId);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect((stepOf(run, 'tax-codes')!.output as any).gate.order.lineItems[0].taxCodes).toEqual(['US-OH-RESORT-7']);
    expect(stepOf(run, 'tax-codes')!.reads!.lookups[0]?.version).toBe(tablesBefore + 1);
    const so = outputOf(run, 'read-back');
    expect(so.totals).toEqual({ net: '12.00', tax: '0.84', gross: '12.84' });
    expect(so.lines.map((l: any) => [l.sku, l.taxCode, l.taxAmount])).toEqual([['MUG-BLACK', 'US-OH-RESORT-7', '0.84']]);
    expect(erpTable(erp(), 'salesOrders').filter((o: any) => o.reference === '#5006')).toHaveLength(1);
  }, 120_000);

  it('a replay of a run whose ERP post succeeded reuses the posted order instead of posting it twice', async () => {
    const raw = asPaidOrder(readFileSync(`${FIXTURES}webhook-2026-04.orders.paid.json`, 'utf8'));
    const first = await h.run('order-to-erp', raw);
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    const number = outputOf(first, 'post').number as string;
    const ordersBefore = erpTable(erp(), 'salesOrders').length;

    // Replaying from the failed step needs a failed run; from the start is allowed.
    await expect(h.rt.runs.planReplay(first.runId)).rejects.toThrow(/only failed or cancelled runs can be replayed from the failed step/);
    const plan = await h.rt.runs.planReplay(first.runId, { from: 'start' });
    const post = plan.steps.find((s) => s.nodeId === 'post')!;
    expect(post).toMatchObject({ action: 'reuse', written: { documents: [number] }, needsConfirmation: true });
    expect(post.reason).toMatch(new RegExp(`^already posted as ${number}: reused, not sent again`));
    expect(plan.steps.find((s) => s.nodeId === 'tax-codes')!.action).toBe('rerun');
    expect(plan.confirm).toEqual(['post']);

    const replay = await h.rt.runs.replay(first.runId, { from: 'start' });
    const run = await drained(replay.runId);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(stepOf(run, 'post')).toMatchObject({ reusedFrom: first.runId, output: { number } });
    expect(erp().admin.dump().salesOrders).toHaveLength(ordersBefore);

    // Replaying the replay still knows which run posted the order.
    const plan2 = await h.rt.runs.planReplay(run.runId, { from: { step: 'balance' } });
    expect(plan2.steps.find((s) => s.nodeId === 'post')).toMatchObject({ action: 'reuse', written: { documents: [number] } });
    expect(plan2.steps.find((s) => s.nodeId === 'tax-codes')!.action).toBe('reuse');
    expect(plan2.steps.find((s) => s.nodeId === 'balance')!.reason).toBe('the replay starts at this step');

    // An explicit re-send runs the step again; the ERP's idempotency by order id still creates nothing.
    const resent = await drained((await h.rt.runs.replay(first.runId, { from: 'start', resend: ['post'] })).runId);
    expect(resent.status, JSON.stringify(resent.error)).toBe('succeeded');
    expect(stepOf(resent, 'post')!.reusedFrom).toBeUndefined();
    expect(outputOf(resent, 'post')).toMatchObject({ number, created: false });
    expect(erp().admin.dump().salesOrders).toHaveLength(ordersBefore);
    // That run found the order another run had created: replaying it still knows the order is posted.
    expect((await h.rt.runs.planReplay(resent.runId, { from: 'start' })).steps.find((s) => s.nodeId === 'post')).toMatchObject({
      action: 'reuse',
      written: { documents: [number] },
    });
  }, 120_000);

  it('a step whose settings changed in the version replayed re-runs; an unknown step to start from is named', async () => {
    const raw = asPaidOrder(
      readFileSync(`${FIXTURES}webhook-2026-04.orders.paid.json`, 'utf8')
        .replace('"name": "#9999"', '"name": "#9998"')
        .replace(/820982911946154508/g, '820982911946154509'),
    );
    const first = await h.run('order-to-erp', raw);
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    const draft = (await h.rt.flows.draft('order-to-erp')) as { nodes: Array<{ id: string; name?: string; config?: Record<string, unknown> }> };
    draft.nodes.find((n) => n.id === 'customer-fields')!.name = 'Renamed only';
    draft.nodes.find((n) => n.id === 'balance')!.config = {};
    await h.rt.flows.updateDraft('order-to-erp', draft);
    const v2 = (await h.rt.flows.publish('order-to-erp', { activate: true })).version;
    const plan = await h.rt.runs.planReplay(first.runId, { from: { step: 'read-back' } });
    expect(plan.flowVersion).toBe(v2);
    // A renamed node reads the same settings (reused); the balance step's settings changed (re-run); the post after it
    // already happened (reused, named); the chosen step re-runs.
    expect(plan.rerun).toEqual(['balance', 'read-back']);
    expect(plan.steps.find((s) => s.nodeId === 'balance')!.reason).toBe(`its settings changed (version 1 → ${v2})`);
    expect(plan.steps.find((s) => s.nodeId === 'post')!.action).toBe('reuse');
    await expect(h.rt.runs.planReplay(first.runId, { from: { step: 'nope' } })).rejects.toThrow(`step "nope" is not in version ${v2} of flow "order-to-erp"`);
  }, 120_000);
});
