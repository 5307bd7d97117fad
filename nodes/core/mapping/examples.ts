// Ready-made mappings: the canonical ShopifyOrder (after lookup.tax-code and lookup.location) → the ERP
// SalesOrderInput of nodes/erp/contract.ts. Template flows start from these; tests and the bench use them too.
import type { MapConfigInput } from './config.ts';

const money = (path: string) => ({
  kind: 'path' as const,
  path,
});
const twoPlaces = [{ op: 'decimal' as const, places: 2, rounding: 'half-up' as const }];

export const shopifyOrderToSalesOrder: MapConfigInput = {
  fields: [
    { target: 'externalId', source: { kind: 'path', path: 'id' } },
    { target: 'reference', source: { kind: 'path', path: 'name' }, transforms: [{ op: 'trim' }] },
    // Amounts below are in the shop currency, so the document is too.
    { target: 'currency', source: { kind: 'path', path: 'currency' } },
    { target: 'date', source: { kind: 'path', path: 'createdAt' }, transforms: [{ op: 'date', format: 'yyyy-MM-dd', timeZone: 'UTC' }] },
    { target: 'warehouse', source: { kind: 'path', path: 'warehouse' } },
    { target: 'pricesIncludeTax', source: { kind: 'path', path: 'taxesIncluded' } },
    { target: 'customer.externalId', source: { kind: 'path', path: 'customer.id' } },
    {
      target: 'customer.name',
      source: { kind: 'path', path: 'billingAddress.firstName' },
      transforms: [{ op: 'concat', parts: [{ path: 'billingAddress.lastName' }], separator: ' ' }, { op: 'trim' }],
    },
    { target: 'customer.email', source: { kind: 'path', path: 'email' }, transforms: [{ op: 'trim' }, { op: 'case', to: 'lower' }], required: false },
    {
      target: 'lines',
      source: {
        kind: 'each',
        path: 'lineItems',
        // A gift card sold is a liability, not revenue: it never becomes a sales line.
        filter: [{ path: 'isGiftCard', op: 'false' }],
        fields: [
          { target: 'sku', source: { kind: 'path', path: 'sku' }, transforms: [{ op: 'trim' }] },
          { target: 'quantity', source: { kind: 'path', path: 'quantity' }, transforms: [{ op: 'type', to: 'decimal' }] },
          { target: 'unitPrice', source: money('unitPrice.shop.amount'), transforms: twoPlaces },
          { target: 'discount', source: money('totalDiscount.shop.amount'), transforms: twoPlaces },
          { target: 'taxCodes', source: { kind: 'path', path: 'taxCodes' }, required: false },
          { target: 'description', source: { kind: 'path', path: 'name' }, transforms: [{ op: 'truncate', length: 120 }] },
        ],
      },
    },
    {
      target: 'shipping',
      required: false,
      source: {
        kind: 'each',
        path: 'shippingLines',
        filter: [{ path: 'isRemoved', op: 'false' }],
        fields: [
          { target: 'description', source: { kind: 'path', path: 'title' } },
          { target: 'amount', source: money('price.shop.amount'), transforms: twoPlaces },
          {
            target: 'discount',
            source: money('price.shop.amount'),
            transforms: [{ op: 'math', operator: 'subtract', operand: { path: 'discountedPrice.shop.amount' } }, ...twoPlaces],
          },
          { target: 'taxCodes', source: { kind: 'path', path: 'taxCodes' }, required: false },
        ],
      },
    },
  ],
};
