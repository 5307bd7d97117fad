// The sandbox store's data, held in Admin GraphQL shape, seeded from a scenario file.
//
// Scenario format (JSON; the default is scenarios/default.json, documented in scenarios/README.md):
// {
//   "shop":      { "name": "Demo", "currency": "GBP" },
//   "locations": [{ "id": 1, "name": "Leeds warehouse", "active": true }],
//   "products":  [{ "id": 10, "title": "Tee", "variants": [{ "id": 100, "title": "S", "sku": "TEE-S", "price": "20.00",
//                   "inventoryItemId": 1000, "tracked": true }] }],        // duplicate and empty SKUs allowed
//   "inventory": [{ "inventoryItemId": 1000, "locationId": 1, "available": 7, "onHand": 9 }],
//   "customers": [{ "id": 5, "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": null }],
//   "orders":    [ <REST/webhook-shaped order JSON, e.g. Shopify's orders/create example> ],
//   "refunds":   [ <REST-shaped refund JSON with order_id> ],
//   "fulfillmentOrders": [{ "id": 1, "orderId": 2, "locationId": 1, "lines": [{ "lineItemId": 3, "quantity": 1 }] }],
//   "payouts":   [ <REST payout JSON> ],
//   "balanceTransactions": [ <REST balance transaction JSON with payout_id> ]
// }
// Ids may be numbers, digit strings or GIDs. An order without explicit fulfillment orders gets one per location its
// shippable lines are assigned to ("location_id" on the order, else the first location).
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonLossless } from '../lossless-json.ts';
import { balanceTransactionFromRest, orderFromRest, payoutFromRest, refundFromRest } from '../convert-rest.ts';
import { gid, lineTotal } from '../convert-util.ts';
import { currencyText } from '../../core/currency.ts';
import type { GraphQLEnumType } from 'graphql';
import { loadAdminSchema } from '../schema.ts';
import type { MoneyBag, ShopifyOrder, ShopifyRefund, ShopifyTaxLine } from '../types.ts';

export interface Scenario {
  shop?: { name?: string; currency?: string };
  locations?: { id: string | number; name: string; active?: boolean }[];
  products?: {
    id: string | number;
    title: string;
    variants: { id: string | number; title?: string; sku?: string | null; price?: string; inventoryItemId: string | number; tracked?: boolean }[];
  }[];
  inventory?: { inventoryItemId: string | number; locationId: string | number; available: number; onHand?: number }[];
  customers?: { id: string | number; firstName?: string | null; lastName?: string | null; email?: string | null; phone?: string | null; tags?: string[] }[];
  orders?: unknown[];
  fulfillmentOrders?: {
    id: string | number;
    orderId: string | number;
    locationId: string | number;
    lines: { lineItemId: string | number; quantity: number }[];
  }[];
  refunds?: unknown[];
  payouts?: unknown[];
  balanceTransactions?: unknown[];
  /** Shopify Payments disputes, REST JSON (id, order_id, type, amount, currency, reason, network_reason_code, status, evidence_due_by, evidence_sent_on, finalized_on, initiated_at). */
  disputes?: unknown[];
}

type G = Record<string, unknown>;

export interface InventoryLevelRec {
  itemId: string;
  locationId: string;
  available: number;
  onHand: number;
  updatedAt: string;
}

export interface FulfillmentOrderRec {
  id: string;
  orderId: string;
  locationId: string;
  status: 'OPEN' | 'IN_PROGRESS' | 'CLOSED';
  lines: { id: string; lineItemId: string; sku: string | null; totalQuantity: number; remainingQuantity: number }[];
}

export interface FulfillmentRec {
  id: string;
  orderId: string;
  name: string;
  locationId: string;
  createdAt: string;
  tracking: { company: string | null; number: string | null; url: string | null }[];
  lines: { lineItemId: string; sku: string | null; quantity: number }[];
  notifyCustomer: boolean;
}

export interface VariantRec {
  id: string;
  sku: string | null;
  title: string;
  displayName: string;
  price: string;
  productId: string;
  productTitle: string;
  itemId: string;
  tracked: boolean;
}

export interface CustomerRec {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
}

/** A payment the shop took on an order (Shopify's OrderTransaction of kind SALE), in the shop's currency. */
export interface PaymentRec {
  id: string;
  gateway: string;
  amount: string;
  /** In the customer's currency, where it is not the shop's. */
  presentment?: { amount: string; currencyCode: string };
  processedAt: string;
}

/** Financial statuses of an order whose total the shop has taken (refunds come off it as their own transactions). */
const TAKEN = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);

export class SandboxState {
  shopName = 'Ledgerline Sandbox';
  currency = 'GBP';
  locations = new Map<string, { id: string; legacyResourceId: string; name: string; isActive: boolean }>();
  variants = new Map<string, VariantRec>();
  levels = new Map<string, InventoryLevelRec>(); // key item|location
  customers = new Map<string, CustomerRec>();
  // Indexes so a 100,000-variant shop answers SKU lookups and inventory writes without scans.
  readonly bySku = new Map<string, VariantRec[]>();
  readonly byItem = new Map<string, VariantRec>();
  readonly levelsByItem = new Map<string, InventoryLevelRec[]>();
  orders = new Map<string, ShopifyOrder>();
  fulfillmentOrders = new Map<string, FulfillmentOrderRec>();
  fulfillments = new Map<string, FulfillmentRec>();
  payouts: G[] = [];
  balanceTransactions: G[] = [];
  disputes: G[] = [];
  /** Payments taken after an order was placed (an invoice on payment terms paid later), by order id. */
  payments = new Map<string, PaymentRec[]>();
  private nextId = 9_000_000_000;
  /** Counts what may have changed the shop (adds here, every Admin API request): a keeper skips a snapshot when it has not moved. */
  changes = 0;

  newId(type: string): string {
    return `gid://shopify/${type}/${this.nextId++}`;
  }

  levelKey(itemId: string, locationId: string): string {
    return `${itemId}|${locationId}`;
  }

  load(s: Scenario): this {
    if (s.shop?.name) this.shopName = s.shop.name;
    if (s.shop?.currency) this.currency = s.shop.currency;
    for (const l of s.locations ?? []) {
      const id = gid('Location', l.id, 'scenario.locations.id');
      this.locations.set(id, { id, legacyResourceId: id.split('/').pop()!, name: l.name, isActive: l.active ?? true });
    }
    for (const [i, p] of (s.products ?? []).entries()) {
      const productId = gid('Product', p.id, `scenario.products[${i}].id`);
      for (const [j, v] of p.variants.entries()) {
        const path = `scenario.products[${i}].variants[${j}]`;
        const title = v.title ?? 'Default Title';
        this.addVariant({
          id: gid('ProductVariant', v.id, `${path}.id`),
          sku: v.sku ?? null,
          title,
          displayName: title === 'Default Title' ? p.title : `${p.title} - ${title}`,
          price: v.price ?? '0.00',
          productId,
          productTitle: p.title,
          itemId: gid('InventoryItem', v.inventoryItemId, `${path}.inventoryItemId`),
          tracked: v.tracked ?? true,
        });
      }
    }
    const now = new Date().toISOString();
    for (const [i, lv] of (s.inventory ?? []).entries()) {
      const itemId = gid('InventoryItem', lv.inventoryItemId, `scenario.inventory[${i}].inventoryItemId`);
      const locationId = gid('Location', lv.locationId, `scenario.inventory[${i}].locationId`);
      if (!this.byItem.has(itemId)) throw new Error(`scenario.inventory[${i}].inventoryItemId: no variant has inventory item ${itemId}`);
      if (!this.locations.has(locationId)) throw new Error(`scenario.inventory[${i}].locationId: no location ${locationId}`);
      this.addLevel({ itemId, locationId, available: lv.available, onHand: lv.onHand ?? lv.available, updatedAt: now });
    }
    for (const [i, c] of (s.customers ?? []).entries()) {
      const id = gid('Customer', c.id, `scenario.customers[${i}].id`);
      this.customers.set(id, {
        id,
        firstName: c.firstName ?? null,
        lastName: c.lastName ?? null,
        email: c.email ?? null,
        phone: c.phone ?? null,
        tags: c.tags ?? [],
      });
    }
    const explicitFo = new Set((s.fulfillmentOrders ?? []).map((f, i) => gid('Order', f.orderId, `scenario.fulfillmentOrders[${i}].orderId`)));
    for (const [i, o] of (s.orders ?? []).entries()) {
      const order = orderFromRest(o, `scenario.orders[${i}]`);
      this.addOrder(order, !explicitFo.has(order.id));
    }
    for (const [i, f] of (s.fulfillmentOrders ?? []).entries()) this.addFulfillmentOrder(f, `scenario.fulfillmentOrders[${i}]`);
    for (const [i, r] of (s.refunds ?? []).entries()) this.addRefund(refundFromRest(r, `scenario.refunds[${i}]`));
    this.payouts.push(...(s.payouts ?? []).map((p, i) => payoutToGraphql(p, `scenario.payouts[${i}]`)));
    this.balanceTransactions.push(...(s.balanceTransactions ?? []).map((t, i) => balanceTxToGraphql(t, `scenario.balanceTransactions[${i}]`)));
    for (const [i, d] of (s.disputes ?? []).entries()) this.addDispute(d, `scenario.disputes[${i}]`);
    return this;
  }

  addVariant(v: VariantRec): void {
    this.changes++;
    this.variants.set(v.id, v);
    this.byItem.set(v.itemId, v);
    if (v.sku) {
      const list = this.bySku.get(v.sku) ?? [];
      list.push(v);
      this.bySku.set(v.sku, list);
    }
  }

  addLevel(l: InventoryLevelRec): void {
    this.changes++;
    const key = this.levelKey(l.itemId, l.locationId);
    if (this.levels.has(key)) throw new Error(`inventory level ${key} is defined twice`);
    this.levels.set(key, l);
    const list = this.levelsByItem.get(l.itemId) ?? [];
    list.push(l);
    this.levelsByItem.set(l.itemId, list);
  }

  private addFulfillmentOrder(f: NonNullable<Scenario['fulfillmentOrders']>[number], path: string): void {
    const orderId = gid('Order', f.orderId, `${path}.orderId`);
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`${path}.orderId: no order ${orderId} in the scenario`);
    const locationId = gid('Location', f.locationId, `${path}.locationId`);
    if (!this.locations.has(locationId)) throw new Error(`${path}.locationId: no location ${locationId}`);
    const lines = f.lines.map((l, i) => {
      const lineItemId = gid('LineItem', l.lineItemId, `${path}.lines[${i}].lineItemId`);
      const li = order.lineItems.find((x) => x.id === lineItemId);
      if (!li) throw new Error(`${path}.lines[${i}].lineItemId: order ${order.name} has no line item ${lineItemId}`);
      return { id: this.newId('FulfillmentOrderLineItem'), lineItemId, sku: li.sku, totalQuantity: l.quantity, remainingQuantity: l.quantity };
    });
    const id = gid('FulfillmentOrder', f.id, `${path}.id`);
    this.fulfillmentOrders.set(id, { id, orderId, locationId, status: 'OPEN', lines });
  }

  addOrder(order: ShopifyOrder, withFulfillmentOrder = true): void {
    this.changes++;
    this.orders.set(order.id, order);
    if (!withFulfillmentOrder) return;
    const raw = order.raw as { location_id?: unknown };
    const first = [...this.locations.keys()][0];
    const locationId = raw?.location_id != null ? gid('Location', raw.location_id, 'order.location_id') : first;
    if (!locationId) return;
    const lines = order.lineItems
      .filter((l) => l.requiresShipping)
      .map((l) => ({
        id: this.newId('FulfillmentOrderLineItem'),
        lineItemId: l.id,
        sku: l.sku,
        totalQuantity: l.quantity,
        remainingQuantity: l.currentQuantity ?? l.quantity,
      }));
    if (!lines.length) return;
    const fo: FulfillmentOrderRec = { id: this.newId('FulfillmentOrder'), orderId: order.id, locationId, status: 'OPEN', lines };
    this.fulfillmentOrders.set(fo.id, fo);
  }

  /** Adds a payout and its balance transactions (REST JSON, as in a scenario file), e.g. the sandbox panel's. */
  addPayout(payout: unknown, balanceTransactions: unknown[]): void {
    this.changes++;
    this.payouts.push(payoutToGraphql(payout, 'payout'));
    this.balanceTransactions.push(...balanceTransactions.map((t, i) => balanceTxToGraphql(t, `balanceTransactions[${i}]`)));
  }

  /** A Shopify Payments dispute from its REST JSON, served as ShopifyPaymentsDispute (enums upper-cased as the Admin API spells them). */
  addDispute(d: unknown, path = 'dispute'): void {
    this.changes++;
    const o = parseIfText(d) as Record<string, any>;
    if (!o || typeof o !== 'object') throw new Error(`${path}: expected a dispute object`);
    for (const k of ['id', 'type', 'amount', 'currency', 'reason', 'status', 'initiated_at']) if (o[k] == null) throw new Error(`${path}.${k}: required`);
    const enumOf = (type: string, v: unknown, field: string) => {
      const e = loadAdminSchema().getType(type) as GraphQLEnumType;
      const name = String(v).toUpperCase();
      if (!e.getValue(name))
        throw new Error(
          `${path}.${field}: ${JSON.stringify(v)} is not a ${type} (${e
            .getValues()
            .map((x) => x.name.toLowerCase())
            .join(', ')})`,
        );
      return name;
    };
    const order = o.order_id == null ? null : this.orders.get(gid('Order', o.order_id, `${path}.order_id`));
    this.disputes.push({
      __typename: 'ShopifyPaymentsDispute',
      id: gid('ShopifyPaymentsDispute', o.id, `${path}.id`),
      legacyResourceId: String(o.id),
      type: enumOf('DisputeType', o.type, 'type'),
      status: enumOf('DisputeStatus', o.status, 'status'),
      initiatedAt: utc(String(o.initiated_at)),
      evidenceDueBy: utc(o.evidence_due_by ?? null),
      evidenceSentOn: utc(o.evidence_sent_on ?? null),
      finalizedOn: utc(o.finalized_on ?? null),
      amount: { amount: String(o.amount), currencyCode: String(o.currency) },
      reasonDetails: {
        reason: enumOf('ShopifyPaymentsDisputeReason', o.reason, 'reason'),
        networkReasonCode: o.network_reason_code == null ? null : String(o.network_reason_code),
      },
      order: order
        ? { id: order.id, name: order.name }
        : o.order_id == null
          ? null
          : { id: gid('Order', o.order_id, `${path}.order_id`), name: `#${o.order_id}` },
    });
  }

  addRefund(refund: ShopifyRefund): void {
    this.changes++;
    const order = this.orders.get(refund.orderId);
    if (!order) return;
    order.refunds.push(refund);
    // As Shopify's LineItem.currentQuantity: "excluding refunded and removed units".
    for (const rl of refund.refundLineItems) {
      const line = order.lineItems.find((l) => l.id === rl.lineItemId);
      if (line) line.currentQuantity = Math.max(0, (line.currentQuantity ?? line.quantity) - rl.quantity);
    }
  }

  /**
   * The payments an order's transactions list: those taken after it was placed, else the one its financial status
   * says it was placed with (its total, when it was processed).
   */
  paymentsOf(o: ShopifyOrder): PaymentRec[] {
    const later = this.payments.get(o.id);
    if (later) return later;
    if (!TAKEN.has(String(o.financialStatus ?? '').toUpperCase())) return [];
    return [
      {
        id: `${o.id.replace('/Order/', '/OrderTransaction/')}1`,
        gateway: o.paymentGateways[0] ?? 'manual',
        amount: o.total.shop.amount,
        presentment: o.total.presentment,
        processedAt: o.processedAt ?? o.createdAt,
      },
    ];
  }

  /** The order became paid at `at` (its updated_at): the rest of its total is taken then. */
  takePayment(before: ShopifyOrder, after: ShopifyOrder, at: string): void {
    const had = this.paymentsOf(before);
    const taken = had.reduce((a, p) => a.plus(p.amount), new Decimal(0));
    const rest = new Decimal(after.total.shop.amount).minus(taken);
    if (rest.lte(0)) return;
    const id = this.newId('OrderTransaction');
    this.payments.set(after.id, [
      ...had,
      { id, gateway: after.paymentGateways.at(-1) ?? 'manual', amount: currencyText(rest, after.currency), processedAt: at },
    ]);
  }

  /** Everything the shop holds, as JSON-safe data (the indexes are rebuilt by `restore`). */
  snapshot(): SandboxSnapshot {
    return {
      version: 1,
      shopName: this.shopName,
      currency: this.currency,
      nextId: this.nextId,
      locations: [...this.locations.values()],
      variants: [...this.variants.values()],
      levels: [...this.levels.values()],
      customers: [...this.customers.values()],
      orders: [...this.orders.values()],
      fulfillmentOrders: [...this.fulfillmentOrders.values()],
      fulfillments: [...this.fulfillments.values()],
      payouts: this.payouts,
      balanceTransactions: this.balanceTransactions,
      disputes: this.disputes,
      payments: [...this.payments],
    };
  }

  /** A shop as `snapshot` left it, into this empty state. */
  restore(s: SandboxSnapshot): this {
    if (s.version !== 1) throw new Error(`sandbox shop snapshot: version ${String(s.version)} is not one this build reads (1)`);
    this.shopName = s.shopName;
    this.currency = s.currency;
    this.nextId = s.nextId;
    for (const l of s.locations) this.locations.set(l.id, l);
    for (const v of s.variants) this.addVariant(v);
    for (const l of s.levels) this.addLevel(l);
    for (const c of s.customers) this.customers.set(c.id, c);
    for (const o of s.orders) this.orders.set(o.id, o);
    for (const f of s.fulfillmentOrders) this.fulfillmentOrders.set(f.id, f);
    for (const f of s.fulfillments) this.fulfillments.set(f.id, f);
    this.payouts.push(...s.payouts);
    this.balanceTransactions.push(...s.balanceTransactions);
    this.disputes.push(...s.disputes);
    for (const [id, list] of s.payments ?? []) this.payments.set(id, list);
    return this;
  }
}

export interface SandboxSnapshot {
  version: 1;
  shopName: string;
  currency: string;
  nextId: number;
  locations: Array<{ id: string; legacyResourceId: string; name: string; isActive: boolean }>;
  variants: VariantRec[];
  levels: InventoryLevelRec[];
  customers: CustomerRec[];
  orders: ShopifyOrder[];
  fulfillmentOrders: FulfillmentOrderRec[];
  fulfillments: FulfillmentRec[];
  payouts: G[];
  balanceTransactions: G[];
  disputes: G[];
  /** Absent in snapshots from before orders listed their payments. */
  payments?: Array<[string, PaymentRec[]]>;
}

function restId(v: unknown): string {
  return String(v);
}

function payoutToGraphql(p: unknown, path: string): G {
  const c = payoutFromRest(parseIfText(p), path);
  const net = c.net.amount.replace(/^-/, '');
  const s = c.summary;
  return {
    __typename: 'ShopifyPaymentsPayout',
    id: c.id,
    legacyResourceId: c.legacyId,
    issuedAt: `${c.issuedAt}T00:00:00Z`,
    status: c.status,
    transactionType: c.transactionType,
    net: { amount: net, currencyCode: c.net.currencyCode },
    summary: {
      adjustmentsFee: s.adjustmentsFee,
      adjustmentsGross: s.adjustmentsGross,
      chargesFee: s.chargesFee,
      chargesGross: s.chargesGross,
      refundsFee: s.refundsFee,
      refundsFeeGross: s.refundsGross,
      reservedFundsFee: s.reservedFundsFee,
      reservedFundsGross: s.reservedFundsGross,
      retriedPayoutsFee: s.retriedPayoutsFee,
      retriedPayoutsGross: s.retriedPayoutsGross,
    },
  };
}

const SOURCE_TYPES = new Set(['ADJUSTMENT_REVERSAL', 'CHARGE', 'REFUND', 'SYSTEM_ADJUSTMENT', 'DISPUTE', 'ADJUSTMENT', 'TRANSFER']);

// REST spells some balance transaction types differently from the GraphQL enum.
const REST_TYPE: Record<string, string> = { DEBIT: 'ADJUSTMENT', CREDIT: 'ADJUSTMENT', CAPTURE: 'CHARGE', RESERVE: 'RESERVED_FUNDS' };

function graphqlTxType(t: string): string {
  const e = loadAdminSchema().getType('ShopifyPaymentsTransactionType') as GraphQLEnumType;
  if (e.getValue(t)) return t;
  return REST_TYPE[t] ?? 'ADJUSTMENT';
}

function balanceTxToGraphql(t: unknown, path: string): G {
  const c = balanceTransactionFromRest(parseIfText(t), path);
  const raw = c.raw as { payout_id?: unknown; source_order_transaction_id?: unknown; source_id?: unknown };
  return {
    __typename: 'ShopifyPaymentsBalanceTransaction',
    id: c.id,
    type: graphqlTxType(c.type),
    test: c.test,
    transactionDate: c.processedAt,
    sourceId: c.sourceId,
    sourceType: c.sourceType && SOURCE_TYPES.has(c.sourceType) ? c.sourceType : c.sourceType ? 'ADJUSTMENT' : null,
    sourceOrderTransactionId: raw.source_order_transaction_id == null ? null : restId(raw.source_order_transaction_id),
    adjustmentReason: c.adjustmentReason,
    amount: c.amount,
    fee: c.fee,
    net: c.net,
    associatedOrder: c.sourceOrderId ? { id: c.sourceOrderId, name: `#${c.sourceOrderId.split('/').pop()}` } : null,
    associatedPayout: { id: c.payoutId, status: c.payoutStatus === 'IN_TRANSIT' ? 'SCHEDULED' : c.payoutStatus },
    adjustmentsOrders: c.adjustmentOrderTransactions.map((a) => ({
      orderTransactionId: a.orderTransactionId.split('/').pop(),
      name: a.orderName ?? '',
      amount: a.amount,
    })),
    _payoutLegacyId: raw.payout_id == null ? null : restId(raw.payout_id),
  };
}

function parseIfText(v: unknown): unknown {
  return typeof v === 'string' ? parseJsonLossless(v) : v;
}

// ---- canonical -> Admin GraphQL shape ----

function bagG(b: MoneyBag): G {
  return { shopMoney: b.shop, presentmentMoney: b.presentment };
}

function taxG(t: ShopifyTaxLine): G {
  return { title: t.title, rate: t.rate === null ? null : Number(t.rate), channelLiable: t.channelLiable, priceSet: bagG(t.price) };
}

/** Admin GraphQL DateTimes are UTC ("2008-01-10T16:00:00Z"); REST payloads carry the shop's offset. */
function utc(t: string | null): string | null {
  if (!t) return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString().replace('.000Z', 'Z');
}

function applicationTypename(type: string | null | undefined): string {
  if (type === 'DISCOUNT_CODE') return 'DiscountCodeApplication';
  if (type === 'MANUAL') return 'ManualDiscountApplication';
  if (type === 'SCRIPT') return 'ScriptDiscountApplication';
  return 'AutomaticDiscountApplication';
}

export function orderToGraphql(o: ShopifyOrder, state: SandboxState): G {
  const addr = (a: ShopifyOrder['billingAddress']) => (a ? { ...a, countryCodeV2: a.countryCode } : null);
  const allocatedTypename = (index: number | null) => applicationTypename(o.discountApplications.find((d) => d.index === index)?.type);
  return {
    __typename: 'Order',
    id: o.id,
    legacyResourceId: o.legacyId,
    name: o.name,
    email: o.email,
    createdAt: utc(o.createdAt),
    updatedAt: utc(o.updatedAt),
    processedAt: utc(o.processedAt ?? o.createdAt),
    cancelledAt: utc(o.cancelledAt),
    cancelReason: o.cancelReason,
    closedAt: utc(o.closedAt),
    test: o.test,
    sourceName: o.sourceName,
    tags: o.tags,
    note: o.note,
    currencyCode: o.currency,
    presentmentCurrencyCode: o.presentmentCurrency,
    taxesIncluded: o.taxesIncluded,
    taxExempt: o.taxExempt,
    displayFinancialStatus: o.financialStatus ?? 'PENDING',
    displayFulfillmentStatus: o.fulfillmentStatus ?? 'UNFULFILLED',
    subtotalPriceSet: bagG(o.subtotal),
    totalDiscountsSet: bagG(o.totalDiscounts),
    totalShippingPriceSet: bagG(o.totalShipping),
    totalTaxSet: bagG(o.totalTax),
    totalPriceSet: bagG(o.total),
    currentTotalPriceSet: bagG(o.currentTotal),
    currentTotalTaxSet: bagG(o.currentTotalTax),
    originalTotalDutiesSet: o.totalDuties ? bagG(o.totalDuties) : null,
    currentTotalDutiesSet: o.currentTotalDuties ? bagG(o.currentTotalDuties) : null,
    totalTipReceivedSet: bagG(tipsReceived(o)),
    taxLines: o.taxLines.map(taxG),
    discountCodes: o.discountCodes,
    paymentGatewayNames: o.paymentGateways,
    paymentTerms: o.paymentTerms
      ? {
          __typename: 'PaymentTerms',
          id: `gid://shopify/PaymentTerms/${o.legacyId}`,
          paymentTermsType: o.paymentTerms.type,
          paymentTermsName: o.paymentTerms.name ?? '',
          translatedName: o.paymentTerms.name ?? '',
          dueInDays: o.paymentTerms.dueInDays,
          overdue: false,
        }
      : null,
    customer: o.customer
      ? {
          __typename: 'Customer',
          id: o.customer.id,
          firstName: o.customer.firstName,
          lastName: o.customer.lastName,
          phone: o.customer.phone,
          defaultEmailAddress: o.customer.email ? { emailAddress: o.customer.email } : null,
        }
      : null,
    billingAddress: addr(o.billingAddress),
    shippingAddress: addr(o.shippingAddress),
    discountApplications: o.discountApplications.map((d) => {
      return {
        __typename: applicationTypename(d.type),
        index: d.index,
        allocationMethod: d.allocationMethod ?? 'ACROSS',
        targetSelection: d.targetSelection ?? 'ALL',
        targetType: d.targetType ?? 'LINE_ITEM',
        value:
          d.valueType === 'PERCENTAGE'
            ? { __typename: 'PricingPercentageValue', percentage: Number(d.value) }
            : { __typename: 'MoneyV2', amount: d.value, currencyCode: o.presentmentCurrency },
        code: d.code ?? '',
        title: d.title ?? d.code ?? '',
        description: d.description,
      };
    }),
    shippingLines: o.shippingLines.map((s) => ({
      id: s.id,
      title: s.title,
      code: s.code,
      source: s.source,
      isRemoved: s.isRemoved,
      originalPriceSet: bagG(s.price),
      discountedPriceSet: bagG(s.discountedPrice),
      taxLines: s.taxLines.map(taxG),
      discountAllocations: s.discountAllocations.map((d) => ({
        allocatedAmountSet: bagG(d.amount),
        // An interface: which application it is, as the order's own list says (a sweep reads it by id).
        discountApplication: { __typename: allocatedTypename(d.discountApplicationIndex), index: d.discountApplicationIndex },
      })),
    })),
    lineItems: o.lineItems.map((l) => ({
      id: l.id,
      sku: l.sku,
      name: l.name,
      title: l.title,
      variantTitle: l.variantTitle,
      vendor: l.vendor,
      quantity: l.quantity,
      currentQuantity: l.currentQuantity ?? l.quantity,
      taxable: l.taxable,
      requiresShipping: l.requiresShipping,
      isGiftCard: l.isGiftCard,
      variant: l.variantId ? { id: l.variantId } : null,
      product: l.productId ? { id: l.productId } : null,
      originalUnitPriceSet: bagG(l.unitPrice),
      totalDiscountSet: bagG(l.totalDiscount),
      taxLines: l.taxLines.map(taxG),
      discountAllocations: l.discountAllocations.map((d) => ({
        allocatedAmountSet: bagG(d.amount),
        // An interface: which application it is, as the order's own list says (a sweep reads it by id).
        discountApplication: { __typename: allocatedTypename(d.discountApplicationIndex), index: d.discountApplicationIndex },
      })),
    })),
    // Shopify lists an order's payments and its refunds' transactions alike.
    transactions: [
      ...state.paymentsOf(o).map((p) => ({
        id: p.id,
        kind: 'SALE',
        status: 'SUCCESS',
        gateway: p.gateway,
        processedAt: p.processedAt,
        test: o.test,
        parentTransaction: null,
        amountSet: bagG({ shop: { amount: p.amount, currencyCode: o.currency }, presentment: p.presentment ?? { amount: p.amount, currencyCode: o.currency } }),
      })),
      ...o.refunds.flatMap((r) => r.transactions.map((t) => transactionG(t, o))),
    ],
    refunds: o.refunds.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      updatedAt: r.createdAt,
      note: r.note,
      order: { id: o.id },
      totalRefundedSet: bagG(sumRefund(r, o)),
      refundLineItems: r.refundLineItems.map((rl) => ({
        id: rl.id,
        quantity: rl.quantity,
        restockType: rl.restockType,
        restocked: rl.restocked,
        location: rl.locationId ? { id: rl.locationId } : null,
        lineItem: { id: rl.lineItemId, sku: rl.sku },
        subtotalSet: bagG(rl.subtotal),
        totalTaxSet: bagG(rl.totalTax),
      })),
      refundShippingLines: r.refundShippingLines.map((s) => ({
        shippingLine: s.shippingLineId ? { id: s.shippingLineId } : null,
        subtotalAmountSet: bagG(s.subtotal),
        taxAmountSet: bagG(s.tax),
      })),
      orderAdjustments: r.orderAdjustments.map((a) => ({ id: a.id, reason: a.reason, amountSet: bagG(a.amount), taxAmountSet: bagG(a.tax) })),
      // The sandbox keeps a refund's duties as one total, so it lists them as one duty of no particular line.
      duties: r.duties ? [{ amountSet: bagG(r.duties), originalDuty: null }] : [],
      transactions: r.transactions.map((t) => transactionG(t, o)),
    })),
    fulfillments: [...state.fulfillments.values()].filter((f) => f.orderId === o.id).map((f) => fulfillmentToGraphql(f)),
    fulfillmentOrders: [...state.fulfillmentOrders.values()]
      .filter((f) => f.orderId === o.id)
      .map((f) => ({
        id: f.id,
        status: f.status,
        // Validated to exist when the fulfillment order was created (see above).
        assignedLocation: { location: { id: f.locationId, name: state.locations.get(f.locationId)?.name ?? '' } },
        lineItems: f.lines.map((l) => ({
          id: l.id,
          sku: l.sku,
          remainingQuantity: l.remainingQuantity,
          totalQuantity: l.totalQuantity,
          lineItem: { id: l.lineItemId, sku: l.sku },
        })),
      })),
  };
}

/** A refund's transaction as Shopify's OrderTransaction: its shop money at the order's own rate. */
function transactionG(t: ShopifyRefund['transactions'][number], o: ShopifyOrder): G {
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    gateway: t.gateway,
    processedAt: t.processedAt,
    test: t.test,
    parentTransaction: t.parentId ? { id: t.parentId } : null,
    amountSet: {
      shopMoney: { amount: toShopMoney(t.amount.amount, o), currencyCode: o.currency },
      presentmentMoney: { amount: t.amount.amount, currencyCode: t.amount.currencyCode ?? o.presentmentCurrency },
    },
  };
}

/** Shopify's totalTipReceived: the order's tip line items, in both currencies. */
function tipsReceived(o: ShopifyOrder): MoneyBag {
  const sum = (side: 'shop' | 'presentment') =>
    o.lineItems
      .filter((l) => l.isTip)
      .reduce((a, l) => a.plus(lineTotal(l, side)), new Decimal(0))
      .toFixed(2);
  return { shop: { amount: sum('shop'), currencyCode: o.currency }, presentment: { amount: sum('presentment'), currencyCode: o.presentmentCurrency } };
}

function sumRefund(r: ShopifyRefund, o: ShopifyOrder): MoneyBag {
  // Like Shopify, only successful refund transactions count.
  let total = new Decimal(0);
  for (const t of r.transactions) if (t.kind === 'REFUND' && t.status === 'SUCCESS') total = total.plus(t.amount.amount);
  return { shop: { amount: toShopMoney(total, o), currencyCode: o.currency }, presentment: { amount: total.toFixed(2), currencyCode: o.presentmentCurrency } };
}

// REST refund transactions carry only the presentment amount; Shopify's shopMoney is that amount at the order's own
// rate (its shop total over its presentment total), which is what the sandbox answers for a multi-currency order.
function toShopMoney(presentment: Decimal.Value, o: ShopifyOrder): string {
  const amount = new Decimal(presentment);
  const shop = new Decimal(o.total.shop.amount);
  const shown = new Decimal(o.total.presentment.amount);
  if (o.currency === o.presentmentCurrency || shown.isZero()) return amount.toFixed(2);
  return amount.times(shop).div(shown).toFixed(2, Decimal.ROUND_HALF_UP);
}

export function fulfillmentToGraphql(f: FulfillmentRec): G {
  return {
    __typename: 'Fulfillment',
    id: f.id,
    status: 'SUCCESS',
    createdAt: f.createdAt,
    location: { id: f.locationId },
    trackingInfo: f.tracking,
    fulfillmentLineItems: f.lines.map((l) => ({ quantity: l.quantity, lineItem: { id: l.lineItemId, sku: l.sku } })),
  };
}

export const DEFAULT_SCENARIO_FILE = join(dirname(fileURLToPath(import.meta.url)), 'scenarios/default.json');

/** Reads a scenario file (JSON; 18-digit ids kept exact) and checks its top-level shape. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read scenario ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = parseJsonLossless(text);
  } catch (e) {
    throw new Error(`scenario ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`scenario ${path}: expected a JSON object`);
  for (const k of ['locations', 'products', 'inventory', 'customers', 'orders', 'refunds', 'fulfillmentOrders', 'payouts', 'balanceTransactions', 'disputes']) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && !Array.isArray(x)) throw new Error(`scenario ${path}: "${k}" must be an array`);
  }
  return v as Scenario;
}

/** The default scenario (scenarios/default.json): the demo shop plus Shopify's published example orders and SKUs. */
export function defaultScenario(file = DEFAULT_SCENARIO_FILE): Scenario {
  return loadScenarioFile(file);
}
