// What became of a sandbox send, from its runs: which flow ran, how it ended, and the ERP document or reconciliation
// it produced. Pure, so the page and its test share it.
import type { RunRecord } from '../api/types.ts';

export interface Outcome {
  flowId: string;
  /** The flow's name in the run's version (its id when the run does not say). */
  flowName: string;
  runId: string;
  status: string;
  /** e.g. "ERP sales order SO0003", "payout balanced", or the error in words. */
  detail: string;
}

const errText = (e: unknown) => (e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : e ? String(e) : '');

export function outcomeOf(run: RunRecord): Outcome {
  const base = { flowId: run.flowId, flowName: run.flowName ?? run.flowId, runId: run.runId, status: run.status };
  if (run.status === 'failed') return { ...base, detail: errText(run.error) };
  // The API keeps a skip's reason apart from errors (`skipped`): nothing failed, and the reason is what the user needs.
  if (run.status === 'skipped') return { ...base, detail: run.skipped?.message || errText(run.error) || 'nothing to do' };
  if (run.status !== 'succeeded') return { ...base, detail: run.status === 'queued' ? 'waiting for a worker' : 'running' };
  const step = (type: string) => run.steps.find((s) => s.type === type && s.status === 'succeeded');
  const so = step('erp.post-sales-order')?.output as { number?: string; created?: boolean } | undefined;
  if (so?.number) return { ...base, detail: `ERP sales order ${so.number}${so.created === false ? ' (already there)' : ''}` };
  const memo = step('erp.post-credit-memo')?.output as { number?: string } | undefined;
  if (memo?.number) return { ...base, detail: `ERP credit memo ${memo.number}` };
  const rec = step('finance.reconcile-payouts');
  if (rec) {
    const recs = (rec.output as { reconciliations?: Array<{ payoutId: string; status: string }> } | undefined)?.reconciliations ?? [];
    const journal = step('erp.post-journal')?.output as { number?: string; entryNumber?: string } | undefined;
    const tied = recs.filter((r) => r.status === 'balanced').length;
    const words = recs.length ? `${tied} of ${recs.length} payout${recs.length === 1 ? '' : 's'} reconciled` : 'no new payouts';
    return { ...base, detail: `${words}${journal ? `; journal ${journal.number ?? journal.entryNumber ?? 'posted'}` : ''}` };
  }
  const receipt = step('finance.manual-payment-receipt')?.output as
    | { created?: boolean; settlement?: { entryNumber?: string | null; items?: Array<{ invoiceStatus?: string | null }> } }
    | undefined;
  if (receipt?.settlement) {
    const paid = receipt.settlement.items?.[0]?.invoiceStatus;
    const entry = receipt.settlement.entryNumber ?? 'booked';
    return { ...base, detail: `receipt ${entry}${receipt.created === false ? ' (already there)' : ''}${paid ? `; invoice ${paid}` : ''}` };
  }
  const push = step('shopify.fulfilment-push');
  if (push) return { ...base, detail: 'fulfilment created in Shopify' };
  const skip = run.steps.find((s) => s.status === 'skipped');
  // A skipped step's output is the skip, `{ skipped: true, code, message }`.
  if (skip) return { ...base, detail: errText(skip.output) || 'nothing to do' };
  return { ...base, detail: 'done' };
}

/**
 * Whether a run found by an order's key belongs to this row. A later refund of the same order starts runs keyed by
 * that order too; they are the refund's row's (keyed by its refund), not the order's.
 */
export function belongsToRow(row: { kind: string; refundGid?: string }, run: Pick<RunRecord, 'keys'>): boolean {
  const refund = run.keys.shopifyRefundId;
  if (row.kind === 'refund') return row.refundGid === undefined || refund === row.refundGid;
  return refund === undefined;
}

export const finished = (status: string) => status === 'succeeded' || status === 'failed' || status === 'skipped' || status === 'cancelled';
