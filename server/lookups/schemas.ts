// Request and response shapes of the lookup API (zod, documented in the server's OpenAPI).
import { z } from '@hono/zod-openapi';

export const KeyColumn = z
  .union([
    z.string().min(1),
    z.object({ name: z.string().min(1), match: z.enum(['text', 'ci', 'decimal', 'id']).optional(), optional: z.boolean().optional() }).strict(),
  ])
  .openapi('LookupKeyColumnInput');

const cell = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
export const Row = z.record(z.string().min(1), cell).openapi('LookupRowInput');
const rows = z.array(Row).max(100_000);

export const TableCreate = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use lowercase letters, digits, "-" or "_" (at most 64)'),
    scope: z.string().min(1).max(200).optional(),
    title: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    kind: z.string().max(40).optional(),
    /** A preset name (tax-codes, locations, payment-methods, shipping-methods, sku-overrides) instead of columns. */
    preset: z.string().optional(),
    keyColumns: z.array(KeyColumn).optional(),
    valueColumns: z.array(z.string().min(1)).optional(),
    rows: rows.optional(),
    message: z.string().max(500).optional(),
  })
  .strict()
  .openapi('LookupTableCreate');

export const TablePatch = z.object({ title: z.string().max(200).optional(), description: z.string().max(2000).optional() }).strict();

export const RowsPut = z
  .object({ rows, expectedVersion: z.number().int().min(1).optional(), message: z.string().max(500).optional() })
  .strict()
  .openapi('LookupRowsPut');

export const RowsDelete = z
  .object({ keys: z.array(Row).min(1).max(100_000), expectedVersion: z.number().int().min(1).optional(), message: z.string().max(500).optional() })
  .strict();

export const VersionWrite = z.object({ expectedVersion: z.number().int().min(1).optional(), message: z.string().max(500).optional() }).strict();

export const TableSummary = z
  .object({
    id: z.number(),
    scope: z.string(),
    name: z.string(),
    title: z.string(),
    description: z.string(),
    kind: z.string(),
    version: z.number(),
    rowCount: z.number(),
    keyColumns: z.array(z.object({ name: z.string(), match: z.string(), optional: z.boolean() })),
    valueColumns: z.array(z.string()),
    updatedAt: z.number(),
  })
  .openapi('LookupTable');

export const RetryBatch = z
  .object({
    exceptions: z.array(z.string()),
    runs: z.array(z.object({ runId: z.string(), newRunId: z.string() })),
    skipped: z.array(z.object({ runId: z.string(), reason: z.string() })),
  })
  .openapi('RetryBatch', { description: 'The failed runs waiting on this table that were retried because the change resolves what they missed' });

export const VersionInfo = z
  .object({
    version: z.number(),
    rowCount: z.number(),
    message: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.number(),
    retried: RetryBatch.optional(),
  })
  .openapi('LookupVersion');

export const Params = z.object({
  scope: z
    .string()
    .min(1)
    .openapi({ param: { name: 'scope', in: 'path' }, description: '`shared` or a flow id' }),
  name: z
    .string()
    .min(1)
    .openapi({ param: { name: 'name', in: 'path' } }),
});

export const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

export const CsvQuery = z.object({
  mode: z.enum(['replace', 'merge']).default('replace'),
  expectedVersion: z.coerce.number().int().min(1).optional(),
  message: z.string().max(500).optional(),
});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      problems: z.array(z.object({ where: z.string(), path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('LookupError');
