// Every GraphQL document Ledgerline sends to Shopify's Admin API (2026-10). documents.test.ts validates each one
// against Shopify's published schema, so a wrong field name fails CI instead of a merchant's sync. Each carries the
// result and variables types `npm run shopify-types` generates from that schema (admin-types.generated.ts).
import type {
  BalanceTransactionsQuery,
  BalanceTransactionsQueryVariables,
  CatalogAuditQuery,
  CatalogAuditQueryVariables,
  DisputeQuery,
  DisputeQueryVariables,
  FulfillmentCreateMutation,
  FulfillmentCreateMutationVariables,
  InventorySetQuantitiesMutation,
  InventorySetQuantitiesMutationVariables,
  LocationsQuery,
  LocationsQueryVariables,
  OrderByIdQuery,
  OrderByIdQueryVariables,
  OrderByNameQuery,
  OrderByNameQueryVariables,
  OrderFulfillmentStateQuery,
  OrderFulfillmentStateQueryVariables,
  OrderStateQuery,
  OrderStateQueryVariables,
  OrdersUpdatedSinceQuery,
  OrdersUpdatedSinceQueryVariables,
  PayoutsQuery,
  PayoutsQueryVariables,
  RefundTransactionsForOrdersQuery,
  RefundTransactionsForOrdersQueryVariables,
  RefundsForOrderQuery,
  RefundsForOrderQueryVariables,
  VariantsBySkuQuery,
  VariantsBySkuQueryVariables,
} from './admin-types.generated.ts';
import { typedDocument } from './typed-document.ts';

const MONEY_BAG = `shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }`;
const TAX_LINE = `title rate channelLiable priceSet { ${MONEY_BAG} }`;
const ALLOCATION = `allocatedAmountSet { ${MONEY_BAG} } discountApplication { index }`;
const ADDRESS = `name firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone`;

export const ORDER_FIELDS = `
  id legacyResourceId name email createdAt updatedAt processedAt cancelledAt cancelReason closedAt test sourceName tags note
  currencyCode presentmentCurrencyCode taxesIncluded taxExempt displayFinancialStatus displayFulfillmentStatus
  subtotalPriceSet { ${MONEY_BAG} } totalDiscountsSet { ${MONEY_BAG} } totalShippingPriceSet { ${MONEY_BAG} }
  totalTaxSet { ${MONEY_BAG} } totalPriceSet { ${MONEY_BAG} } currentTotalPriceSet { ${MONEY_BAG} } currentTotalTaxSet { ${MONEY_BAG} }
  originalTotalDutiesSet { ${MONEY_BAG} } currentTotalDutiesSet { ${MONEY_BAG} } totalTipReceivedSet { ${MONEY_BAG} }
  taxLines { ${TAX_LINE} }
  discountCodes paymentGatewayNames
  customer { id firstName lastName phone defaultEmailAddress { emailAddress } }
  billingAddress { ${ADDRESS} }
  shippingAddress { ${ADDRESS} }
  discountApplications(first: 10) {
    nodes {
      __typename index allocationMethod targetSelection targetType
      value { __typename ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } }
      ... on DiscountCodeApplication { code }
      ... on ManualDiscountApplication { title description }
      ... on AutomaticDiscountApplication { title }
      ... on ScriptDiscountApplication { title }
    }
  }
  shippingLines(first: 5) {
    nodes {
      id title code source isRemoved
      originalPriceSet { ${MONEY_BAG} } discountedPriceSet { ${MONEY_BAG} }
      taxLines { ${TAX_LINE} }
      discountAllocations { ${ALLOCATION} }
    }
  }
  lineItems(first: $lineItems) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id sku name title variantTitle vendor quantity currentQuantity taxable requiresShipping isGiftCard
      variant { id } product { id }
      originalUnitPriceSet { ${MONEY_BAG} } totalDiscountSet { ${MONEY_BAG} }
      taxLines { ${TAX_LINE} }
      discountAllocations { ${ALLOCATION} }
    }
  }`;

export const ORDER_BY_ID = typedDocument<OrderByIdQuery, OrderByIdQueryVariables>(`query OrderById($id: ID!, $lineItems: Int!) {
  order(id: $id) { ${ORDER_FIELDS} }
}`);

/** Sweep for missed webhooks: orders updated since a cursor, oldest first. */
/** Ids only: a full order costs ~140 + 18 per line item, so the sweep pages ids cheaply and fetches orders one by one. */
export const ORDERS_UPDATED_SINCE = typedDocument<
  OrdersUpdatedSinceQuery,
  OrdersUpdatedSinceQueryVariables
>(`query OrdersUpdatedSince($query: String!, $first: Int!, $after: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id name createdAt updatedAt cancelledAt displayFinancialStatus }
  }
}`);

const MONEY_BAG_Q = MONEY_BAG;
export const REFUND_FIELDS = `
  id createdAt updatedAt note order { id }
  totalRefundedSet { ${MONEY_BAG_Q} }
  refundLineItems(first: 50) {
    nodes {
      id quantity restockType restocked location { id } lineItem { id sku }
      subtotalSet { ${MONEY_BAG_Q} } totalTaxSet { ${MONEY_BAG_Q} }
    }
  }
  refundShippingLines(first: 5) {
    nodes { shippingLine { id } subtotalAmountSet { ${MONEY_BAG_Q} } taxAmountSet { ${MONEY_BAG_Q} } }
  }
  orderAdjustments(first: 10) {
    nodes { id reason amountSet { ${MONEY_BAG_Q} } taxAmountSet { ${MONEY_BAG_Q} } }
  }
  duties { amountSet { ${MONEY_BAG_Q} } }
  transactions(first: 10) {
    nodes { id kind status gateway processedAt test parentTransaction { id } amountSet { presentmentMoney { amount currencyCode } } }
  }`;

export const REFUNDS_FOR_ORDER = typedDocument<RefundsForOrderQuery, RefundsForOrderQueryVariables>(`query RefundsForOrder($id: ID!) {
  order(id: $id) { id currencyCode presentmentCurrencyCode refunds(first: 10) { ${REFUND_FIELDS} } }
}`);

/**
 * Which refund each order transaction belongs to, for many orders in one request (`nodes` takes at most 250 ids and
 * is charged per id): only ids, so an order costs ~14 points instead of the ~600 of REFUNDS_FOR_ORDER's full refunds.
 */
export const REFUND_TRANSACTIONS_FOR_ORDERS = typedDocument<
  RefundTransactionsForOrdersQuery,
  RefundTransactionsForOrdersQueryVariables
>(`query RefundTransactionsForOrders($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Order { id refunds(first: 10) { id transactions(first: 10) { nodes { id } } } } }
}`);

export const LOCATIONS = typedDocument<LocationsQuery, LocationsQueryVariables>(`query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: false) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId name isActive fulfillsOnlineOrders }
  }
}`);

/**
 * Resolve SKUs to inventory items with their current `available` per location. `$query` is "sku:'A' OR sku:'B'".
 * `displayName` (a scalar, free) instead of `product { title }` (an object, 1 point per variant): at 13 points per
 * variant with 3 locations, this read is what a full push spends most of its budget on.
 */
export const VARIANTS_BY_SKU = typedDocument<
  VariantsBySkuQuery,
  VariantsBySkuQueryVariables
>(`query VariantsBySku($query: String!, $first: Int!, $after: String, $levels: Int!) {
  productVariants(first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id sku displayName
      inventoryItem {
        id tracked
        inventoryLevels(first: $levels) {
          nodes { location { id name } quantities(names: ["available"]) { name quantity } }
        }
      }
    }
  }
}`);

export const INVENTORY_SET_QUANTITIES = typedDocument<
  InventorySetQuantitiesMutation,
  InventorySetQuantitiesMutationVariables
>(`mutation InventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}`);

export const ORDER_FULFILLMENT_STATE = typedDocument<OrderFulfillmentStateQuery, OrderFulfillmentStateQueryVariables>(`query OrderFulfillmentState($id: ID!) {
  order(id: $id) {
    id name
    fulfillments(first: 20) {
      id status createdAt
      location { id }
      trackingInfo(first: 5) { company number url }
      fulfillmentLineItems(first: 50) { nodes { quantity lineItem { id sku } } }
    }
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        assignedLocation { location { id } }
        lineItems(first: 25) { nodes { id sku remainingQuantity totalQuantity lineItem { id sku } } }
      }
    }
  }
}`);

export const ORDER_BY_NAME = typedDocument<OrderByNameQuery, OrderByNameQueryVariables>(`query OrderByName($query: String!) {
  orders(first: 2, query: $query) { nodes { id name } }
}`);

export const FULFILLMENT_CREATE = typedDocument<
  FulfillmentCreateMutation,
  FulfillmentCreateMutationVariables
>(`mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 5) { company number url } }
    userErrors { field message }
  }
}`);

const PAYOUT_FIELDS = `id legacyResourceId issuedAt status transactionType net { amount currencyCode }
  summary {
    adjustmentsFee { amount currencyCode } adjustmentsGross { amount currencyCode }
    chargesFee { amount currencyCode } chargesGross { amount currencyCode }
    refundsFee { amount currencyCode } refundsFeeGross { amount currencyCode }
    reservedFundsFee { amount currencyCode } reservedFundsGross { amount currencyCode }
    retriedPayoutsFee { amount currencyCode } retriedPayoutsGross { amount currencyCode }
  }`;

/** Payouts in issue order; `$query` e.g. "issued_at:>=2026-01-01". */
export const PAYOUTS = typedDocument<PayoutsQuery, PayoutsQueryVariables>(`query Payouts($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    id
    payouts(first: $first, after: $after, query: $query, sortKey: ISSUED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes { ${PAYOUT_FIELDS} }
    }
  }
}`);

/** Balance transactions of one payout: `$query` = "payments_transfer_id:<payout legacy id>". */
export const BALANCE_TRANSACTIONS = typedDocument<
  BalanceTransactionsQuery,
  BalanceTransactionsQueryVariables
>(`query BalanceTransactions($first: Int!, $after: String, $query: String!) {
  shopifyPaymentsAccount {
    id
    balanceTransactions(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type test transactionDate sourceId sourceType sourceOrderTransactionId adjustmentReason
        amount { amount currencyCode } fee { amount currencyCode } net { amount currencyCode }
        associatedOrder { id name }
        associatedPayout { id status }
        adjustmentsOrders { orderTransactionId name amount { amount currencyCode } }
      }
    }
  }
}`);

/** One Shopify Payments dispute (a balance transaction's sourceId when its sourceType is DISPUTE). */
export const DISPUTE = typedDocument<DisputeQuery, DisputeQueryVariables>(`query Dispute($id: ID!) {
  dispute(id: $id) {
    id legacyResourceId type status initiatedAt evidenceDueBy evidenceSentOn finalizedOn
    amount { amount currencyCode }
    reasonDetails { reason networkReasonCode }
    order { id name }
  }
}`);

/**
 * Catalogue audit: every inventory item with its SKU, tracking and Shopify's own duplicate count
 * (`duplicateSkuCount`: other items sharing this SKU). 2 points per item: 250 per page is 502 points.
 */
export const CATALOG_AUDIT = typedDocument<CatalogAuditQuery, CatalogAuditQueryVariables>(`query CatalogAudit($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku tracked duplicateSkuCount variant { id displayName } }
  }
}`);

/** What Shopify says about an order now, before a cancel, edit or refund event is acted on (confirm-order-state.ts). */
export const ORDER_STATE = typedDocument<OrderStateQuery, OrderStateQueryVariables>(`query OrderState($id: ID!, $lineItems: Int!) {
  order(id: $id) {
    id name updatedAt cancelledAt cancelReason displayFinancialStatus
    refunds(first: 100) { id createdAt }
    lineItems(first: $lineItems) { pageInfo { hasNextPage } nodes { id quantity currentQuantity } }
  }
}`);

/** Registry used by the schema-validation test and the sandbox store's cost tests. */
export const DOCUMENTS = {
  ORDER_BY_ID,
  ORDER_STATE,
  ORDERS_UPDATED_SINCE,
  REFUNDS_FOR_ORDER,
  REFUND_TRANSACTIONS_FOR_ORDERS,
  LOCATIONS,
  VARIANTS_BY_SKU,
  INVENTORY_SET_QUANTITIES,
  ORDER_FULFILLMENT_STATE,
  ORDER_BY_NAME,
  FULFILLMENT_CREATE,
  PAYOUTS,
  BALANCE_TRANSACTIONS,
  DISPUTE,
  CATALOG_AUDIT,
} as const;

export type DocumentName = keyof typeof DOCUMENTS;
