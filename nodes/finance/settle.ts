// What a balanced payout settles in the ERP, and the dispute exceptions it raises. Pure.
// Charges pay their order's invoice, refunds pay out their credit memo, a chargeback takes the payment back (the
// invoice is open again, an exception for finance until the dispute is decided) and a won dispute pays it again.
import { Decimal } from 'decimal.js';
import type { SettlementItemInput } from '../erp/contract.ts';
import type { RaiseException } from '../../runtime/node-api.ts';
import type { ShopifyDispute } from '../shopify/types.ts';
import type { PayoutReconciliation, ReconItem } from './types.ts';

export const DISPUTE_EXCEPTION_TYPES = ['payout-dispute'] as const;

/** Kept in flow state by the reconciliation for the settlement step that follows the payout journal. */
export const SETTLE_STATE = 'finance.payouts.settle';
export interface PendingSettlement {
  payoutId: string;
  date: string;
  currency: string;
  items: SettlementItemInput[];
}

/** |v| to 2 places; a reconciliation's amounts already are "-?d+.dd" (one per matched line of a million), read as text. */
const TWO_PLACES = /^-?\d+\.\d\d$/;
const abs = (v: string) => (TWO_PLACES.test(v) ? (v[0] === '-' ? v.slice(1) : v) : new Decimal(v).abs().toFixed(2));
const positive = (v: string) => (TWO_PLACES.test(v) ? v[0] !== '-' && /[1-9]/.test(v) : new Decimal(v).gt(0));

export function settlementItems(r: PayoutReconciliation): SettlementItemInput[] {
  const out: SettlementItemInput[] = [];
  for (const i of r.items) {
    const line = settlementLine(i.status, i.bucket, i.erp?.kind, i.orderId, i.erp?.externalId, i.shopifyAmount);
    if (line) out.push(line);
  }
  return out;
}

/**
 * What one item settles, from the few fields that decide it (the reconciler calls it per group, without building the
 * item: a backlog's balanced payouts have a million lines); null when it settles nothing.
 */
export function settlementLine(
  status: ReconItem['status'],
  bucket: ReconItem['bucket'],
  erpKind: string | undefined,
  orderId: string | null,
  erpExternalId: string | undefined,
  shopifyAmount: string,
): SettlementItemInput | null {
  let line: SettlementItemInput | null = null;
  if (status === 'matched' && bucket === 'charge' && erpKind === 'invoice' && orderId)
    line = { kind: 'invoice', externalId: orderId, amount: abs(shopifyAmount) };
  else if (status === 'matched' && bucket === 'refund' && erpKind === 'credit-memo' && erpExternalId !== undefined)
    line = { kind: 'credit-memo', externalId: erpExternalId, amount: abs(shopifyAmount) };
  else if (bucket === 'dispute' && orderId && !new Decimal(shopifyAmount).isZero())
    line = { kind: new Decimal(shopifyAmount).lt(0) ? 'chargeback' : 'chargeback-reversal', externalId: orderId, amount: abs(shopifyAmount) };
  return line && positive(line.amount) ? line : null;
}

/** Shopify's dispute behind the transaction (ShopifyPaymentsDispute, read by shopify.payouts): reason, status, evidence deadline. */
function disputeDetails(x: unknown): {
  reason: string | null;
  evidenceDueBy: string | null;
  disputeId: string | null;
  status: string | null;
  type: string | null;
} {
  const { raw, dispute } = (x ?? {}) as { raw?: Record<string, any>; dispute?: ShopifyDispute | null };
  const sourceId = raw?.sourceId ?? raw?.source_id;
  return {
    reason: dispute?.reason ?? null,
    evidenceDueBy: dispute?.evidenceDueBy ?? null,
    disputeId: dispute?.legacyId ?? (sourceId != null ? String(sourceId) : null),
    status: dispute?.status ?? null,
    type: dispute?.type ?? null,
  };
}

const reasonText = (r: string) => r.toLowerCase().replace(/_/g, ' ');

/**
 * One exception per disputed order, owned by finance: opened by a chargeback (with order, amount, reason and
 * evidence deadline), cleared by a won dispute. Raised for every dispute transaction in any reconciled payout, so
 * the same chargeback seen again only counts up.
 */
export function disputeExceptions(
  recs: PayoutReconciliation[],
  raws: Map<string, unknown>,
  links: { runId: string; flowId: string; nodeId: string },
): { raise: RaiseException[]; clear: string[] } {
  const raise: RaiseException[] = [];
  const clear: string[] = [];
  for (const r of recs) {
    for (const i of r.items.filter((x: ReconItem) => x.bucket === 'dispute')) {
      const amount = new Decimal(i.shopifyAmount);
      const key = `dispute:order:${i.orderId ?? `tx:${i.transactions[0]}`}`;
      if (amount.gt(0)) {
        clear.push(key);
        continue;
      }
      const tx = i.transactions[0];
      const d = disputeDetails(tx === undefined ? undefined : raws.get(tx));
      raise.push({
        type: 'payout-dispute',
        key,
        owner: 'finance',
        severity: 'high',
        title: `Chargeback on order ${i.orderId ?? '(unknown)'}: ${amount.abs().toFixed(2)} ${r.currency}, ${d.reason ? `reason ${reasonText(d.reason)}` : 'reason not given by Shopify'}${d.evidenceDueBy ? `, evidence due ${d.evidenceDueBy.slice(0, 10)}` : ''}`,
        detail:
          `Shopify took ${amount.abs().toFixed(2)} ${r.currency} back in payout ${r.payoutId} (transaction ${i.transactions.join(', ')}). The payout settlement reopens the order's invoice ` +
          `(receivable debited, disputes account credited). Submit evidence in Shopify${d.evidenceDueBy ? ` before ${d.evidenceDueBy}` : ''}; a won dispute pays the invoice again and clears this, a lost one is written off from the receivable.`,
        links: { ...links, shopify: i.orderId ? `gid://shopify/Order/${i.orderId}` : undefined },
        data: {
          payoutId: r.payoutId,
          orderId: i.orderId,
          amount: amount.abs().toFixed(2),
          currency: r.currency,
          reason: d.reason,
          evidenceDueBy: d.evidenceDueBy,
          disputeId: d.disputeId,
          disputeStatus: d.status,
          disputeType: d.type,
          transactions: i.transactions,
        },
      });
    }
  }
  return { raise, clear };
}
