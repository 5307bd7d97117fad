// REST-shaped JSON (webhook bodies, legacy REST responses) -> canonical objects.
import { Decimal } from 'decimal.js';
import type {
  MoneyBag,
  ShopifyAddress,
  ShopifyBalanceTransaction,
  ShopifyCustomer,
  ShopifyDiscountAllocation,
  ShopifyDiscountApplication,
  ShopifyOrder,
  ShopifyOrderEdit,
  ShopifyPaymentTerms,
  ShopifyPayout,
  ShopifyRefund,
  ShopifyShippingLine,
  ShopifyTaxLine,
  ShopifyTransaction,
} from './types.ts';
import {
  ShopifyConversionError,
  allocatedDiscount,
  arr,
  bool,
  dec,
  enumName,
  gid,
  int,
  isObj,
  legacyIdOf,
  minusBag,
  money,
  obj,
  optGid,
  postedFigures,
  reqStr,
  restGid,
  str,
  sumBags,
  zeroBag,
  type Obj,
  type UnpostedLineItem,
} from './convert-util.ts';

interface Cur {
  shop: string;
  presentment: string;
}

/** A REST `*_set` object, or the plain shop amount when the set is absent and the currencies agree. */
function bag(set: unknown, plain: unknown, cur: Cur, path: string): MoneyBag {
  if (isObj(set)) {
    const s = obj(set.shop_money, `${path}.shop_money`);
    const p = obj(set.presentment_money, `${path}.presentment_money`);
    return {
      shop: money(s.amount, s.currency_code ?? cur.shop, `${path}.shop_money`),
      presentment: money(p.amount, p.currency_code ?? cur.presentment, `${path}.presentment_money`),
    };
  }
  if (plain === undefined || plain === null) throw new ShopifyConversionError(path, 'amount is missing');
  if (cur.shop !== cur.presentment) {
    throw new ShopifyConversionError(path, `only a shop-currency amount is given but the presentment currency (${cur.presentment}) differs`);
  }
  const amount = dec(plain, path);
  return { shop: { amount, currencyCode: cur.shop }, presentment: { amount, currencyCode: cur.presentment } };
}

function optBag(set: unknown, plain: unknown, cur: Cur, path: string): MoneyBag {
  if (!isObj(set) && (plain === undefined || plain === null)) return zeroBag(cur.shop, cur.presentment);
  return bag(set, plain, cur, path);
}

function taxLines(v: unknown, cur: Cur, path: string): ShopifyTaxLine[] {
  return arr(v, path).map((t, i) => {
    const p = `${path}[${i}]`;
    const o = obj(t, p);
    return {
      title: str(o.title) ?? '',
      rate: o.rate === null || o.rate === undefined ? null : new Decimal(String(o.rate)).toString(),
      price: bag(o.price_set, o.price, cur, `${p}.price_set`),
      channelLiable: o.channel_liable === undefined || o.channel_liable === null ? null : bool(o.channel_liable),
    };
  });
}

function allocations(v: unknown, cur: Cur, path: string): ShopifyDiscountAllocation[] {
  return arr(v, path).map((a, i) => {
    const p = `${path}[${i}]`;
    const o = obj(a, p);
    return {
      amount: bag(o.amount_set, o.amount, cur, `${p}.amount_set`),
      discountApplicationIndex:
        o.discount_application_index === undefined || o.discount_application_index === null
          ? null
          : int(o.discount_application_index, `${p}.discount_application_index`),
    };
  });
}

export function lineItemFromRest(v: unknown, cur: Cur, path: string): UnpostedLineItem {
  const o = obj(v, path);
  const discountAllocations = allocations(o.discount_allocations, cur, `${path}.discount_allocations`);
  return {
    id: restGid('LineItem', o, path),
    productId: optGid('Product', o.product_id, `${path}.product_id`),
    variantId: optGid('ProductVariant', o.variant_id, `${path}.variant_id`),
    sku: str(o.sku) || null,
    name: str(o.name) ?? str(o.title) ?? '',
    title: str(o.title) ?? '',
    variantTitle: str(o.variant_title),
    vendor: str(o.vendor),
    quantity: int(o.quantity, `${path}.quantity`),
    currentQuantity: o.current_quantity === undefined || o.current_quantity === null ? null : int(o.current_quantity, `${path}.current_quantity`),
    unitPrice: bag(o.price_set, o.price, cur, `${path}.price_set`),
    totalDiscount: allocatedDiscount(discountAllocations) ?? optBag(o.total_discount_set, o.total_discount, cur, `${path}.total_discount_set`),
    taxable: bool(o.taxable),
    requiresShipping: bool(o.requires_shipping),
    isGiftCard: bool(o.gift_card),
    isTip: isTipLine(o),
    taxLines: taxLines(o.tax_lines, cur, `${path}.tax_lines`),
    discountAllocations,
  };
}

function shippingLine(v: unknown, cur: Cur, path: string): ShopifyShippingLine {
  const o = obj(v, path);
  const price = bag(o.price_set, o.price, cur, `${path}.price_set`);
  const discountAllocations = allocations(o.discount_allocations, cur, `${path}.discount_allocations`);
  const discount = allocatedDiscount(discountAllocations);
  return {
    id: optGid('ShippingLine', o.id, `${path}.id`),
    title: str(o.title) ?? '',
    code: str(o.code),
    source: str(o.source),
    price,
    discountedPrice: discount
      ? minusBag(price, discount)
      : isObj(o.discounted_price_set) || o.discounted_price != null
        ? bag(o.discounted_price_set, o.discounted_price, cur, `${path}.discounted_price_set`)
        : price,
    taxLines: taxLines(o.tax_lines, cur, `${path}.tax_lines`),
    discountAllocations,
    isRemoved: bool(o.is_removed),
  };
}

function discountApplication(v: unknown, index: number, path: string): ShopifyDiscountApplication {
  const o = obj(v, path);
  return {
    index,
    type: enumName(o.type) ?? 'UNKNOWN',
    title: str(o.title),
    code: str(o.code),
    description: str(o.description),
    valueType: enumName(o.value_type) ?? 'UNKNOWN',
    value: dec(o.value, `${path}.value`),
    allocationMethod: enumName(o.allocation_method),
    targetSelection: enumName(o.target_selection),
    targetType: enumName(o.target_type),
  };
}

function address(v: unknown): ShopifyAddress | null {
  if (!isObj(v)) return null;
  return {
    name: str(v.name),
    firstName: str(v.first_name),
    lastName: str(v.last_name),
    company: str(v.company),
    address1: str(v.address1),
    address2: str(v.address2),
    city: str(v.city),
    province: str(v.province),
    provinceCode: str(v.province_code),
    zip: str(v.zip),
    country: str(v.country),
    countryCode: str(v.country_code),
    phone: str(v.phone),
  };
}

function customer(v: unknown, path: string): ShopifyCustomer | null {
  if (!isObj(v)) return null;
  return { id: restGid('Customer', v, path), email: str(v.email), firstName: str(v.first_name), lastName: str(v.last_name), phone: str(v.phone) };
}

const FULFILMENT_STATUS: Record<string, string> = { fulfilled: 'FULFILLED', partial: 'PARTIALLY_FULFILLED', restocked: 'RESTOCKED' };

export function transactionFromRest(v: unknown, path: string): ShopifyTransaction {
  const o = obj(v, path);
  return {
    id: restGid('OrderTransaction', o, path),
    kind: enumName(o.kind) ?? 'UNKNOWN',
    status: enumName(o.status) ?? 'UNKNOWN',
    gateway: str(o.gateway),
    amount: { amount: dec(o.amount, `${path}.amount`), currencyCode: str(o.currency) },
    parentId: optGid('OrderTransaction', o.parent_id, `${path}.parent_id`),
    processedAt: str(o.processed_at) ?? str(o.created_at),
    test: bool(o.test),
  };
}

export function refundFromRest(v: unknown, path = '$', orderCur?: Cur): ShopifyRefund {
  const o = obj(v, path);
  // A refund payload does not carry the order currencies; the sets inside carry them.
  const cur: Cur = orderCur ?? inferCurrencies(o) ?? { shop: 'XXX', presentment: 'XXX' };
  const transactions = arr(o.transactions, `${path}.transactions`).map((t, i) => transactionFromRest(t, `${path}.transactions[${i}]`));
  const refundTx = transactions.filter((t) => t.kind === 'REFUND');
  return {
    id: restGid('Refund', o, path),
    orderId: gid('Order', o.order_id, `${path}.order_id`),
    createdAt: reqStr(o.created_at, `${path}.created_at`),
    processedAt: str(o.processed_at),
    note: str(o.note),
    refundLineItems: arr(o.refund_line_items, `${path}.refund_line_items`).map((r, i) => {
      const p = `${path}.refund_line_items[${i}]`;
      const ro = obj(r, p);
      const li = isObj(ro.line_item) ? ro.line_item : undefined;
      const restockType = enumName(ro.restock_type) ?? 'NO_RESTOCK';
      return {
        id: restGid('RefundLineItem', ro, p),
        lineItemId: li && typeof li.admin_graphql_api_id === 'string' ? li.admin_graphql_api_id : gid('LineItem', ro.line_item_id, `${p}.line_item_id`),
        sku: li ? str(li.sku) || null : null,
        quantity: int(ro.quantity, `${p}.quantity`),
        restockType,
        restocked: restockType !== 'NO_RESTOCK',
        locationId: optGid('Location', ro.location_id, `${p}.location_id`),
        subtotal: bag(ro.subtotal_set, ro.subtotal, cur, `${p}.subtotal_set`),
        totalTax: bag(ro.total_tax_set, ro.total_tax, cur, `${p}.total_tax_set`),
        isTip: li ? isTipLine(li) : false,
      };
    }),
    refundShippingLines: arr(o.refund_shipping_lines, `${path}.refund_shipping_lines`).map((r, i) => {
      const p = `${path}.refund_shipping_lines[${i}]`;
      const ro = obj(r, p);
      return {
        shippingLineId: optGid('ShippingLine', ro.shipping_line_id ?? (isObj(ro.shipping_line) ? ro.shipping_line.id : null), `${p}.shipping_line_id`),
        subtotal: bag(ro.subtotal_amount_set, ro.subtotal_amount, cur, `${p}.subtotal_amount_set`),
        tax: optBag(ro.tax_amount_set, ro.tax_amount, cur, `${p}.tax_amount_set`),
      };
    }),
    orderAdjustments: arr(o.order_adjustments, `${path}.order_adjustments`).map((r, i) => {
      const p = `${path}.order_adjustments[${i}]`;
      const ro = obj(r, p);
      return {
        id: optGid('OrderAdjustment', ro.id, `${p}.id`),
        kind: enumName(ro.kind),
        reason: str(ro.reason),
        amount: bag(ro.amount_set, ro.amount, cur, `${p}.amount_set`),
        tax: optBag(ro.tax_amount_set, ro.tax_amount, cur, `${p}.tax_amount_set`),
      };
    }),
    duties: refundDuties(o, cur, path),
    transactions,
    settled: refundTx.every((t) => t.status === 'SUCCESS'),
    raw: v,
  };
}

// Shopify marks only a tip's line item with the gateway and method the tip was paid by.
const isTipLine = (li: Obj): boolean => li.tip_payment_gateway != null || li.tip_payment_method != null;

/** The refund's duties: Shopify's total when given, else the sum of the duties it lists; null when it lists none. */
function refundDuties(o: Obj, cur: Cur, path: string): MoneyBag | null {
  if (isObj(o.total_duties_set)) return bag(o.total_duties_set, undefined, cur, `${path}.total_duties_set`);
  if (!Array.isArray(o.duties)) return null;
  const each = o.duties.map((d, i) => bag(obj(d, `${path}.duties[${i}]`).amount_set, undefined, cur, `${path}.duties[${i}].amount_set`));
  return each.length ? sumBags(each, cur.shop, cur.presentment) : null;
}

function inferCurrencies(o: Obj): Cur | undefined {
  for (const key of ['refund_line_items', 'refund_shipping_lines', 'order_adjustments']) {
    for (const r of Array.isArray(o[key]) ? (o[key] as unknown[]) : []) {
      if (!isObj(r)) continue;
      for (const setKey of ['subtotal_set', 'subtotal_amount_set', 'amount_set']) {
        const s = r[setKey];
        if (isObj(s) && isObj(s.shop_money) && isObj(s.presentment_money)) {
          return { shop: String(s.shop_money.currency_code), presentment: String(s.presentment_money.currency_code) };
        }
      }
    }
  }
  return undefined;
}

export function orderFromRest(v: unknown, path = '$'): ShopifyOrder {
  const o = obj(v, path);
  const id = restGid('Order', o, path);
  const shop = reqStr(o.currency, `${path}.currency`);
  const cur: Cur = { shop, presentment: str(o.presentment_currency) ?? shop };
  const totalShipping = isObj(o.total_shipping_price_set)
    ? bag(o.total_shipping_price_set, undefined, cur, `${path}.total_shipping_price_set`)
    : sumBags(
        arr(o.shipping_lines, `${path}.shipping_lines`).map((s, i) => shippingLine(s, cur, `${path}.shipping_lines[${i}]`).price),
        cur.shop,
        cur.presentment,
      );
  const total = bag(o.total_price_set, o.total_price, cur, `${path}.total_price_set`);
  const totalTax = optBag(o.total_tax_set, o.total_tax, cur, `${path}.total_tax_set`);
  const currentTotalDiscounts =
    isObj(o.current_total_discounts_set) || o.current_total_discounts != null
      ? bag(o.current_total_discounts_set, o.current_total_discounts, cur, `${path}.current_total_discounts_set`)
      : null;
  const order = {
    id,
    legacyId: legacyIdOf(id),
    name: reqStr(o.name, `${path}.name`),
    email: str(o.email) || str(o.contact_email) || null,
    createdAt: reqStr(o.created_at, `${path}.created_at`),
    updatedAt: str(o.updated_at) ?? reqStr(o.created_at, `${path}.created_at`),
    processedAt: str(o.processed_at),
    cancelledAt: str(o.cancelled_at),
    cancelReason: enumName(o.cancel_reason),
    closedAt: str(o.closed_at),
    test: bool(o.test),
    sourceName: str(o.source_name),
    locationId: optGid('Location', o.location_id, `${path}.location_id`),
    tags:
      typeof o.tags === 'string'
        ? o.tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : arr(o.tags, `${path}.tags`).map(String),
    note: str(o.note),
    currency: cur.shop,
    presentmentCurrency: cur.presentment,
    taxesIncluded: bool(o.taxes_included),
    taxExempt: bool(o.tax_exempt),
    financialStatus: enumName(o.financial_status),
    fulfillmentStatus: o.fulfillment_status == null ? 'UNFULFILLED' : (FULFILMENT_STATUS[String(o.fulfillment_status)] ?? enumName(o.fulfillment_status)),
    subtotal: optBag(o.subtotal_price_set, o.subtotal_price, cur, `${path}.subtotal_price_set`),
    totalDiscounts: optBag(o.total_discounts_set, o.total_discounts, cur, `${path}.total_discounts_set`),
    totalShipping,
    totalTax,
    total,
    currentTotal:
      isObj(o.current_total_price_set) || o.current_total_price != null
        ? bag(o.current_total_price_set, o.current_total_price, cur, `${path}.current_total_price_set`)
        : total,
    currentTotalTax:
      isObj(o.current_total_tax_set) || o.current_total_tax != null
        ? bag(o.current_total_tax_set, o.current_total_tax, cur, `${path}.current_total_tax_set`)
        : totalTax,
    // Shopify sends null for an order without duties.
    totalDuties: isObj(o.original_total_duties_set) ? bag(o.original_total_duties_set, undefined, cur, `${path}.original_total_duties_set`) : null,
    currentTotalDuties: isObj(o.current_total_duties_set) ? bag(o.current_total_duties_set, undefined, cur, `${path}.current_total_duties_set`) : null,
    lineItems: arr(o.line_items, `${path}.line_items`).map((li, i) => lineItemFromRest(li, cur, `${path}.line_items[${i}]`)),
    shippingLines: arr(o.shipping_lines, `${path}.shipping_lines`).map((s, i) => shippingLine(s, cur, `${path}.shipping_lines[${i}]`)),
    taxLines: taxLines(o.tax_lines, cur, `${path}.tax_lines`),
    discountApplications: arr(o.discount_applications, `${path}.discount_applications`).map((d, i) =>
      discountApplication(d, i, `${path}.discount_applications[${i}]`),
    ),
    discountCodes: arr(o.discount_codes, `${path}.discount_codes`)
      .map((d) => (isObj(d) ? String(d.code ?? '') : String(d)))
      .filter(Boolean),
    paymentGateways: arr(o.payment_gateway_names, `${path}.payment_gateway_names`).map(String),
    paymentTerms: paymentTerms(o.payment_terms, `${path}.payment_terms`),
    customer: customer(o.customer, `${path}.customer`),
    billingAddress: address(o.billing_address),
    shippingAddress: address(o.shipping_address),
    refunds: arr(o.refunds, `${path}.refunds`).map((r, i) => refundFromRest(r, `${path}.refunds[${i}]`, cur)),
    raw: v,
  };
  // An order webhook always carries `refunds` (empty when there are none); a payload without it says nothing of them.
  return postedFigures(order, Array.isArray(o.refunds), currentTotalDiscounts);
}

/** REST `payment_terms` (null without terms): `payment_terms_type` "NET", `payment_terms_name` "Net 30", `due_in_days`. */
function paymentTerms(v: unknown, path: string): ShopifyPaymentTerms | null {
  if (v === null || v === undefined) return null;
  const t = obj(v, path);
  return {
    type: enumName(t.payment_terms_type) ?? 'UNKNOWN',
    name: str(t.payment_terms_name),
    dueInDays: t.due_in_days === null || t.due_in_days === undefined ? null : int(t.due_in_days, `${path}.due_in_days`),
  };
}

export function orderEditFromRest(v: unknown, path = '$'): ShopifyOrderEdit {
  const e = obj(obj(v, path).order_edit, `${path}.order_edit`);
  const p = `${path}.order_edit`;
  const lines = isObj(e.line_items) ? e.line_items : {};
  const deltas = (key: 'additions' | 'removals') =>
    arr(lines[key], `${p}.line_items.${key}`).map((a, i) => {
      const ao = obj(a, `${p}.line_items.${key}[${i}]`);
      return { lineItemId: gid('LineItem', ao.id, `${p}.line_items.${key}[${i}].id`), delta: int(ao.delta, `${p}.line_items.${key}[${i}].delta`) };
    });
  return {
    id: gid('OrderEdit', e.id, `${p}.id`),
    orderId: gid('Order', e.order_id, `${p}.order_id`),
    committedAt: str(e.committed_at),
    notifyCustomer: bool(e.notify_customer),
    lineItemAdditions: deltas('additions'),
    lineItemRemovals: deltas('removals'),
    raw: v,
  };
}

export function payoutFromRest(v: unknown, path = '$'): ShopifyPayout {
  const o = obj(v, path);
  const id = gid('ShopifyPaymentsPayout', o.id, `${path}.id`);
  const currency = reqStr(o.currency, `${path}.currency`);
  const s = isObj(o.summary) ? o.summary : {};
  const m = (k: string) => money(s[k] ?? '0', currency, `${path}.summary.${k}`);
  const net = money(o.amount, currency, `${path}.amount`);
  return {
    id,
    legacyId: legacyIdOf(id),
    status: enumName(o.status) ?? 'UNKNOWN',
    issuedAt: reqStr(o.date, `${path}.date`),
    transactionType: net.amount.startsWith('-') ? 'WITHDRAWAL' : 'DEPOSIT',
    net,
    summary: {
      adjustmentsFee: m('adjustments_fee_amount'),
      adjustmentsGross: m('adjustments_gross_amount'),
      chargesFee: m('charges_fee_amount'),
      chargesGross: m('charges_gross_amount'),
      refundsFee: m('refunds_fee_amount'),
      refundsGross: m('refunds_gross_amount'),
      reservedFundsFee: m('reserved_funds_fee_amount'),
      reservedFundsGross: m('reserved_funds_gross_amount'),
      retriedPayoutsFee: m('retried_payouts_fee_amount'),
      retriedPayoutsGross: m('retried_payouts_gross_amount'),
    },
    balanceTransactions: [],
    raw: v,
  };
}

export function balanceTransactionFromRest(v: unknown, path = '$'): ShopifyBalanceTransaction {
  const o = obj(v, path);
  const currency = reqStr(o.currency, `${path}.currency`);
  return {
    id: gid('ShopifyPaymentsBalanceTransaction', o.id, `${path}.id`),
    type: enumName(o.type) ?? 'UNKNOWN',
    test: bool(o.test),
    payoutId: optGid('ShopifyPaymentsPayout', o.payout_id, `${path}.payout_id`),
    payoutStatus: enumName(o.payout_status),
    amount: money(o.amount, currency, `${path}.amount`),
    fee: money(o.fee ?? '0', currency, `${path}.fee`),
    net: money(o.net, currency, `${path}.net`),
    sourceId: str(o.source_id),
    sourceType: enumName(o.source_type),
    sourceOrderId: optGid('Order', o.source_order_id, `${path}.source_order_id`),
    sourceOrderTransactionId: optGid('OrderTransaction', o.source_order_transaction_id, `${path}.source_order_transaction_id`),
    processedAt: reqStr(o.processed_at, `${path}.processed_at`),
    adjustmentReason: str(o.adjustment_reason),
    adjustmentOrderTransactions: arr(o.adjustment_order_transactions, `${path}.adjustment_order_transactions`).map((a, i) => {
      const p = `${path}.adjustment_order_transactions[${i}]`;
      const ao = obj(a, p);
      const order = isObj(ao.order) ? ao.order : undefined;
      return {
        orderTransactionId: gid('OrderTransaction', ao.id, `${p}.id`),
        amount: money(ao.amount, currency, `${p}.amount`),
        orderId: order ? optGid('Order', order.id, `${p}.order.id`) : null,
        orderName: order ? str(order.name) : null,
      };
    }),
    raw: v,
  };
}
