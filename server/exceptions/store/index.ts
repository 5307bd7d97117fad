// Public entry of the exception inbox: a business service of the server, not part of the engine; nodes reach it as
// `ctx.exceptions` and `ctx.monitoring` (runtime/node-api/). It is the one service that both serves the runtime's
// nodes and listens to the runtime's runs, so a host builds it in two steps, in dependency order:
//   const exceptions = openExceptionService(store, { onAction });            // before the runtime: its nodes use it
//   const runtime = createRuntime({ services: { exceptions, monitoring: exceptions.monitoring, … } });
//   connectRuns(exceptions, runtime, opts);                                   // once the runtime's runs exist
import type { EventEmitter } from 'node:events';
import type { RunRecord } from '../../../runtime/runs.ts';
import { attachRunHook } from './run-hook.ts';
import { ExceptionService, type ExceptionServiceOptions, type ExceptionStore } from './service.ts';

export interface ExceptionRuntime {
  events: EventEmitter;
  runs: { get(runId: string): RunRecord; replay(runId: string): Promise<{ runId: string }> };
}

/** Opens the exception inbox on the runtime's store (tables made by its migrations); it cannot retry until connectRuns. */
export function openExceptionService(store: ExceptionStore, opts: ExceptionServiceOptions = {}): ExceptionService {
  return new ExceptionService(store, null, opts);
}

/**
 * Connects the inbox to the runtime's runs: failed runs raise typed exceptions, replays that succeed auto-resolve
 * them, and retrying an exception replays its runs. `detach()` undoes it.
 */
export function connectRuns(svc: ExceptionService, store: ExceptionStore, runtime: ExceptionRuntime, opts: ExceptionServiceOptions = {}): void {
  svc.setReplayer({ replay: (id) => runtime.runs.replay(id) });
  svc.detach = attachRunHook(runtime.events, store, runtime.runs, svc, opts.log, opts.ignoreFlow);
}

/** Both steps at once, for hosts whose runtime needs no exception service (CLI, tests); without a runtime the inbox cannot retry. */
export function createExceptionService(store: ExceptionStore, runtime: ExceptionRuntime | null, opts: ExceptionServiceOptions = {}): ExceptionService {
  const svc = openExceptionService(store, opts);
  if (runtime) connectRuns(svc, store, runtime, opts);
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
  ExceptionStore,
} from './service.ts';
export { StoreMonitorHost } from './monitoring.ts';
export { classifyFailedRun } from './classify.ts';
export { EXCEPTION_DEFAULTS, defaultsFor, type TypeDefaults } from './defaults.ts';
export type * from '../../../runtime/node-api/exceptions.ts';
export type * from '../../../runtime/node-api/monitoring.ts';
