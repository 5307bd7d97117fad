// shopify.payouts: Shopify Payments payouts issued since a cursor, each with all its balance transactions.
// Payouts have no webhook (Shopify publishes none), so this is polled on a schedule.
import { z } from 'zod';
import { defineNode, permanentError } from '../../runtime/node-api.ts';
import type { BalanceTransactionsQuery, PayoutsQuery } from './admin-types.generated.ts';
import type { ShopifyResponse } from './client.ts';
import { balanceTransactionFromGraphql, disputeFromGraphql, payoutFromGraphql } from './convert-graphql.ts';
import { BALANCE_TRANSACTIONS, DISPUTE, PAYOUTS } from './documents.ts';
import { asNodeError, connectionField, shopifyClient } from './node-util.ts';
import { encodeTransactionRow, rowId } from './payout-rows.ts';
import type { ShopifyBalanceTransaction, ShopifyDispute, ShopifyPayout } from './types.ts';

const config = z
  .object({
    connection: connectionField,
    /** First run: payouts issued on or after this date (YYYY-MM-DD). */
    since: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    /** Only payouts in these statuses (default: all). */
    statuses: z.array(z.string()).optional(),
    /**
     * `stored` (default): each page of balance transactions goes into the runtime's payout rows as it is read, and the
     * output carries per payout only `stored` (count and digest), so a year of transactions never travels as one step
     * output; finance.reconcile-payouts reads them from there. `inline`: every transaction in `balanceTransactions`
     * (for nodes other than the reconciliation that read them). Where the host keeps no payout rows, always inline.
     */
    transactions: z.enum(['stored', 'inline']).default('stored'),
  })
  .strict();

export interface PayoutsOutput {
  payouts: ShopifyPayout[];
  cursor: { issuedOnOrAfter: string | null; seen: string[] };
}

const CURSOR = 'shopify.payouts.cursor';

export const shopifyPayouts = defineNode<z.infer<typeof config>, unknown, PayoutsOutput>({
  type: 'shopify.payouts',
  version: 1,
  title: 'Shopify Payments payouts',
  category: 'shopify',
  description:
    'Lists Shopify Payments payouts issued since the last run (cursor kept in flow state), each with all its balance transactions (charges, refunds, fees, adjustments, reserves...); ' +
    'a dispute transaction carries its dispute (reason, status, evidence deadline) as Shopify gives it.',
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'ShopifyPayout[]' }],
  idempotent: true,
  check(config, { next }) {
    if (config.transactions === 'inline') return [];
    const others = next.filter((n) => n.type.type !== 'finance.reconcile-payouts');
    return others.length
      ? [
          {
            path: ['transactions'],
            message: `stored transactions reach only finance.reconcile-payouts; ${others.map((n) => `${n.nodeId} (${n.type.type})`).join(', ')} would see empty balanceTransactions: set transactions to "inline"`,
          },
        ]
      : [];
  },
  sampleOutput: {
    payouts: [
      {
        id: 'gid://shopify/ShopifyPaymentsPayout/623721858',
        legacyId: '623721858',
        status: 'PAID',
        issuedAt: '2012-11-12T00:00:00Z',
        transactionType: 'DEPOSIT',
        net: { amount: '41.90', currencyCode: 'USD' },
        summary: Object.fromEntries(
          [
            'adjustmentsFee',
            'adjustmentsGross',
            'chargesFee',
            'chargesGross',
            'refundsFee',
            'refundsGross',
            'reservedFundsFee',
            'reservedFundsGross',
            'retriedPayoutsFee',
            'retriedPayoutsGross',
          ].map((k) => [k, { amount: '0.00', currencyCode: 'USD' }]),
        ) as unknown as ShopifyPayout['summary'],
        balanceTransactions: [],
        raw: null,
      },
    ],
    cursor: { issuedOnOrAfter: '2012-11-12', seen: ['gid://shopify/ShopifyPaymentsPayout/623721858'] },
  },
  async execute(ctx) {
    const client = await shopifyClient(ctx);
    const prev = (await ctx.state.get<PayoutsOutput['cursor']>(CURSOR)) ?? { issuedOnOrAfter: ctx.config.since ?? null, seen: [] };
    const seen = new Set(prev.seen);
    const payouts: ShopifyPayout[] = [];
    try {
      let after: string | null = null;
      do {
        const r: ShopifyResponse<PayoutsQuery> = await client.request(
          PAYOUTS,
          { first: 50, after, query: prev.issuedOnOrAfter ? `issued_at:>=${prev.issuedOnOrAfter}` : null },
          { signal: ctx.signal },
        );
        const account = r.data.shopifyPaymentsAccount;
        if (!account) throw permanentError(`node ${ctx.nodeId}: the shop has no Shopify Payments account`, { code: 'NO_PAYMENTS_ACCOUNT' });
        for (const [i, n] of account.payouts.nodes.entries()) {
          const p = payoutFromGraphql(n, `payouts.nodes[${i}]`);
          if (seen.has(p.id) || (ctx.config.statuses && !ctx.config.statuses.includes(p.status))) continue;
          payouts.push(p);
        }
        after = account.payouts.pageInfo.hasNextPage ? account.payouts.pageInfo.endCursor : null;
      } while (after);
      const rows = ctx.config.transactions === 'stored' && ctx.payoutRows ? ctx.payoutRows(ctx.config.connection) : null;
      // A chargeback's reason and evidence deadline are on the dispute, not the balance transaction: read each once.
      const disputes = new Map<string, ShopifyDispute | null>();
      const withDisputes = async (txs: ShopifyBalanceTransaction[]) => {
        for (const t of txs) {
          if (t.sourceType !== 'DISPUTE' || !t.sourceId) continue;
          const id = t.sourceId.startsWith('gid://') ? t.sourceId : `gid://shopify/ShopifyPaymentsDispute/${t.sourceId}`;
          if (!disputes.has(id)) {
            const r = await client.request(DISPUTE, { id }, { signal: ctx.signal });
            disputes.set(id, r.data.dispute ? disputeFromGraphql(r.data.dispute, `dispute(${id})`) : null);
          }
          t.dispute = disputes.get(id) ?? null;
        }
      };
      for (const p of payouts) {
        // Stored: each page goes to the payout rows as it arrives (a re-read replaces them), nothing is kept here.
        const writer = await rows?.begin(p.legacyId);
        let txAfter: string | null = null;
        let read = 0;
        let from: string | null = null;
        let to: string | null = null;
        do {
          const r: ShopifyResponse<BalanceTransactionsQuery> = await client.request(
            BALANCE_TRANSACTIONS,
            { first: 100, after: txAfter, query: `payments_transfer_id:${p.legacyId}` },
            { signal: ctx.signal },
          );
          const account = r.data.shopifyPaymentsAccount;
          // It was there when the payouts were listed; gone now means the account was closed or access revoked mid-run.
          if (!account)
            throw permanentError(`node ${ctx.nodeId}: the shop's Shopify Payments account is gone (reading payout ${p.legacyId})`, {
              code: 'NO_PAYMENTS_ACCOUNT',
            });
          const conn = account.balanceTransactions;
          const page: ShopifyBalanceTransaction[] = conn.nodes.map((n, i) => balanceTransactionFromGraphql(n, `${p.id}.balanceTransactions[${read + i}]`));
          read += page.length;
          await withDisputes(page);
          for (const t of page) {
            const d = t.processedAt.slice(0, 10);
            if (from === null || d < from) from = d;
            if (to === null || d > to) to = d;
          }
          if (writer) await writer.write(page.map((t) => ({ id: rowId(t), data: encodeTransactionRow(t) })));
          else p.balanceTransactions.push(...page);
          txAfter = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
        } while (txAfter);
        if (writer) {
          p.stored = { scope: ctx.config.connection, ...(await writer.finish()), from, to };
          ctx.log.debug({ payoutId: p.legacyId, transactions: p.stored.count, digest: p.stored.digest.slice(0, 12) }, 'payout transactions stored');
        }
      }
      if (rows)
        ctx.log.info(
          { payouts: payouts.length, transactions: payouts.reduce((n, p) => n + (p.stored?.count ?? 0), 0) },
          'payout transactions stored in the payout rows; the output carries a reference per payout',
        );
    } catch (err) {
      asNodeError(ctx, err);
    }
    // Payouts that are not final yet (SCHEDULED) are fetched again next time; final ones are remembered.
    const latest =
      payouts
        .map((p) => p.issuedAt.slice(0, 10))
        .sort()
        .pop() ?? prev.issuedOnOrAfter;
    const final = payouts.filter((p) => p.status === 'PAID' || p.status === 'FAILED' || p.status === 'CANCELED');
    const cursor = { issuedOnOrAfter: latest, seen: [...new Set([...prev.seen, ...final.map((p) => p.id)])].slice(-500) };
    ctx.state.set(CURSOR, cursor);
    return { payouts, cursor };
  },
});
