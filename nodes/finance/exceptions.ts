// The exceptions a reconciliation raises for finance, and the ones it clears once the cause is gone. The key names
// the Shopify object (not the payout) so a missing order raised by two runs is one exception with a count.
import type { ExceptionSink, ExceptionType, RaiseException } from '../../runtime/node-api.ts';
import { legacy } from './erp-docs.ts';
import type { Bucket, PayoutReconciliation, ReconItem } from './types.ts';

/** Types this node raises, for runbooks and the exceptions inbox. */
export const RECONCILIATION_EXCEPTION_TYPES = [
  'payout-variance',
  'payout-missing-in-erp',
  'payout-refund-unposted',
  'payout-amount-mismatch',
  'payout-unknown-in-shopify',
] as const;

const orderGid = (id: string | null) => (id ? `gid://shopify/Order/${id}` : undefined);

/** The Shopify object an item is about (the exception key). */
export function itemKey(i: Pick<ReconItem, 'status' | 'bucket' | 'orderId' | 'refundId' | 'transactions' | 'erp'>): string {
  if (i.status === 'erp-only') return `${i.erp!.kind}:${i.erp!.externalId}`;
  return matchedKey(i.bucket, i.orderId, i.refundId, i.transactions[0]);
}

/** itemKey of a group's item that is not ERP-only, from the group itself (`firstTx`: its first transaction id, legacy or GID). */
export function matchedKey(bucket: Bucket | 'erp-document', orderId: string | null, refundId: string | null, firstTx: string | undefined): string {
  if (bucket === 'charge' && orderId) return `order:${orderId}`;
  if (bucket === 'refund' && refundId) return `refund:${refundId}`;
  return `tx:${legacy(firstTx) ?? firstTx}`;
}

function itemException(r: PayoutReconciliation, i: ReconItem, links: { runId: string; flowId: string; nodeId: string }): RaiseException | null {
  const what =
    i.bucket === 'refund'
      ? `refund${i.refundId ? ` ${i.refundId}` : ''} of order ${i.orderId ?? '(unknown)'}`
      : `order ${i.orderId ?? `transaction ${i.transactions[0]}`}`;
  const common = { key: itemKey(i), owner: 'finance' as const, links: { ...links, shopify: orderGid(i.orderId), erp: i.erp?.number ?? undefined } };
  const data = { payoutId: r.payoutId, payoutDate: r.date, currency: r.currency, item: i };
  if (i.status === 'missing-in-erp') {
    return i.bucket === 'refund'
      ? {
          ...common,
          type: 'payout-refund-unposted',
          severity: 'high',
          title: `Refund not posted in the ERP: ${what}, ${i.shopifyAmount} ${r.currency}`,
          detail: `Shopify refunded ${i.shopifyAmount} ${r.currency} in payout ${r.payoutId} (transactions ${i.transactions.join(', ')}) but the ERP has no credit memo for it.`,
          data,
        }
      : {
          ...common,
          type: 'payout-missing-in-erp',
          severity: 'high',
          title: `Paid in Shopify, missing in the ERP: ${what}, ${i.shopifyAmount} ${r.currency}`,
          detail: `Shopify paid out ${i.shopifyAmount} ${r.currency} for ${what} in payout ${r.payoutId} but the ERP has no invoice or sales order for it.`,
          data,
        };
  }
  if (i.status === 'amount-mismatch') {
    return {
      ...common,
      type: 'payout-amount-mismatch',
      severity: 'medium',
      title: `Amount differs for ${what}: Shopify ${i.shopifyAmount}, ERP ${i.erpAmount} (${i.delta} ${r.currency})`,
      detail: `Payout ${r.payoutId}: Shopify ${i.shopifyAmount} vs ERP ${i.erp?.kind} ${i.erp?.number} ${i.erpAmount}; difference ${i.delta} ${r.currency}.`,
      data,
    };
  }
  if (i.status === 'erp-only') {
    return {
      ...common,
      type: 'payout-unknown-in-shopify',
      severity: 'medium',
      title: `ERP ${i.erp!.kind} ${i.erp!.number ?? i.erp!.externalId} (${i.erpAmount} ${r.currency}) is in no Shopify payout`,
      detail: `Dated ${i.erp!.date}, within payout ${r.payoutId}'s dates, with Shopify id ${i.erp!.externalId}, but no Shopify Payments transaction matches it.`,
      data,
    };
  }
  return null;
}

export function exceptionsFor(recs: PayoutReconciliation[], links: { runId: string; flowId: string; nodeId: string }): RaiseException[] {
  const out: RaiseException[] = [];
  for (const r of recs) {
    if (r.status === 'unbalanced') {
      out.push({
        type: 'payout-variance',
        key: `payout:${r.payoutId}`,
        owner: 'finance',
        severity: 'high',
        title: `Payout ${r.payoutId} of ${r.date} (${r.payoutNet} ${r.currency}) does not reconcile: ERP variance ${r.erpVariance}, Shopify variance ${r.shopifyVariance}`,
        detail:
          `Not posted. ${r.counts['missing-in-erp']} missing in the ERP, ${r.counts['amount-mismatch']} amount mismatches` +
          `${r.inconsistentTransactions.length ? `, Shopify transactions whose net is not amount − fee: ${r.inconsistentTransactions.join(', ')}` : ''}. The journal is posted automatically once both variances are 0.00.`,
        links: { ...links, shopify: r.payoutGid },
        data: {
          payoutId: r.payoutId,
          currency: r.currency,
          payoutNet: r.payoutNet,
          totals: r.totals,
          erpVariance: r.erpVariance,
          shopifyVariance: r.shopifyVariance,
          counts: r.counts,
          inconsistentTransactions: r.inconsistentTransactions,
        },
      });
    }
    for (const i of r.items) {
      const e = itemException(r, i, links);
      if (e) out.push(e);
    }
  }
  return out;
}

/**
 * Causes that are gone: a balanced payout clears its variance, a matched item (`matchedKeys`, see itemKey) the
 * problems it had before. With a sink that lists its open keys, only those are checked (a run matching a million
 * items does not make a million lookups).
 */
const ITEM_TYPES = ['payout-missing-in-erp', 'payout-refund-unposted', 'payout-amount-mismatch'] as const;

/**
 * The keys of the item exceptions open before a run, when the sink can list them: the only matched keys the run
 * needs to collect (a backlog matches a million items; a million keys held to the end of the run were its largest
 * set). An item raised by this run is not among them, so a match elsewhere in the same run does not clear it.
 */
export async function openItemKeys(sink: ExceptionSink | undefined): Promise<Set<string> | undefined> {
  if (!sink?.openKeys) return undefined;
  const out = new Set<string>();
  for (const t of ITEM_TYPES) for (const key of await sink.openKeys(t)) out.add(key);
  for (const key of await sink.openKeys('payout-unknown-in-shopify')) {
    const matched = erpOnlyMatchedKey(key);
    if (matched) out.add(matched);
  }
  return out;
}

/**
 * An ERP-only document's exception (`invoice:<order id>`, `credit-memo:<refund id>`) and the key its Shopify
 * transaction matches under (`order:…`, `refund:…`). A capture or refund booked in the ERP on a payout's last day is
 * often paid out in the next payout: once a later payout matches it, the document is in a payout after all.
 */
const MATCHED_AS = { invoice: 'order', 'credit-memo': 'refund' } as const;
const split = (key: string) => [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)] as const;
function erpOnlyMatchedKey(key: string): string | undefined {
  const [kind, id] = split(key);
  const as = MATCHED_AS[kind as keyof typeof MATCHED_AS];
  return as && id ? `${as}:${id}` : undefined;
}
function matchedErpOnlyKey(key: string): string | undefined {
  const [as, id] = split(key);
  const kind = Object.keys(MATCHED_AS).find((k) => MATCHED_AS[k as keyof typeof MATCHED_AS] === as);
  return kind && id ? `${kind}:${id}` : undefined;
}

export async function clearResolved(sink: ExceptionSink, recs: PayoutReconciliation[], matchedKeys: ReadonlySet<string>): Promise<number> {
  let n = 0;
  const clear = async (type: ExceptionType, key: string) => {
    if (await sink.clear(type, key, 'cleared by the payout reconciliation')) n++;
  };
  if (sink.openKeys) {
    const open = new Set(await sink.openKeys('payout-variance', 'payout:'));
    for (const r of recs) if (r.status !== 'unbalanced' && open.has(`payout:${r.payoutId}`)) await clear('payout-variance', `payout:${r.payoutId}`);
    for (const t of ITEM_TYPES) for (const key of await sink.openKeys(t)) if (matchedKeys.has(key)) await clear(t, key);
    for (const key of await sink.openKeys('payout-unknown-in-shopify')) {
      const matched = erpOnlyMatchedKey(key);
      if (matched && matchedKeys.has(matched)) await clear('payout-unknown-in-shopify', key);
    }
    return n;
  }
  for (const r of recs) if (r.status !== 'unbalanced') await clear('payout-variance', `payout:${r.payoutId}`);
  for (const key of matchedKeys) for (const t of ITEM_TYPES) await clear(t, key);
  for (const key of matchedKeys) {
    const erpOnly = matchedErpOnlyKey(key);
    if (erpOnly) await clear('payout-unknown-in-shopify', erpOnly);
  }
  return n;
}
