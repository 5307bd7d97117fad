// core.map through the real runtime, the real isolated-vm sandbox and the real lookup store.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/index.ts';
import { testRuntime } from '../../runtime/testing/runtime.ts';
import { flow, tempDir } from '../../runtime/testing/fixtures.ts';
import { createSandbox, type SandboxPool } from '../../runtime/sandbox/index.ts';
import type { Sandbox, NodeServices } from '../../runtime/node-api.ts';
import { LookupService, TABLE_PRESETS } from '../../server/lookups/store/index.ts';
import { nodeTypes } from '../registry.ts';
import { taxedOrder } from '../lookup/testing.ts';
import { shopifyOrderToSalesOrder } from './mapping/examples.ts';
import { previewMap } from './mapping/preview.ts';
import type { FieldInput } from './mapping/config.ts';

let pool: SandboxPool;
let batches = 0;
let runs = 0;
// The real sandbox, counting round trips: the mapper promises one runBatch per map call and no single runs.
const sandbox: Sandbox = {
  run: (c) => (runs++, pool.run(c)),
  runBatch: (c) => (batches++, pool.runBatch(c)),
  close: async () => {},
};
let rt: Runtime;
let lookups: LookupService;
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  pool = createSandbox({ processes: 1 });
});
afterAll(async () => {
  await pool.close();
});
beforeEach(async () => {
  tmp = tempDir();
  const services: NodeServices = {};
  rt = await testRuntime({ dataDir: tmp.dir, lookup: (t) => nodeTypes.find((x) => x.type === t), sandbox, services, worker: { pollMs: 5 } });
  lookups = new LookupService(rt.store);
  services.lookups = lookups;
  rt.start();
  batches = 0;
  runs = 0;
  await lookups.create({ name: 'tax-codes', ...TABLE_PRESETS['tax-codes'] }, [
    { title: 'KY State Tax', rate: '0.06', taxCode: 'US-KY' },
    { title: 'Jefferson County Tax', rate: '0.01', taxCode: 'US-KY-JEF' },
  ]);
  await lookups.create({ name: 'locations', ...TABLE_PRESETS.locations }, [{ location: 'online', warehouse: 'WH-WEB' }]);
  await lookups.create({ name: 'payment-methods', ...TABLE_PRESETS['payment-methods'] }, [{ gateway: 'visa', paymentMethod: 'CARD' }]);
});
afterEach(async () => {
  await rt.close();
  tmp.cleanup();
});

async function runFlow(id: string, nodes: Parameters<typeof flow>[1], edges: string[], payload: unknown) {
  const doc = flow(id, nodes, edges);
  await rt.flows.create(doc);
  await rt.flows.publish(id, { activate: true });
  const { runIds } = await rt.queue.ingest({ source: 'manual', payload, targets: [{ flowId: id, version: 1 }] });
  await rt.drain();
  expect(runIds).toHaveLength(1);
  return rt.runs.get(runIds[0]!);
}

const lookupsThenMap = (mapConfig: unknown) => [
  { id: 't', type: 'trigger.manual' },
  { id: 'tax', type: 'lookup.tax-code' },
  { id: 'loc', type: 'lookup.location', config: { from: 'raw.location_id', whenMissing: 'online' } },
  { id: 'map', type: 'core.map', config: mapConfig as Record<string, unknown> },
];

describe('core.map through the runtime', () => {
  it('maps a Shopify order to an ERP sales order without code or the sandbox', async () => {
    const run = await runFlow('o', lookupsThenMap(shopifyOrderToSalesOrder), ['t->tax', 'tax->loc', 'loc->map'], taxedOrder());
    expect(run.status).toBe('succeeded');
    expect(run.steps.find((s) => s.nodeId === 'map')!.output).toEqual({
      externalId: 'gid://shopify/Order/820982911946154508',
      reference: '#9999',
      currency: 'USD',
      date: '2022-01-01',
      warehouse: 'WH-WEB',
      pricesIncludeTax: false,
      customer: { externalId: 'gid://shopify/Customer/115310627314723954', name: 'Steve Shipper', email: 'jon@example.com' },
      lines: [
        { sku: 'SKU2006-001', quantity: '1', unitPrice: '89.99', discount: '0.00', taxCodes: ['US-KY', 'US-KY-JEF'], description: 'Aviator sunglasses' },
        // lineItems[1] is the gift card: dropped by the filter.
        {
          sku: 'CASE-LEATHER-PREM',
          quantity: '1',
          unitPrice: '24.99',
          discount: '0.00',
          taxCodes: ['US-KY', 'US-KY-JEF'],
          description: 'Premium Leather Case',
        },
        { sku: 'SKU2006-020', quantity: '1', unitPrice: '159.99', discount: '0.00', taxCodes: ['US-KY', 'US-KY-JEF'], description: 'Mid-century lounger' },
        { sku: 'SKU2006-035', quantity: '1', unitPrice: '119.99', discount: '0.00', taxCodes: ['US-KY', 'US-KY-JEF'], description: 'Coffee table' },
      ],
      shipping: [{ description: 'Generic Shipping', amount: '10.00', discount: '10.00', taxCodes: ['US-KY'] }],
    });
    expect(batches + runs).toBe(0);
  });

  it('evaluates every expression of a call, over every element, in one sandbox round trip', async () => {
    const fields: FieldInput[] = [
      { target: 'ref', source: { kind: 'expr', expr: '"SO-" + input.name.slice(1)' } },
      {
        target: 'lines',
        source: {
          kind: 'each',
          path: 'lineItems',
          filter: [{ expr: '!item.isGiftCard && item.sku !== "SKU2006-035"' }],
          fields: [
            { target: 'n', source: { kind: 'expr', expr: 'index + 1' } },
            { target: 'order', source: { kind: 'expr', expr: 'parent.name' } },
            {
              target: 'gross',
              source: { kind: 'expr', expr: 'item.unitPrice.shop.amount' },
              transforms: [
                { op: 'math', operator: 'multiply', operand: { const: '1.07' } },
                { op: 'decimal', places: 2, rounding: 'half-even' },
              ],
            },
            { target: 'payment', source: { kind: 'lookup', table: 'payment-methods', key: { gateway: '$root.paymentGateways[0]' } } },
            {
              target: 'taxes',
              source: {
                kind: 'each',
                path: 'taxLines',
                fields: [
                  {
                    target: 'label',
                    source: {
                      kind: 'expr',
                      expr: /* biome-ignore lint/suspicious/noTemplateCurlyInString: a mapping expression with a template literal, evaluated by the mapper */ '`${item.title}@${parent.sku}`',
                    },
                  },
                ],
              },
            },
          ],
        },
      },
    ];
    const run = await runFlow(
      'x',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields } as never },
      ],
      ['t->map'],
      taxedOrder(),
    );
    expect(run.status).toBe('succeeded');
    expect(run.steps[1]?.output).toEqual({
      ref: 'SO-9999',
      lines: [
        {
          n: 1,
          order: '#9999',
          gross: '96.29',
          payment: 'CARD',
          taxes: [{ label: 'KY State Tax@SKU2006-001' }, { label: 'Jefferson County Tax@SKU2006-001' }],
        },
        {
          n: 3,
          order: '#9999',
          gross: '26.74',
          payment: 'CARD',
          taxes: [{ label: 'KY State Tax@CASE-LEATHER-PREM' }, { label: 'Jefferson County Tax@CASE-LEATHER-PREM' }],
        },
        {
          n: 4,
          order: '#9999',
          gross: '171.19',
          payment: 'CARD',
          taxes: [{ label: 'KY State Tax@SKU2006-020' }, { label: 'Jefferson County Tax@SKU2006-020' }],
        },
      ],
    });
    expect([batches, runs]).toEqual([1, 0]);
    expect((await lookups.usesOfRun(run.runId)).map((u) => [u.nodeId, u.name, u.version])).toEqual([['map', 'payment-methods', 1]]);
  });

  it('fails permanently naming the target field and the source path', async () => {
    const order = taxedOrder();
    (order.lineItems[3] as { sku: string | null }).sku = null;
    const run = await runFlow('m', lookupsThenMap(shopifyOrderToSalesOrder), ['t->tax', 'tax->loc', 'loc->map'], order);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      nodeId: 'map',
      class: 'permanent',
      code: 'MAPPING_FAILED',
      message: 'target "lines[2].sku": missing required value at source path "lineItems[3].sku"',
    });
  });

  it('names the element an expression failed on, and a lookup miss names table and key', async () => {
    const fields: FieldInput[] = [
      { target: 'lines', source: { kind: 'each', path: 'lineItems', fields: [{ target: 'x', source: { kind: 'expr', expr: 'item.sku.toLowerCase()' } }] } },
      { target: 'pay', source: { kind: 'lookup', table: 'payment-methods', key: 'paymentGateways[0]' } },
    ];
    const order = taxedOrder();
    (order.lineItems[1] as { sku: string | null }).sku = null;
    const run = await runFlow(
      'e',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields } as never },
      ],
      ['t->map'],
      { ...order, paymentGateways: ['stripe'] },
    );
    expect((run.error as { message: string }).message).toBe(
      '2 mapping problems: target "lines[1].x": expression failed for lineItems[1]: Cannot read properties of null (reading \'toLowerCase\'); ' +
        'target "pay": lookup table "payment-methods" (version 1) has no row for gateway="stripe" (from paymentGateways[0])',
    );
  });

  it('a lookup with missing: "key" uses the key itself where the table has no row, and where no table exists yet', async () => {
    const fields: FieldInput[] = [
      {
        target: 'lines',
        source: {
          kind: 'each',
          path: 'lineItems',
          fields: [{ target: 'item', source: { kind: 'lookup', table: 'sku-overrides', key: 'sku', column: 'erpSku', missing: 'key' } }],
        },
      },
    ];
    const skus = taxedOrder().lineItems.map((l) => l.sku);
    const none = await runFlow(
      'no-table',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields } as never },
      ],
      ['t->map'],
      taxedOrder(),
    );
    expect(none.status, JSON.stringify(none.error)).toBe('succeeded');
    expect((none.steps[1]?.output as { lines: Array<{ item: string }> } | undefined)?.lines.map((l) => l.item)).toEqual(skus);
    await lookups.create({ name: 'sku-overrides', scope: 'shared', ...TABLE_PRESETS['sku-overrides'] }, [{ sku: 'SKU2006-001', erpSku: 'AVI-1' }]);
    const some = await runFlow(
      'some-rows',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields } as never },
      ],
      ['t->map'],
      taxedOrder(),
    );
    expect((some.steps[1]?.output as { lines: Array<{ item: string }> } | undefined)?.lines.map((l) => l.item)).toEqual(
      skus.map((k) => (k === 'SKU2006-001' ? 'AVI-1' : k)),
    );
    // Which value stands in for a missing row must be plain: one key path.
    const two = { kind: 'lookup', table: 'tax-codes', key: { title: 'a', rate: 'b' }, missing: 'key' };
    await expect(
      runFlow(
        'bad',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'map', type: 'core.map', config: { fields: [{ target: 'x', source: two }] } as never },
        ],
        ['t->map'],
        {},
      ),
    ).rejects.toThrow(/map \$\.nodes\[1\]\.config\.fields\[0\]\.source\.missing: .*needs a single key path/);
  });

  it('a lookup miss inside a mapping is fixed by adding the row and replaying', async () => {
    const fields: FieldInput[] = [
      {
        target: 'lines',
        source: {
          kind: 'each',
          path: 'lineItems',
          fields: [{ target: 'item', source: { kind: 'lookup', table: 'sku-overrides', key: 'sku', column: 'erpSku' } }],
        },
      },
    ];
    await lookups.create({ name: 'sku-overrides', scope: 'skus', ...TABLE_PRESETS['sku-overrides'] }, [
      { sku: 'SKU2006-001', erpSku: 'AVI-1' },
      { sku: 'LENS-PROTECT-2YR', erpSku: 'LENS' },
      { sku: 'CASE-LEATHER-PREM', erpSku: 'CASE' },
      { sku: 'SKU2006-020', erpSku: 'LOUNGE' },
    ]);
    const failed = await runFlow(
      'skus',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields } as never },
      ],
      ['t->map'],
      taxedOrder(),
    );
    expect(failed.error).toMatchObject({
      code: 'LOOKUP_MISSING',
      message: 'target "lines[4].item": lookup table "sku-overrides" (version 1) has no row for sku="SKU2006-035" (from lineItems[4].sku)',
      details: { problems: [{ target: 'lines[4].item', table: 'sku-overrides', key: { sku: 'SKU2006-035' } }] },
    });
    await lookups.upsertRows({ name: 'sku-overrides', scope: 'skus' }, [{ sku: 'SKU2006-035', erpSku: 'TABLE' }]);
    const replay = await rt.runs.replay(failed.runId);
    await rt.drain();
    const run = await rt.runs.get(replay.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[1]?.output).toEqual({ lines: [{ item: 'AVI-1' }, { item: 'LENS' }, { item: 'CASE' }, { item: 'LOUNGE' }, { item: 'TABLE' }] });
    expect(await lookups.usesOfRun(replay.runId)).toMatchObject([{ nodeId: 'map', scope: 'skus', name: 'sku-overrides', version: 2 }]);
  });

  it('a runaway expression fails the step permanently, naming the field, within the time limit', async () => {
    const fields: FieldInput[] = [{ target: 'spin', source: { kind: 'expr', expr: '(() => { while (true) {} })()' } }];
    const t0 = Date.now();
    const run = await runFlow(
      'spin',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields, timeoutMs: 100 } as never },
      ],
      ['t->map'],
      { a: 1 },
    );
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'map', class: 'permanent', code: 'MAPPING_FAILED' });
    expect((run.error as { message: string }).message).toBe('target "spin": expression failed: map expression #1: the code did not finish within 100 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('previews a sample: the result, and per field its source, value or error', async () => {
    const r = await previewMap(
      {
        fields: [
          { target: 'ref', source: { kind: 'path', path: 'name' } },
          { target: 'when', source: { kind: 'path', path: 'createdAt' }, transforms: [{ op: 'date', format: 'dd/MM/yyyy HH:mm', timeZone: 'Europe/Paris' }] },
          {
            target: 'lines',
            source: {
              kind: 'each',
              path: 'lineItems',
              filter: [{ path: 'isGiftCard', op: 'false' }],
              fields: [
                { target: 'price', source: { kind: 'path', path: 'unitPrice.shop.amount' }, transforms: [{ op: 'decimal', places: 1, rounding: 'half-up' }] },
              ],
            },
          },
          { target: 'loc', source: { kind: 'lookup', table: 'locations', key: 'raw.location_id' } },
          { target: 'upper', source: { kind: 'expr', expr: 'input.email.toUpperCase()' } },
        ],
      },
      taxedOrder(),
      { sandbox, lookups },
    );
    expect(r.ok).toBe(false);
    expect(r.output).toEqual({
      ref: '#9999',
      when: '01/01/2022 01:00',
      lines: [{ price: '90.0' }, { price: '25.0' }, { price: '160.0' }, { price: '120.0' }],
      upper: 'JON@EXAMPLE.COM',
    });
    expect(r.fields.map((f) => [f.target, f.kind, f.source, f.error ?? f.value])).toEqual([
      ['ref', 'path', 'name', '#9999'],
      ['when', 'path', 'createdAt', '01/01/2022 01:00'],
      ['lines', 'each', 'lineItems', undefined],
      ['lines[0].price', 'path', 'lineItems[0].unitPrice.shop.amount', '90.0'],
      ['lines[1].price', 'path', 'lineItems[2].unitPrice.shop.amount', '25.0'],
      ['lines[2].price', 'path', 'lineItems[3].unitPrice.shop.amount', '160.0'],
      ['lines[3].price', 'path', 'lineItems[4].unitPrice.shop.amount', '120.0'],
      [
        'loc',
        'lookup',
        'lookup locations[raw.location_id]',
        'target "loc": lookup table "locations" (version 1) has no row for location=empty (from raw.location_id)',
      ],
      ['upper', 'expr', 'input.email.toUpperCase()', 'JON@EXAMPLE.COM'],
    ]);
    expect(r.fields.find((f) => f.target === 'lines')!.count).toEqual({ elements: 5, kept: 4 });
    expect(r.lookupsUsed).toEqual([{ table: 'locations', version: 1 }]);

    const bad = await previewMap(
      {
        fields: [
          { target: 'x', source: { kind: 'path', path: 'a..b' } },
          { target: 'y', source: { kind: 'nope' } },
        ],
      },
      {},
    );
    expect(bad.ok).toBe(false);
    expect(bad.configProblems.map((p) => p.path)).toEqual(['$.fields[0].source.path', '$.fields[1].source.kind']);
  });

  it('refuses to publish a flow whose mapping has a bad path or no rounding rule', async () => {
    const doc = flow(
      'bad',
      [
        { id: 't', type: 'trigger.manual' },
        { id: 'map', type: 'core.map', config: { fields: [{ target: 'p', source: { kind: 'path', path: 'x' }, transforms: [{ op: 'decimal', places: 2 }] }] } },
      ],
      ['t->map'],
    );
    await rt.flows.create(doc);
    await expect(rt.flows.publish('bad')).rejects.toThrow(/map \$\.nodes\[1\]\.config\.fields\[0\]\.transforms\[0\]\.rounding/);
  });
});
