// What a payout reconciliation produces: one record per payout, kept in run outputs and read by the month-end report.
// Amounts are 2-decimal strings in the payout currency; Shopify ids are given as legacy numeric ids.

/** How a Shopify balance transaction is booked (Shopify's `type` is open-ended: unknown types land in `adjustment`). */
export type Bucket = 'charge' | 'refund' | 'fee' | 'adjustment' | 'dispute' | 'reserve' | 'payout-retry';

export type ItemStatus = 'matched' | 'missing-in-erp' | 'amount-mismatch' | 'erp-only' | 'unmatched-fee' | 'unmatched-adjustment';

export interface ReconItem {
  status: ItemStatus;
  bucket: Bucket | 'erp-document';
  /** Shopify balance transaction ids (legacy) grouped in this item. Empty for an ERP-only document. */
  transactions: string[];
  /** The Shopify type(s) as given, e.g. CHARGE, REFUND, RESERVED_FUNDS, SHIPPING_LABEL. */
  types: string[];
  orderId: string | null;
  refundId: string | null;
  /** Σ amount of the transactions (signed as Shopify gives them). */
  shopifyAmount: string;
  /** Σ Shopify Payments fee of these transactions (positive = cost), shown on the line, not only in the payout totals. */
  fee?: string;
  /** Σ net (amount − fee) of these transactions: what this line added to the payout. */
  net?: string;
  /** The ERP document's amount with the same sign convention, null when none was found. */
  erpAmount: string | null;
  /** shopifyAmount − erpAmount for a mismatch (or a within-tolerance difference on a match). */
  delta: string | null;
  matchedBy: 'id' | 'document' | 'amount-date' | null;
  erp: { kind: 'invoice' | 'credit-memo' | 'sales-order'; externalId: string; number: string | null; date: string } | null;
  date: string;
  note?: string;
}

export interface PayoutTotals {
  charges: string;
  refunds: string;
  /** Positive = cost: transaction fees plus fee-type transactions (shipping labels, chargeback fees...). */
  fees: string;
  adjustments: string;
  disputes: string;
  reserves: string;
  retriedPayouts: string;
  /** charges + refunds + adjustments + disputes + reserves + retriedPayouts − fees. */
  net: string;
}

export type PayoutStatus = 'balanced' | 'unbalanced' | 'waiting' | 'not-paid';

export interface PayoutReconciliation {
  payoutId: string;
  payoutGid: string;
  date: string;
  shopifyStatus: string;
  currency: string;
  status: PayoutStatus;
  /** The payout's net as Shopify reports it (signed: negative for a withdrawal). */
  payoutNet: string;
  totals: PayoutTotals;
  /** payoutNet − Σ transaction net: Shopify's own transactions do not add up to the payout. */
  shopifyVariance: string;
  /** Σ (Shopify − ERP) over order and refund items: what the ERP documents miss. */
  erpVariance: string;
  /**
   * Σ (Shopify − ERP) accepted within the per-line tolerance (rounding, FX): the payout journal's "Payout rounding"
   * line books it (negated) to the rounding account, so clearing, credited at the ERP's amounts, nets to zero.
   */
  withinTolerance: string;
  counts: Record<ItemStatus, number>;
  /** Transactions whose own net is not amount − fee (Shopify data that cannot be booked as given). */
  inconsistentTransactions: string[];
  items: ReconItem[];
  journalExternalId: string | null;
  reconciledAt: string;
}
