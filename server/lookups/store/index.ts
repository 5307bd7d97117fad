// Public entry of the lookup-table store: a business service of the server, not part of the engine. It keeps its
// tables in the workspace's store (SQLite file or PostgreSQL schema); nodes reach it as `ctx.lookups` (runtime/node-api/lookups.ts).
export { LookupService, SHARED } from './service.ts';
export type { TableRef, TableDefinition, TableSummary, VersionInfo, WriteOptions } from './service.ts';
export { LookupConflictError, LookupNotFoundError, LookupValidationError } from './errors.ts';
export type { RowProblem } from './errors.ts';
export type { KeyColumnInput } from './rows.ts';
export { TABLE_PRESETS } from './presets.ts';
export { keyCellLikeTable } from './keys.ts';
