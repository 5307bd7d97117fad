// The ERP's reference lists that lookup values name (tax codes, warehouses, payment methods): one shape for the
// designer's pickers and for the server's check that a lookup row names a record the ERP has.
import type { ErpConnector } from './contract.ts';

export const REFERENCE_LISTS = ['tax-codes', 'warehouses', 'payment-methods'] as const;
export type ReferenceList = (typeof REFERENCE_LISTS)[number];

export interface ErpReference {
  code: string;
  name: string;
  /** E.g. a tax code's rate. */
  detail?: string;
}

/** The list, or null when this ERP cannot list it (then values are not checked against it). */
export async function referenceList(erp: ErpConnector, list: ReferenceList): Promise<ErpReference[] | null> {
  switch (list) {
    case 'tax-codes':
      return erp.capabilities.taxCodes ? (await erp.listTaxCodes()).map((t) => ({ code: t.code, name: t.name, detail: t.rate })) : null;
    case 'warehouses':
      return erp.capabilities.warehouses ? (await erp.listWarehouses()).map((w) => ({ code: w.code, name: w.name })) : null;
    case 'payment-methods':
      return erp.listPaymentMethods ? (await erp.listPaymentMethods()).map((p) => ({ code: p.code, name: p.name })) : null;
  }
}

/**
 * Which lookup table column names ERP items by their code (SKU), by the table's kind. The product master is too large
 * to list whole: the picker searches it (`searchItems`, when the ERP can), and each value a save writes is looked up
 * with `findItems`.
 */
export const ITEM_COLUMNS: Record<string, string> = { sku: 'erpSku' };

/** Active items matching `q`, as picker entries (the item's name, its price as the detail); null: the ERP cannot search. */
export async function searchItemList(erp: ErpConnector, q: string, limit: number): Promise<ErpReference[] | null> {
  if (!erp.capabilities.items || !erp.searchItems) return null;
  return (await erp.searchItems(q, limit)).map((i) => ({ code: i.sku, name: i.name, ...(i.unitPrice ? { detail: i.unitPrice } : {}) }));
}

/** Which lookup table column names records of which ERP list, by the table's kind (server/lookups/store/presets.ts). */
export const REFERENCE_COLUMNS: Record<string, { column: string; list: ReferenceList }> = {
  'tax-code': { column: 'taxCode', list: 'tax-codes' },
  location: { column: 'warehouse', list: 'warehouses' },
  'payment-method': { column: 'paymentMethod', list: 'payment-methods' },
};
