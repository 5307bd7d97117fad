// finance.settle-receivables: after erp.post-journal has booked a payout, settles in the ERP the invoices and credit
// memos that payout paid (and reopens / repays invoices of chargebacks and won disputes), so a fully paid-out month
// leaves nothing on the receivable and the clearing account nets to zero.
import { z } from 'zod';
import { type ExceptionSink, defineNode, permanentError, route, connectionKindMeta } from '../../runtime/node-api.ts';
import type { ErpSettlement } from '../erp/contract.ts';
import { erpConnection, withNode } from '../erp/nodes/util.ts';
import { SETTLE_STATE, type PendingSettlement } from './settle.ts';

const config = z
  .object({
    connection: z.string().min(1, 'the ERP connection id is required').describe('ERP connection id').meta(connectionKindMeta('erp')),
    accounts: z
      .object({
        receivable: z.string().min(1).default('1100'),
        clearing: z.string().min(1).default('1190'),
        disputes: z.string().min(1).default('6200'),
      })
      .strict()
      .default({ receivable: '1100', clearing: '1190', disputes: '6200' }),
  })
  .strict();

export interface SettleOutput {
  payoutId: string | null;
  settlement: ErpSettlement | null;
  created: boolean;
  note?: string /** One per payout when a backlog was posted in one run. */;
  settlements?: SettleOutput[];
}

export const settleReceivablesNode = defineNode<z.infer<typeof config>, unknown, SettleOutput>({
  type: 'finance.settle-receivables',
  version: 1,
  title: 'Settle receivables paid by a payout',
  category: 'finance',
  description:
    'Follows erp.post-journal in the payout reconciliation: for the payout just posted, books one settlement entry (idempotent by payout id) ' +
    "moving each charge from the Shopify clearing account to the customer receivable and reconciling it with the order's invoice (refunds with their " +
    'credit memo; chargebacks reopen the invoice against the disputes account, won disputes pay it again). Sandbox ERP and Tryton.',
  config,
  inputs: [{ id: 'in', dataType: 'ErpJournalEntry' }],
  outputs: [{ id: 'out', dataType: 'ErpSettlement' }],
  idempotent: true,
  sampleOutput: {
    payoutId: '623721858',
    created: true,
    settlement: {
      externalId: '623721858',
      entryNumber: 'JE00042',
      items: [
        { kind: 'invoice', externalId: '450789469', amount: '409.94', status: 'settled', document: 'INV00012', settledAmount: '409.94', invoiceStatus: 'paid' },
      ],
    },
  },
  async execute(ctx, input) {
    // erp.post-journal gives one entry ({ externalId }) or, for a backlog posted in one run, { journals: [{ externalId }...] }.
    const list =
      input && typeof input === 'object' && Array.isArray((input as { journals?: unknown }).journals)
        ? (input as { journals: Array<{ externalId?: unknown }> }).journals
        : null;
    const ids = list ? list.map((j) => j?.externalId) : [input && typeof input === 'object' ? (input as { externalId?: unknown }).externalId : undefined];
    ids.forEach((payoutId, i) => {
      if (typeof payoutId !== 'string' || !payoutId) {
        const field = list ? `input.journals[${i}].externalId` : 'input.externalId';
        throw permanentError(`node ${ctx.nodeId}: ${field} must be the payout id of the journal erp.post-journal posted`, {
          code: 'INVALID_INPUT',
          details: { field },
        });
      }
    });
    if (!ctx.reconciliation) {
      throw permanentError(`node ${ctx.nodeId}: the host provides no reconciliation records (the settlements the reconciliation keeps)`, {
        code: 'NO_RECONCILIATION_RECORDS',
      });
    }
    const records = ctx.reconciliation(ctx.config.connection);
    // Flows that reconciled before the settlements had a table kept them in flow state: moved over once.
    const legacy = await ctx.state.get<Record<string, PendingSettlement> | null>(SETTLE_STATE);
    if (legacy) {
      for (const p of Object.values(legacy)) records.setSettlement(p.payoutId, p);
      ctx.state.set(SETTLE_STATE, null);
    }
    const out: SettleOutput[] = [];
    for (const payoutId of ids as string[]) {
      const kept = await records.settlement(payoutId);
      if (!kept) {
        out.push({
          payoutId,
          settlement: null,
          created: false,
          note: `no settlement is kept for payout ${payoutId} (reconciled by another flow, or before settlements were kept)`,
        });
        continue;
      }
      if (kept.status === 'settled') {
        // A re-run (replay, or a retry after a failure further down the backlog) books nothing twice.
        out.push({ payoutId, settlement: kept.result as ErpSettlement, created: false, note: `payout ${payoutId} was settled before` });
        continue;
      }
      const p = kept.data as PendingSettlement;
      const erp = await erpConnection(ctx, ['ledger']);
      if (typeof erp.settleReceivables !== 'function') {
        throw permanentError(
          `node ${ctx.nodeId}: the ${erp.kind} connection "${ctx.config.connection}" cannot settle receivables (sandbox ERP and Tryton can)`,
          { code: 'UNSUPPORTED', details: { capability: 'settleReceivables', erp: erp.kind } },
        );
      }
      const r = p.items.length
        ? await withNode(ctx, () =>
            erp.settleReceivables!({
              externalId: payoutId,
              date: p.date,
              currency: p.currency,
              description: `Shopify payout ${payoutId}: receivables settled`,
              accounts: ctx.config.accounts,
              items: p.items,
            }),
          )
        : { created: false, document: { externalId: payoutId, entryNumber: null, items: [] } };
      const missing = r.document.items.filter((i) => i.status === 'not-found');
      // Matched when reconciled, gone when settled (deleted, renumbered): their receivable stays open and clearing keeps
      // their amount. The rest of the payout is settled; these are finance's to find, not a log line to miss.
      if (missing.length) await raiseUnsettled(ctx, payoutId, p.currency, missing);
      await records.markSettled(payoutId, r.document);
      out.push({ payoutId, settlement: r.document, created: r.created });
    }
    if (list) return route('out', { payoutId: null, settlement: null, created: out.some((o) => o.created), settlements: out });
    // One entry in, one settlement out (ids has exactly one element here).
    const [one] = out;
    if (!one) throw new Error(`node ${ctx.nodeId}: no settlement result for the one journal`);
    return route('out', one);
  },
});

async function raiseUnsettled(
  ctx: { nodeId: string; runId: string; flowId: string; exceptions?: ExceptionSink; config: { accounts: { receivable: string; clearing: string } } },
  payoutId: string,
  currency: string,
  missing: ErpSettlement['items'],
): Promise<void> {
  const named = missing.map((m) => `${m.kind} ${m.externalId} (${m.amount} ${currency})`).join(', ');
  const { receivable, clearing } = ctx.config.accounts;
  const e = {
    type: 'payout-settlement-incomplete',
    key: `payout:${payoutId}`,
    owner: 'finance' as const,
    severity: 'high' as const,
    title: `Payout ${payoutId}: ${missing.length} document(s) it paid are no longer in the ERP and were not settled: ${named}`,
    detail:
      `The payout's journal is posted and its other documents settled. These were matched when the payout was reconciled but not ` +
      `found when settling (deleted or renumbered in the ERP?): until they are settled by hand, their amounts stay on ${receivable} ` +
      `receivable and ${clearing} clearing.`,
    links: { runId: ctx.runId, flowId: ctx.flowId, nodeId: ctx.nodeId },
    data: { payoutId, missing: missing.map((m) => ({ kind: m.kind, externalId: m.externalId, amount: m.amount })) },
  };
  if (!ctx.exceptions)
    throw permanentError(`node ${ctx.nodeId}: ${e.title}; no exceptions service to raise it`, { code: 'EXCEPTIONS_UNDELIVERED', details: e.data });
  await ctx.exceptions.raise(e);
}
