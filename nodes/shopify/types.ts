// The canonical Shopify objects every flow sees, whichever way they arrived (webhook REST JSON or Admin GraphQL).
// Ids are GID strings; money is a decimal string with its ISO currency; enums use the Admin GraphQL spelling.

export type Gid = string;

export interface Money {
  amount: string;
  currencyCode: string;
}

/** An amount in the shop's currency and in the currency the buyer saw (presentment). */
export interface MoneyBag {
  shop: Money;
  presentment: Money;
}

export interface ShopifyTaxLine {
  title: string;
  /** Decimal fraction, e.g. "0.2" for 20 %; null when Shopify gives none. */
  rate: string | null;
  price: MoneyBag;
  channelLiable: boolean | null;
}

/** A line item's tax line; Shopify's `price` counts every unit ordered, removed and refunded ones included. */
export interface ShopifyLineTaxLine extends ShopifyTaxLine {
  /** The part of `price` on the line's `postedQuantity` units (all of it unless an edit removed some). */
  postedPrice: MoneyBag;
}

export interface ShopifyDiscountAllocation {
  amount: MoneyBag;
  /** Index into `ShopifyOrder.discountApplications`. */
  discountApplicationIndex: number | null;
}

export interface ShopifyDiscountApplication {
  index: number;
  type: string;
  title: string | null;
  code: string | null;
  description: string | null;
  valueType: 'PERCENTAGE' | 'FIXED_AMOUNT' | string;
  /** Percentage ("10.0") or amount, per valueType. */
  value: string;
  allocationMethod: string | null;
  targetSelection: string | null;
  targetType: string | null;
}

export interface ShopifyLineItem {
  id: Gid;
  productId: Gid | null;
  variantId: Gid | null;
  sku: string | null;
  name: string;
  title: string;
  variantTitle: string | null;
  vendor: string | null;
  /** Units ordered, counting the ones later removed by edits and refunded (Shopify's LineItem.quantity). */
  quantity: number;
  /** Units left after edits and refunds; null when the source does not say. */
  currentQuantity: number | null;
  /**
   * Units the ERP sales order carries: what the order's edits left, refunded units included (each refund becomes its
   * own credit memo, so leaving them out here would count them twice). Null when the payload cannot tell the units an
   * edit removed from refunded ones (see `ShopifyOrder.postedProblem`); 0 for a line an edit removed.
   */
  postedQuantity: number | null;
  /** Price of one unit before discounts. */
  unitPrice: MoneyBag;
  /** All discounts on this line (sum of its allocations), removed and refunded units included. */
  totalDiscount: MoneyBag;
  /** The part of `totalDiscount` on the `postedQuantity` units. */
  postedDiscount: MoneyBag;
  taxable: boolean;
  requiresShipping: boolean;
  /** A gift card sale is a liability, not revenue. */
  isGiftCard: boolean;
  /**
   * The customer's tip, which Shopify adds to an order as a line item of its own: no product, no SKU, in the order's
   * total and in the payout (REST marks it with `tip_payment_gateway`, present only on tips; the Admin GraphQL API's
   * LineItem has no such field: an order read there marks the lines without product, variant or shipping when they
   * are exactly its totalTipReceivedSet, and none otherwise).
   */
  isTip: boolean;
  taxLines: ShopifyLineTaxLine[];
  discountAllocations: ShopifyDiscountAllocation[];
}

export interface ShopifyShippingLine {
  id: Gid | null;
  title: string;
  code: string | null;
  source: string | null;
  price: MoneyBag;
  discountedPrice: MoneyBag;
  taxLines: ShopifyTaxLine[];
  discountAllocations: ShopifyDiscountAllocation[];
  isRemoved: boolean;
}

export interface ShopifyAddress {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string | null;
  countryCode: string | null;
  phone: string | null;
}

export interface ShopifyCustomer {
  id: Gid;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

export interface ShopifyTransaction {
  id: Gid;
  kind: string; // SALE, CAPTURE, AUTHORIZATION, VOID, REFUND, ...
  status: string; // SUCCESS, PENDING, FAILURE, ERROR, ...
  gateway: string | null;
  /** In the currency of the transaction (the presentment currency); currency null when Shopify omits it. */
  amount: { amount: string; currencyCode: string | null };
  parentId: Gid | null;
  processedAt: string | null;
  test: boolean;
}

export interface ShopifyRefundLineItem {
  id: Gid;
  lineItemId: Gid;
  sku: string | null;
  quantity: number;
  restockType: 'RETURN' | 'CANCEL' | 'LEGACY_RESTOCK' | 'NO_RESTOCK' | string;
  restocked: boolean;
  locationId: Gid | null;
  subtotal: MoneyBag;
  totalTax: MoneyBag;
  /** The refunded line is a customer's tip (REST's line item marks it; the Admin GraphQL API cannot, so false there). */
  isTip: boolean;
}

export interface ShopifyRefundShippingLine {
  shippingLineId: Gid | null;
  subtotal: MoneyBag;
  tax: MoneyBag;
}

export interface ShopifyOrderAdjustment {
  id: Gid | null;
  kind: string | null;
  reason: string | null;
  amount: MoneyBag;
  tax: MoneyBag;
}

export interface ShopifyRefund {
  id: Gid;
  orderId: Gid;
  createdAt: string;
  processedAt: string | null;
  note: string | null;
  refundLineItems: ShopifyRefundLineItem[];
  refundShippingLines: ShopifyRefundShippingLine[];
  orderAdjustments: ShopifyOrderAdjustment[];
  /** Import duties this refund gives back, part of its cash (null: the payload says nothing of duties). */
  duties: MoneyBag | null;
  transactions: ShopifyTransaction[];
  /** True when every refund transaction succeeded (a pending refund has moved no money yet). */
  settled: boolean;
  raw: unknown;
}

export type FinancialStatus = 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'VOIDED' | 'PAID' | 'REFUNDED' | 'EXPIRED';

export interface ShopifyPostedFigures {
  total: MoneyBag;
  totalTax: MoneyBag;
  totalDiscounts: MoneyBag;
  /** The duties in `total` (null: none). */
  totalDuties: MoneyBag | null;
  /** True when an edit removed units, so the figures are Shopify's current ones rather than its totals. */
  edited: boolean;
}

export interface ShopifyOrder {
  id: Gid;
  legacyId: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  closedAt: string | null;
  test: boolean;
  sourceName: string | null;
  /** The location the order was placed at (POS) or assigned to, when Shopify says; null for most online orders. */
  locationId: Gid | null;
  tags: string[];
  note: string | null;
  /** Shop currency. */
  currency: string;
  presentmentCurrency: string;
  taxesIncluded: boolean;
  taxExempt: boolean;
  financialStatus: FinancialStatus | string | null;
  fulfillmentStatus: string | null;
  subtotal: MoneyBag;
  totalDiscounts: MoneyBag;
  totalShipping: MoneyBag;
  totalTax: MoneyBag;
  total: MoneyBag;
  /** Totals after edits and refunds. */
  currentTotal: MoneyBag;
  currentTotalTax: MoneyBag;
  /**
   * Import duties the customer paid at checkout (delivered duty paid), part of `total`; null when the order has none or
   * the payload does not say (the Admin GraphQL order as read here). `currentTotalDuties`: after edits and refunds.
   */
  totalDuties: MoneyBag | null;
  currentTotalDuties: MoneyBag | null;
  /**
   * What the ERP sales order must add up to: the order as its edits left it, before refunds. Shopify's `total*` for an
   * order no edit removed units from; its `current*` for one an edit did (its `total*` may still count the removed
   * units). Null when the payload cannot tell (`postedProblem` says why): such an order must not be posted.
   */
  posted: ShopifyPostedFigures | null;
  /** Why `posted` (or a line's `postedQuantity`) is null, naming the order and the line; null when it is not. */
  postedProblem: string | null;
  lineItems: ShopifyLineItem[];
  shippingLines: ShopifyShippingLine[];
  /** Order-level aggregate tax lines. */
  taxLines: ShopifyTaxLine[];
  discountApplications: ShopifyDiscountApplication[];
  discountCodes: string[];
  paymentGateways: string[];
  /**
   * Shopify's payment terms (B2B net terms, due on receipt or fulfilment): the order is sold on credit and stays
   * `pending` until the buyer pays. Null when it has none; undefined when the payload does not say (the Admin GraphQL
   * order as read here: `Order.paymentTerms` needs the read_payment_terms scope).
   */
  paymentTerms?: ShopifyPaymentTerms | null;
  customer: ShopifyCustomer | null;
  billingAddress: ShopifyAddress | null;
  shippingAddress: ShopifyAddress | null;
  refunds: ShopifyRefund[];
  raw: unknown;
}

export interface ShopifyPaymentTerms {
  /** PaymentTermsType: NET, FIXED, RECEIPT, FULFILLMENT, UNKNOWN. */
  type: string;
  /** "Net 30", "Due on fulfillment". */
  name: string | null;
  dueInDays: number | null;
}

export interface ShopifyOrderEdit {
  id: Gid;
  orderId: Gid;
  committedAt: string | null;
  notifyCustomer: boolean;
  lineItemAdditions: { lineItemId: Gid; delta: number }[];
  lineItemRemovals: { lineItemId: Gid; delta: number }[];
  raw: unknown;
}

/** A Shopify Payments dispute (ShopifyPaymentsDispute): a chargeback or inquiry on an order's payment. */
export interface ShopifyDispute {
  id: Gid;
  legacyId: string;
  /** CHARGEBACK | INQUIRY */
  type: string;
  /** NEEDS_RESPONSE, UNDER_REVIEW, WON, LOST, ACCEPTED, CHARGE_REFUNDED, PREVENTED (open-ended). */
  status: string;
  /** ShopifyPaymentsDisputeReason: FRAUDULENT, PRODUCT_NOT_RECEIVED, ... */
  reason: string;
  networkReasonCode: string | null;
  initiatedAt: string;
  evidenceDueBy: string | null;
  evidenceSentOn: string | null;
  finalizedOn: string | null;
  amount: Money;
  orderId: Gid | null;
  orderName: string | null;
}

export interface ShopifyBalanceTransaction {
  id: Gid;
  /** Open-ended (CHARGE, REFUND, ADJUSTMENT, DISPUTE, RESERVED_FUNDS, ADVANCE, ...): never assume a closed list. */
  type: string;
  test: boolean;
  payoutId: Gid | null;
  payoutStatus: string | null;
  amount: Money;
  fee: Money;
  net: Money;
  sourceId: string | null;
  sourceType: string | null;
  sourceOrderId: Gid | null;
  sourceOrderTransactionId: Gid | null;
  processedAt: string;
  adjustmentReason: string | null;
  adjustmentOrderTransactions: { orderTransactionId: Gid; amount: Money; orderId: Gid | null; orderName: string | null }[];
  /** The dispute behind a DISPUTE transaction, as Shopify gives it (shopify.payouts reads it; null when Shopify has none). */
  dispute?: ShopifyDispute | null;
  raw: unknown;
}

export interface ShopifyPayoutSummary {
  adjustmentsFee: Money;
  adjustmentsGross: Money;
  chargesFee: Money;
  chargesGross: Money;
  refundsFee: Money;
  refundsGross: Money;
  reservedFundsFee: Money;
  reservedFundsGross: Money;
  retriedPayoutsFee: Money;
  retriedPayoutsGross: Money;
}

export interface ShopifyPayout {
  id: Gid;
  legacyId: string;
  status: string; // SCHEDULED, IN_TRANSIT, PAID, FAILED, CANCELED
  /** Date the payout was issued (YYYY-MM-DD or ISO timestamp as Shopify gives it). */
  issuedAt: string;
  transactionType: 'DEPOSIT' | 'WITHDRAWAL';
  /** Signed from the merchant's bank's point of view: negative for a withdrawal. */
  net: Money;
  summary: ShopifyPayoutSummary;
  /** Filled by `shopify.payouts`; converters leave it empty. Empty too when the transactions are `stored`. */
  balanceTransactions: ShopifyBalanceTransaction[];
  /**
   * Set when `shopify.payouts` wrote the transactions into the runtime's payout rows instead of this list (a year of
   * them would otherwise travel as one step output): the Shopify connection they are kept under, how many, and the
   * digest of the rows in read order (checked by the reader), and the first and last day they were processed.
   */
  stored?: { scope: string; count: number; digest: string; from: string | null; to: string | null };
  raw: unknown;
}
