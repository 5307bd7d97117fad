// The designer's declaration of the core.map config (config-types.ts) against the node's own schema: the type checks
// below fail `npm run typecheck` when either side changes alone, and the test runs a config that uses every source
// kind, condition and transform the designer can produce through the node's parser.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  type conditionSchema,
  mapConfigSchema,
  transformSchema,
  type FieldInput as NodeFieldInput,
  type SourceInput as NodeSourceInput,
  type TransformInput as NodeTransformInput,
} from '../../../../nodes/core/mapping/config.ts';
import type { ConditionInput, FieldInput, SourceInput, TransformInput } from './config-types.ts';

/** true only when A and B are the same type (not merely assignable: an extra optional property on one side fails too). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <T extends true>(ok: T) => ok;

describe('the designer declares the core.map config as the node parses it', () => {
  it('types: field, source, transform and condition match the node schema both ways', () => {
    expect(same<Same<FieldInput, NodeFieldInput>>(true)).toBe(true);
    expect(same<Same<SourceInput, NodeSourceInput>>(true)).toBe(true);
    expect(same<Same<TransformInput, NodeTransformInput>>(true)).toBe(true);
    expect(same<Same<TransformInput, z.input<typeof transformSchema>>>(true)).toBe(true);
    expect(same<Same<ConditionInput, z.input<typeof conditionSchema>>>(true)).toBe(true);
  });

  it('a config using every source kind, a filter and each transform op parses', () => {
    const transforms: TransformInput[] = [
      { op: 'trim' },
      { op: 'case', to: 'upper' },
      { op: 'pad', length: 4, char: '0' },
      { op: 'truncate', length: 10 },
      { op: 'replace', find: 'a' },
      { op: 'split', separator: ',' },
      { op: 'join' },
      { op: 'date', timeZone: 'Europe/London' },
      { op: 'decimal', places: 2, rounding: 'half-even' },
      { op: 'math', operator: 'multiply', operand: { const: 2 } },
      { op: 'negate' },
      { op: 'default', value: 0 },
      { op: 'concat', parts: [{ path: 'order.name' }] },
      { op: 'type', to: 'decimal' },
    ];
    const fields: FieldInput[] = [
      { target: 'a', source: { kind: 'path', path: 'order.name' }, transforms },
      { target: 'b', source: { kind: 'const', value: 'x' }, required: false },
      { target: 'c', source: { kind: 'lookup', table: 'tax-codes', key: { title: 'order.tax' } } },
      { target: 'd', source: { kind: 'expr', expr: 'input.order.total' } },
      {
        target: 'lines',
        source: {
          kind: 'each',
          path: 'order.lines',
          filter: [{ path: 'qty', op: 'gt', value: 0 }, { expr: 'true' }],
          fields: [{ target: 'sku', source: { kind: 'path', path: 'sku' } }],
        },
      },
    ];
    const r = mapConfigSchema.safeParse({ fields });
    expect(r.error?.issues ?? []).toEqual([]);
    expect(new Set(transforms.map((t) => t.op)).size).toBe(transformSchema.options.length);
  });
});
