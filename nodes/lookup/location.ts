import { z } from 'zod';
import { defineNode, InputWith, permanentError } from '../../runtime/node-api.ts';
import { setAt, type Segment } from '../core/mapping/paths.ts';
import { copyAlong, firstKeyColumn, listAt, lookups, Misses, openTable, reader, recordUse, valueColumn } from './shared.ts';

export const locationNode = defineNode({
  type: 'lookup.location',
  version: 1,
  title: 'Location → warehouse',
  category: 'lookup',
  description:
    'Finds the ERP warehouse of a Shopify location (GID, legacy id or name) in a lookup table and writes it into the ' +
    'input, once or per element of a list. An unmapped location fails the step, naming the table and the key.',
  config: z
    .object({
      table: z.string().min(1).default('locations'),
      /** Where the location is (relative to each element when `each` is set). */
      from: z.string().min(1).default('locationId'),
      /** Where the warehouse goes. */
      to: z.string().min(1).default('warehouse'),
      /** A list to treat element by element (e.g. `lines`), instead of the whole input once. */
      each: z.string().min(1).optional(),
      /** The key to look up when the source has no location (e.g. "online" for web orders); it must be a row too. */
      whenMissing: z.string().min(1).optional(),
      /** When the source has no location (and no `whenMissing`): leave the target unset instead of failing (e.g. a refund that restocks nothing). */
      optional: z.boolean().default(false),
      column: z.string().min(1).optional(),
    })
    .strict(),
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: { locationId: 'gid://shopify/Location/1', warehouse: 'WH-MAIN' } as unknown,
  async execute(ctx, input: unknown) {
    const c = ctx.config;
    const src = lookups(ctx);
    const snap = await openTable(ctx, src, c.table);
    const column = valueColumn(ctx, snap, c.column);
    const keyColumn = firstKeyColumn(ctx, snap);
    const from = reader(ctx, c.from);
    const to = reader(ctx, c.to);
    // Written: the target (or, element by element, the list); the rest of the input is shared, and stored by reference
    // to the input (runtime/stored-output.ts).
    const each = c.each ? reader(ctx, c.each) : null;
    const out = copyAlong(input, [each ? each.segments : to.segments]);
    const misses = new Misses();
    const one = (el: unknown, at: Segment[]) => {
      if (!el || typeof el !== 'object')
        throw permanentError(`node "${ctx.nodeId}": expected an object at "${at.join('.') || '$'}"`, { code: 'INVALID_INPUT' });
      let loc = from.read(el, out);
      if ((loc === undefined || loc === null || loc === '') && c.whenMissing) loc = c.whenMissing;
      if ((loc === undefined || loc === null || loc === '') && c.optional) return;
      const key = { [keyColumn]: loc };
      const row = snap.find(key);
      if (!row) return misses.add(key, [...at, ...from.segments]);
      setAt(el as Record<string, unknown>, to.segments, row[column]);
    };
    if (each && c.each) {
      listAt(ctx, each.read(out, out), c.each).forEach((el, i) => {
        one(el, [...each.segments, i]);
      });
    } else one(out, []);
    misses.throwIfAny(ctx, snap);
    await recordUse(ctx, src, snap);
    return new InputWith(out, [each ? each.segments : to.segments]);
  },
});
