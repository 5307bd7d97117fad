import { z } from 'zod';
import { defineNode, permanentError } from '../../runtime/node-api.ts';
import { setAt, type Segment } from '../core/mapping/paths.ts';
import { copyInput, firstKeyColumn, listAt, lookups, Misses, openTable, reader, recordUse, valueColumn } from './shared.ts';

export const tableNode = defineNode({
  type: 'lookup.table',
  version: 1,
  title: 'Lookup table',
  category: 'lookup',
  description:
    'Looks a key up in any lookup table (payment gateway → payment method, shipping method → carrier, SKU overrides...) ' +
    'and writes the value into the input, once or per element of a list. A key not in the table fails the step, naming ' +
    'the table and the key; there is no silent default.',
  config: z
    .object({
      table: z.string().min(1),
      /** One path (for the first key column), or key column → path. */
      key: z.union([z.string().min(1), z.record(z.string().min(1), z.string().min(1))]),
      each: z.string().min(1).optional(),
      /** Where the value goes. */
      target: z.string().min(1).default('lookup'),
      /** A value column, or "*" for the whole row as an object. Default: the first value column. */
      column: z.string().min(1).optional(),
    })
    .strict(),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: { gateway: 'shopify_payments', lookup: 'CARD' } as unknown,
  async execute(ctx, input: unknown) {
    const c = ctx.config;
    const src = lookups(ctx);
    const snap = await openTable(ctx, src, c.table);
    const whole = c.column === '*';
    const column = whole ? '' : valueColumn(ctx, snap, c.column);
    const keyPaths =
      typeof c.key === 'string'
        ? [[firstKeyColumn(ctx, snap), reader(ctx, c.key)] as const]
        : Object.entries(c.key).map(([col, p]) => [col, reader(ctx, p)] as const);
    for (const [col] of keyPaths) {
      if (!snap.keyColumns.some((k) => k.name === col))
        throw permanentError(`node "${ctx.nodeId}": lookup table "${snap.name}" has no key column "${col}"`, { code: 'INVALID_CONFIG' });
    }
    const out = copyInput(ctx, input);
    const target = reader(ctx, c.target);
    const misses = new Misses();
    const one = (el: unknown, at: Segment[]) => {
      const key = Object.fromEntries(keyPaths.map(([col, r]) => [col, r.read(el, out)]));
      const row = snap.find(key);
      if (!row) return misses.add(key, at);
      const value = whole ? { ...row } : row[column];
      if (el && typeof el === 'object') setAt(el as Record<string, unknown>, target.segments, value);
      else throw permanentError(`node "${ctx.nodeId}": cannot write "${c.target}" into a non-object at "${at.join('.') || '$'}"`, { code: 'INVALID_INPUT' });
    };
    if (c.each) {
      const each = reader(ctx, c.each);
      listAt(ctx, each.read(out, out), c.each).forEach((el, i) => {
        one(el, [...each.segments, i]);
      });
    } else one(out, []);
    misses.throwIfAny(ctx, snap);
    await recordUse(ctx, src, snap);
    return out;
  },
});
