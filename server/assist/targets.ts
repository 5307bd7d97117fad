// Target schemas the server knows for a map node's downstream node type (the designer's Suggest button sends the
// node type; a consultant can also send any JSON Schema). The sales-order input is the ERP contract's
// SalesOrderInput (nodes/erp/contract.ts) written as JSON Schema with its descriptions.
import { readFileSync } from 'node:fs';

const FILES: Record<string, string> = {
  'erp.post-sales-order': 'sandbox-sales-order.schema.json',
};

export function targetSchemaFor(nodeType: string): unknown | null {
  const f = FILES[nodeType];
  return f ? JSON.parse(readFileSync(new URL(`../../nodes/core/assist/fixtures/${f}`, import.meta.url), 'utf8')) : null;
}

/** Where the Shopify order sits in a map node's input: `order` (after the trigger), `shopify.order` (template), or ''. */
export function sourceRootOf(sample: unknown): string {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(sample)) return 'order';
  if (Array.isArray(sample.lineItems)) return '';
  if (isObj(sample.order)) return 'order';
  if (isObj(sample.shopify) && isObj(sample.shopify.order)) return 'shopify.order';
  return 'order';
}
