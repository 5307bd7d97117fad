// Exception inbox tables, in the runtime's SQLite file created by the store's one migration set.
// One row per cause (type + key) while it is unresolved; a raise after resolution opens a new row, so the history
// of each occurrence stays intact.
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const exceptions = sqliteTable(
  'exceptions',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    key: text('key').notNull(),
    title: text('title').notNull(),
    detail: text('detail'),
    /** low | medium | high */
    severity: text('severity').notNull(),
    /** finance | operations | ecommerce */
    owner: text('owner').notNull(),
    /** A person (e-mail) the owning team handed it to. */
    assignee: text('assignee'),
    /** open | acknowledged | resolved */
    state: text('state').notNull(),
    /** Set when the condition cleared by itself (replay succeeded, drift back in tolerance). */
    autoResolved: integer('auto_resolved', { mode: 'boolean' }).notNull().default(false),
    resolutionNote: text('resolution_note'),
    resolvedBy: text('resolved_by'),
    count: integer('count').notNull().default(1),
    firstSeen: integer('first_seen').notNull(),
    lastSeen: integer('last_seen').notNull(),
    resolvedAt: integer('resolved_at'),
    /** JSON ExceptionLinks of the latest raise. */
    links: text('links').notNull().default('{}'),
    /** JSON: the latest raise's data. */
    data: text('data'),
    /** When an alert went out for this occurrence: no repeat while it stays unresolved. */
    alertedAt: integer('alerted_at'),
  },
  (t) => [
    uniqueIndex('exceptions_unresolved_cause').on(t.type, t.key).where(sql`state <> 'resolved'`),
    index('exceptions_state').on(t.state, t.owner, t.lastSeen),
    index('exceptions_type').on(t.type, t.state),
  ],
);

/** Runs whose failure this exception stands for; a run is cleared when a replay of it succeeds. */
export const exceptionRuns = sqliteTable(
  'exception_runs',
  {
    exceptionId: text('exception_id')
      .notNull()
      .references(() => exceptions.id, { onDelete: 'cascade' }),
    runId: text('run_id').notNull(),
    flowId: text('flow_id'),
    /** failed | cleared | superseded (a replay of it failed again and is linked in its place) */
    status: text('status').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.exceptionId, t.runId] }), index('exception_runs_run').on(t.runId)],
);

/** Every action on an exception: who, what, when, with the note. */
export const exceptionEvents = sqliteTable(
  'exception_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    exceptionId: text('exception_id')
      .notNull()
      .references(() => exceptions.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    /** opened | acknowledged | assigned | resolved | auto-resolved | retried | alerted | reopened */
    action: text('action').notNull(),
    note: text('note'),
    data: text('data'),
  },
  (t) => [index('exception_events_exception').on(t.exceptionId, t.id)],
);

/** Numbers monitors record on each check (e.g. SKUs drifting), for the dashboard's series. */
export const monitorSamples = sqliteTable(
  'monitor_samples',
  {
    name: text('name').notNull(),
    at: integer('at').notNull(),
    value: text('value').notNull(),
    labels: text('labels'),
  },
  (t) => [index('monitor_samples_name').on(t.name, t.at)],
);
