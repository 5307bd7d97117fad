import { describe, expect, it } from 'vitest';
import { parsePath } from '../../../../nodes/core/mapping/paths.ts';
import { mapConfigSchema } from '../../../../nodes/core/mapping/config.ts';
import { absoluteOf, buildSourceTree, filterTree, flattenPaths, joinKey, relativeSourcePath } from './source-tree.ts';
import {
  allAddrs,
  describeSource,
  eachPathsOf,
  genericTarget,
  getField,
  hasCode,
  insertField,
  switchSourceKind,
  targetLabel,
  updateField,
  type FieldInput,
} from './fields.ts';
import { TRANSFORM_MENU, describeTransform, parseConstant } from './transforms.ts';

const sample = {
  event: { topic: 'orders/paid' },
  order: {
    name: '#1001',
    'odd key': 1,
    lineItems: [{ sku: 'A-1', unitPrice: { shop: { amount: '9.99' } }, taxLines: [{ rate: '0.2' }] }, { sku: 'B-2' }],
    tags: [],
    note: null,
  },
};

describe('source tree', () => {
  it('lists every path the mapping engine can read, lists by their first element', () => {
    const paths = flattenPaths(buildSourceTree(sample)).map((n) => n.path);
    expect(paths).toEqual([
      'event',
      'event.topic',
      'order',
      'order.name',
      'order["odd key"]',
      'order.lineItems',
      'order.lineItems[0]',
      'order.lineItems[0].sku',
      'order.lineItems[0].unitPrice',
      'order.lineItems[0].unitPrice.shop',
      'order.lineItems[0].unitPrice.shop.amount',
      'order.lineItems[0].taxLines',
      'order.lineItems[0].taxLines[0]',
      'order.lineItems[0].taxLines[0].rate',
      'order.tags',
      'order.note',
    ]);
    // Every path is one the engine parses.
    for (const p of paths) expect(() => parsePath(p)).not.toThrow();
    const lines = flattenPaths(buildSourceTree(sample)).find((n) => n.path === 'order.lineItems')!;
    expect(lines).toMatchObject({ kind: 'array', length: 2 });
    expect(flattenPaths(buildSourceTree(sample)).find((n) => n.path === 'order.name')!.preview).toBe('"#1001"');
  });

  it('quotes keys that are not identifiers', () => {
    expect(joinKey('a', 'b c')).toBe('a["b c"]');
    expect(joinKey('', '$root')).toBe('["$root"]');
    expect(joinKey('', 'x')).toBe('x');
  });

  it('filters to matching paths and the branches leading to them', () => {
    const kept = flattenPaths(filterTree(buildSourceTree(sample), 'AMOUNT')).map((n) => n.path);
    expect(kept).toContain('order.lineItems[0].unitPrice.shop.amount');
    expect(kept).not.toContain('event.topic');
    expect(filterTree(buildSourceTree(sample), '  ')).toHaveLength(2);
  });

  it('makes dropped paths relative to the enclosing lists', () => {
    expect(relativeSourcePath('order.name', [])).toBe('order.name');
    expect(relativeSourcePath('order.lineItems[0].sku', ['order.lineItems'])).toBe('sku');
    expect(relativeSourcePath('order.name', ['order.lineItems'])).toBe('$root.order.name');
    expect(relativeSourcePath('order.lineItems[0].taxLines[0].rate', ['order.lineItems', 'taxLines'])).toBe('rate');
    expect(relativeSourcePath('order.lineItems[0].sku', ['order.lineItems', 'taxLines'])).toBe('$root.order.lineItems[0].sku');
    expect(absoluteOf('taxLines', ['order.lineItems'])).toBe('order.lineItems[0].taxLines');
    expect(absoluteOf('$root.order.x', ['order.lineItems'])).toBe('order.x');
  });
});

const fields = (): FieldInput[] => [
  { target: 'externalId', source: { kind: 'path', path: 'order.id' } },
  {
    target: 'lines',
    source: {
      kind: 'each',
      path: 'order.lineItems',
      fields: [
        { target: 'sku', source: { kind: 'path', path: 'sku' }, transforms: [{ op: 'trim' }] },
        { target: 'tax', source: { kind: 'lookup', table: 'tax-codes', key: { rate: 'taxLines[0].rate' }, column: 'code' } },
      ],
    },
  },
  { target: 'channel', source: { kind: 'const', value: 'SHOPIFY' } },
];

describe('fields', () => {
  it('addresses nested fields and updates without touching the original', () => {
    const fs = fields();
    expect(getField(fs, [1, 0])!.target).toBe('sku');
    expect(getField(fs, [0, 0])).toBeUndefined();
    const next = updateField(fs, [1, 1], (f) => ({ ...f, required: false }));
    expect(getField(next, [1, 1])!.required).toBe(false);
    expect(getField(fs, [1, 1])!.required).toBeUndefined();
    expect(updateField(fs, [2], () => null).map((f) => f.target)).toEqual(['externalId', 'lines']);
    expect(() => updateField(fs, [0, 1], (f) => f)).toThrow('has no nested fields');
  });

  it('inserts at the top and inside lists, returning the new address', () => {
    const r = insertField(fields(), [1], { target: 'qty', source: { kind: 'path', path: 'quantity' } });
    expect(r.addr).toEqual([1, 2]);
    expect(getField(r.fields, r.addr)!.target).toBe('qty');
    expect(insertField(fields(), null, { target: 'x', source: { kind: 'const', value: 1 } }).addr).toEqual([3]);
    expect(() => insertField(fields(), [0], { target: 'x', source: { kind: 'const', value: 1 } })).toThrow('inside a list');
  });

  it('labels targets and matches concrete preview targets', () => {
    const fs = fields();
    expect(targetLabel(fs, [1, 0])).toBe('lines[].sku');
    expect(genericTarget('lines[3].sku')).toBe('lines[].sku');
    expect(eachPathsOf(fs, [1, 0])).toEqual(['order.lineItems']);
    expect(allAddrs(fs)).toEqual([[0], [1], [1, 0], [1, 1], [2]]);
  });

  it('describes sources and spots code', () => {
    const fs = fields();
    expect(describeSource(fs[1]!.source)).toBe('each of order.lineItems');
    expect(describeSource(getField(fs, [1, 1])!.source)).toBe('lookup tax-codes[rate=taxLines[0].rate].code');
    expect(describeSource(fs[2]!.source)).toBe('constant "SHOPIFY"');
    expect(hasCode(fs[1]!)).toBe(false);
    expect(hasCode({ target: 'l', source: { kind: 'each', path: 'x', filter: [{ expr: 'item.a' }], fields: [] } })).toBe(true);
    expect(switchSourceKind({ kind: 'path', path: 'order.tax' }, 'lookup')).toEqual({ kind: 'lookup', table: '', key: 'order.tax' });
    expect(switchSourceKind({ kind: 'lookup', table: 't', key: 'k' }, 'path')).toEqual({ kind: 'path', path: 'k' });
  });
});

describe('transform menu', () => {
  it('offers only transforms the config schema accepts', () => {
    for (const item of TRANSFORM_MENU) {
      const cfg = { fields: [{ target: 'x', source: { kind: 'path', path: 'a' }, transforms: [item.make()] }] };
      const concatFix = item.op === 'concat' ? { fields: [{ ...cfg.fields[0], transforms: [{ op: 'concat', parts: [{ path: 'a' }] }] }] } : cfg;
      expect(mapConfigSchema.safeParse(concatFix).success, item.op).toBe(true);
      expect(describeTransform(item.make()).length).toBeGreaterThan(2);
    }
    expect(describeTransform({ op: 'decimal', places: 2, rounding: 'half-even' })).toBe('2 places, rounding half-even');
  });

  it('parses constants without guessing', () => {
    expect(parseConstant('007', 'text')).toBe('007');
    expect(parseConstant('7.5', 'number')).toBe(7.5);
    expect(() => parseConstant('x', 'number')).toThrow('not a number');
    expect(parseConstant('TRUE', 'boolean')).toBe(true);
    expect(parseConstant('', 'null')).toBeNull();
  });
});
