// Which bucket a Shopify Payments balance transaction belongs to. Shopify's type enum has ~95 values and grows,
// so this matches on the spelling (GraphQL or REST) by family and sends anything unknown to `adjustment`.
import type { Bucket } from './types.ts';

const norm = (t: string) =>
  t
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_');

/** type -> source type ('' for none) -> bucket: two lookups, no key string made per transaction. */
const memo = new Map<string, Map<string, { bucket: Bucket; known: boolean }>>();
let memoSize = 0;

/** Called for every transaction of a reconciliation: the few distinct (type, source type) pairs are classified once. */
export function bucketOf(type: string, sourceType?: string | null): { bucket: Bucket; known: boolean } {
  let bySource = memo.get(type);
  let r = bySource?.get(sourceType ?? '');
  if (!r) {
    r = classify(type, sourceType);
    // Shopify's types are a few dozen; a runaway of odd spellings must not grow this without bound.
    if (memoSize < 10_000) {
      if (!bySource) memo.set(type, (bySource = new Map()));
      bySource.set(sourceType ?? '', r);
      memoSize++;
    }
  }
  return r;
}

function classify(type: string, sourceType?: string | null): { bucket: Bucket; known: boolean } {
  const t = norm(type);
  if (t === 'CHARGE' || t === 'CAPTURE' || t === 'SALE') return { bucket: 'charge', known: true };
  if (t === 'REFUND' || t === 'REFUND_FAILURE') return { bucket: 'refund', known: true };
  if (t.includes('FEE') || t === 'SHIPPING_LABEL' || t === 'BILLING_DEBIT' || t === 'CUSTOMS_DUTY' || t === 'IMPORT_TAX') return { bucket: 'fee', known: true };
  if (t.startsWith('DISPUTE') || t.startsWith('CHARGEBACK')) return { bucket: 'dispute', known: true };
  if (t.startsWith('RESERVE') || t.startsWith('RISK_')) return { bucket: 'reserve', known: true };
  if (t.startsWith('TRANSFER') || t.startsWith('PAYOUT') || t === 'RETRIED_PAYOUT') return { bucket: 'payout-retry', known: true };
  if (t === 'ADJUSTMENT' || t === 'DEBIT' || t === 'CREDIT' || t.startsWith('ADJUSTMENT')) {
    return { bucket: sourceType && norm(sourceType).includes('DISPUTE') ? 'dispute' : 'adjustment', known: true };
  }
  return { bucket: 'adjustment', known: false };
}
