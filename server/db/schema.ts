// Server tables (users, sessions, tokens, audit, connections, secrets). They live in the runtime's SQLite file but
// have their own migrations table, so the runtime's schema never learns about them.
import { sqliteTable, text, integer, index, primaryKey, real } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** admin | consultant | client | finance | operations */
  role: text('role').notNull(),
  /** `scrypt$N$r$p$salt$hash` (base64url parts). */
  passwordHash: text('password_hash').notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    /** sha256 of the session token: a stolen database gives no usable session. */
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    /** Null: never expires. */
    expiresAt: integer('expires_at'),
  },
  (t) => [index('api_tokens_user').on(t.userId)],
);

/**
 * Digests of Shopify webhook bodies seen in the last 48 h (Shopify's retry window), per connection and topic: the
 * same signed body under new event/webhook ids is a replay, not a new event.
 */
export const webhookDigests = sqliteTable(
  'webhook_digests',
  {
    digest: text('digest').primaryKey(),
    connectionId: text('connection_id').notNull(),
    topic: text('topic').notNull(),
    eventId: text('event_id').notNull(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [index('webhook_digests_seen').on(t.seenAt)],
);

export const audit = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    /** JSON: before/after with secrets redacted. */
    details: text('details'),
  },
  (t) => [index('audit_at').on(t.at)],
);

export const connections = sqliteTable('connections', {
  id: text('id').primaryKey(),
  /** shopify | erp */
  kind: text('kind').notNull(),
  provider: text('provider').notNull(),
  name: text('name').notNull(),
  /** Non-secret settings, JSON. */
  config: text('config').notNull(),
  /** Vault ciphertext of the secrets object, or null when the connection has none. */
  secrets: text('secrets'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Other secrets the server keeps (per-flow webhook secrets, the sandbox shop's webhook secret), vault-encrypted. */
export const secrets = sqliteTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Compliance requests (customers/data_request...) kept for the operator to act on. */
export const complianceRequests = sqliteTable('compliance_requests', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  connectionId: text('connection_id').notNull(),
  topic: text('topic').notNull(),
  shopDomain: text('shop_domain'),
  eventId: text('event_id').notNull(),
  summary: text('summary').notNull(),
  receivedAt: integer('received_at').notNull(),
  handledAt: integer('handled_at'),
});

/** Per flow: whether a client's publish needs a consultant's approval before it goes live (off when no row). */
export const flowApprovalPolicies = sqliteTable('flow_approval_policies', {
  flowId: text('flow_id').primaryKey(),
  clientChangesNeedApproval: integer('client_changes_need_approval', { mode: 'boolean' }).notNull().default(false),
  updatedBy: text('updated_by').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A client's publish held for a consultant's approval: the draft as it was asked for, what it was checked against
 * (base version, dry run, diff) and the decision. The draft's hash tells whether it changed since (stale).
 */
export const flowChangeRequests = sqliteTable(
  'flow_change_requests',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    /** pending | approved | rejected | superseded | withdrawn */
    status: text('status').notNull(),
    /** The draft (flow JSON) the client asked to publish. */
    definition: text('definition').notNull(),
    /** contentHash of that draft: the flow's draft no longer hashing to it makes the request stale. */
    draftHash: text('draft_hash').notNull(),
    /** The latest version when asked: another version published since makes the request stale. */
    baseVersion: integer('base_version'),
    message: text('message').notNull(),
    /** JSON: the dry-run report on the last real events (scrubbed), or null when it could not run. */
    dryRun: text('dry_run'),
    dryRunError: text('dry_run_error'),
    /** JSON: diffFlows(base version, draft). */
    diff: text('diff').notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: integer('requested_at').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    /** Why it was rejected (shown to the client on the flow). */
    reason: text('reason'),
    publishedVersion: integer('published_version'),
  },
  (t) => [index('flow_change_requests_flow').on(t.flowId, t.requestedAt), index('flow_change_requests_status').on(t.status)],
);

/**
 * The deployment's workspaces (cells) other than the default one, which is the data dir itself. Read from the
 * default cell's database only: each further workspace's own data lives in `<dataDir>/workspaces/<id>/`.
 */
export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Who belongs to which workspace, with which role. A user's `users.role` is their role in the default workspace
 * unless a row here for `default` says otherwise (a null role there: not a member of the default workspace).
 */
export const workspaceMembers = sqliteTable(
  'workspace_members',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    role: text('role'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('workspace_members_user').on(t.userId)],
);

/**
 * Shopify's cost bucket per shop, shared by every process on this store (server/shopify-buckets.ts): the level as
 * last computed (`available` at `at`, refilling at `restore_rate` up to `maximum`).
 */
export const shopifyBuckets = sqliteTable('shopify_buckets', {
  shop: text('shop').primaryKey(),
  available: real('available').notNull(),
  maximum: real('maximum').notNull(),
  restoreRate: real('restore_rate').notNull(),
  at: integer('at').notNull(),
  /**
   * When the answer that last set the level arrived: an older answer written after it (another process's writes
   * lagged) would put back points Shopify has charged since, so it only ends its hold.
   */
  answeredAt: integer('answered_at'),
});

/** Points taken by requests sent and not yet answered; a hold of a process that died lapses at `until`. */
export const shopifyBucketHolds = sqliteTable(
  'shopify_bucket_holds',
  {
    id: text('id').primaryKey(),
    shop: text('shop').notNull(),
    cost: real('cost').notNull(),
    until: integer('until').notNull(),
  },
  (t) => [index('shopify_bucket_holds_shop').on(t.shop, t.until)],
);
