// The exception inbox through the real runtime and SQLite: failed runs raise typed, aggregated exceptions; a
// replay that succeeds auto-resolves them; triage actions change state and are recorded in the history.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, type Runtime } from '../../../runtime/index.ts';
import { defineNode, NodeError, type NodeType, type NodeServices } from '../../../runtime/node-api.ts';
import { flow, tempDir } from '../../../runtime/testing/fixtures.ts';
import { LookupService, TABLE_PRESETS } from '../../lookups/store/index.ts';
import { lookupNodes } from '../../../nodes/lookup/index.ts';
import { coreNodes } from '../../../nodes/core/index.ts';
import type { Sandbox } from '../../../runtime/sandbox/types.ts';
import { createExceptionService, ExceptionStateError, type ExceptionAction, type ExceptionService } from './index.ts';

const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('unused')),
  runBatch: async () => Promise.reject(new Error('unused')),
  close: async () => {},
};

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

let rt: Runtime;
let tmp: ReturnType<typeof tempDir>;
let lookups: LookupService;
let svc: ExceptionService;
let actions: ExceptionAction[];

beforeEach(() => {
  tmp = tempDir();
  erpMode.value = 'ok';
  const services: NodeServices = {};
  rt = createRuntime({ dataDir: tmp.dir, lookup: (t) => types.find((x) => x.type === t), sandbox: noSandbox, services, worker: { pollMs: 5 } });
  lookups = new LookupService(rt.store);
  actions = [];
  svc = createExceptionService(rt.store, rt, { onAction: (a) => actions.push(a), owners: { 'erp-rejected': 'finance' } });
  Object.assign(services, { lookups, exceptions: svc, monitoring: svc.monitoring });
  rt.start();
});
afterEach(async () => {
  svc.detach();
  await rt.close();
  tmp.cleanup();
});

function publish(doc: ReturnType<typeof flow>) {
  rt.flows.create(doc);
  rt.flows.publish(doc.id, { activate: true });
}
async function runOnce(flowId: string, payload: unknown, keys?: Record<string, string>) {
  const { runIds } = rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId, version: rt.flows.get(flowId).activeVersion! }], keys });
  await rt.drain();
  return rt.runs.get(runIds[0]!);
}
const taxed = (title: string, rate: string) => ({ lineItems: [{ sku: 'A', taxLines: [{ title, rate, country: 'GB' }] }] });

describe('failed runs raise typed exceptions', () => {
  beforeEach(() => {
    lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [{ title: 'KY State Tax', rate: '6%', country: 'US', taxCode: 'US-KY' }]);
    publish(
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

  it('an unmapped tax rate aggregates across runs and auto-resolves once every run is replayed successfully', async () => {
    const r1 = await runOnce('orders', taxed('GB VAT', '20%'), { shopifyOrderId: 'gid://shopify/Order/1' });
    const r2 = await runOnce('orders', taxed('GB VAT', '20%'), { shopifyOrderId: 'gid://shopify/Order/2' });
    expect(r1.status).toBe('failed');
    const open = svc.list({ state: 'open' });
    expect(open.total).toBe(1);
    const e = open.items[0]!;
    expect(e).toMatchObject({ type: 'unmapped-tax-code', owner: 'finance', severity: 'high', count: 2, state: 'open' });
    expect(e.key).toContain('GB VAT');
    expect(e.links).toMatchObject({ runId: r2.runId, flowId: 'orders', nodeId: 'tax', shopify: 'gid://shopify/Order/2' });
    expect(
      svc
        .get(e.id)
        .runs.map((r) => r.runId)
        .sort(),
    ).toEqual([r1.runId, r2.runId].sort());

    // Retrying before the fix fails again on the same cause: the exception stays open, linked to the new runs.
    const first = svc.retry(e.id, 'ops@example.com');
    expect(first.replayed).toHaveLength(2);
    await rt.drain();
    const still = svc.get(e.id);
    expect(still.state).toBe('open');
    expect(still.runs.filter((r) => r.status === 'failed')).toHaveLength(2);
    expect(still.runs.filter((r) => r.status === 'superseded')).toHaveLength(2);

    const tbl = lookups.get({ name: 'tax-codes' });
    lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'GB VAT', rate: '20%', taxCode: 'GB-STD' }], { expectedVersion: tbl.version });
    const second = svc.retry(e.id, 'ops@example.com');
    expect(second.replayed).toHaveLength(2);
    await rt.drain();
    const done = svc.get(e.id);
    expect(done).toMatchObject({ state: 'resolved', autoResolved: true, resolvedBy: 'system' });
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
    expect(svc.list({ state: 'unresolved' }).items.map((x) => x.count)).toEqual([1]);
  });

  it('ERP permanent errors are erp-rejected (owner override applies), exhausted transient errors erp-unreachable', async () => {
    lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'GB VAT', rate: '20%', taxCode: 'GB-STD' }]);
    erpMode.value = 'reject';
    await runOnce('orders', taxed('GB VAT', '20%'));
    erpMode.value = 'down';
    const down = await runOnce('orders', taxed('GB VAT', '20%'));
    expect(down.status).toBe('failed');
    const byType = Object.fromEntries(svc.list().items.map((x) => [x.type, x]));
    expect(byType['erp-rejected']).toMatchObject({ owner: 'finance', links: { erp: 'SO-9', nodeId: 'erp' } });
    expect(byType['erp-unreachable']).toMatchObject({ owner: 'operations', severity: 'high', key: 'sandbox' });

    // A manual replay through the runs API (not the inbox) also clears it once the ERP is back.
    erpMode.value = 'ok';
    rt.runs.replay(down.runId);
    await rt.drain();
    expect(svc.get(byType['erp-unreachable']!.id).state).toBe('resolved');
    expect(svc.get(byType['erp-rejected']!.id).state).toBe('open');
  }, 60_000);
});

describe('triage actions', () => {
  it('acknowledge, assign, resolve with a note, bulk; illegal transitions are refused', () => {
    const a = svc.raise({ type: 'inventory-drift', key: 'TEE-S@WH', title: 'drift' });
    const b = svc.raise({ type: 'webhook-silence', key: 'shopify:main', title: 'silence', owner: 'operations' });
    expect(svc.raise({ type: 'inventory-drift', key: 'TEE-S@WH', title: 'drift again', severity: 'high' })).toEqual({ id: a.id, count: 2, isNew: false });
    expect(svc.get(a.id)).toMatchObject({ severity: 'high', title: 'drift again', owner: 'operations' });
    expect(svc.get(b.id).owner).toBe('operations');

    expect(svc.acknowledge(a.id, 'ann@example.com').state).toBe('acknowledged');
    expect(svc.assign(a.id, { assignee: 'bob@example.com', owner: 'ecommerce' }, 'ann@example.com').owner).toBe('ecommerce');
    expect(() => svc.resolve(a.id, 'ann@example.com', '  ')).toThrow(/note/);
    expect(svc.resolve(a.id, 'bob@example.com', 'recounted the bin').state).toBe('resolved');
    expect(() => svc.acknowledge(a.id, 'x')).toThrow(ExceptionStateError);
    expect(() => svc.retry(b.id, 'x')).toThrow(/no failed run/);
    expect(svc.get(a.id).events.map((e) => [e.actor, e.action, e.note])).toEqual([
      ['system', 'opened', null],
      ['ann@example.com', 'acknowledged', null],
      ['ann@example.com', 'assigned', null],
      ['bob@example.com', 'resolved', 'recounted the bin'],
    ]);

    const c = svc.raise({ type: 'orphaned-order', key: '#1001', title: 'orphan' });
    const res = svc.bulk([b.id, c.id, a.id, 'exc_missing'], 'resolve', 'ann@example.com', { note: 'handled in bulk' });
    expect(res.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(res[2]?.error).toMatch(/already resolved/);
    expect(res[3]?.error).toMatch(/does not exist/);
    expect(svc.list({ state: 'unresolved' }).total).toBe(0);
  });

  it('clear() auto-resolves only an unresolved cause; openKeys lists by prefix; filters work', () => {
    svc.raise({ type: 'inventory-drift', key: 'A@WH', title: 'a' });
    svc.raise({ type: 'inventory-drift', key: 'B@WH2', title: 'b', severity: 'low' });
    svc.raise({ type: 'payout-variance', key: 'p1', title: 'p' });
    expect(svc.openKeys('inventory-drift').sort()).toEqual(['A@WH', 'B@WH2']);
    expect(svc.openKeys('inventory-drift', 'B')).toEqual(['B@WH2']);
    expect(svc.list({ owner: 'finance' }).items.map((x) => x.type)).toEqual(['payout-variance']);
    expect(svc.list({ severity: 'low' }).items.map((x) => x.key)).toEqual(['B@WH2']);
    expect(svc.clear('inventory-drift', 'A@WH', 'back within tolerance')).toBe(true);
    expect(svc.clear('inventory-drift', 'A@WH')).toBe(false);
    expect(svc.list({ state: 'resolved' }).items[0]).toMatchObject({ key: 'A@WH', autoResolved: true, resolutionNote: 'back within tolerance' });
    expect(() => svc.raise({ type: 'x', key: '', title: 't' })).toThrow(/key is required/);
    expect(() => svc.raise({ type: 'x', key: 'k', title: 't', owner: 'nobody' as never })).toThrow(/owner must be/);
  });
});
