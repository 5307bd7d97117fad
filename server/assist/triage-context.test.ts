// What triage reads besides the exception, on every dialect: the flows' facts (paused by whom, from the audit log;
// which flows push stock to which shop) and the order behind an exception's run.
import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../../runtime/flow-store.ts';
import { events, runs } from '../../runtime/store/schema.ts';
import { freshStores, testStores, type TestStore } from '../../runtime/testing/stores.ts';
import { Audit } from '../audit.ts';
import type { Deps } from '../deps.ts';
import type { ExceptionRecord } from '../exceptions/store/service.ts';
import { createExceptionService } from '../exceptions/store/index.ts';
import { flowFacts, peopleOf } from './triage-context.ts';
import { triageException } from './triage.ts';

const T0 = 1_800_000_000_000;

/** A runtime of these flows (summary, and the nodes of its active version) over the store: what FlowControls reads. */
function depsOf(
  s: TestStore,
  flows: Array<{ id: string; active: boolean; version: number | null; nodes: Array<{ id: string; type: string; config?: object }> }>,
) {
  const summary = (f: (typeof flows)[number]): FlowSummary => ({
    id: f.id,
    name: `Flow ${f.id}`,
    active: f.active,
    activeVersion: f.version,
    latestVersion: f.version,
    draftUpdatedAt: T0,
    createdAt: T0,
  });
  const find = (id: string) => {
    const f = flows.find((x) => x.id === id);
    if (!f) throw new Error(`no flow ${id}`);
    return f;
  };
  const runtime = {
    store: s.store,
    lookup: (type: string) => (type.startsWith('trigger.') ? { trigger: 'schedule' } : { trigger: undefined }),
    flows: {
      list: () => flows.map(summary),
      get: (id: string) => summary(find(id)),
      version: (id: string, version: number) => ({ flowId: id, version, definition: { nodes: find(id).nodes } }),
    },
  };
  return { runtime, exceptions: createExceptionService(s.store, null, { now: () => T0 }) } as unknown as Deps;
}

const exception = (links: ExceptionRecord['links']) => ({ links }) as ExceptionRecord;

describe.each(testStores())('triage context on $name', (kind) => {
  const fresh = freshStores(kind);

  it('flow facts: paused only when the last activation change of an inactive flow was a pause; stock pushes by shop', async () => {
    const s = await fresh();
    let t = T0;
    const audit = new Audit(s.store, () => ++t);
    await audit.record('builder@x', 'flow.activate', 'flow:stock', {});
    await audit.record('ops@x', 'flow.pause', 'flow:stock', {});
    await audit.record('builder@x', 'flow.schedule', 'flow:stock@4', {}); // not an activation change
    await audit.record('ops@x', 'flow.pause', 'flow:off', {});
    await audit.record('builder@x', 'flow.deactivate', 'flow:off', {});
    await audit.record('ops@x', 'flow.pause', 'flow:live', {});
    await audit.record('ops@x', 'flow.resume', 'flow:live', {});
    const push = (connection: string) => [
      { id: 'every', type: 'trigger.schedule', config: { cron: '*/15 * * * *' } },
      { id: 'push', type: 'shopify.inventory-push', config: { connection } },
    ];
    const d = depsOf(s, [
      { id: 'stock', active: false, version: 3, nodes: push('shop-a') },
      { id: 'off', active: false, version: 1, nodes: push('shop-a') },
      { id: 'live', active: true, version: 2, nodes: push('shop-b') },
      { id: 'orders', active: true, version: 1, nodes: [{ id: 'hook', type: 'trigger.webhook' }] },
    ]);
    const facts = await flowFacts(d);
    expect(facts.flow('stock')).toMatchObject({
      active: false,
      paused: { by: 'ops@x', at: T0 + 2 },
      version: 3,
      trigger: { nodeId: 'every', type: 'trigger.schedule', cron: '*/15 * * * *' },
      stockPushConnection: 'shop-a',
    });
    expect(facts.flow('off')?.paused).toBeNull(); // deactivated after the pause: a builder's decision
    expect(facts.flow('live')).toMatchObject({ active: true, paused: null });
    expect(facts.flow('orders')?.nodeTypes).toEqual(['trigger.webhook']);
    expect(facts.flow('nope')).toBeNull();
    expect(facts.stockPushFlows('shop-a').map((f) => f.id)).toEqual(['stock']);
    expect(facts.stockPushFlows(null).map((f) => f.id)).toEqual(['stock', 'live']);
  });

  it('a drifting SKU the last stock push refused is triaged as that catalogue problem, not as a push too rare', async () => {
    const s = await fresh();
    const d = depsOf(s, []);
    const problems = [
      { code: 'DUPLICATE_SKU', sku: 'MUG-SAGE', message: 'SKU MUG-SAGE is used by 2 Shopify variants: Stoneware Mug (8131), Mug Gift Set (8132)' },
      { code: 'NOT_STOCKED', sku: 'WRAP-01', message: 'SKU WRAP-01 is not stocked at gid://shopify/Location/1' },
    ];
    await d.exceptions.raise({
      type: 'failed-run',
      key: 'inventory-to-shopify:push',
      title: 'Run of inventory-to-shopify / push failed (INVENTORY_PROBLEMS)',
      links: { runId: 'run-push', flowId: 'inventory-to-shopify', nodeId: 'push' },
      data: { error: { message: 'node push: 2 inventory problem(s)', code: 'INVENTORY_PROBLEMS', details: { problems } } },
    });
    const drift = (sku: string) =>
      ({ type: 'inventory-drift', key: `shop:${sku}@WH`, data: { sku }, links: {}, count: 1, firstSeen: T0 }) as unknown as ExceptionRecord;
    const facts = await flowFacts(d);
    const dup = triageException(drift('MUG-SAGE'), facts);
    expect(dup).toMatchObject({ category: 'data-mapping', action: { kind: 'open-run', params: { runId: 'run-push' } } });
    expect(dup.explanation).toContain('SKU MUG-SAGE is used by 2 Shopify variants');
    expect(dup.nextStep).toMatch(/^Give each Shopify variant its own SKU/);
    expect(dup.evidence).toContain('the last stock push refused MUG-SAGE: DUPLICATE_SKU');
    expect(triageException(drift('WRAP-01'), facts).nextStep).toMatch(/^Make WRAP-01 stocked at that location/);
    // Any other SKU drifts for the usual reasons.
    expect(triageException(drift('TEE-M'), facts)).toMatchObject({ category: 'manual-process' });
  });

  it("the order behind an exception's run: a webhook body parsed, another payload as it is, nothing without a run", async () => {
    const s = await fresh();
    const { db, tables: t } = s.sql({ events, runs });
    await db.insert(t.events).values([
      { id: 'hook', source: 'shopify:shop', payload: JSON.stringify({ body: '{"email":"ann@example.com"}', headers: {} }), receivedAt: T0 },
      { id: 'manual', source: 'manual', payload: JSON.stringify({ customer: 'Bob' }), receivedAt: T0 },
    ]);
    const run = (id: string, eventId: string) => ({ id, flowId: 'f', flowVersion: 1, eventId, status: 'failed', availableAt: T0, createdAt: T0 });
    await db.insert(t.runs).values([run('r-hook', 'hook'), run('r-manual', 'manual'), run('r-lost', 'pruned')]);
    expect(await peopleOf(s.store, exception({ runId: 'r-hook' }))).toEqual([{ email: 'ann@example.com' }]);
    expect(await peopleOf(s.store, exception({ runId: 'r-manual' }))).toEqual([{ customer: 'Bob' }]);
    expect(await peopleOf(s.store, exception({ runId: 'r-lost' }))).toEqual([]);
    expect(await peopleOf(s.store, exception({ runId: 'r-none' }))).toEqual([]);
    expect(await peopleOf(s.store, exception({ flowId: 'f' }))).toEqual([]);
  });
});
