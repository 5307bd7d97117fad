// Column layouts of the tables the issue names, so hosts and templates create them the same way.
import type { TableDefinition } from './service.ts';

type Preset = Omit<TableDefinition, 'name' | 'scope'>;

export const TABLE_PRESETS = {
  /** Shopify tax line → ERP tax code. Rates compare as numbers ("0.2" = "20%"); empty country/province = any. */
  'tax-codes': {
    kind: 'tax-code',
    title: 'Tax codes',
    description: 'Shopify tax line (title + rate, optionally country/province) → ERP tax code',
    keyColumns: [
      { name: 'title', match: 'ci' },
      { name: 'rate', match: 'decimal', optional: true },
      { name: 'country', match: 'ci', optional: true },
      { name: 'province', match: 'ci', optional: true },
    ],
    valueColumns: ['taxCode'],
  },
  /** Shopify location (GID, legacy id or name) → ERP warehouse. Orders without a location use the key the node's `whenMissing` names. */
  locations: {
    kind: 'location',
    title: 'Locations',
    description: 'Shopify location → ERP warehouse',
    keyColumns: [{ name: 'location', match: 'id', optional: false }],
    valueColumns: ['warehouse'],
  },
  'payment-methods': {
    kind: 'payment-method',
    title: 'Payment methods',
    description: 'Shopify payment gateway → ERP payment method',
    keyColumns: [{ name: 'gateway', match: 'ci' }],
    valueColumns: ['paymentMethod'],
  },
  'shipping-methods': {
    kind: 'shipping',
    title: 'Shipping methods',
    description: 'Shopify shipping line (title or code) → ERP shipping item and carrier',
    keyColumns: [{ name: 'shipping', match: 'ci' }],
    valueColumns: ['item', 'carrier'],
  },
  'sku-overrides': {
    kind: 'sku',
    title: 'SKU overrides',
    description: 'Shopify SKU → ERP item code, where they differ',
    keyColumns: [{ name: 'sku', match: 'text' }],
    valueColumns: ['erpSku'],
  },
} satisfies Record<string, Preset>;
