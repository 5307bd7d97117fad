// Admin GraphQL results (shapes of documents.ts) -> canonical objects.
import { Decimal } from 'decimal.js';
import type {
  MoneyBag,
  ShopifyAddress,
  ShopifyBalanceTransaction,
  ShopifyDispute,
  ShopifyDiscountAllocation,
  ShopifyOrder,
  ShopifyPayout,
  ShopifyRefund,
  ShopifyShippingLine,
  ShopifyTaxLine,
  ShopifyTransaction,
  Money,
} from './types.ts';
import {
  allocatedDiscount,
  arr,
  bool,
  dec,
  enumName,
  gid,
  int,
  isObj,
  legacyIdOf,
  lineTotal,
  minusBag,
  money,
  obj,
  postedFigures,
  reqStr,
  str,
  sumBags,
  type Obj,
  type UnpostedLineItem,
} from './convert-util.ts';

function nodes(v: unknown, path: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (!isObj(v)) return [];
  if (Array.isArray(v.nodes)) return v.nodes;
  if (Array.isArray(v.edges)) return v.edges.map((e) => (isObj(e) ? e.node : e));
  return arr(undefined, path);
}

function m(v: unknown, path: string): Money {
  const o = obj(v, path);
  return money(o.amount, o.currencyCode, path);
}

function bag(v: unknown, path: string): MoneyBag {
  const o = obj(v, path);
  return { shop: m(o.shopMoney, `${path}.shopMoney`), presentment: m(o.presentmentMoney, `${path}.presentmentMoney`) };
}

function taxLines(v: unknown, path: string): ShopifyTaxLine[] {
  return arr(v, path).map((t, i) => {
    const o = obj(t, `${path}[${i}]`);
    return {
      title: str(o.title) ?? '',
      rate: o.rate === null || o.rate === undefined ? null : new Decimal(String(o.rate)).toString(),
      price: bag(o.priceSet, `${path}[${i}].priceSet`),
      channelLiable: o.channelLiable === null || o.channelLiable === undefined ? null : bool(o.channelLiable),
    };
  });
}

function allocations(v: unknown, path: string): ShopifyDiscountAllocation[] {
  return arr(v, path).map((a, i) => {
    const o = obj(a, `${path}[${i}]`);
    const app = isObj(o.discountApplication) ? o.discountApplication : {};
    return {
      amount: bag(o.allocatedAmountSet, `${path}[${i}].allocatedAmountSet`),
      discountApplicationIndex: typeof app.index === 'number' ? app.index : null,
    };
  });
}

function idOf(v: unknown): string | null {
  return isObj(v) && typeof v.id === 'string' ? v.id : null;
}

function lineItem(v: unknown, path: string): UnpostedLineItem {
  const o = obj(v, path);
  const discountAllocations = allocations(o.discountAllocations, `${path}.discountAllocations`);
  return {
    id: reqStr(o.id, `${path}.id`),
    productId: idOf(o.product),
    variantId: idOf(o.variant),
    sku: str(o.sku) || null,
    name: str(o.name) ?? '',
    title: str(o.title) ?? '',
    variantTitle: str(o.variantTitle),
    vendor: str(o.vendor),
    quantity: int(o.quantity, `${path}.quantity`),
    currentQuantity: o.currentQuantity === null || o.currentQuantity === undefined ? null : int(o.currentQuantity, `${path}.currentQuantity`),
    unitPrice: bag(o.originalUnitPriceSet, `${path}.originalUnitPriceSet`),
    totalDiscount: allocatedDiscount(discountAllocations) ?? bag(o.totalDiscountSet, `${path}.totalDiscountSet`),
    taxable: bool(o.taxable),
    requiresShipping: bool(o.requiresShipping),
    isGiftCard: bool(o.isGiftCard),
    isTip: false,
    taxLines: taxLines(o.taxLines, `${path}.taxLines`),
    discountAllocations,
  };
}

/**
 * The Admin GraphQL API marks no line item a tip; it gives only the order's totalTipReceivedSet. A tip is a line with
 * no product or variant, not a gift card, that ships nothing: those lines are the tips when, together, they are exactly
 * the tips received. Otherwise none is (a custom line is not taken for a tip: the mapping then refuses the line with
 * no SKU, rather than a guess posting it to the tip item).
 */
function withTips(lines: UnpostedLineItem[], received: MoneyBag | null): UnpostedLineItem[] {
  if (!received || new Decimal(received.shop.amount).isZero()) return lines;
  const tipLike = (l: UnpostedLineItem) => !l.productId && !l.variantId && !l.isGiftCard && !l.requiresShipping;
  const sum = lines.filter(tipLike).reduce((a, l) => a.plus(lineTotal(l)), new Decimal(0));
  if (!sum.eq(received.shop.amount)) return lines;
  return lines.map((l) => (tipLike(l) ? { ...l, isTip: true } : l));
}

function shippingLine(v: unknown, path: string): ShopifyShippingLine {
  const o = obj(v, path);
  const price = bag(o.originalPriceSet, `${path}.originalPriceSet`);
  const discountAllocations = allocations(o.discountAllocations, `${path}.discountAllocations`);
  const discount = allocatedDiscount(discountAllocations);
  return {
    id: str(o.id),
    title: str(o.title) ?? '',
    code: str(o.code),
    source: str(o.source),
    price,
    discountedPrice: discount ? minusBag(price, discount) : bag(o.discountedPriceSet, `${path}.discountedPriceSet`),
    taxLines: taxLines(o.taxLines, `${path}.taxLines`),
    discountAllocations,
    isRemoved: bool(o.isRemoved),
  };
}

function address(v: unknown): ShopifyAddress | null {
  if (!isObj(v)) return null;
  return {
    name: str(v.name),
    firstName: str(v.firstName),
    lastName: str(v.lastName),
    company: str(v.company),
    address1: str(v.address1),
    address2: str(v.address2),
    city: str(v.city),
    province: str(v.province),
    provinceCode: str(v.provinceCode),
    zip: str(v.zip),
    country: str(v.country),
    countryCode: str(v.countryCodeV2),
    phone: str(v.phone),
  };
}

export function orderFromGraphql(v: unknown, path = '$.order'): ShopifyOrder {
  const o = obj(v, path);
  const id = reqStr(o.id, `${path}.id`);
  const customer = isObj(o.customer) ? o.customer : null;
  const order = {
    id,
    legacyId: str(o.legacyResourceId) ?? legacyIdOf(id),
    name: reqStr(o.name, `${path}.name`),
    email: str(o.email),
    createdAt: reqStr(o.createdAt, `${path}.createdAt`),
    updatedAt: reqStr(o.updatedAt, `${path}.updatedAt`),
    processedAt: str(o.processedAt),
    cancelledAt: str(o.cancelledAt),
    cancelReason: str(o.cancelReason),
    closedAt: str(o.closedAt),
    test: bool(o.test),
    sourceName: str(o.sourceName),
    tags: arr(o.tags, `${path}.tags`).map(String),
    note: str(o.note),
    currency: reqStr(o.currencyCode, `${path}.currencyCode`),
    presentmentCurrency: reqStr(o.presentmentCurrencyCode, `${path}.presentmentCurrencyCode`),
    taxesIncluded: bool(o.taxesIncluded),
    locationId: isObj(o.retailLocation) && typeof o.retailLocation.id === 'string' ? o.retailLocation.id : null,
    taxExempt: bool(o.taxExempt),
    financialStatus: str(o.displayFinancialStatus),
    fulfillmentStatus: str(o.displayFulfillmentStatus),
    subtotal: bag(o.subtotalPriceSet, `${path}.subtotalPriceSet`),
    totalDiscounts: bag(o.totalDiscountsSet, `${path}.totalDiscountsSet`),
    totalShipping: bag(o.totalShippingPriceSet, `${path}.totalShippingPriceSet`),
    totalTax: bag(o.totalTaxSet, `${path}.totalTaxSet`),
    total: bag(o.totalPriceSet, `${path}.totalPriceSet`),
    currentTotal: bag(o.currentTotalPriceSet, `${path}.currentTotalPriceSet`),
    currentTotalTax: bag(o.currentTotalTaxSet, `${path}.currentTotalTaxSet`),
    // Null when the order has no duties (and in a response that did not ask for them).
    totalDuties: isObj(o.originalTotalDutiesSet) ? bag(o.originalTotalDutiesSet, `${path}.originalTotalDutiesSet`) : null,
    currentTotalDuties: isObj(o.currentTotalDutiesSet) ? bag(o.currentTotalDutiesSet, `${path}.currentTotalDutiesSet`) : null,
    lineItems: withTips(
      nodes(o.lineItems, `${path}.lineItems`).map((l, i) => lineItem(l, `${path}.lineItems.nodes[${i}]`)),
      isObj(o.totalTipReceivedSet) ? bag(o.totalTipReceivedSet, `${path}.totalTipReceivedSet`) : null,
    ),
    shippingLines: nodes(o.shippingLines, `${path}.shippingLines`).map((s, i) => shippingLine(s, `${path}.shippingLines.nodes[${i}]`)),
    taxLines: taxLines(o.taxLines, `${path}.taxLines`),
    discountApplications: nodes(o.discountApplications, `${path}.discountApplications`).map((d, i) => {
      const p = `${path}.discountApplications.nodes[${i}]`;
      const da = obj(d, p);
      const value = isObj(da.value) ? da.value : {};
      const isPct = value.percentage !== undefined;
      return {
        index: typeof da.index === 'number' ? da.index : i,
        type: enumName(String(da.__typename ?? 'DiscountApplication').replace(/Application$/, '')) ?? 'UNKNOWN',
        title: str(da.title),
        code: str(da.code),
        description: str(da.description),
        valueType: isPct ? 'PERCENTAGE' : 'FIXED_AMOUNT',
        value: dec(isPct ? value.percentage : value.amount, `${p}.value`),
        allocationMethod: str(da.allocationMethod),
        targetSelection: str(da.targetSelection),
        targetType: str(da.targetType),
      };
    }),
    discountCodes: arr(o.discountCodes, `${path}.discountCodes`).map(String),
    paymentGateways: arr(o.paymentGatewayNames, `${path}.paymentGatewayNames`).map(String),
    customer: customer
      ? {
          id: reqStr(customer.id, `${path}.customer.id`),
          email: isObj(customer.defaultEmailAddress) ? str(customer.defaultEmailAddress.emailAddress) : null,
          firstName: str(customer.firstName),
          lastName: str(customer.lastName),
          phone: str(customer.phone),
        }
      : null,
    billingAddress: address(o.billingAddress),
    shippingAddress: address(o.shippingAddress),
    refunds: Array.isArray(o.refunds) ? o.refunds.map((r, i) => refundFromGraphql(r, `${path}.refunds[${i}]`, id)) : [],
    raw: v,
  };
  // Only a query that selects `refunds` says what was refunded (ORDER_FIELDS does not: a line that lost units is then not postable).
  return postedFigures(
    order,
    Array.isArray(o.refunds),
    isObj(o.currentTotalDiscountsSet) ? bag(o.currentTotalDiscountsSet, `${path}.currentTotalDiscountsSet`) : null,
  );
}

function transaction(v: unknown, path: string): ShopifyTransaction {
  const o = obj(v, path);
  const amt = isObj(o.amountSet) && isObj(o.amountSet.presentmentMoney) ? o.amountSet.presentmentMoney : obj(o.amount, `${path}.amountSet`);
  return {
    id: reqStr(o.id, `${path}.id`),
    kind: str(o.kind) ?? 'UNKNOWN',
    status: str(o.status) ?? 'UNKNOWN',
    gateway: str(o.gateway),
    amount: { amount: dec((amt as Obj).amount, `${path}.amountSet.presentmentMoney.amount`), currencyCode: str((amt as Obj).currencyCode) },
    parentId: idOf(o.parentTransaction),
    processedAt: str(o.processedAt),
    test: bool(o.test),
  };
}

/** The duties a refund gives back (Refund.duties), summed; null when it lists none or was not asked for them. */
function refundDuties(v: unknown, path: string): MoneyBag | null {
  const each = arr(v ?? [], path).map((d, i) => bag(obj(d, `${path}[${i}]`).amountSet, `${path}[${i}].amountSet`));
  const [first] = each;
  return first ? sumBags(each, first.shop.currencyCode, first.presentment.currencyCode) : null;
}

export function refundFromGraphql(v: unknown, path = '$.refund', orderId?: string): ShopifyRefund {
  const o = obj(v, path);
  const transactions = nodes(o.transactions, `${path}.transactions`).map((t, i) => transaction(t, `${path}.transactions.nodes[${i}]`));
  return {
    id: reqStr(o.id, `${path}.id`),
    orderId: idOf(o.order) ?? reqStr(orderId, `${path}.order.id`),
    createdAt: reqStr(o.createdAt, `${path}.createdAt`),
    processedAt: str(o.createdAt),
    note: str(o.note),
    refundLineItems: nodes(o.refundLineItems, `${path}.refundLineItems`).map((r, i) => {
      const p = `${path}.refundLineItems.nodes[${i}]`;
      const ro = obj(r, p);
      const li = obj(ro.lineItem, `${p}.lineItem`);
      const restockType = str(ro.restockType) ?? 'NO_RESTOCK';
      return {
        id: reqStr(ro.id, `${p}.id`),
        lineItemId: reqStr(li.id, `${p}.lineItem.id`),
        sku: str(li.sku) || null,
        quantity: int(ro.quantity, `${p}.quantity`),
        restockType,
        restocked: ro.restocked === undefined ? restockType !== 'NO_RESTOCK' : bool(ro.restocked),
        locationId: idOf(ro.location),
        subtotal: bag(ro.subtotalSet, `${p}.subtotalSet`),
        totalTax: bag(ro.totalTaxSet, `${p}.totalTaxSet`),
        isTip: false,
      };
    }),
    refundShippingLines: nodes(o.refundShippingLines, `${path}.refundShippingLines`).map((r, i) => {
      const p = `${path}.refundShippingLines.nodes[${i}]`;
      const ro = obj(r, p);
      return {
        shippingLineId: idOf(ro.shippingLine),
        subtotal: bag(ro.subtotalAmountSet, `${p}.subtotalAmountSet`),
        tax: bag(ro.taxAmountSet, `${p}.taxAmountSet`),
      };
    }),
    orderAdjustments: nodes(o.orderAdjustments, `${path}.orderAdjustments`).map((r, i) => {
      const p = `${path}.orderAdjustments.nodes[${i}]`;
      const ro = obj(r, p);
      return {
        id: str(ro.id),
        kind: null,
        reason: str(ro.reason),
        amount: bag(ro.amountSet, `${p}.amountSet`),
        tax: bag(ro.taxAmountSet, `${p}.taxAmountSet`),
      };
    }),
    duties: refundDuties(o.duties, `${path}.duties`),
    transactions,
    settled: transactions.filter((t) => t.kind === 'REFUND').every((t) => t.status === 'SUCCESS'),
    raw: v,
  };
}

export function payoutFromGraphql(v: unknown, path = '$.payout'): ShopifyPayout {
  const o = obj(v, path);
  const id = reqStr(o.id, `${path}.id`);
  const s = obj(o.summary, `${path}.summary`);
  const sm = (k: string) => m(s[k], `${path}.summary.${k}`);
  const transactionType = o.transactionType === 'WITHDRAWAL' ? 'WITHDRAWAL' : 'DEPOSIT';
  const net = m(o.net, `${path}.net`);
  if (transactionType === 'WITHDRAWAL' && !net.amount.startsWith('-')) net.amount = `-${net.amount}`;
  return {
    id,
    legacyId: str(o.legacyResourceId) ?? legacyIdOf(id),
    status: reqStr(o.status, `${path}.status`),
    issuedAt: reqStr(o.issuedAt, `${path}.issuedAt`),
    transactionType,
    net,
    summary: {
      adjustmentsFee: sm('adjustmentsFee'),
      adjustmentsGross: sm('adjustmentsGross'),
      chargesFee: sm('chargesFee'),
      chargesGross: sm('chargesGross'),
      refundsFee: sm('refundsFee'),
      refundsGross: sm('refundsFeeGross'),
      reservedFundsFee: sm('reservedFundsFee'),
      reservedFundsGross: sm('reservedFundsGross'),
      retriedPayoutsFee: sm('retriedPayoutsFee'),
      retriedPayoutsGross: sm('retriedPayoutsGross'),
    },
    balanceTransactions: [],
    raw: v,
  };
}

export function balanceTransactionFromGraphql(v: unknown, path = '$.balanceTransaction'): ShopifyBalanceTransaction {
  const o = obj(v, path);
  const payout = isObj(o.associatedPayout) ? o.associatedPayout : {};
  const order = isObj(o.associatedOrder) ? o.associatedOrder : null;
  return {
    id: reqStr(o.id, `${path}.id`),
    type: reqStr(o.type, `${path}.type`),
    test: bool(o.test),
    payoutId: str(payout.id),
    payoutStatus: str(payout.status),
    amount: m(o.amount, `${path}.amount`),
    fee: m(o.fee, `${path}.fee`),
    net: m(o.net, `${path}.net`),
    sourceId: str(o.sourceId),
    sourceType: str(o.sourceType),
    sourceOrderId: order ? str(order.id) : null,
    sourceOrderTransactionId:
      o.sourceOrderTransactionId == null ? null : gid('OrderTransaction', String(o.sourceOrderTransactionId), `${path}.sourceOrderTransactionId`),
    processedAt: reqStr(o.transactionDate, `${path}.transactionDate`),
    adjustmentReason: str(o.adjustmentReason),
    adjustmentOrderTransactions: arr(o.adjustmentsOrders, `${path}.adjustmentsOrders`).map((a, i) => {
      const p = `${path}.adjustmentsOrders[${i}]`;
      const ao = obj(a, p);
      return {
        orderTransactionId: gid('OrderTransaction', String(ao.orderTransactionId), `${p}.orderTransactionId`),
        amount: m(ao.amount, `${p}.amount`),
        orderId: null,
        orderName: str(ao.name),
      };
    }),
    raw: v,
  };
}

export function disputeFromGraphql(v: unknown, path = '$.dispute'): ShopifyDispute {
  const o = obj(v, path);
  const reason = isObj(o.reasonDetails) ? o.reasonDetails : {};
  const order = isObj(o.order) ? o.order : null;
  return {
    id: reqStr(o.id, `${path}.id`),
    legacyId: reqStr(String(o.legacyResourceId ?? ''), `${path}.legacyResourceId`),
    type: reqStr(o.type, `${path}.type`),
    status: reqStr(o.status, `${path}.status`),
    reason: reqStr(reason.reason, `${path}.reasonDetails.reason`),
    networkReasonCode: str(reason.networkReasonCode),
    initiatedAt: reqStr(o.initiatedAt, `${path}.initiatedAt`),
    evidenceDueBy: str(o.evidenceDueBy),
    evidenceSentOn: str(o.evidenceSentOn),
    finalizedOn: str(o.finalizedOn),
    amount: m(o.amount, `${path}.amount`),
    orderId: order ? str(order.id) : null,
    orderName: order ? str(order.name) : null,
  };
}
