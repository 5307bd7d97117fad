// The mapping configuration: plain data a form can edit. Every field says where its value comes from and which
// built-in transforms shape it; only `expr` sources run code (in the sandbox).
import { z } from 'zod';
import { parsePath } from './paths.ts';
import { sandboxCodeMeta } from '../../../runtime/node-api.ts';

export const ROUNDING = ['half-up', 'half-even', 'half-down', 'up', 'down', 'ceiling', 'floor'] as const;
export type Rounding = (typeof ROUNDING)[number];

const json: z.ZodType<unknown> = z.unknown();
const pathString = z
  .string()
  .min(1, 'path is empty')
  .superRefine((s, ctx) => {
    try {
      parsePath(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });
/** A value taken from a path, or a fixed value. */
const operand = z.union([z.object({ path: pathString }).strict(), z.object({ const: z.union([z.string(), z.number()]) }).strict()]);

export const transformSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('trim'), side: z.enum(['both', 'start', 'end']).default('both') }).strict(),
  z.object({ op: z.literal('case'), to: z.enum(['upper', 'lower', 'title']) }).strict(),
  z
    .object({
      op: z.literal('pad'),
      length: z.number().int().min(1).max(1000),
      char: z.string().length(1).default(' '),
      side: z.enum(['start', 'end']).default('start'),
    })
    .strict(),
  z.object({ op: z.literal('truncate'), length: z.number().int().min(0).max(100_000) }).strict(),
  z.object({ op: z.literal('replace'), find: z.string().min(1), with: z.string().default('') }).strict(),
  z.object({ op: z.literal('split'), separator: z.string().min(1), index: z.number().int().optional() }).strict(),
  z.object({ op: z.literal('join'), separator: z.string().default('') }).strict(),
  z
    .object({
      op: z.literal('date'),
      /** Tokens yyyy yy MM M dd d HH H mm ss SSS XXX (offset); other letters must be quoted with '...'. */
      format: z.string().min(1).default('yyyy-MM-dd'),
      /** IANA time zone the date is shown in, e.g. "Europe/London". */
      timeZone: z.string().min(1).default('UTC'),
    })
    .strict(),
  z.object({ op: z.literal('decimal'), places: z.number().int().min(0).max(12), rounding: z.enum(ROUNDING) }).strict(),
  z
    .object({
      op: z.literal('math'),
      operator: z.enum(['add', 'subtract', 'multiply', 'divide']),
      operand,
    })
    .strict(),
  z.object({ op: z.literal('negate') }).strict(),
  z.object({ op: z.literal('default'), value: json }).strict(),
  z.object({ op: z.literal('concat'), parts: z.array(operand).min(1), separator: z.string().default('') }).strict(),
  z.object({ op: z.literal('type'), to: z.enum(['string', 'integer', 'number', 'boolean', 'decimal']) }).strict(),
]);
export type Transform = z.infer<typeof transformSchema>;
export type TransformInput = z.input<typeof transformSchema>;

export const conditionSchema = z.union([
  z
    .object({
      path: pathString,
      op: z.enum(['eq', 'ne', 'in', 'notIn', 'empty', 'notEmpty', 'true', 'false', 'gt', 'gte', 'lt', 'lte']),
      value: json.optional(),
    })
    .strict(),
  z.object({ expr: z.string().min(1, 'expression is empty').meta(sandboxCodeMeta('expression')) }).strict(),
]);
export type Condition = z.infer<typeof conditionSchema>;

export const lookupKeySchema = z.union([pathString, z.record(z.string().min(1), pathString)]);

export interface FieldInput {
  target: string;
  source: SourceInput;
  transforms?: TransformInput[];
  required?: boolean;
  description?: string;
}
export type SourceInput =
  | { kind: 'path'; path: string }
  | { kind: 'const'; value: unknown }
  | { kind: 'lookup'; table: string; key: string | Record<string, string>; column?: string; missing?: 'fail' | 'key' }
  | { kind: 'expr'; expr: string }
  | { kind: 'each'; path: string; filter?: z.input<typeof conditionSchema>[]; fields: FieldInput[] };

export interface Field {
  target: string;
  source: Source;
  transforms: Transform[];
  required: boolean;
  description?: string;
}
export type Source =
  | { kind: 'path'; path: string }
  | { kind: 'const'; value: unknown }
  | { kind: 'lookup'; table: string; key: string | Record<string, string>; column?: string; missing?: 'fail' | 'key' }
  | { kind: 'expr'; expr: string }
  | { kind: 'each'; path: string; filter: Condition[]; fields: Field[] };

export const fieldSchema: z.ZodType<Field, FieldInput> = z.lazy(() =>
  z
    .object({
      /** Where the value goes in the output, e.g. `customer.email` or `lines`. */
      target: pathString,
      source: sourceSchema,
      transforms: z.array(transformSchema).default([]),
      /** A required field whose value ends up empty (missing, null or "") fails the step. */
      required: z.boolean().default(true),
      description: z.string().optional(),
    })
    .strict(),
);

const sourceSchema: z.ZodType<Source, SourceInput> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('path'), path: pathString }).strict(),
    z.object({ kind: z.literal('const'), value: json }).strict(),
    z
      .object({
        kind: z.literal('lookup'),
        /** Table name; a table of the flow wins over a shared one of the same name. */
        table: z.string().min(1),
        /** One path for a single-column key, or key column → path. */
        key: lookupKeySchema,
        /** Value column; default the table's first. */
        column: z.string().min(1).optional(),
        /**
         * When the table has no row for the key (or no such table exists yet): `fail` the step (default), or use the
         * `key`'s own value — for tables of exceptions, e.g. SKU overrides where most SKUs are the ERP item code.
         */
        missing: z.enum(['fail', 'key']).optional(),
      })
      .strict()
      .refine((l) => l.missing !== 'key' || typeof l.key === 'string' || Object.keys(l.key).length === 1, {
        message: 'missing: "key" needs a single key path (the value used when the table has no row)',
        path: ['missing'],
      }),
    z.object({ kind: z.literal('expr'), expr: z.string().min(1, 'expression is empty').meta(sandboxCodeMeta('expression')) }).strict(),
    z
      .object({
        kind: z.literal('each'),
        /** The list to map element by element; fields inside read the element. */
        path: pathString,
        /** Elements are kept only when every condition holds. */
        filter: z.array(conditionSchema).default([]),
        fields: z.array(fieldSchema),
      })
      .strict(),
  ]),
);

export const mapConfigSchema = z
  .object({
    fields: z.array(fieldSchema),
    /** Limit for all expressions of one call together. */
    timeoutMs: z.number().int().min(1).max(30_000).optional(),
  })
  .strict();

export type MapConfig = z.infer<typeof mapConfigSchema>;
export type MapConfigInput = z.input<typeof mapConfigSchema>;
