// Public entry of the exception inbox: a business service of the server, not part of the engine; nodes reach it as
// `ctx.exceptions` and `ctx.monitoring` (runtime/node-api/). Host order: create the runtime (it opens the store), then the service on
// the same store, then hand both to the runtime's services record:
//   const exceptions = createExceptionService(runtime.store, runtime, { onAction });
//   services.exceptions = exceptions; services.monitoring = exceptions.monitoring;
import type { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { RunRecord } from '../../../runtime/runs.ts';
import { attachRunHook } from './run-hook.ts';
import { ExceptionService, type ExceptionServiceOptions } from './service.ts';

export interface ExceptionRuntime {
  events: EventEmitter;
  runs: { get(runId: string): RunRecord; replay(runId: string): { runId: string } };
}

/**
 * Opens the exception store on the runtime's SQLite (tables made by openStore) and, with a runtime, hooks its run events:
 * failed runs raise typed exceptions; replays that succeed auto-resolve them. Without a runtime (CLI, tests) the
 * inbox works but cannot retry. The result is the `exceptions` service (ExceptionSink) and carries the
 * `monitoring` service (MonitorHost) and `detach()`.
 */
export function createExceptionService(
  store: { sqlite: Database.Database; db: BetterSQLite3Database<any> },
  runtime: ExceptionRuntime | null,
  opts: ExceptionServiceOptions = {},
): ExceptionService {
  const svc = new ExceptionService(store, runtime ? { replay: (id) => runtime.runs.replay(id) } : null, opts);
  if (runtime) svc.detach = attachRunHook(runtime.events, store.db, runtime.runs, svc, opts.log, opts.ignoreFlow);
  return svc;
}

export { ExceptionService, ExceptionNotFoundError, ExceptionStateError, OWNERS, SEVERITIES, STATES } from './service.ts';
export type {
  ExceptionRecord,
  ExceptionDetail,
  ExceptionEvent,
  ExceptionFilter,
  ExceptionRunLink,
  ExceptionAction,
  ExceptionServiceOptions,
} from './service.ts';
export { StoreMonitorHost } from './monitoring.ts';
export { classifyFailedRun } from './classify.ts';
export { EXCEPTION_DEFAULTS, defaultsFor, type TypeDefaults } from './defaults.ts';
export type * from '../../../runtime/node-api/exceptions.ts';
export type * from '../../../runtime/node-api/monitoring.ts';
