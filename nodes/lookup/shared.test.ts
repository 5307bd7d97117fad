import { describe, expect, it } from 'vitest';
import { copyAlong } from './shared.ts';

describe('copyAlong', () => {
  const input = () => ({
    gate: { order: { id: 'gid://shopify/Order/1', raw: { big: [1, 2, 3] }, lineItems: [{ sku: 'A', taxLines: [{ rate: '0.2' }] }], shippingLines: null } },
    customer: { id: '7' },
  });

  it('gives new containers down to each path and a deep copy under it; the input stays as it was, the rest is shared', () => {
    const before = input();
    const snapshot = structuredClone(before);
    const out = copyAlong(before, [
      ['gate', 'order', 'lineItems'],
      ['gate', 'order', 'shippingLines'],
    ]);
    expect(out).toEqual(snapshot);
    out.gate.order.lineItems[0]!.taxLines[0]!.rate = 'changed';
    (out.gate.order as Record<string, unknown>).warehouse = 'WH';
    (out as Record<string, unknown>).extra = true;
    expect(before).toEqual(snapshot);
    expect(out.gate.order.raw).toBe(before.gate.order.raw);
    expect(out.customer).toBe(before.customer);
  });

  it('stops at a path that is missing or not an object, and copies the root for an empty path', () => {
    const before = input();
    const out = copyAlong(before, [['gate', 'nothing', 'here'], []]);
    expect(out).not.toBe(before);
    expect(out).toEqual(before);
    expect(copyAlong('text', [['x']])).toBe('text');
  });
});

describe('copyAlong under a path', () => {
  it('copies as a JSON round trip would: dates as text, undefined and functions left out (null in lists)', () => {
    const at = new Date('2026-12-04T00:00:00.000Z');
    const input = { lines: [{ at, gone: undefined, f: () => 1, list: [undefined, 1] }] };
    expect(copyAlong(input, [['lines']])).toEqual(JSON.parse(JSON.stringify(input)));
  });
});
