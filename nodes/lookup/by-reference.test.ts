// The tax code and location lookups return their input with codes written in (InputWith): the input they were handed
// (shared with other steps) stays as it was, and what they did not write is shared rather than copied.
import { describe, expect, it } from 'vitest';
import { InputWith, type LookupSnapshot, type LookupSource, type NodeContext } from '../../runtime/node-api.ts';
import { locationNode } from './location.ts';
import { taxCodeNode } from './tax-code.ts';

function table(name: string, keys: string[], rows: Array<Record<string, string>>, value: string): LookupSnapshot {
  return {
    id: 1,
    name,
    scope: 'shared',
    version: 1,
    keyColumns: keys.map((k) => ({ name: k })) as LookupSnapshot['keyColumns'],
    valueColumns: [value],
    find: (key) => rows.find((r) => keys.every((k) => (key[k] ?? '') === (r[k] ?? ''))),
  };
}
const lookups: LookupSource = {
  snapshot: async (name) =>
    name === 'tax-codes'
      ? table('tax-codes', ['title', 'rate', 'country', 'province'], [{ title: 'VAT', rate: '0.2', country: 'GB', province: '', code: 'UK-STD' }], 'code')
      : table('locations', ['location'], [{ location: 'online', warehouse: 'WH' }], 'warehouse'),
};
const ctx = (node: typeof taxCodeNode | typeof locationNode, config: Record<string, unknown>) =>
  ({ nodeId: 'n', flowId: 'f', runId: 'r', config: node.config.parse(config), lookups }) as unknown as NodeContext<never>;

/** The input with the output's values at its changed paths set in a copy: what a reader of the stored reference gets. */
function withChanged(input: unknown, r: InputWith): unknown {
  const out = structuredClone(input) as Record<string | number, unknown>;
  for (const path of r.changed) {
    let from: unknown = r.value;
    for (const k of path) from = (from as Record<string | number, unknown> | undefined)?.[k];
    let to = out;
    path.forEach((k, i) => {
      if (i === path.length - 1) to[k] = structuredClone(from);
      else to = (to[k] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
    });
  }
  return out;
}

const input = () => ({
  gate: {
    order: {
      raw: { huge: ['...'] },
      shippingAddress: { countryCode: 'GB', provinceCode: null },
      lineItems: [{ sku: 'A', price: { amount: '10.00' }, taxLines: [{ title: 'VAT', rate: '0.2', price: '2.00' }] }],
      shippingLines: [],
    },
  },
  customer: { id: '7' },
});

describe('lookups stored by reference', () => {
  it('tax codes: writes codes on lines and tax lines of a copy; the input is unchanged, the rest shared', async () => {
    const before = input();
    const snapshot = structuredClone(before);
    const config = {
      lines: ['gate.order.lineItems', 'gate.order.shippingLines'],
      country: 'gate.order.shippingAddress.countryCode',
      province: 'gate.order.shippingAddress.provinceCode',
      taxLineTarget: 'taxCode',
    };
    const r = await taxCodeNode.execute(ctx(taxCodeNode, config), before);
    expect(r).toBeInstanceOf(InputWith);
    const out = (r as InputWith<ReturnType<typeof input>>).value;
    expect(before).toEqual(snapshot);
    expect(out.gate.order.lineItems[0]).toEqual({
      ...snapshot.gate.order.lineItems[0],
      taxLines: [{ title: 'VAT', rate: '0.2', price: '2.00', taxCode: 'UK-STD' }],
      taxCodes: ['UK-STD'],
    });
    expect(out.gate.order.raw).toBe(before.gate.order.raw);
    expect(out.gate.order.lineItems[0]!.price).toBe(before.gate.order.lineItems[0]!.price);
    // Exactly the fields written, so what is stored is those values, not the lines again.
    expect((r as InputWith).changed).toEqual([
      ['gate', 'order', 'lineItems', 0, 'taxLines', 0, 'taxCode'],
      ['gate', 'order', 'lineItems', 0, 'taxCodes'],
    ]);
    expect(withChanged(before, r as InputWith)).toEqual(out);
  });

  it('tax codes: the fields written are all that differs from the input, whatever the lines', async () => {
    const before = {
      order: {
        shippingAddress: { countryCode: 'GB' },
        lineItems: [
          {
            sku: 'A',
            taxLines: [
              { title: 'VAT', rate: '0.2' },
              { title: 'VAT', rate: '0.2' },
            ],
          },
          { sku: 'B', taxLines: [] },
          { sku: 'C', taxLines: [{ title: 'VAT', rate: '0.2' }], taxCodes: ['OLD'] },
        ],
        shippingLines: [{ title: 'Post', taxLines: [{ title: 'VAT', rate: '0.2' }] }],
      },
    };
    for (const config of [{}, { taxLineTarget: 'taxCode' }, { target: 'erp.taxCodes' }]) {
      const node = { lines: ['order.lineItems', 'order.shippingLines'], country: 'order.shippingAddress.countryCode', province: 'order.nowhere', ...config };
      const r = (await taxCodeNode.execute(ctx(taxCodeNode, node), structuredClone(before))) as InputWith;
      expect(withChanged(before, r), JSON.stringify(config)).toEqual(r.value);
    }
  });

  it('location: writes the warehouse into a copy; the input is unchanged', async () => {
    const before = input();
    const snapshot = structuredClone(before);
    const r = await locationNode.execute(ctx(locationNode, { from: 'gate.order.locationId', whenMissing: 'online', to: 'gate.order.warehouse' }), before);
    const out = (r as InputWith<ReturnType<typeof input>>).value as unknown as { gate: { order: { warehouse: string; raw: unknown } } };
    expect(before).toEqual(snapshot);
    expect(out.gate.order.warehouse).toBe('WH');
    expect(out.gate.order.raw).toBe(before.gate.order.raw);
    expect((r as InputWith).changed).toEqual([['gate', 'order', 'warehouse']]);
    expect(withChanged(before, r as InputWith)).toEqual(out);
  });
});
