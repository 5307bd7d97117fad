// The source fields a mapping can read: every leaf of the canonical Shopify order the flows see (nodes/shopify/
// types.ts), as a path like `order.lineItems[].sku`, with its kind, the Admin GraphQL field it comes from (whose
// published description it carries) and the fields the lookup nodes add (warehouse, taxCodes).
import type { ValueKind } from './kinds.ts';
import { adminDescription } from './shopify-descriptions.ts';

export interface SourceField {
  /** e.g. `order.lineItems[].unitPrice.shop.amount`. */
  path: string;
  /** Path segments without the root, `[]` marking list elements: ['lineItems[]', 'unitPrice', 'shop', 'amount']. */
  segments: string[];
  kind: ValueKind;
  /** The enclosing list of the canonical order, e.g. `order.lineItems`, or null at order level. */
  list: string | null;
  /** Shopify's description (or ours for fields Ledgerline adds), with the description of the enclosing field. */
  description: string;
  /** Where the description came from, e.g. `LineItem.originalUnitPriceSet` or `ledgerline`. */
  describedBy: string;
  /** Names ERPs commonly give the same thing ("order number", "postal code"). */
  aka: string[];
}

interface Spec {
  kind?: ValueKind;
  /** Admin GraphQL field name when ours differs. */
  gql?: string;
  /** Our own words, for fields the Admin schema lacks or Ledgerline adds. */
  desc?: string;
  /** Child type: a key of TYPES. */
  type?: string;
  list?: boolean;
  /** Other names ERPs and integration tools use for this field (a small thesaurus, ERP-agnostic). */
  aka?: string[];
}

const MONEY_BAG = 'MoneyBag';

const TYPES: Record<string, { gql: string; fields: Record<string, Spec> }> = {
  Order: {
    gql: 'Order',
    fields: {
      id: { kind: 'gid', desc: 'Order ID: a globally-unique ID of the order.', aka: ['order id', 'external id', 'external document id', 'source document id'] },
      legacyId: { kind: 'id', gql: 'legacyResourceId' },
      name: { kind: 'code', aka: ['order number', 'order reference', 'document number', 'customer reference', 'external document number', 'order name'] },
      email: { kind: 'email' },
      createdAt: { kind: 'datetime', aka: ['order date', 'document date', 'transaction date', 'date'] },
      updatedAt: { kind: 'datetime' },
      processedAt: { kind: 'datetime', aka: ['posting date', 'processed date'] },
      cancelledAt: { kind: 'datetime' },
      cancelReason: { kind: 'enum' },
      closedAt: { kind: 'datetime' },
      test: { kind: 'boolean' },
      sourceName: { kind: 'code' },
      locationId: { kind: 'gid', gql: 'physicalLocation' },
      tags: { kind: 'strings' },
      note: { kind: 'text', aka: ['note', 'memo', 'comment', 'remarks'] },
      currency: { kind: 'currency', gql: 'currencyCode', aka: ['currency code', 'currency', 'document currency'] },
      presentmentCurrency: { kind: 'currency', gql: 'presentmentCurrencyCode' },
      taxesIncluded: { kind: 'boolean', aka: ['prices include tax', 'tax included', 'amounts include tax'] },
      taxExempt: { kind: 'boolean' },
      financialStatus: { kind: 'enum', gql: 'displayFinancialStatus' },
      fulfillmentStatus: { kind: 'enum', gql: 'displayFulfillmentStatus' },
      subtotal: { type: MONEY_BAG, gql: 'subtotalPriceSet' },
      totalDiscounts: { type: MONEY_BAG, gql: 'totalDiscountsSet', aka: ['discount amount', 'order discount'] },
      totalShipping: { type: MONEY_BAG, gql: 'totalShippingPriceSet', aka: ['shipping cost', 'shipping charge', 'freight'] },
      totalTax: { type: MONEY_BAG, gql: 'totalTaxSet' },
      total: { type: MONEY_BAG, gql: 'totalPriceSet' },
      currentTotal: { type: MONEY_BAG, gql: 'currentTotalPriceSet' },
      currentTotalTax: { type: MONEY_BAG, gql: 'currentTotalTaxSet' },
      lineItems: { type: 'LineItem', list: true },
      shippingLines: { type: 'ShippingLine', list: true },
      taxLines: { type: 'TaxLine', list: true },
      discountCodes: { kind: 'strings' },
      paymentGateways: { kind: 'strings', gql: 'paymentGatewayNames' },
      customer: { type: 'Customer' },
      billingAddress: { type: 'MailingAddress' },
      shippingAddress: { type: 'MailingAddress' },
      warehouse: {
        kind: 'code',
        aka: ['warehouse', 'warehouse code', 'location', 'stock location', 'site'],
        desc: 'ERP warehouse (stock location) code of the Shopify location the order ships from, set by the lookup.location node from the locations table.',
      },
    },
  },
  LineItem: {
    gql: 'LineItem',
    fields: {
      id: { kind: 'gid' },
      productId: { kind: 'gid', gql: 'product' },
      variantId: { kind: 'gid', gql: 'variant' },
      sku: { kind: 'code', aka: ['sku', 'item number', 'item code', 'product code', 'article number', 'part number', 'default code', 'internal reference'] },
      name: { kind: 'name', aka: ['description', 'line description', 'item description', 'product name'] },
      title: { kind: 'name' },
      variantTitle: { kind: 'name' },
      vendor: { kind: 'name' },
      quantity: { kind: 'integer', aka: ['quantity', 'ordered quantity'] },
      currentQuantity: { kind: 'integer' },
      unitPrice: { type: MONEY_BAG, gql: 'originalUnitPriceSet', aka: ['unit price', 'price', 'rate', 'price each'] },
      totalDiscount: { type: MONEY_BAG, gql: 'totalDiscountSet', aka: ['discount amount', 'line discount', 'discount'] },
      taxable: { kind: 'boolean' },
      requiresShipping: { kind: 'boolean' },
      isGiftCard: { kind: 'boolean' },
      isTip: { kind: 'boolean', desc: "The customer's tip: a line item without product or SKU (REST webhooks mark it)." },
      taxLines: { type: 'TaxLine', list: true },
      taxCodes: {
        kind: 'strings',
        aka: ['tax codes', 'tax code', 'taxes'],
        desc: 'ERP tax codes of the taxes on the line, set by the lookup.tax-code node from the tax-codes table.',
      },
    },
  },
  ShippingLine: {
    gql: 'ShippingLine',
    fields: {
      id: { kind: 'gid' },
      title: { kind: 'name', aka: ['description', 'shipping method', 'carrier service'] },
      code: { kind: 'code' },
      source: { kind: 'code' },
      price: { type: MONEY_BAG, gql: 'originalPriceSet' },
      discountedPrice: { type: MONEY_BAG, gql: 'discountedPriceSet' },
      isRemoved: { kind: 'boolean' },
      taxLines: { type: 'TaxLine', list: true },
      taxCodes: {
        kind: 'strings',
        aka: ['tax codes', 'tax code', 'taxes'],
        desc: 'ERP tax codes of the taxes on the shipping line, set by the lookup.tax-code node from the tax-codes table.',
      },
    },
  },
  TaxLine: {
    gql: 'TaxLine',
    fields: {
      title: { kind: 'name' },
      rate: { kind: 'decimal' },
      price: { type: MONEY_BAG, gql: 'priceSet' },
      channelLiable: { kind: 'boolean' },
    },
  },
  Customer: {
    gql: 'Customer',
    fields: {
      id: {
        kind: 'gid',
        desc: 'Customer ID: a globally-unique ID of the customer.',
        aka: ['customer id', 'customer number', 'customer code', 'customer external id'],
      },
      email: { kind: 'email', desc: 'The email address of the customer.' },
      firstName: { kind: 'name' },
      lastName: { kind: 'name' },
      phone: { kind: 'phone', desc: 'The phone number of the customer.' },
    },
  },
  MailingAddress: {
    gql: 'MailingAddress',
    fields: {
      name: { kind: 'name', aka: ['name', 'addressee', 'contact', 'contact name', 'customer name', 'full name'] },
      firstName: { kind: 'name' },
      lastName: { kind: 'name' },
      company: { kind: 'name' },
      address1: { kind: 'string', aka: ['street', 'address line 1', 'address 1'] },
      address2: { kind: 'string', aka: ['street 2', 'address line 2', 'address 2'] },
      city: { kind: 'string' },
      province: { kind: 'string' },
      provinceCode: { kind: 'region', aka: ['province code', 'state code', 'region code', 'subdivision code'] },
      zip: { kind: 'string', aka: ['zip', 'postal code', 'post code'] },
      country: { kind: 'name' },
      countryCode: { kind: 'country', gql: 'countryCodeV2', aka: ['country code', 'country'] },
      phone: { kind: 'phone' },
    },
  },
};

const MONEY_LEAVES: Array<[string, string, ValueKind, string]> = [
  ['shop', 'amount', 'money', 'Amount in shop currency.'],
  ['shop', 'currencyCode', 'currency', 'Currency code of the amount in shop currency.'],
  ['presentment', 'amount', 'money', 'Amount in presentment currency (the currency the buyer saw).'],
  ['presentment', 'currencyCode', 'currency', 'Currency code of the amount in presentment currency.'],
];

function walk(typeName: string, segs: string[], list: string | null, parentDesc: string, out: SourceField[]): void {
  const t = TYPES[typeName];
  if (!t) throw new Error(`source catalog: no type "${typeName}" (a field's type must be a key of TYPES)`);
  for (const [name, spec] of Object.entries(t.fields)) {
    const gqlField = spec.gql ?? name;
    const published = spec.desc ? undefined : adminDescription(t.gql, gqlField);
    const own = spec.desc ?? published ?? '';
    const describedBy = spec.desc ? 'ledgerline' : published ? `${t.gql}.${gqlField}` : 'name only';
    const here = [...segs, spec.list ? `${name}[]` : name];
    if (spec.type === MONEY_BAG) {
      for (const [bag, leaf, kind, d] of MONEY_LEAVES) {
        const s = [...here, bag, leaf];
        out.push({ path: toPath(s), segments: s, kind, list, description: `${own} ${d}`.trim(), describedBy, aka: leaf === 'amount' ? (spec.aka ?? []) : [] });
      }
    } else if (spec.type) {
      const childList = spec.list ? toPath(here) : list;
      walk(spec.type, here, childList, own, out);
    } else {
      const context = parentDesc && segs.length ? ` (${parentDesc.split(/(?<=\.)\s/)[0]})` : '';
      out.push({
        path: toPath(here),
        segments: here,
        kind: spec.kind ?? 'string',
        list,
        description: `${own}${context}`.trim(),
        describedBy,
        aka: spec.aka ?? [],
      });
    }
  }
}

const toPath = (segs: string[]) => ['order', ...segs].join('.').replace(/\[\]$/, '');

let catalog: SourceField[] | undefined;

/** The canonical order's leaves (about 150), in a fixed order: order level first, then lines. */
export function shopifyOrderSources(): SourceField[] {
  if (!catalog) {
    const out: SourceField[] = [];
    walk('Order', [], null, '', out);
    catalog = out;
  }
  return catalog;
}

export const SOURCES: Record<string, () => SourceField[]> = { 'shopify.order': shopifyOrderSources };
