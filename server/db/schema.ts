// Server tables (users, sessions, tokens, audit, connections, secrets). They live in the runtime's SQLite file but
// have their own migrations table, so the runtime's schema never learns about them.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

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
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
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
