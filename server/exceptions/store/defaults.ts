// Who owns each exception type by default, how severe it is, and what the triage steps are. Hosts override
// owners (and severities) per type through the service options.
import type { ExceptionType, Owner, Severity } from '../../../runtime/node-api/exceptions.ts';

export interface TypeDefaults {
  owner: Owner;
  severity: Severity;
  /** One line for people: what it means for the business. */
  meaning: string;
  /** What to do about it, in order. */
  triage: string[];
}

export const EXCEPTION_DEFAULTS: Record<string, TypeDefaults> = {
  'unmapped-tax-code': {
    owner: 'finance',
    severity: 'high',
    meaning: 'An order carries a tax rate no lookup row maps to an ERP tax code; it is not in the ERP yet.',
    triage: [
      "Create the tax code in the ERP if it does not exist yet (same rate as Shopify's)",
      'Add the tax rate to the tax-codes lookup table, mapped to that ERP tax code',
      'Retry the failed runs from the inbox',
    ],
  },
  'unmapped-location': {
    owner: 'operations',
    severity: 'high',
    meaning: 'A Shopify location has no ERP warehouse mapping; orders or stock for it do not sync.',
    triage: ['Add the location to the locations lookup table', 'Retry the failed runs'],
  },
  'sku-missing-in-erp': {
    owner: 'ecommerce',
    severity: 'high',
    meaning: 'A Shopify SKU does not exist in the ERP item master.',
    triage: ['Create the item in the ERP or correct the SKU in Shopify', 'Retry the failed runs'],
  },
  'duplicate-sku': {
    owner: 'ecommerce',
    severity: 'medium',
    meaning: 'One SKU is used by several products or items, so stock and orders cannot be matched reliably.',
    triage: ['Give each variant its own SKU', 'Re-run the audit'],
  },
  'erp-rejected': {
    owner: 'operations',
    severity: 'high',
    meaning: 'The ERP refused a document (validation, closed period, blocked customer...).',
    triage: ['Read the ERP message in the exception', 'Fix the data or the ERP setup', 'Retry'],
  },
  'erp-unreachable': {
    owner: 'operations',
    severity: 'high',
    meaning: 'The ERP did not answer after every retry; documents are waiting.',
    triage: ['Check the ERP is up and the connection credentials are valid', 'Retry the failed runs once it answers'],
  },
  'inventory-drift': {
    owner: 'operations',
    severity: 'medium',
    meaning: 'Shopify shows a different available quantity than the ERP (less safety stock), beyond tolerance: overselling or lost sales.',
    triage: ['Check recent stock movements in the ERP', 'Run the inventory push flow', 'Check the location mapping'],
  },
  'orphaned-order': {
    owner: 'ecommerce',
    severity: 'high',
    meaning: 'A paid Shopify order has no ERP sales order: it will not be picked or invoiced.',
    triage: ['Find the order run in Runs (by order id)', 'Fix its failure and retry, or replay the webhook'],
  },
  'payment-mismatch': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'The payment status in Shopify does not match the order in the ERP.',
    triage: ['Compare the Shopify order timeline with the ERP order', 'Cancel or credit in the ERP, or correct Shopify'],
  },
  'payout-variance': {
    owner: 'finance',
    severity: 'high',
    meaning: 'A Shopify payout does not tie to its transactions and ERP documents; its journal was not posted.',
    triage: ['Open the payout report', 'Resolve each unmatched line', 'Re-run the reconciliation'],
  },
  'payout-missing-in-erp': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'A payout transaction has no matching ERP document.',
    triage: ['Post the missing document', 'Re-run the reconciliation'],
  },
  'payout-amount-mismatch': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'A payout transaction and its ERP document differ in amount.',
    triage: ['Compare both amounts', 'Correct the ERP document'],
  },
  'payout-unknown-in-shopify': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'An ERP entry on the clearing account matches no Shopify transaction.',
    triage: ['Check whether it was posted twice or belongs to another channel'],
  },
  'payout-dispute': {
    owner: 'finance',
    severity: 'high',
    meaning: "A customer disputed a payment (chargeback): Shopify took the amount back, the order's invoice is open again and the chargeback fee is booked.",
    triage: [
      'Open the dispute in Shopify and submit evidence before the deadline in the exception',
      'Won: the next payout repays the invoice and clears this',
      'Lost: write the open receivable off to the disputes account in the ERP, then resolve',
    ],
  },
  'payout-settlement-incomplete': {
    owner: 'finance',
    severity: 'high',
    meaning:
      'A payout was posted, but invoices or credit memos it paid were no longer in the ERP when they were to be settled: their amounts stay on the receivable and on Shopify clearing.',
    triage: [
      'Find each document named in the ERP (deleted, cancelled or renumbered after the payout was reconciled)',
      'Settle it by hand against Shopify clearing, or restore it and settle it',
      'Resolve with a note',
    ],
  },
  'gift-card-redemption-unknown': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'An order was paid partly by gift card but the amount redeemed is not in the order, so the gift-card liability was not released for it.',
    triage: [
      'Read the gift-card transaction amount on the order in Shopify',
      'Book it in the ERP: debit the gift-card liability, credit Shopify clearing',
      'Resolve',
    ],
  },
  'stuck-run': {
    owner: 'operations',
    severity: 'high',
    meaning: 'A run has been in progress far longer than the flow usually takes.',
    triage: ['Open the run to see the step it waits on', 'Check that system', 'Cancel and replay if needed'],
  },
  'failed-run': {
    owner: 'operations',
    severity: 'medium',
    meaning: 'A run failed for a reason not classified further.',
    triage: ['Open the run and read the failed step', 'Fix the cause, then retry'],
  },
  'webhook-silence': {
    owner: 'ecommerce',
    severity: 'high',
    meaning: 'No events arrived from the shop during trading hours: webhooks may be broken.',
    triage: [
      'Check the webhook subscriptions in Shopify',
      'Check the server is reachable',
      'Fetch the paid orders missed from their orphaned-order exceptions',
    ],
  },
  'webhook-unverified': {
    owner: 'operations',
    severity: 'high',
    meaning:
      "Shopify deliveries to a connection fail verification: the app's webhook secret here is missing or out of date (or someone is probing the endpoint).",
    triage: [
      "Compare the connection's webhook secret with the Shopify app's",
      'Update it; the next delivery that verifies resolves this',
      'Fetch the paid orders refused meanwhile from their orphaned-order exceptions',
    ],
  },
  'rate-limited': {
    owner: 'operations',
    severity: 'medium',
    meaning: 'A shop or ERP connection has been at its rate limit for a long time; syncs are slowing down.',
    triage: ['Look for a runaway flow or a bulk import', 'Spread schedules out or raise the plan'],
  },
  'erp-totals-mismatch': {
    owner: 'finance',
    severity: 'high',
    meaning:
      "The ERP draft of an order does not add up to what Shopify charged (per line: net or Shopify's tax; or in total). Nothing was booked: the draft is kept.",
    triage: [
      'Read the differences per line in the exception',
      'An unmapped or wrong tax rate: create the tax code in the ERP and map it in the tax-codes table',
      'A price or discount difference: correct the mapping or the ERP item',
      'Retry the run: the draft is replaced and checked again',
    ],
  },
  'credit-memo-mismatch': {
    owner: 'finance',
    severity: 'high',
    meaning: "A credit memo built from a Shopify refund does not equal the refund's own totals (lines, tax, shipping, adjustments). Nothing was booked.",
    triage: ['Compare the refund in Shopify with the differences in the exception', 'Fix the mapping or the tax codes', 'Retry the run'],
  },
  'refund-cash-mismatch': {
    owner: 'finance',
    severity: 'high',
    meaning:
      'The refunded lines and the cash actually returned differ (goodwill, store credit, an adjustment) and no account is configured for the difference. Nothing was booked.',
    triage: [
      'Decide where the difference belongs (goodwill expense, store credit liability...)',
      'Set differenceAccount on the credit memo node, or post the memo by hand',
      'Retry the run',
    ],
  },
  'credit-exceeds-invoice': {
    owner: 'finance',
    severity: 'high',
    meaning: "A refund would credit more than remains credit-able on the order's invoice. Nothing was booked.",
    triage: ['Check earlier credit memos of the order and the invoice total', 'Post the excess as a separate adjustment if it is real', 'Retry or resolve'],
  },
  'manual-payment-mismatch': {
    owner: 'finance',
    severity: 'high',
    meaning: 'A payment taken outside Shopify (cash on delivery, a bank transfer) does not match the ERP invoice less its credit memos. Nothing was booked.',
    triage: [
      "Compare the order's total in Shopify with its ERP invoice and credit memos",
      'Post what the ERP is missing, or book the receipt by hand',
      'Retry or resolve',
    ],
  },
  'manual-payment-unreconciled': {
    owner: 'finance',
    severity: 'medium',
    meaning: 'The receipt of a payment taken outside Shopify is booked, but the invoice or a credit memo of the order still reads open in the ERP.',
    triage: ['Find the document named as open in the ERP', 'Reconcile it with the receipt by hand, or post the missing credit memo', 'Resolve with a note'],
  },
  'currency-mismatch': {
    owner: 'finance',
    severity: 'high',
    meaning:
      "A payout, gift-card or settlement journal is in the shop's currency but the ERP company keeps its books in another; Shopify gives no amounts in the ERP's currency, so nothing was booked (not converted at a guessed rate).",
    triage: [
      'Read both currencies in the exception',
      "Post this shop to an ERP company in the shop's currency, or book the journal by hand at your rate",
      'Resolve (or retry after changing the connection)',
    ],
  },
  'unprocessable-event': {
    owner: 'operations',
    severity: 'medium',
    meaning: 'An incoming event could not be processed.',
    triage: ['Open the event', 'Fix the flow or the payload, then replay'],
  },
};

const FALLBACK: TypeDefaults = {
  owner: 'operations',
  severity: 'medium',
  meaning: 'An integration problem needs attention.',
  triage: ['Read the detail', 'Fix the cause'],
};

export const defaultsFor = (type: ExceptionType): TypeDefaults => EXCEPTION_DEFAULTS[type] ?? FALLBACK;
