// The exception inbox through the real runtime (SQLite): failed runs raise typed, aggregated exceptions; a replay that
// succeeds auto-resolves them. Triage actions change state and are recorded in the history, on every store dialect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, type SqliteRuntime } from '../../../runtime/index.ts';
import { defineNode, NodeError, type NodeType, type NodeServices } from '../../../runtime/node-api.ts';
import { flow, tempDir, noSandbox } from '../../../runtime/testing/fixtures.ts';
import { LookupService, TABLE_PRESETS } from '../../lookups/store/index.ts';
import { lookupNodes } from '../../../nodes/lookup/index.ts';
import { coreNodes } from '../../../nodes/core/index.ts';
import { testStores, type TestStore } from '../../../runtime/testing/stores.ts';
import { createExceptionService, ExceptionService, ExceptionStateError, type ExceptionAction } from './index.ts';

// An ERP write whose behaviour the test switches: rejects, is down, or works.
const erpMode = { value: 'ok' as 'ok' | 'reject' | 'down' };
const erpPost = defineNode({
  type: 'test.erp-post',
  version: 1,
  title: 'ERP post',
  category: 'erp',
  description: 'test',
  config: z.object({}),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  sampleOutput: {},
  execute: (_ctx, input: unknown) => {
    if (erpMode.value === 'reject')
      throw new NodeError('Sandbox ERP: customer is blocked', {
        errorClass: 'permanent',
        code: 'ERP_VALIDATION',
        details: { erp: 'sandbox', externalId: 'SO-9' },
      });
    if (erpMode.value === 'down')
      throw new NodeError('Sandbox ERP: unreachable', { errorClass: 'transient', code: 'ERP_UNAVAILABLE', details: { erp: 'sandbox' } });
    return input;
  },
});
const types: NodeType[] = [...coreNodes, ...lookupNodes, erpPost];

describe('failed runs raise typed exceptions', () => {
  let rt: SqliteRuntime;
  let tmp: ReturnType<typeof tempDir>;
  let lookups: LookupService;
  let svc: ExceptionService;
  let actions: ExceptionAction[];

  beforeEach(async () => {
    tmp = tempDir();
    erpMode.value = 'ok';
    const services: NodeServices = {};
    rt = createRuntime({ dataDir: tmp.dir, lookup: (t) => types.find((x) => x.type === t), sandbox: noSandbox, services, worker: { pollMs: 5 } });
    lookups = new LookupService(rt.store);
    actions = [];
    svc = createExceptionService(rt.store, rt, { onAction: (a) => void actions.push(a), owners: { 'erp-rejected': 'finance' } });
    Object.assign(services, { lookups, exceptions: svc, monitoring: svc.monitoring });
    rt.start();
    await lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [{ title: 'KY State Tax', rate: '6%', country: 'US', taxCode: 'US-KY' }]);
    await publish(
      flow(
        'orders',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'tax', type: 'lookup.tax-code' },
          { id: 'erp', type: 'test.erp-post' },
        ],
        ['t->tax', 'tax->erp'],
        { retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 10 } },
      ),
    );
  });
  afterEach(async () => {
    svc.detach();
    await rt.close();
    tmp.cleanup();
  });

  async function publish(doc: ReturnType<typeof flow>) {
    await rt.flows.create(doc);
    await rt.flows.publish(doc.id, { activate: true });
  }
  async function runOnce(flowId: string, payload: unknown, keys?: Record<string, string>) {
    const { runIds } = await rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId, version: (await rt.flows.get(flowId)).activeVersion! }], keys });
    await rt.drain();
    return rt.runs.get(runIds[0]!);
  }
  const taxed = (title: string, rate: string) => ({ lineItems: [{ sku: 'A', taxLines: [{ title, rate, country: 'GB' }] }] });

  it('an unmapped tax rate aggregates across runs and auto-resolves once every run is replayed successfully', async () => {
    const r1 = await runOnce('orders', taxed('GB VAT', '20%'), { shopifyOrderId: 'gid://shopify/Order/1' });
    const r2 = await runOnce('orders', taxed('GB VAT', '20%'), { shopifyOrderId: 'gid://shopify/Order/2', shopifyOrderName: '#1002' });
    expect(r1.status).toBe('failed');
    const open = await svc.list({ state: 'open' });
    expect(open.total).toBe(1);
    const e = open.items[0]!;
    expect(e).toMatchObject({ type: 'unmapped-tax-code', owner: 'finance', severity: 'high', count: 2, state: 'open' });
    expect(e.key).toContain('GB VAT');
    // The order by its name too, as people name it (the keys of the run it links).
    expect(e.links).toMatchObject({ runId: r2.runId, flowId: 'orders', nodeId: 'tax', shopify: 'gid://shopify/Order/2', shopifyName: '#1002' });
    expect((await svc.get(e.id)).runs.map((r) => r.runId).sort()).toEqual([r1.runId, r2.runId].sort());
    expect([e.retryable, (await svc.get(e.id)).retryable]).toEqual([true, true]);

    // Retrying before the fix fails again on the same cause: the exception stays open, linked to the new runs.
    const first = await svc.retry(e.id, 'ops@example.com');
    expect(first.replayed).toHaveLength(2);
    await rt.drain();
    const still = await svc.get(e.id);
    expect(still.state).toBe('open');
    expect(still.runs.filter((r) => r.status === 'failed')).toHaveLength(2);
    expect(still.runs.filter((r) => r.status === 'superseded')).toHaveLength(2);

    const tbl = await lookups.get({ name: 'tax-codes' });
    await lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'GB VAT', rate: '20%', taxCode: 'GB-STD' }], { expectedVersion: tbl.version });
    const second = await svc.retry(e.id, 'ops@example.com');
    expect(second.replayed).toHaveLength(2);
    await rt.drain();
    const done = await svc.get(e.id);
    expect(done).toMatchObject({ state: 'resolved', autoResolved: true, resolvedBy: 'system', retryable: false });
    expect(done.resolutionNote).toMatch(/succeeded/);
    expect(done.events.map((x) => x.action)).toEqual(['opened', 'retried', 'retried', 'auto-resolved']);
    expect(actions.filter((a) => a.exceptionId === e.id).map((a) => `${a.actor}:${a.action}`)).toEqual([
      'system:opened',
      'ops@example.com:retried',
      'ops@example.com:retried',
      'system:auto-resolved',
    ]);

    // The same cause after resolution is a new occurrence, not a reopened old one.
    await runOnce('orders', taxed('GB VAT', '5%'));
    expect((await svc.list({ state: 'unresolved' })).items.map((x) => x.count)).toEqual([1]);
  });

  it('ERP permanent errors are erp-rejected (owner override applies), exhausted transient errors erp-unreachable', async () => {
    await lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'GB VAT', rate: '20%', taxCode: 'GB-STD' }]);
    erpMode.value = 'reject';
    await runOnce('orders', taxed('GB VAT', '20%'));
    erpMode.value = 'down';
    const down = await runOnce('orders', taxed('GB VAT', '20%'));
    expect(down.status).toBe('failed');
    const byType = Object.fromEntries((await svc.list()).items.map((x) => [x.type, x]));
    expect(byType['erp-rejected']).toMatchObject({ owner: 'finance', links: { erp: 'SO-9', nodeId: 'erp' } });
    expect(byType['erp-unreachable']).toMatchObject({ owner: 'operations', severity: 'high', key: 'sandbox' });

    // A manual replay through the runs API (not the inbox) also clears it once the ERP is back.
    erpMode.value = 'ok';
    await rt.runs.replay(down.runId);
    await rt.drain();
    expect((await svc.get(byType['erp-unreachable']!.id)).state).toBe('resolved');
    expect((await svc.get(byType['erp-rejected']!.id)).state).toBe('open');
  }, 60_000);
});

describe.each(testStores())('triage actions on $name', (kind) => {
  let store: TestStore;
  let svc: ExceptionService;
  beforeEach(async () => {
    store = await kind.open();
    // A replayer that is never reached: retry refuses first (nothing failed to replay).
    svc = new ExceptionService(store, { replay: () => expect.unreachable('no replay expected') }, {});
  });
  afterEach(async () => {
    await store.close();
  });

  it('acknowledge, assign, resolve with a note, bulk; illegal transitions are refused', async () => {
    const a = await svc.raise({ type: 'inventory-drift', key: 'TEE-S@WH', title: 'drift' });
    const b = await svc.raise({ type: 'webhook-silence', key: 'shopify:main', title: 'silence', owner: 'operations' });
    expect(await svc.raise({ type: 'inventory-drift', key: 'TEE-S@WH', title: 'drift again', severity: 'high' })).toEqual({ id: a.id, count: 2, isNew: false });
    expect(await svc.get(a.id)).toMatchObject({ severity: 'high', title: 'drift again', owner: 'operations' });
    expect((await svc.get(b.id)).owner).toBe('operations');

    expect((await svc.acknowledge(a.id, 'ann@example.com')).state).toBe('acknowledged');
    expect((await svc.assign(a.id, { assignee: 'bob@example.com', owner: 'ecommerce' }, 'ann@example.com')).owner).toBe('ecommerce');
    await expect(svc.resolve(a.id, 'ann@example.com', '  ')).rejects.toThrow(/note/);
    expect((await svc.resolve(a.id, 'bob@example.com', 'recounted the bin')).state).toBe('resolved');
    await expect(svc.acknowledge(a.id, 'x')).rejects.toThrow(ExceptionStateError);
    await expect(svc.retry(b.id, 'x')).rejects.toThrow(/no failed run/);
    expect((await svc.get(a.id)).events.map((e) => [e.actor, e.action, e.note])).toEqual([
      ['system', 'opened', null],
      ['ann@example.com', 'acknowledged', null],
      ['ann@example.com', 'assigned', null],
      ['bob@example.com', 'resolved', 'recounted the bin'],
    ]);

    const c = await svc.raise({ type: 'orphaned-order', key: '#1001', title: 'orphan' });
    const res = await svc.bulk([b.id, c.id, a.id, 'exc_missing'], 'resolve', 'ann@example.com', { note: 'handled in bulk' });
    expect(res.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(res[2]?.error).toMatch(/already resolved/);
    expect(res[3]?.error).toMatch(/does not exist/);
    expect((await svc.list({ state: 'unresolved' })).total).toBe(0);
  });

  it('clear() auto-resolves only an unresolved cause; openKeys lists by prefix; filters work', async () => {
    await svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'a' });
    await svc.raise({ type: 'inventory-drift', key: 'B@WH2', title: 'b', severity: 'low' });
    await svc.raise({ type: 'payout-variance', key: 'p1', title: 'p' });
    expect((await svc.openKeys('inventory-drift')).sort()).toEqual(['A@WH', 'B@WH2']);
    expect(await svc.openKeys('inventory-drift', 'B')).toEqual(['B@WH2']);
    expect((await svc.list({ owner: 'finance' })).items.map((x) => x.type)).toEqual(['payout-variance']);
    expect((await svc.list({ severity: 'low' })).items.map((x) => x.key)).toEqual(['B@WH2']);
    expect(await svc.clear('inventory-drift', 'A@WH', 'back within tolerance')).toBe(true);
    expect(await svc.clear('inventory-drift', 'A@WH')).toBe(false);
    expect((await svc.list({ state: 'resolved' })).items[0]).toMatchObject({ key: 'A@WH', autoResolved: true, resolutionNote: 'back within tolerance' });
    await expect(svc.raise({ type: 'x', key: '', title: 't' })).rejects.toThrow(/key is required/);
    await expect(svc.raise({ type: 'x', key: 'k', title: 't', owner: 'nobody' as never })).rejects.toThrow(/owner must be/);
  });

  it('lists what was raised for one payout (its id in the data), in both dialects', async () => {
    await svc.raise({ type: 'payout-variance', key: 'payout:77000003', title: 'variance', data: { payoutId: '77000003' } });
    await svc.raise({ type: 'payout-unknown-in-shopify', key: 'credit-memo:75000000002', title: 'erp only', data: { payoutId: '77000003', item: {} } });
    await svc.raise({ type: 'payout-missing-in-erp', key: 'order:74000000009', title: 'other payout', data: { payoutId: '77000004' } });
    await svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'no payout' });
    await svc.raise({ type: 'payout-variance', key: 'payout:77000005', title: 'the id written as a number', data: { payoutId: 77000005 } });
    const of = async (payout: string) => (await svc.list({ payout })).items.map((x) => x.key).sort();
    expect(await of('77000003')).toEqual(['credit-memo:75000000002', 'payout:77000003']);
    expect(await of('77000004')).toEqual(['order:74000000009']);
    expect(await of('77000005')).toEqual(['payout:77000005']);
    expect(await of('7700000')).toEqual([]);
    expect((await svc.list({ payout: '77000003', type: 'payout-variance' })).total).toBe(1);
  });

  it('a prefix is matched literally, case and all (no LIKE wildcards)', async () => {
    for (const key of ['shop:A_1', 'shop:A%1', 'shop:a_1', 'shop:AB1']) await svc.raise({ type: 'inventory-drift', key, title: key });
    expect(await svc.openKeys('inventory-drift', 'shop:A_')).toEqual(['shop:A_1']);
    expect(await svc.openKeys('inventory-drift', 'shop:A%')).toEqual(['shop:A%1']);
    expect((await svc.openKeys('inventory-drift', 'shop:')).sort()).toEqual(['shop:A%1', 'shop:AB1', 'shop:A_1', 'shop:a_1']);
  });

  it('two processes raising a new cause at once make one exception that counts both', async () => {
    const other = new ExceptionService(await store.twin(), null, {});
    const raises = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? other : svc).raise({ type: 'erp-unreachable', key: 'tryton', title: `down ${i}`, links: { runId: `run_${i}` } }),
      ),
    );
    expect(raises.filter((r) => r.isNew)).toHaveLength(1);
    expect(new Set(raises.map((r) => r.id)).size).toBe(1);
    const [e] = (await svc.list({ state: 'unresolved' })).items;
    expect(e).toMatchObject({ count: 6 });
    expect((await svc.get(e!.id)).runs).toHaveLength(6);
  });

  it('an alert is marked once however many dispatchers try; the hook hears of committed actions only', async () => {
    const heard: string[] = [];
    let t = 1_000;
    const hooked = new ExceptionService(store, null, {
      now: () => ++t,
      onAction: async (a) => {
        // The hook may use the store (the audit log does): it runs after the action's transaction.
        heard.push(`${a.action}:${(await hooked.get(a.exceptionId)).state}`);
      },
    });
    const a = await hooked.raise({ type: 'payout-variance', key: 'payout:1', title: 'off by 0.10' });
    await hooked.raise({ type: 'payout-variance', key: 'payout:2', title: 'off by 0.20' });
    expect((await hooked.unalerted()).map((x) => x.key)).toEqual(['payout:1', 'payout:2']);
    const twin = new ExceptionService(await store.twin(), null, {});
    const marked = await Promise.all([hooked.markAlerted(a.id, ['slack']), twin.markAlerted(a.id, ['email']), hooked.markAlerted(a.id, ['slack'])]);
    expect(marked.filter(Boolean)).toHaveLength(1);
    expect((await hooked.unalerted()).map((x) => x.key)).toEqual(['payout:2']);
    await expect(hooked.resolve(a.id, 'ann@example.com', 'booked the difference')).resolves.toMatchObject({ state: 'resolved' });
    expect(heard.filter((h) => !h.startsWith('alerted'))).toEqual(['opened:open', 'opened:open', 'resolved:resolved']);
  });
});
