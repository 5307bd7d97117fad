// finance.reconcile-payouts: ties each Shopify Payments payout to its transactions and to the ERP's documents.
// Payouts wait in flow state until they balance (then one journal per run goes out of `balanced` for
// erp.post-journal) or fail/cancel; while they do not, finance gets exceptions that clear once fixed.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError, route, type NodeContext } from '../../runtime/node-api.ts';
import type { ExceptionSink } from '../../runtime/exceptions/types.ts';
import type { ErpConnector, JournalInput } from '../erp/contract.ts';
import { erpConnection, withNode } from '../erp/nodes/util.ts';
import type { ShopifyPayout } from '../shopify/types.ts';
import { addDays, legacy, loadErpDocs, loadSalesOrders } from './erp-docs.ts';
import { clearResolved, exceptionsFor } from './exceptions.ts';
import { payoutJournal } from './journal.ts';
import { parsePayouts, slim } from './input.ts';
import { reconcileBatch } from './reconcile.ts';
import { refundIdsByTransaction } from './refunds.ts';
import { samplePayoutOutput } from './samples.ts';
import { disputeExceptions, settlementItems, SETTLE_STATE, type PendingSettlement } from './settle.ts';
import type { PayoutReconciliation } from './types.ts';

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string like "0.01"');

export const reconcileConfig = z.object({
  connection: z.string().min(1, 'the ERP connection id is required').describe('ERP connection id'),
  /** Shopify connection to link refund transactions to refund ids (ERP credit memos are keyed by refund id). */
  shopifyConnection: z.string().min(1).optional(),
  accounts: z.object({
    bank: z.string().min(1).default('1000'),
    clearing: z.string().min(1).default('1190'),
    fees: z.string().min(1).default('6100'),
    adjustments: z.string().min(1).default('6200'),
    disputes: z.string().min(1).default('6200'),
    reserve: z.string().min(1).default('1195'),
    /** Where the ERP books Shopify order invoices and credit memos: read to match them. */
    receivable: z.string().min(1).default('1100'),
  }).strict().default({ bank: '1000', clearing: '1190', fees: '6100', adjustments: '6200', disputes: '6200', reserve: '1195', receivable: '1100' }),
  /** Per order / refund: differences up to this are rounding (FX), not a mismatch. The payout itself ties to the cent. */
  amountTolerance: decimalString.default('0.01'),
  /** How far apart a transaction and an ERP document may be dated when matched by amount. */
  dateToleranceDays: z.number().int().min(0).max(60).default(3),
  postStatuses: z.array(z.string().min(1)).min(1).default(['PAID']),
  reportErpOnly: z.boolean().default(true),
}).strict();

export type ReconcileConfig = z.infer<typeof reconcileConfig>;

export interface ReconcileOutput extends Partial<JournalInput> {
  /** The payout whose journal goes out of `balanced` in this run, if any. */
  payoutId: string | null;
  reconciliations: PayoutReconciliation[];
  /** Payouts still waiting (not balanced yet, not paid yet, or balanced and queued for the next run). */
  pending: string[];
  exceptions: Array<{ type: string; key: string; title: string }>;
}

const STATE = { pending: 'finance.payouts.pending', posted: 'finance.payouts.posted', claimed: 'finance.payouts.claimed' };

export const reconcilePayoutsNode = defineNode<ReconcileConfig, unknown, ReconcileOutput>({
  type: 'finance.reconcile-payouts',
  version: 1,
  title: 'Reconcile Shopify payouts',
  category: 'finance',
  description: 'Matches every balance transaction of each Shopify Payments payout (charges, refunds, fees, adjustments, disputes, reserves...) to the '
    + 'ERP invoices and credit memos, by Shopify id first, then by amount and date. A payout that ties to the cent goes out of `balanced` as a '
    + 'journal for erp.post-journal (idempotent by payout id); one that does not raises payout-variance and the item exceptions for finance, '
    + 'and is checked again on every run until it ties.',
  config: reconcileConfig,
  inputs: [{ id: 'in', dataType: '{ payouts: ShopifyPayout[] }' }],
  outputs: [
    { id: 'balanced', title: 'Balanced: journal to post', dataType: 'ErpJournalInput' },
    { id: 'unbalanced', title: 'Unbalanced: exceptions raised', dataType: 'PayoutReconciliation[]' },
    { id: 'idle', title: 'Nothing to post' },
  ],
  idempotent: true,
  sampleOutput: samplePayoutOutput,
  async execute(ctx, input) {
    const incoming = parsePayouts(ctx, input);
    const pending = new Map(Object.entries(ctx.state.get<Record<string, ShopifyPayout>>(STATE.pending) ?? {}));
    const posted = new Set(ctx.state.get<string[]>(STATE.posted) ?? []);
    for (const p of incoming) if (!posted.has(p.legacyId)) pending.set(p.legacyId, slim(p));
    const payouts = [...pending.values()].sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.legacyId.localeCompare(b.legacyId));
    if (!payouts.length) return route('idle', { payoutId: null, reconciliations: [], pending: [], exceptions: [] });

    const erp = await erpConnection(ctx, ['ledger']);
    const claimedBefore = ctx.state.get<string[]>(STATE.claimed) ?? [];
    const erpSide = await withNode(ctx, () => loadErpSide(ctx, erp, payouts, new Set(claimedBefore)));
    const { recs, claimedBy } = reconcileBatch(payouts, erpSide, {
      amountTolerance: new Decimal(ctx.config.amountTolerance), dateToleranceDays: ctx.config.dateToleranceDays,
      postStatuses: ctx.config.postStatuses.map((s) => s.toUpperCase()), reportErpOnly: ctx.config.reportErpOnly,
    }, ctx.now());

    const raws = new Map(incoming.flatMap((p) => p.balanceTransactions.map((t) => [legacy(t.id)!, t.raw] as const)));
    // A dispute is raised when the payout booking its chargeback is posted, and cleared when the one repaying it is.
    const ready = recs.find((r) => r.status === 'balanced');
    const disputes = disputeExceptions(ready ? [ready] : [], raws, { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId });
    const raised = [...exceptionsFor(recs, { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId }), ...disputes.raise];
    const sink = ctx.service<ExceptionSink>('exceptions');
    if (!sink && raised.length) {
      throw permanentError(`node ${ctx.nodeId}: ${raised.length} reconciliation exception(s) and no exceptions service to raise them: `
        + raised.slice(0, 10).map((e) => `[${e.type}] ${e.title}`).join('; ') + (raised.length > 10 ? '; ...' : ''),
      { code: 'EXCEPTIONS_UNDELIVERED', details: { exceptions: raised.map((e) => ({ type: e.type, key: e.key, title: e.title, data: e.data })) } });
    }
    if (sink) {
      for (const e of raised) sink.raise(e);
      clearResolved(sink, recs);
      for (const k of disputes.clear) sink.clear('payout-dispute', k, 'dispute won: Shopify returned the amount');
    }

    // One journal per run (erp.post-journal takes one entry); the others stay pending, already known to balance.
    for (const r of recs) if (r.status === 'not-paid') pending.delete(r.payoutId);
    if (ready) {
      pending.delete(ready.payoutId);
      posted.add(ready.payoutId);
      ctx.state.set(STATE.claimed, [...claimedBefore, ...(claimedBy.get(ready.payoutId) ?? [])].slice(-5000));
      // What the payout paid, for finance.settle-receivables once erp.post-journal has booked it.
      const toSettle = ctx.state.get<Record<string, PendingSettlement>>(SETTLE_STATE) ?? {};
      toSettle[ready.payoutId] = { payoutId: ready.payoutId, date: ready.date, currency: ready.currency, items: settlementItems(ready) };
      ctx.state.set(SETTLE_STATE, Object.fromEntries(Object.entries(toSettle).slice(-50)));
    }
    ctx.state.set(STATE.pending, Object.fromEntries(pending));
    ctx.state.set(STATE.posted, [...posted].slice(-1000));

    const out: ReconcileOutput = {
      payoutId: ready?.payoutId ?? null, reconciliations: recs, pending: [...pending.keys()],
      exceptions: raised.map((e) => ({ type: String(e.type), key: e.key, title: e.title })),
    };
    if (ready) {
      ctx.log.info({ payoutId: ready.payoutId, net: ready.payoutNet, pending: pending.size }, 'payout balanced: journal goes to the ERP');
      return route('balanced', { ...payoutJournal(ready, ctx.config.accounts), ...out });
    }
    return route(recs.some((r) => r.status === 'unbalanced') ? 'unbalanced' : 'idle', out);
  },
});

async function loadErpSide(ctx: NodeContext<ReconcileConfig>, erp: ErpConnector, payouts: ShopifyPayout[], claimedBefore: Set<string>) {
  const dates = payouts.flatMap((p) => [p.issuedAt.slice(0, 10), ...p.balanceTransactions.map((t) => t.processedAt.slice(0, 10))]).sort();
  const tol = ctx.config.dateToleranceDays;
  // Up to today: a document posted late (a refund booked days after Shopify paid it) still matches by id.
  const today = ctx.now().toISOString().slice(0, 10);
  const to = [addDays(dates[dates.length - 1], tol), today].sort()[1];
  const docs = await loadErpDocs(erp, { from: addDays(dates[0], -tol), to }, ctx.config.accounts.receivable, ctx.config.accounts.clearing);
  const invoiced = new Set(docs.filter((d) => d.kind === 'invoice').map((d) => d.externalId));
  const txs = payouts.flatMap((p) => p.balanceTransactions);
  const chargeOrders = [...new Set(txs.filter((t) => /^(CHARGE|CAPTURE|SALE)$/i.test(t.type) && t.sourceOrderId).map((t) => legacy(t.sourceOrderId)!))];
  const salesOrders = await loadSalesOrders(erp, chargeOrders.filter((o) => !invoiced.has(o)));
  const refundOrders = [...new Set(txs.filter((t) => /^REFUND/i.test(t.type) && t.sourceOrderId).map((t) => t.sourceOrderId!))];
  const refundOfTransaction = ctx.config.shopifyConnection
    ? await refundIdsByTransaction(ctx, ctx.config.shopifyConnection, refundOrders)
    : new Map<string, string>();
  return { docs, salesOrders, refundOfTransaction, claimedBefore };
}
