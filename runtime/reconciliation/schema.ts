// Payout reconciliation records, in the runtime's SQLite file (created by the store's one migration
// set). They replace capped lists in flow state: a claim is kept as long as the flow
// exists, so amount-and-date matching can never hand one ERP document to two payouts, however long the history.
import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/**
 * One row per ERP document a payout's item matched (id or amount and date), per flow and ledger scope. Read by
 * document only (is it claimed, by which payout): on SQLite the table is WITHOUT ROWID (migration 0006), so its
 * primary key is its only B-tree — a backlog's step commits a million claims, and each index was a third of that
 * commit. A payout's claims (`claimsOf`, inspection) are found by a scan of the scope.
 */
export const reconClaims = sqliteTable(
  'recon_claims',
  {
    flowId: text('flow_id').notNull(),
    /** What the node keys its records by (the ERP connection id): documents of one ERP. */
    scope: text('scope').notNull(),
    docUid: text('doc_uid').notNull(),
    payoutId: text('payout_id').notNull(),
    /** The Shopify side of the match, e.g. `charge:order:123` or `refund:456`. */
    item: text('item').notNull(),
    matchedBy: text('matched_by').notNull(),
    claimedAt: integer('claimed_at').notNull(),
    /** The claim's place in its step's claims (claim order within one commit; `claimed_at` orders commits). */
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.scope, t.docUid] })],
);

/**
 * Each payout's standing: `pending` (seen, not journaled yet: kept with its data to be reconciled again), `posted`
 * (journal handed to the ERP; data dropped) or `not-paid` (failed / cancelled at Shopify).
 */
export const reconPayouts = sqliteTable(
  'recon_payouts',
  {
    flowId: text('flow_id').notNull(),
    scope: text('scope').notNull(),
    payoutId: text('payout_id').notNull(),
    status: text('status').notNull(),
    issuedAt: text('issued_at').notNull(),
    /** JSON of the payout while pending (without Shopify's raw payloads); null once settled. */
    data: text('data'),
    journal: text('journal'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.scope, t.payoutId] }), index('recon_payouts_status').on(t.flowId, t.scope, t.status, t.issuedAt)],
);

/**
 * What a posted payout settles in the ERP (finance.settle-receivables after the journal): `pending` from the
 * reconciliation step that posted it, `settled` once the ERP holds the settlement. A re-run finds it settled and
 * books nothing; a run that failed half way through a backlog resumes with the payouts still pending.
 */
export const reconSettlements = sqliteTable(
  'recon_settlements',
  {
    flowId: text('flow_id').notNull(),
    scope: text('scope').notNull(),
    payoutId: text('payout_id').notNull(),
    status: text('status').notNull(),
    /** JSON: the payout's date, currency and settlement items. */
    data: text('data').notNull(),
    /** JSON: the ERP's settlement, once settled. */
    result: text('result'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.scope, t.payoutId] }), index('recon_settlements_status').on(t.flowId, t.scope, t.status)],
);

/**
 * Balance transactions of payouts as `shopify.payouts` read them, one row per page read (written at once, not with the
 * step): a million transactions are ten thousand rows to write, read and drop, not a million. The run's step output
 * carries only a reference per payout (count and digest), and `finance.reconcile-payouts` reads the rows in slices.
 * `scope` is the Shopify connection; `data` is the page's row texts (the reader's own encoding, never a raw newline)
 * joined by newlines, `count` how many; `gen` is the read that last wrote the page (pages an older read left behind
 * are removed when a re-read finishes). Pages of a posted or not-paid payout are dropped by the reconciliation step
 * that settles its standing.
 */
export const reconBalancePages = sqliteTable(
  'recon_balance_pages',
  {
    flowId: text('flow_id').notNull(),
    scope: text('scope').notNull(),
    payoutId: text('payout_id').notNull(),
    page: integer('page').notNull(),
    gen: integer('gen').notNull(),
    count: integer('count').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.scope, t.payoutId, t.page] })],
);
