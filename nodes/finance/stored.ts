// Payouts whose transactions shopify.payouts stored in the runtime's payout rows (the step output carries a
// reference): read back a slice at a time, checked against the reference's count and digest.
import { permanentError, type NodeContext } from '../../runtime/node-api.ts';
import { decodeTransactionAmounts, decodeTransactionRow } from '../shopify/payout-rows.ts';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../shopify/types.ts';
import { bucketOf } from './classify.ts';
import type { PayoutInput } from './reconcile.ts';

/** Rows read (and parsed) at a time: bounds what one payout's slice holds in memory. */
export const SLICE = 5_000;

export const transactionCount = (p: ShopifyPayout) => p.stored?.count ?? p.balanceTransactions.length;

function rowStore(ctx: NodeContext, p: ShopifyPayout) {
  if (!ctx.payoutRows) {
    throw permanentError(
      `node ${ctx.nodeId}: payout ${p.legacyId}'s transactions are stored in the payout rows (${p.stored!.count} under ${p.stored!.scope}) but the host keeps no payout rows`,
      { code: 'NO_PAYOUT_ROWS' },
    );
  }
  return ctx.payoutRows(p.stored!.scope);
}

/**
 * The payout's transactions from the payout rows, in read order, `SLICE` at a time (`keySlices`: only what grouping
 * and matching by id read); `onSlice` sees each slice of whole transactions (the node notes dispute transactions). Each pass reads them again and checks them against the reference, so a re-read
 * that changed them between two passes fails the step instead of mixing two versions.
 */
export function storedInput(ctx: NodeContext, p: ShopifyPayout, onSlice?: (txs: ShopifyBalanceTransaction[]) => void): PayoutInput {
  const ref = p.stored!;
  return {
    payout: p,
    async *amountSlices() {
      for await (const rows of rowStore(ctx, p).read(p.legacyId, SLICE, { count: ref.count, digest: ref.digest })) {
        const txs = rows.map(decodeTransactionAmounts);
        if (onSlice) {
          // Only a dispute transaction is read whole (its raw payload names the dispute); the node notes nothing else.
          const whole: ShopifyBalanceTransaction[] = [];
          txs.forEach((t, i) => {
            if (bucketOf(t.type, t.sourceType).bucket === 'dispute') whole.push(decodeTransactionRow(rows[i]!));
          });
          if (whole.length) onSlice(whole);
        }
        yield txs;
      }
    },
    async *keySlices() {
      for await (const rows of rowStore(ctx, p).read(p.legacyId, SLICE, { count: ref.count, digest: ref.digest })) yield rows.map(decodeTransactionAmounts);
    },
  };
}

/**
 * Shopify order ids of the refund transactions (to link them to refund ids). Stored rows are not parsed whole for
 * this: the type is the row's second field, and only refunds are decoded.
 */
export async function refundOrdersOf(inputs: PayoutInput[]): Promise<Set<string>> {
  const out = new Set<string>();
  const refundType = new Map<string, boolean>();
  const isRefund = (type: string) => {
    let r = refundType.get(type);
    if (r === undefined) refundType.set(type, (r = bucketOf(type).bucket === 'refund'));
    return r;
  };
  for (const input of inputs) {
    if (!input.payout.stored) {
      for (const t of input.payout.balanceTransactions) if (t.sourceOrderId && bucketOf(t.type, t.sourceType).bucket === 'refund') out.add(t.sourceOrderId);
      continue;
    }
    for await (const txs of input.keySlices()) for (const t of txs) if (t.sourceOrderId && isRefund(t.type)) out.add(t.sourceOrderId);
  }
  return out;
}
