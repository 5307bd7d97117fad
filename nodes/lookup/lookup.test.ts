// The lookup nodes through the real runtime and the real lookup store: an unmapped key fails the step naming the
// table and the key; after adding the row, replaying the run succeeds and records the new table version.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/index.ts';
import { testRuntime } from '../../runtime/testing/runtime.ts';
import { flow, tempDir } from '../../runtime/testing/fixtures.ts';
import { LookupService, TABLE_PRESETS } from '../../server/lookups/store/index.ts';
import type { Sandbox, NodeServices } from '../../runtime/node-api.ts';
import { nodeTypes } from '../registry.ts';
import { taxedOrder } from './testing.ts';

const noSandbox: Sandbox = {
  run: async () => Promise.reject(new Error('lookup nodes must not use the sandbox')),
  runBatch: async () => Promise.reject(new Error('lookup nodes must not use the sandbox')),
  close: async () => {},
};

let rt: Runtime;
let lookups: LookupService;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  tmp = tempDir();
  // The host's order: runtime first (it opens the store), then the lookup service on the same store.
  const services: NodeServices = {};
  rt = await testRuntime({ dataDir: tmp.dir, lookup: (t) => nodeTypes.find((x) => x.type === t), sandbox: noSandbox, services, worker: { pollMs: 5 } });
  lookups = new LookupService(rt.store);
  services.lookups = lookups;
  rt.start();
});
afterEach(async () => {
  await rt.close();
  tmp.cleanup();
});

async function runOnce(flowId: string, payload: unknown) {
  const {
    runIds: [runId],
  } = await rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId, version: (await rt.flows.get(flowId)).activeVersion! }] });
  if (!runId) throw new Error(`flow "${flowId}" queued no run`);
  await rt.drain();
  return rt.runs.get(runId);
}

async function publish(doc: ReturnType<typeof flow>) {
  await rt.flows.create(doc);
  await rt.flows.publish(doc.id, { activate: true });
}

const orderFlow = () =>
  flow(
    'order',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'tax', type: 'lookup.tax-code' },
      { id: 'loc', type: 'lookup.location', config: { from: 'raw.location_id', whenMissing: 'online' } },
      { id: 'pay', type: 'lookup.table', config: { table: 'payment-methods', key: 'paymentGateways[0]', target: 'paymentMethod' } },
    ],
    ['t->tax', 'tax->loc', 'loc->pay'],
  );

describe('lookup nodes through the runtime', () => {
  beforeEach(async () => {
    await lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [{ title: 'KY State Tax', rate: '6%', country: 'US', taxCode: 'US-KY' }]);
    await lookups.create({ name: 'locations', ...TABLE_PRESETS.locations }, [
      { location: 'online', warehouse: 'WH-WEB' },
      { location: 'gid://shopify/Location/55', warehouse: 'WH-STORE' },
    ]);
    await lookups.create({ name: 'payment-methods', ...TABLE_PRESETS['payment-methods'] }, [
      { gateway: 'visa', paymentMethod: 'CARD' },
      { gateway: 'bogus', paymentMethod: 'TEST' },
    ]);
  });

  it('fails on an unmapped tax line naming the table and key, then succeeds on replay after the row is added', async () => {
    await publish(orderFlow());
    const failed = await runOnce('order', taxedOrder());
    expect(failed.status).toBe('failed');
    const step = failed.steps.find((s) => s.nodeId === 'tax')!;
    expect(step.status).toBe('failed');
    expect(failed.error).toMatchObject({ nodeId: 'tax', class: 'permanent', code: 'LOOKUP_MISSING' });
    expect((failed.error as { message: string }).message).toBe(
      'lookup table "tax-codes" (version 1) has no row for title="Jefferson County Tax", rate="0.01", country="US", province="KY" (at lineItems[0].taxLines[1]). Add the row, then replay the run.',
    );
    expect((failed.error as { details: { missing: unknown[] } }).details.missing).toHaveLength(1);

    await lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'Jefferson County Tax', rate: '0.01', country: 'US', province: 'KY', taxCode: 'US-KY-JEF' }], {
      by: 'client@shop',
    });
    const replay = await rt.runs.replay(failed.runId);
    expect(replay.reused).toEqual(['t']);
    await rt.drain();
    const run = await rt.runs.get(replay.runId);
    expect(run.status).toBe('succeeded');
    const out = run.steps.find((s) => s.nodeId === 'pay')!.output as Record<string, any>;
    expect(out.lineItems.map((l: any) => l.taxCodes)).toEqual([
      ['US-KY', 'US-KY-JEF'],
      [],
      ['US-KY', 'US-KY-JEF'],
      ['US-KY', 'US-KY-JEF'],
      ['US-KY', 'US-KY-JEF'],
    ]);
    expect(out.shippingLines[0].taxCodes).toEqual(['US-KY']);
    expect(out.warehouse).toBe('WH-WEB');
    expect(out.paymentGateways[0]).toBe('visa');
    expect(out.paymentMethod).toBe('CARD');
    // The run says which table versions it saw: the replay used version 2 of the tax table.
    expect((await lookups.usesOfRun(replay.runId)).map((u) => [u.nodeId, u.name, u.version])).toEqual([
      ['loc', 'locations', 1],
      ['pay', 'payment-methods', 1],
      ['tax', 'tax-codes', 2],
    ]);
    expect(await lookups.usesOfRun(failed.runId)).toEqual([]);
  });

  it('fails on an unmapped location, then succeeds on replay after the row is added', async () => {
    await lookups.upsertRows({ name: 'tax-codes' }, [{ title: 'Jefferson County Tax', rate: '0.01', taxCode: 'US-KY-JEF' }]);
    await publish(orderFlow());
    const failed = await runOnce('order', taxedOrder({ locationId: 77 }));
    expect(failed.error).toMatchObject({
      nodeId: 'loc',
      code: 'LOOKUP_MISSING',
      details: { table: 'locations', missing: [{ key: { location: 77 }, at: 'raw.location_id' }] },
    });
    expect((failed.error as { message: string }).message).toMatch(/^lookup table "locations" \(version 1\) has no row for location="77"/);
    await lookups.upsertRows({ name: 'locations' }, [{ location: 'gid://shopify/Location/77', warehouse: 'WH-77' }]);
    const replay = await rt.runs.replay(failed.runId);
    expect(replay.reused).toEqual(['t', 'tax']);
    await rt.drain();
    const run = await rt.runs.get(replay.runId);
    expect(run.status).toBe('succeeded');
    expect((run.steps.at(-1)!.output as { warehouse: string }).warehouse).toBe('WH-77');
  });

  it('never falls back silently: no location and no whenMissing is a failed step', async () => {
    const doc = flow(
      'loc',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'loc', type: 'lookup.location', config: { from: 'raw.location_id' } },
      ],
      ['t->loc'],
    );
    await publish(doc);
    const run = await runOnce('loc', taxedOrder());
    expect(run.status).toBe('failed');
    expect((run.error as { message: string }).message).toMatch(/^lookup table "locations" \(version 1\) has no row for location=empty \(at raw\.location_id\)/);
  });

  it('maps per element with lookup.table and names an unknown table', async () => {
    await lookups.create({ name: 'sku-overrides', ...TABLE_PRESETS['sku-overrides'] }, [
      { sku: 'SKU2006-001', erpSku: 'AVI-1' },
      { sku: 'LENS-PROTECT-2YR', erpSku: 'LENS' },
    ]);
    await publish(
      flow(
        'skus',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'sku', type: 'lookup.table', config: { table: 'sku-overrides', key: { sku: 'sku' }, each: 'lineItems', target: 'erpSku' } },
        ],
        ['t->sku'],
      ),
    );
    const run = await runOnce('skus', taxedOrder());
    expect(run.status).toBe('failed');
    expect((run.error as { message: string }).message).toMatch(
      /no row for sku="CASE-LEATHER-PREM" \(at lineItems\[2\]\); and 2 more: sku="SKU2006-020"; sku="SKU2006-035"/,
    );
    await publish(
      flow(
        'ghost',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'x', type: 'lookup.table', config: { table: 'ghost', key: 'name' } },
        ],
        ['t->x'],
      ),
    );
    const ghost = await runOnce('ghost', taxedOrder());
    expect(ghost.error).toMatchObject({
      code: 'LOOKUP_TABLE_MISSING',
      message: 'node "x": lookup table "ghost" does not exist (neither for flow "ghost" nor shared)',
    });
  });
});
