// What each node type means for the business: one sentence, which system's data it reads or changes, and the
// exception types it can raise. Node types not listed fall back to their own description.
export interface StepMeaning {
  does: string;
  /** [system, data, direction] e.g. ['ERP', 'sales orders', 'writes']. */
  data: Array<[string, string, 'reads' | 'writes']>;
  raises: string[];
}

const ERP_FAIL = ['erp-rejected', 'erp-unreachable'];

export const STEP_MEANINGS: Record<string, StepMeaning> = {
  'shopify.trigger': {
    does: 'Starts when Shopify reports a change (an order paid, a refund created...).',
    data: [['Shopify', 'the order or refund that changed', 'reads']],
    raises: ['unprocessable-event', 'webhook-unverified', 'webhook-silence'],
  },
  'shopify.payouts': {
    does: 'Fetches the Shopify Payments payouts issued since the last run, with every charge, refund, fee and adjustment in them.',
    data: [['Shopify', 'payouts and balance transactions', 'reads']],
    raises: ['rate-limited'],
  },
  'shopify.inventory-push': {
    does: 'Sets the quantity available to sell in Shopify, per SKU and location.',
    data: [['Shopify', 'available stock', 'writes']],
    raises: ['sku-missing-in-erp', 'duplicate-sku', 'unmapped-location', 'rate-limited'],
  },
  'shopify.fulfilment-push': {
    does: 'Marks Shopify orders as shipped, with the tracking number, and lets Shopify notify the customer.',
    data: [['Shopify', 'fulfilments and tracking', 'writes']],
    raises: ['unmapped-location', 'rate-limited'],
  },
  'erp.upsert-customer': { does: 'Creates or updates the customer in the ERP.', data: [['ERP', 'customers', 'writes']], raises: ERP_FAIL },
  'erp.post-sales-order': {
    does: "Creates the sales order in the ERP as a draft with Shopify's own tax, checks it line by line against Shopify, then confirms it (once per Shopify order, never twice, even when runs overlap).",
    data: [['ERP', 'sales orders and invoices', 'writes']],
    raises: [...ERP_FAIL, 'sku-missing-in-erp', 'orphaned-order', 'erp-totals-mismatch'],
  },
  'erp.payment-gate': {
    does: 'Lets only paid or authorised orders through; pending, voided, expired, test and cancelled orders end the run as skipped, with the reason on the run.',
    data: [],
    raises: [],
  },
  'erp.cancel-sales-order': { does: 'Cancels the ERP sales order of a cancelled Shopify order.', data: [['ERP', 'sales orders', 'writes']], raises: ERP_FAIL },
  'erp.read-stock': {
    does: 'Reads available stock per SKU and warehouse from the ERP.',
    data: [['ERP', 'stock levels', 'reads']],
    raises: ['erp-unreachable', 'inventory-drift'],
  },
  'erp.read-fulfilments': {
    does: 'Reads the shipments completed in the ERP since the last run.',
    data: [['ERP', 'shipments', 'reads']],
    raises: ['erp-unreachable'],
  },
  'erp.post-credit-memo': {
    does: "Books the refund as a credit memo in the ERP with Shopify's refunded tax, after checking it against Shopify's refund, the cash returned and what the invoice has left to credit; restocks at the refund line's location.",
    data: [['ERP', 'credit memos', 'writes']],
    raises: [...ERP_FAIL, 'credit-memo-mismatch', 'refund-cash-mismatch', 'credit-exceeds-invoice'],
  },
  'erp.post-journal': {
    does: "Posts the payout journal in the ERP general ledger (bank, fees, adjustments, reserve, Shopify clearing), once per payout; refused when the payout currency is not the ERP company's.",
    data: [['ERP', 'general ledger', 'writes']],
    raises: [...ERP_FAIL, 'currency-mismatch'],
  },
  'erp.read-ledger': { does: 'Reads posted ledger lines from the ERP.', data: [['ERP', 'general ledger', 'reads']], raises: ['erp-unreachable'] },
  'finance.reconcile-payouts': {
    does: 'Matches every transaction of each payout to the ERP invoices and credit memos; a payout that ties to the cent is passed on to be posted, one that does not is held and reported to finance.',
    data: [['ERP', 'invoices and credit memos', 'reads']],
    raises: ['payout-variance', 'payout-missing-in-erp', 'payout-refund-unposted', 'payout-amount-mismatch', 'payout-unknown-in-shopify', 'payout-dispute'],
  },
  'finance.gift-card-journal': {
    does: 'Books gift cards sold on a paid order as a liability (not revenue) and gift cards it was paid with as the release of that liability, one journal per order.',
    data: [],
    raises: ['gift-card-redemption-unknown'],
  },
  'finance.gift-card-refund-journal': {
    does: 'Books what a refund put back onto gift cards as gift-card liability again (the credit memo stays the whole refund), one journal per refund.',
    data: [],
    raises: [],
  },
  'finance.settle-receivables': {
    does: 'After the payout journal, settles in the ERP the invoices and credit memos the payout paid (clearing to receivable, reconciled); a chargeback reopens its invoice, a won dispute pays it again.',
    data: [['ERP', 'general ledger and invoices', 'writes']],
    raises: [...ERP_FAIL, 'currency-mismatch', 'payout-settlement-incomplete'],
  },
  'finance.manual-payment-receipt': {
    does: "For an order paid outside Shopify Payments (cash on delivery, a bank transfer), books the receipt in the ERP and reconciles it with the order's invoice and the credit memos of goods returned before payment; other orders end the run skipped.",
    data: [['ERP', 'general ledger and invoices', 'writes']],
    raises: [...ERP_FAIL, 'currency-mismatch', 'manual-payment-mismatch', 'manual-payment-unreconciled'],
  },
  'lookup.tax-code': { does: 'Translates each Shopify tax line into the ERP tax code, using the tax-codes table.', data: [], raises: ['unmapped-tax-code'] },
  'lookup.location': { does: 'Translates the Shopify location into the ERP warehouse, using the locations table.', data: [], raises: ['unmapped-location'] },
  'lookup.table': { does: 'Looks a value up in a table (e.g. payment gateway to ERP payment method).', data: [], raises: [] },
  'core.map': { does: 'Builds the ERP document from the Shopify data, field by field (see Mappings).', data: [], raises: [] },
  'core.branch': { does: 'Decides which way the flow continues.', data: [], raises: [] },
  'core.code': { does: 'Runs custom logic written by a consultant.', data: [], raises: [] },
};

/** Exception types this runbook needs that the inbox defaults do not describe. */
export const EXTRA_EXCEPTIONS: Record<string, { owner: string; meaning: string; triage: string[] }> = {
  'payout-refund-unposted': {
    owner: 'finance',
    meaning: 'Shopify refunded a customer in a payout but the ERP has no credit memo for it: revenue and receivables are overstated.',
    triage: [
      'Find the refund in Shopify (order, refund date, amount)',
      'Check the refund flow run for it and retry, or post the credit memo',
      'The reconciliation clears the exception on its next run',
    ],
  },
};
