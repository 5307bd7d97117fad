// Validation of a payout settlement (ErpConnector.settleReceivables), shared by the connectors that implement it.
import { z } from 'zod';

const amount = z
  .string()
  .regex(/^\d+(\.\d{1,4})?$/, 'a positive decimal string like "19.99"')
  .refine((v) => Number(v) > 0, 'must be more than 0');

export const settlementSchema = z.object({
  externalId: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
  description: z.string().min(1),
  /** The payout's currency: refused (CURRENCY_MISMATCH) when the ERP company keeps its books in another. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  accounts: z.object({ receivable: z.string().min(1), clearing: z.string().min(1), disputes: z.string().min(1) }),
  items: z.array(z.object({ kind: z.enum(['invoice', 'credit-memo', 'chargeback', 'chargeback-reversal']), externalId: z.string().min(1), amount })),
});
