// Input schemas checked at the connector boundary: bad input fails permanently, naming the field path.
import { z } from 'zod';
import { permanentError } from '../../../runtime/node-api.ts';

const decimal = z
  .union([
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string like "19.99"'),
    z.number().int(),
  ])
  .transform(String);
const positive = decimal.refine((v) => Number(v) > 0, 'must be greater than 0');
const nonNegative = decimal.refine((v) => !v.startsWith('-'), 'must not be negative');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const id = z.union([z.string().trim().min(1), z.number().int()]).transform(String);
const taxCodes = z.array(z.string().min(1)).optional();
const taxes = z.array(z.object({ code: z.string().min(1), amount: nonNegative })).optional();

export const addressSchema = z.object({
  name: z.string().optional(),
  street: z.string().optional(),
  street2: z.string().optional(),
  city: z.string().optional(),
  zip: z.string().optional(),
  province: z.string().optional(),
  country: z.string().optional(),
});

export const customerSchema = z.object({
  externalId: id.describe('The Shopify customer id (or another stable reference): the ERP finds the customer by it'),
  name: z.string().trim().min(1).describe('Customer name as the ERP shows it'),
  email: z.string().email().nullish().describe('E-mail address'),
  phone: z.string().nullish().describe('Phone number'),
  address: addressSchema.nullish().describe('Invoice address'),
});

export const salesOrderSchema = z.object({
  externalId: id.describe('The Shopify order id: the idempotency key of the ERP document'),
  reference: z.string().min(1).describe('The Shopify order name, e.g. "#1001"'),
  customer: customerSchema.describe('Who bought: found or created in the ERP by its external id'),
  shipTo: addressSchema.nullish().describe("Shipping address of this order (the customer's address is the invoice address)"),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO currency code')
    .describe('ISO 4217 code, e.g. "GBP"'),
  date: isoDate.describe('Order date, YYYY-MM-DD'),
  warehouse: z.string().min(1).describe('ERP warehouse code the lines ship from (by default)'),
  pricesIncludeTax: z.boolean().optional().describe('True when unit prices include tax (Shopify "taxes included")'),
  paymentTerms: z
    .string()
    .trim()
    .min(1, 'payment term is empty')
    .nullish()
    .describe('The ERP payment term the invoice falls due by, by name (e.g. "Net 30"); absent: the ERP\'s default'),
  lines: z
    .array(
      z.object({
        sku: z.string().trim().min(1, 'SKU is empty').describe('SKU of the ERP item'),
        quantity: positive.describe('Quantity, a decimal string'),
        unitPrice: nonNegative.describe('Unit price before discount, a decimal string'),
        discount: nonNegative.optional().describe('Total discount on the line (not per unit)'),
        taxCodes: taxCodes.describe('ERP tax codes of the line (from the tax-codes lookup)'),
        taxes,
        warehouse: z.string().min(1).optional().describe("ERP warehouse code, when not the order's"),
        description: z.string().optional().describe('Line text'),
      }),
    )
    .min(1, 'an order needs at least one line')
    .describe('Order lines, one per Shopify line item'),
  shipping: z
    .array(z.object({ description: z.string().min(1), amount: nonNegative, discount: nonNegative.optional(), taxCodes, taxes }))
    .optional()
    .describe('Shipping charges'),
});

export const creditMemoSchema = z
  .object({
    externalId: id,
    orderExternalId: id,
    date: isoDate,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    pricesIncludeTax: z.boolean().optional(),
    lines: z.array(
      z.object({
        sku: z.string().trim().min(1),
        quantity: positive,
        unitPrice: nonNegative,
        taxCodes,
        taxes,
        restock: z.boolean().optional(),
        warehouse: z.string().min(1).optional(),
      }),
    ),
    shipping: z.array(z.object({ description: z.string().min(1), amount: nonNegative, taxCodes, taxes })).optional(),
    adjustments: z.array(z.object({ description: z.string().min(1), amount: decimal, account: z.string().min(1) })).optional(),
    restock: z.boolean(),
    warehouse: z.string().min(1).optional(),
    reason: z.string().optional(),
  })
  // A refund of money alone (goodwill, a refund discrepancy: no goods, no shipping) is a memo of adjustments only.
  .refine(
    (m) => m.lines.length > 0 || (m.shipping?.length ?? 0) > 0 || (m.adjustments?.length ?? 0) > 0,
    'a credit memo needs a line, a shipping refund or an adjustment',
  );

export const journalSchema = z.object({
  externalId: id,
  date: isoDate,
  description: z.string().min(1),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  lines: z
    .array(z.object({ account: z.string().min(1), debit: nonNegative.optional(), credit: nonNegative.optional(), description: z.string().optional() }))
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
