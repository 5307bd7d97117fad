// Public entry of the lookup-table store.
export { LookupService, SHARED } from './service.ts';
export type { TableRef, TableDefinition, TableSummary, VersionInfo, WriteOptions } from './service.ts';
export { LookupConflictError, LookupNotFoundError, LookupValidationError } from './errors.ts';
export type { RowProblem } from './errors.ts';
export type { KeyColumnInput } from './rows.ts';
export { TABLE_PRESETS } from './presets.ts';
