import { z } from 'zod';
import { defineNode, InputWith } from '../../runtime/node-api.ts';
import { setAt, type Segment } from '../core/mapping/paths.ts';
import { cloneJson, copyAlong, listAt, lookups, Misses, openTable, reader, recordUse, valueColumn } from './shared.ts';

export const taxCodeNode = defineNode({
  type: 'lookup.tax-code',
  version: 1,
  title: 'Tax code lookup',
  category: 'lookup',
  description:
    "Finds the ERP tax code of every Shopify tax line (title + rate, optionally country/province) of the order's lines " +
    'and shipping lines in a lookup table, and writes the codes onto each line. An unmapped tax line fails the step, ' +
    'naming the table and the key, so someone adds the row and replays.',
  config: z
    .object({
      table: z.string().min(1).default('tax-codes'),
      /** Lists whose elements carry tax lines (canonical ShopifyOrder by default). */
      lines: z.array(z.string().min(1)).min(1).default(['lineItems', 'shippingLines']),
      /** Within a line: its tax lines, and within a tax line: title and rate. */
      taxLines: z.string().min(1).default('taxLines'),
      title: z.string().min(1).default('title'),
      rate: z.string().min(1).default('rate'),
      /** From the input's root; empty values only match rows that leave the column empty. */
      country: z.string().min(1).optional().default('shippingAddress.countryCode'),
      province: z.string().min(1).optional().default('shippingAddress.provinceCode'),
      /** Written on each line: the list of codes, in tax-line order (rows with an empty code add none). */
      target: z.string().min(1).default('taxCodes'),
      /**
       * Also written on each tax line: its own code (e.g. `taxCode`), so a mapping can pair Shopify's tax amount of
       * that tax line with its ERP code (the ERP then records Shopify's tax instead of recomputing it).
       */
      taxLineTarget: z.string().min(1).optional(),
      column: z.string().min(1).optional(),
    })
    .strict(),
  inputs: [{ id: 'in', dataType: 'ShopifyOrder' }],
  outputs: [{ id: 'out', dataType: 'ShopifyOrder' }],
  idempotent: true,
  dryRun: 'pure',
  sampleOutput: { lineItems: [{ sku: 'SKU-1', taxLines: [{ title: 'VAT', rate: '0.2' }], taxCodes: ['UK-STD'] }], shippingLines: [] } as unknown,
  async execute(ctx, input: unknown) {
    const c = ctx.config;
    const src = lookups(ctx);
    const snap = await openTable(ctx, src, c.table);
    const column = valueColumn(ctx, snap, c.column);
    // Written: the lines of each list (their codes, their tax lines' codes); the rest of the order is shared, and
    // stored by reference to the input (runtime/stored-output.ts).
    const written = c.lines.map((l) => reader(ctx, l).segments);
    const taxLines = reader(ctx, c.taxLines);
    const title = reader(ctx, c.title);
    const rate = reader(ctx, c.rate);
    const target = reader(ctx, c.target);
    const lineTarget = c.taxLineTarget ? reader(ctx, c.taxLineTarget) : null;
    // With one-field targets (the default) only each line and each of its tax lines get a field: copying those two
    // levels is enough; the rest of a line (prices, discounts, properties) stays shared.
    const [linesKey] = taxLines.segments;
    const oneField = (r: { segments: Segment[]; text: string } | null) => !r || (r.segments.length === 1 && !r.text.startsWith('$'));
    const twoLevels = oneField(taxLines) && oneField(target) && oneField(lineTarget);
    const copyLines = (list: unknown) =>
      Array.isArray(list) && linesKey !== undefined
        ? list.map((l) => {
            if (!l || typeof l !== 'object' || Array.isArray(l)) return cloneJson(l);
            const line = { ...(l as Record<string, unknown>) };
            const tls = line[linesKey];
            if (Array.isArray(tls)) line[linesKey] = tls.map((tl) => (tl && typeof tl === 'object' && !Array.isArray(tl) ? { ...tl } : tl));
            return line;
          })
        : cloneJson(list);
    const out = copyAlong(input, written, twoLevels ? copyLines : undefined);
    const country = c.country ? reader(ctx, c.country).read(out, out) : undefined;
    const province = c.province ? reader(ctx, c.province).read(out, out) : undefined;
    const misses = new Misses();
    // With one-field targets what changed is exactly the fields written, recorded as such: stored by reference, the
    // output is those few values rather than every line again (4.2 KB of Shopify's example order, its largest step).
    const changed: Segment[][] | null = twoLevels ? [] : null;
    for (const linesPath of c.lines) {
      const lines = reader(ctx, linesPath);
      listAt(ctx, lines.read(out, out), linesPath).forEach((line, i) => {
        const at: Segment[] = [...lines.segments, i];
        const codes: string[] = [];
        listAt(ctx, taxLines.read(line, out), `${linesPath}[${i}].${c.taxLines}`).forEach((tl, j) => {
          const key = { title: title.read(tl, out), rate: rate.read(tl, out), country, province };
          const row = snap.find(key);
          if (!row) {
            misses.add(key, [...at, ...taxLines.segments, j]);
            return;
          }
          const code = row[column];
          if (code && !codes.includes(code)) codes.push(code);
          if (lineTarget && tl && typeof tl === 'object') {
            setAt(tl as Record<string, unknown>, lineTarget.segments, code || null);
            changed?.push([...at, ...taxLines.segments, j, ...lineTarget.segments]);
          }
        });
        if (line && typeof line === 'object') {
          setAt(line as Record<string, unknown>, target.segments, codes);
          changed?.push([...at, ...target.segments]);
        }
      });
    }
    misses.throwIfAny(ctx, snap);
    await recordUse(ctx, src, snap);
    return new InputWith(out, changed ?? written);
  },
});
