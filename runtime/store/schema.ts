// Runtime tables. Payloads (event bodies, step outputs) are JSON text so the hot path never re-serialises them.
import { sqliteTable, text, integer, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const flows = sqliteTable('flows', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** The editable draft, as flow JSON text. */
  draft: text('draft').notNull(),
  draftUpdatedAt: integer('draft_updated_at').notNull(),
  /** Only a published version of an active flow receives events. */
  active: integer('active', { mode: 'boolean' }).notNull().default(false),
  activeVersion: integer('active_version'),
  createdAt: integer('created_at').notNull(),
});

export const flowVersions = sqliteTable(
  'flow_versions',
  {
    flowId: text('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    hash: text('hash').notNull(),
    definition: text('definition').notNull(),
    message: text('message').notNull().default(''),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.version] })],
);

export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    /** e.g. `manual`, `schedule`, `webhook`, `shopify:<connectionId>`. */
    source: text('source').notNull(),
    /** Deduplication key (Shopify event id...); a repeat delivery with the same key starts nothing. */
    dedupKey: text('dedup_key'),
    topic: text('topic'),
    payload: text('payload').notNull(),
    /**
     * A webhook's body exactly as it arrived, when `payload` is its delivery `{ headers }` without it: read together
     * they are `{ body, headers }` (runtime/event-payload.ts). Kept apart so the body is never escaped into JSON on
     * the request path. Null for every other event.
     */
    body: text('body'),
    meta: text('meta'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [uniqueIndex('events_dedup').on(t.source, t.dedupKey), index('events_received').on(t.receivedAt)],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    flowVersion: integer('flow_version').notNull(),
    eventId: text('event_id').notNull(),
    /** queued | running | succeeded | failed | skipped | cancelled */
    status: text('status').notNull(),
    /** The step a replay starts from, and the run it replays. */
    replayOf: text('replay_of'),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    availableAt: integer('available_at').notNull(),
    /** The failure of a failed run; the reason (code, message, nodeId) of a skipped one. */
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    index('runs_queue').on(t.status, t.availableAt),
    index('runs_flow').on(t.flowId, t.createdAt),
    index('runs_created').on(t.createdAt),
    // A run's replays, found from it (run page, runs list): partial, so a run that is no replay costs no index entry.
    index('runs_replay_of').on(t.replayOf).where(sql`replay_of IS NOT NULL`),
  ],
);

export const steps = sqliteTable(
  'steps',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    /** running | retrying | succeeded | failed | skipped */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** The output port taken (branch nodes); null means every port. */
    port: text('port'),
    output: text('output'),
    error: text('error'),
    /** Set when the output was carried over from an earlier run by a replay. */
    reusedFrom: text('reused_from'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    // `reads` last: existing stores got it by ALTER TABLE ADD, and fresh ones keep the same column order.
    /**
     * JSON: the configuration the step read when it ran ({ flowVersion, lookups: [{ table, scope, tableId, version }] }),
     * so a replay knows which steps to re-run after a lookup row or the node's settings changed.
     */
    reads: text('reads'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

/** Every step that claimed a business key, so a replay knows a step's document even when another run created it. */
export const businessClaimUses = sqliteTable(
  'business_claim_uses',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    key: text('key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId, t.key] }), index('business_claim_uses_key').on(t.key)],
);

/** Business keys (Shopify order id, refund id...) a run can be found by. */
export const runKeys = sqliteTable(
  'run_keys',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] }), index('run_keys_lookup').on(t.key, t.value)],
);

export const flowState = sqliteTable(
  'flow_state',
  {
    flowId: text('flow_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.key] })],
);

/**
 * Business keys (shop + Shopify id + document kind) claimed by the run that creates their ERP document, so two runs of
 * one order at once create one document: the second waits until the first is done, then finds the document.
 */
export const businessClaims = sqliteTable(
  'business_claims',
  {
    key: text('key').primaryKey(),
    runId: text('run_id').notNull(),
    flowId: text('flow_id').notNull(),
    /** claimed | done */
    state: text('state').notNull(),
    /** The ERP document once created (its number or id). */
    document: text('document'),
    claimedAt: integer('claimed_at').notNull(),
    completedAt: integer('completed_at'),
    /** The step that claimed the key, so a replay can say which step already posted which document. */
    nodeId: text('node_id'),
  },
  (t) => [index('business_claims_run').on(t.runId)],
);

/**
 * Named leases between the processes sharing one store (e.g. `scheduler`: which process fires crons and sweeps). A
 * holder keeps its lease by renewing it before `expires_at`; once that has passed, any process may take it over.
 * `term` counts the holders it has had, so a log can tell a takeover from a renewal.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
  acquiredAt: integer('acquired_at').notNull(),
  term: integer('term').notNull(),
});
