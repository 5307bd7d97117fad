// Input schemas checked at the connector boundary: bad input fails permanently, naming the field path.
import { z } from 'zod';
import { permanentError } from '../../../runtime/node-api.ts';

const decimal = z.union([z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string like "19.99"'), z.number().int()]).transform(String);
const positive = decimal.refine((v) => Number(v) > 0, 'must be greater than 0');
const nonNegative = decimal.refine((v) => !v.startsWith('-'), 'must not be negative');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const id = z.union([z.string().trim().min(1), z.number().int()]).transform(String);
const taxCodes = z.array(z.string().min(1)).optional();
const taxes = z.array(z.object({ code: z.string().min(1), amount: nonNegative })).optional();

export const addressSchema = z.object({
  name: z.string().optional(), street: z.string().optional(), street2: z.string().optional(), city: z.string().optional(),
  zip: z.string().optional(), province: z.string().optional(), country: z.string().optional(),
});

export const customerSchema = z.object({
  externalId: id,
  name: z.string().trim().min(1),
  email: z.string().email().nullish(),
  phone: z.string().nullish(),
  address: addressSchema.nullish(),
});

export const salesOrderSchema = z.object({
  externalId: id,
  reference: z.string().min(1),
  customer: customerSchema,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO currency code'),
  date: isoDate,
  warehouse: z.string().min(1),
  pricesIncludeTax: z.boolean().optional(),
  lines: z.array(z.object({
    sku: z.string().trim().min(1, 'SKU is empty'),
    quantity: positive,
    unitPrice: nonNegative,
    discount: nonNegative.optional(),
    taxCodes,
    taxes,
    warehouse: z.string().min(1).optional(),
    description: z.string().optional(),
  })).min(1, 'an order needs at least one line'),
  shipping: z.array(z.object({ description: z.string().min(1), amount: nonNegative, discount: nonNegative.optional(), taxCodes, taxes })).optional(),
});

export const creditMemoSchema = z.object({
  externalId: id,
  orderExternalId: id,
  date: isoDate,
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  pricesIncludeTax: z.boolean().optional(),
  lines: z.array(z.object({ sku: z.string().trim().min(1), quantity: positive, unitPrice: nonNegative, taxCodes })),
  shipping: z.array(z.object({ description: z.string().min(1), amount: nonNegative, taxCodes })).optional(),
  restock: z.boolean(),
  warehouse: z.string().min(1).optional(),
  reason: z.string().optional(),
}).refine((m) => m.lines.length > 0 || (m.shipping?.length ?? 0) > 0, 'a credit memo needs a line or a shipping refund');

export const journalSchema = z.object({
  externalId: id,
  date: isoDate,
  description: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  lines: z.array(z.object({ account: z.string().min(1), debit: nonNegative.optional(), credit: nonNegative.optional(), description: z.string().optional() }))
    .min(2, 'a journal needs at least two lines'),
});

export const ledgerQuerySchema = z.object({ from: isoDate, to: isoDate, accounts: z.array(z.string().min(1)).optional() });

/** Parses `value` or throws a permanent NodeError listing every problem with its path (e.g. `lines[1].sku`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  throw permanentError(`Invalid ${what}: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`, {
    code: 'INVALID_INPUT',
    details: { issues },
  });
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}
