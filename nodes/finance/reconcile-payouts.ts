// finance.reconcile-payouts: ties each Shopify Payments payout to its transactions and to the ERP's documents.
// Payouts wait in the reconciliation records until they balance (then every balanced payout's journal goes out of
// `balanced` for erp.post-journal, in the same run) or fail/cancel; while they do not, finance gets exceptions that
// clear once fixed. What is kept between runs grows with the payouts still waiting, not with history.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { defineNode, permanentError, route, type NodeContext, type ReconciliationRecords, connectionKindMeta } from '../../runtime/node-api.ts';
import type { ErpConnector, JournalInput } from '../erp/contract.ts';
import { erpConnection, withNode } from '../erp/nodes/util.ts';
import type { ShopifyBalanceTransaction, ShopifyPayout } from '../shopify/types.ts';
import { addDays, legacy, loadErpDocs, loadSalesOrders } from './erp-docs.ts';
import { clearResolved, exceptionsFor, openItemKeys } from './exceptions.ts';
import { payoutJournal } from './journal.ts';
import { bucketOf } from './classify.ts';
import { parsePayouts, slim } from './input.ts';
import { inlineInput, Reconciler, type ErpSide, type PayoutInput } from './reconcile.ts';
import { storedInput, refundOrdersOf, transactionCount } from './stored.ts';
import { refundIdsByTransaction } from './refunds.ts';
import { samplePayoutOutput } from './samples.ts';
import { disputeExceptions, type PendingSettlement } from './settle.ts';
import type { PayoutReconciliation } from './types.ts';

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string like "0.01"');

export const reconcileConfig = z
  .object({
    connection: z.string().min(1, 'the ERP connection id is required').describe('ERP connection id').meta(connectionKindMeta('erp')),
    /** Shopify connection to link refund transactions to refund ids (ERP credit memos are keyed by refund id). */
    shopifyConnection: z.string().min(1).meta(connectionKindMeta('shopify')).optional(),
    accounts: z
      .object({
        bank: z.string().min(1).default('1000'),
        clearing: z.string().min(1).default('1190'),
        fees: z.string().min(1).default('6100'),
        adjustments: z.string().min(1).default('6200'),
        disputes: z.string().min(1).default('6200'),
        reserve: z.string().min(1).default('1195'),
        /**
         * Payout rounding: differences within `amountTolerance` (FX, cents) between Shopify and the ERP documents. The
         * settlement clears each document's full amount, so without this line clearing would keep them.
         */
        rounding: z.string().min(1).default('6200'),
        /** Where the ERP books Shopify order invoices and credit memos: read to match them. */
        receivable: z.string().min(1).default('1100'),
      })
      .strict()
      .default({
        bank: '1000',
        clearing: '1190',
        fees: '6100',
        adjustments: '6200',
        disputes: '6200',
        reserve: '1195',
        rounding: '6200',
        receivable: '1100',
      }),
    /**
     * Per order / refund: differences up to this are rounding (FX), not a mismatch; booked to `accounts.rounding`. The
     * payout itself ties to the cent.
     */
    amountTolerance: decimalString.default('0.01'),
    /** How far apart a transaction and an ERP document may be dated when matched by amount. */
    dateToleranceDays: z.number().int().min(0).max(60).default(3),
    postStatuses: z.array(z.string().min(1)).min(1).default(['PAID']),
    reportErpOnly: z.boolean().default(true),
    /**
     * Which items the output lists. `all`: every line (with its fee); `problems`: only what finance must look at (every
     * item is still counted, and each match is in the claims records); `auto` (default): `all` while the run has at most
     * 20,000 transactions, `problems` above (a backlog of a year would otherwise be hundreds of MB of step output).
     */
    items: z.enum(['auto', 'all', 'problems']).default('auto'),
  })
  .strict();

export type ReconcileConfig = z.infer<typeof reconcileConfig>;

/** Above this many transactions in one run, `items: auto` lists problems only. */
export const AUTO_ITEMS_LIMIT = 20_000;

export interface ReconcileOutput {
  /** One journal per payout that balanced in this run, oldest first, for erp.post-journal (idempotent by payout id). */
  journals: JournalInput[];
  /** The payouts of `journals`, in the same order. */
  payoutIds: string[];
  /** Every payout reconciled in this run (`items`: see config.items; `counts` always cover every item). */
  reconciliations: PayoutReconciliation[];
  /** Payouts still waiting (not balanced yet, or not paid yet): reconciled again on the next run. */
  pending: string[];
  exceptions: Array<{ type: string; key: string; title: string }>;
  /** Which items the reconciliations list (config.items resolved). */
  items: 'all' | 'problems';
}

export const reconcilePayoutsNode = defineNode<ReconcileConfig, unknown, ReconcileOutput>({
  type: 'finance.reconcile-payouts',
  version: 1,
  title: 'Reconcile Shopify payouts',
  category: 'finance',
  description:
    'Matches every balance transaction of each Shopify Payments payout (charges, refunds, fees, adjustments, disputes, reserves...) to the ' +
    'ERP invoices and credit memos, by Shopify id first, then by amount and date. Every payout that ties to the cent goes out of `balanced` ' +
    'as one journal per payout for erp.post-journal (idempotent by payout id), however many are waiting, with the differences ' +
    'accepted within amountTolerance booked as payout rounding (accounts.rounding) so clearing nets to zero; one that does not raises ' +
    'payout-variance and the item exceptions for finance, and is checked again on every run until it ties. Claims and payout standing ' +
    "are kept in the runtime's reconciliation tables, so no ERP document is ever matched to two payouts.",
  config: reconcileConfig,
  inputs: [{ id: 'in', dataType: '{ payouts: ShopifyPayout[] }' }],
  outputs: [
    { id: 'balanced', title: 'Balanced: journals to post', dataType: '{ journals: ErpJournalInput[] }' },
    { id: 'unbalanced', title: 'Unbalanced: exceptions raised', dataType: 'PayoutReconciliation[]' },
    { id: 'idle', title: 'Nothing to post' },
  ],
  idempotent: true,
  sampleOutput: samplePayoutOutput,
  async execute(ctx, input) {
    const incoming = parsePayouts(ctx, input);
    if (!ctx.reconciliation) {
      throw permanentError(`node ${ctx.nodeId}: the host provides no reconciliation records (claims and posted payouts)`, {
        code: 'NO_RECONCILIATION_RECORDS',
      });
    }
    const records = ctx.reconciliation(ctx.config.connection);
    await adoptLegacyState(ctx, records);
    const started = Date.now();
    const standing = await records.standing(incoming.map((p) => p.legacyId));
    const batch = new Map<string, ShopifyPayout>();
    for (const k of await records.pending()) if (k.data) batch.set(k.payoutId, k.data as ShopifyPayout);
    // A payout seen again replaces what was kept (Shopify's figures win); one already posted or not paid is done.
    const fresh = new Set<string>();
    for (const p of incoming) {
      const s = standing.get(p.legacyId);
      if (s === 'posted' || s === 'not-paid') continue;
      batch.set(p.legacyId, slim(p));
      fresh.add(p.legacyId);
    }
    const payouts = [...batch.values()].sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.legacyId.localeCompare(b.legacyId));
    // Payouts already done whose transactions a re-read stored again: not needed (dropped with this step).
    for (const p of incoming) if (p.stored && !batch.has(p.legacyId)) ctx.payoutRows?.(p.stored.scope).drop([p.legacyId]);
    if (!payouts.length) return route('idle', { journals: [], payoutIds: [], reconciliations: [], pending: [], exceptions: [], items: 'all' });
    const transactions = payouts.reduce((n, p) => n + transactionCount(p), 0);
    const items = ctx.config.items === 'auto' ? (transactions > AUTO_ITEMS_LIMIT ? 'problems' : 'all') : ctx.config.items;
    const stored = payouts.filter((p) => p.stored).length;
    ctx.log.info({ payouts: payouts.length, transactions, kept: payouts.length - fresh.size, items, stored }, 'reconciling payouts');

    // Dispute transactions of the payouts read in this run (the raw payload names the dispute), seen as they pass.
    const raws = new Map<string, { raw: unknown; dispute: unknown }>();
    const noteDisputes = (txs: ShopifyBalanceTransaction[]) => {
      for (const t of txs) if (bucketOf(t.type, t.sourceType).bucket === 'dispute') raws.set(legacy(t.id)!, { raw: t.raw, dispute: t.dispute ?? null });
    };
    for (const p of incoming) if (!p.stored) noteDisputes(p.balanceTransactions);
    const inputs: PayoutInput[] = payouts.map((p) => (p.stored ? storedInput(ctx, p, fresh.has(p.legacyId) ? noteDisputes : undefined) : inlineInput(p)));

    const erp = await erpConnection(ctx, ['ledger']);
    const erpSide = await withNode(ctx, () => loadErpSide(ctx, erp, inputs, records));
    const claimed = erpSide.claimedBefore;
    const claimedCount = claimed instanceof Uint8Array ? claimed.reduce((n, b) => n + (b ? 1 : 0), 0) : claimed.size;
    ctx.log.info(
      { documents: erpSide.docs.length, claimedBefore: claimedCount, refundsLinked: erpSide.refundOfTransaction.size, ms: Date.now() - started },
      'ERP documents loaded',
    );
    // What each balanced payout settles (finance.settle-receivables after the journal) and its disputes, taken from
    // every item while the payout is assembled, before the output keeps only the problems. The settlement is staged
    // in the records at once (as text), not held as a thousand item objects per payout until every payout is done.
    const disputeRecs: PayoutReconciliation[] = [];
    const reconciler = new Reconciler(
      erpSide,
      {
        amountTolerance: new Decimal(ctx.config.amountTolerance),
        dateToleranceDays: ctx.config.dateToleranceDays,
        postStatuses: ctx.config.postStatuses.map((s) => s.toUpperCase()),
        reportErpOnly: ctx.config.reportErpOnly,
        items,
        watchKeys: await openItemKeys(ctx.exceptions),
        onBalanced: async (r, { settlement: items, disputes }, claims) => {
          // Its claims are staged in the records now (committed with the step), not held until every payout is done.
          await records.claim(r.payoutId, claims);
          const settlement: PendingSettlement = { payoutId: r.payoutId, date: r.date, currency: r.currency, items };
          records.setSettlement(r.payoutId, settlement);
          if (disputes.length) disputeRecs.push({ ...r, items: disputes });
        },
      },
      ctx.now(),
    );
    // Pass 1, every payout: Shopify ids claim their ERP documents before any amount-and-date guess; a payout matched
    // whole by id is assembled from this read (its rows are read once in the run).
    for (const i of inputs) await reconciler.matchById(i);
    // Charges no invoice matched: their sales orders (an ERP keeping invoices as drafts), many ids per call.
    const orders = reconciler.chargeOrdersWithoutInvoice();
    if (orders.length && erp.capabilities.salesOrders)
      for (const [k, v] of await withNode(ctx, () => loadSalesOrders(erp, orders))) erpSide.salesOrders.set(k, v);
    ctx.log.info({ salesOrders: erpSide.salesOrders.size, looked: orders.length, ...reconciler.progress, ms: Date.now() - started }, 'matched by Shopify id');
    // Pass 2, the payouts left: their rows read again for sales orders, amount and date, then the payout's totals.
    for (const i of inputs) await reconciler.assemble(i);
    const { recs, matchedKeys } = reconciler.finish();
    ctx.log.info(
      {
        payouts: recs.length,
        balanced: recs.filter((r) => r.status === 'balanced').length,
        ...Object.fromEntries(
          ['matched', 'missing-in-erp', 'amount-mismatch', 'erp-only'].map((k) => [k, recs.reduce((n, r) => n + r.counts[k as keyof typeof r.counts], 0)]),
        ),
        ms: Date.now() - started,
      },
      'payouts matched',
    );

    // A dispute is raised when the payout booking its chargeback is posted, and cleared when the one repaying it is.
    const disputes = disputeExceptions(disputeRecs, raws, { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId });
    const raised = [...exceptionsFor(recs, { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId }), ...disputes.raise];
    const sink = ctx.exceptions;
    if (!sink && raised.length) {
      throw permanentError(
        `node ${ctx.nodeId}: ${raised.length} reconciliation exception(s) and no exceptions service to raise them: ` +
          raised
            .slice(0, 10)
            .map((e) => `[${e.type}] ${e.title}`)
            .join('; ') +
          (raised.length > 10 ? '; ...' : ''),
        {
          code: 'EXCEPTIONS_UNDELIVERED',
          details: { exceptions: raised.slice(0, 100).map((e) => ({ type: e.type, key: e.key, title: e.title, data: e.data })), count: raised.length },
        },
      );
    }
    if (sink) {
      for (const e of raised) await sink.raise(e);
      // A key this run raises (an order captured in two payouts: one matched, one not) stays open, also when it was
      // open before: a match elsewhere does not resolve it.
      for (const e of raised) matchedKeys.delete(e.key);
      await clearResolved(sink, recs, matchedKeys);
      for (const k of disputes.clear) await sink.clear('payout-dispute', k, 'dispute won: Shopify returned the amount');
    }

    // Every balanced payout gets its journal in this run; its claims become permanent with this step's success.
    const journals: JournalInput[] = [];
    const pending: string[] = [];
    const byId = new Map(payouts.map((p) => [p.legacyId, p]));
    // Each posted payout's settlement waits in the reconciliation records until finance.settle-receivables books it
    // (not in flow state: it grew with every payout posted and not settled yet).
    for (const r of recs) {
      const p = byId.get(r.payoutId)!;
      if (r.status === 'balanced' || r.status === 'not-paid') if (p.stored) ctx.payoutRows?.(p.stored.scope).drop([r.payoutId]);
      if (r.status === 'balanced') {
        records.setPosted(r.payoutId, p.issuedAt, r.payoutId);
        journals.push(payoutJournal(r, ctx.config.accounts));
      } else if (r.status === 'not-paid') {
        records.setNotPaid(r.payoutId, p.issuedAt);
      } else {
        pending.push(r.payoutId);
        if (fresh.has(r.payoutId)) records.setPending(r.payoutId, p.issuedAt, p);
      }
    }
    ctx.log.info(
      { journals: journals.length, pending: pending.length, exceptions: raised.length, ms: Date.now() - started },
      journals.length ? 'payouts balanced: journals go to the ERP' : 'no payout balanced',
    );

    const out: ReconcileOutput = {
      journals,
      payoutIds: journals.map((j) => j.externalId),
      reconciliations: recs,
      pending,
      exceptions: raised.map((e) => ({ type: String(e.type), key: e.key, title: e.title })),
      items,
    };
    if (journals.length) return route('balanced', out);
    return route(recs.some((r) => r.status === 'unbalanced') ? 'unbalanced' : 'idle', out);
  },
});

/** ERP document uids looked up in the claims records per call. */
const CLAIMS_SLICE = 20_000;

async function loadErpSide(ctx: NodeContext<ReconcileConfig>, erp: ErpConnector, inputs: PayoutInput[], records: ReconciliationRecords): Promise<ErpSide> {
  let first = '';
  let last = '';
  const seen = (d: string | null | undefined) => {
    if (!d) return;
    if (!first || d < first) first = d;
    if (d > last) last = d;
  };
  for (const { payout: p } of inputs) {
    seen(p.issuedAt.slice(0, 10));
    if (p.stored) {
      seen(p.stored.from);
      seen(p.stored.to);
    } else for (const t of p.balanceTransactions) seen(t.processedAt.slice(0, 10));
  }
  const tol = ctx.config.dateToleranceDays;
  // Up to today: a document posted late (a refund booked days after Shopify paid it) still matches by id.
  const today = ctx.now().toISOString().slice(0, 10);
  let to = addDays(last, tol);
  if (today > to) to = today;
  const docs = await loadErpDocs(erp, { from: addDays(first, -tol), to }, ctx.config.accounts.receivable, ctx.config.accounts.clearing);
  // Only the loaded documents are looked up in the claims table (one indexed query per 20,000), not the whole history;
  // their uids are made a slice at a time (the table keeps none).
  const claimedBefore = new Uint8Array(docs.length);
  for (let i = 0; i < docs.length; i += CLAIMS_SLICE) {
    const uids = Array.from({ length: Math.min(CLAIMS_SLICE, docs.length - i) }, (_, k) => docs.uid(i + k));
    const claimed = await records.claimedBy(uids);
    if (claimed.size) for (let k = 0; k < uids.length; k++) if (claimed.has(uids[k]!)) claimedBefore[i + k] = 1;
  }
  // Refund transactions carry the order transaction; ERP credit memos the refund id: Shopify links the two.
  const refundOrders = ctx.config.shopifyConnection ? await refundOrdersOf(inputs) : new Set<string>();
  const refundOfTransaction =
    ctx.config.shopifyConnection && refundOrders.size
      ? await refundIdsByTransaction(ctx, ctx.config.shopifyConnection, [...refundOrders])
      : new Map<string, string>();
  return { docs, salesOrders: new Map(), refundOfTransaction, claimedBefore };
}

/**
 * Flows reconciled before the records existed kept pending payouts, posted ids and claims (capped) in flow state:
 * moved into the records once, so an upgrade forgets nothing it still had.
 */
async function adoptLegacyState(ctx: NodeContext<ReconcileConfig>, records: ReconciliationRecords): Promise<void> {
  const LEGACY = { pending: 'finance.payouts.pending', posted: 'finance.payouts.posted', claimed: 'finance.payouts.claimed' };
  const [pending, posted, claimed] = await Promise.all([
    ctx.state.get<Record<string, ShopifyPayout> | null>(LEGACY.pending),
    ctx.state.get<string[] | null>(LEGACY.posted),
    ctx.state.get<string[] | null>(LEGACY.claimed),
  ]);
  if (!pending && !posted && !claimed) return;
  for (const id of posted ?? []) records.setPosted(id, '', id);
  for (const p of Object.values(pending ?? {})) records.setPending(p.legacyId, p.issuedAt, p);
  if (claimed?.length)
    await records.claim(
      '(before reconciliation records)',
      claimed.map((docUid) => ({ docUid, item: 'unknown', matchedBy: 'unknown' })),
    );
  for (const k of Object.values(LEGACY)) ctx.state.set(k, null);
  ctx.log.info(
    { pending: Object.keys(pending ?? {}).length, posted: posted?.length ?? 0, claimed: claimed?.length ?? 0 },
    'moved payout reconciliation state into the reconciliation records',
  );
}
