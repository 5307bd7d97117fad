// Lookup tables live in the runtime's SQLite file, in tables of their own (created by the store's one migration set). Each edit writes
// a whole new immutable version (tables are small: hundreds to a few thousand rows), so any run can say exactly which
// rows it saw.
import { sqliteTable, text, integer, primaryKey, uniqueIndex, index } from 'drizzle-orm/sqlite-core';

export const lookupTables = sqliteTable(
  'lookup_tables',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `shared`, or the id of the flow that owns the table (a flow's table wins over a shared one of the same name). */
    scope: text('scope').notNull(),
    name: text('name').notNull(),
    title: text('title').notNull().default(''),
    description: text('description').notNull().default(''),
    /** What the designer offers for it: `tax-code`, `location`, `payment-method`, `shipping`, `sku`, `generic`. */
    kind: text('kind').notNull().default('generic'),
    currentVersion: integer('current_version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('lookup_tables_scope_name').on(t.scope, t.name), index('lookup_tables_name').on(t.name)],
);

export const lookupVersions = sqliteTable(
  'lookup_versions',
  {
    tableId: integer('table_id')
      .notNull()
      .references(() => lookupTables.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** JSON: { keyColumns: [{name, match, optional}], valueColumns: [name] }. */
    columns: text('columns').notNull(),
    /** JSON array of row objects (column name → text). */
    rows: text('rows').notNull(),
    rowCount: integer('row_count').notNull(),
    message: text('message').notNull().default(''),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tableId, t.version] })],
);

/** Which table versions a run's steps used. Rows go when the run is pruned (cascade from `runs`). */
export const lookupUses = sqliteTable(
  'lookup_uses',
  {
    runId: text('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    tableId: integer('table_id').notNull(),
    version: integer('version').notNull(),
    usedAt: integer('used_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId, t.tableId] }), index('lookup_uses_table').on(t.tableId, t.version)],
);
