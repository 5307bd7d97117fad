// OpenAPI schemas of the finance API's JSON answers, the shapes of report.ts's MonthEndReport: the route returns a
// MonthEndReport through them, so they cannot drift apart without a compile error.
import { z } from '@hono/zod-openapi';

const Money = z.string().openapi({ description: 'A decimal amount, e.g. "12.50".' });

const LedgerStatus = z.object({
  posted: z.boolean().openapi({ description: 'The payout journal is in the ERP ledger.' }),
  ties: z.boolean().openapi({ description: 'Its bank and clearing lines equal what Shopify paid out and what went through clearing.' }),
  entryNumber: z.string().nullable(),
  problems: z.array(z.string()),
});

const PayoutRow = z
  .object({
    payoutId: z.string(),
    date: z.string(),
    month: z.string(),
    currency: z.string(),
    status: z.enum(['balanced', 'unbalanced', 'waiting', 'not-paid']),
    shopifyStatus: z.string(),
    net: Money,
    charges: Money,
    refunds: Money,
    fees: Money,
    adjustments: Money,
    disputes: Money,
    reserves: Money,
    retriedPayouts: Money,
    erpVariance: Money,
    shopifyVariance: Money,
    rounding: Money.openapi({
      description: 'Σ (Shopify − ERP) of lines matched within the amount tolerance (FX, cents), booked by the payout journal as payout rounding.',
    }),
    matched: z.number().int(),
    missingInErp: z.number().int(),
    amountMismatches: z.number().int(),
    erpOnly: z.number().int(),
    ledger: LedgerStatus.nullable(),
    reconciledAt: z.string(),
  })
  .openapi('PayoutRow');

const MonthRow = z
  .object({
    month: z.string(),
    currency: z.string(),
    payouts: z.number().int(),
    balanced: z.number().int(),
    unbalanced: z.number().int(),
    waiting: z.number().int(),
    notPaid: z.number().int(),
    net: Money,
    charges: Money,
    refunds: Money,
    fees: Money,
    adjustments: Money,
    disputes: Money,
    reserves: Money,
    erpVariance: Money,
    shopifyVariance: Money,
    rounding: Money.openapi({
      description: 'Σ (Shopify − ERP) of lines matched within the amount tolerance (FX, cents), booked by the payout journal as payout rounding.',
    }),
    reconciled: z
      .boolean()
      .openapi({ description: "Every payout tied, and (when the ledger was checked) every paid payout's journal is in the ERP and ties." }),
  })
  .openapi('MonthRow');

export const MonthEndReportSchema = z.object({ generatedAt: z.string(), months: z.array(MonthRow), payouts: z.array(PayoutRow) }).openapi('MonthEndReport');
