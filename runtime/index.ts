// The runtime facade: one store, flows, the queue, a worker pool and the sandbox, wired together for a host.
import { EventEmitter } from 'node:events';
import { count, inArray } from 'drizzle-orm';
import { openStore, type Store } from './store/db.ts';
import { runs as runsTable } from './store/schema.ts';
import { FlowStore } from './flow-store.ts';
import { RunQueue } from './queue.ts';
import { Executor } from './executor.ts';
import { Worker, type WorkerOptions } from './worker.ts';
import { Runs } from './runs.ts';
import { dryRunFlow, type DryRunResult } from './dry-run.ts';
import type { Flow } from '../flows/schema.ts';
import { pruneRuns, checkpoint, type RetentionPolicy } from './retention.ts';
import type { Logger, NodeServices, NodeType } from './node-api.ts';
import type { Sandbox } from './sandbox/types.ts';

export interface RuntimeOptions {
  dataDir: string;
  /**
   * The store of `dataDir` when the host has opened it already, to build from it what it hands the runtime (its
   * connections, the lookup tables). The runtime then owns it: `close()` closes it.
   */
  store?: Store;
  lookup: (type: string) => NodeType | undefined;
  sandbox: Sandbox;
  /** Resolves `ctx.connection(kind, id)` for nodes. */
  connection?: (kind: string, id: string) => Promise<unknown>;
  /** What nodes reach as ctx.lookups, ctx.exceptions, ctx.monitoring. A host may fill it in after creating the runtime. */
  services?: NodeServices;
  /** Services for one flow instead of `services` (the host keeps test runs of drafts away from production sinks). */
  servicesFor?: (flowId: string) => NodeServices | undefined;
  log?: Logger;
  worker?: WorkerOptions;
  retention?: RetentionPolicy & { everyMs?: number };
  maxOutputBytes?: number;
  /** See ExecutorDeps.stepBatchMs (default 250 ms; 0: a commit per step). */
  stepBatchMs?: number;
  /** Removes secrets from step outputs and errors before they are stored. */
  redact?: (jsonText: string) => string;
  now?: () => number;
}

export interface Runtime {
  store: Store;
  flows: FlowStore;
  queue: RunQueue;
  runs: Runs;
  worker: Worker;
  executor: Executor;
  sandbox: Sandbox;
  /** `run` (state changes) and `step` (timings) events, for metrics and logs. */
  events: EventEmitter;
  lookup: (type: string) => NodeType | undefined;
  /**
   * Runs a flow definition on a stored event's payload in memory, writing nothing (see dry-run.ts). `services`
   * replaces the host's: give sinks that reach no production view.
   */
  dryRun(
    flow: Flow,
    payload: string,
    opts: { flowId: string; flowVersion: number; runId: string; services: NodeServices; signal?: AbortSignal },
  ): Promise<DryRunResult>;
  /**
   * Starts the worker and the retention timer (both by default; a process of one role starts only its part: workers
   * run runs, the scheduler prunes).
   */
  start(parts?: { worker?: boolean; retention?: boolean }): void;
  /** Waits until no run is queued (including ones waiting out a retry delay) or running. For the CLI and tests. */
  drain(timeoutMs?: number): Promise<void>;
  prune(): ReturnType<typeof pruneRuns>;
  /** Stops the worker (see Worker.stop: `graceMs` bounds the wait for runs in flight) and closes the store. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function createRuntime(o: RuntimeOptions): Runtime {
  const now = o.now ?? Date.now;
  const log = o.log ?? silentLogger;
  const store = o.store ?? openStore(o.dataDir);
  const flows = new FlowStore(store, o.lookup, now);
  const queue = new RunQueue(store, now);
  const events = new EventEmitter();
  const connection = o.connection ?? (async (kind: string, id: string) => Promise.reject(new Error(`no ${kind} connection "${id}" is configured`)));
  const services = o.services ?? {};
  const executor = new Executor({
    store,
    flows,
    queue,
    lookup: o.lookup,
    sandbox: o.sandbox,
    connection,
    services,
    servicesFor: o.servicesFor,
    log,
    events,
    now,
    maxOutputBytes: o.maxOutputBytes ?? 16 * 1024 * 1024,
    stepBatchMs: o.stepBatchMs,
    redact: o.redact,
  });
  const worker = new Worker(queue, executor, log, o.worker);
  // Read when a replay is planned: a host may fill in its services after creating the runtime.
  const runs = new Runs(store, queue, flows, o.lookup, async (tableId) => services.lookups?.currentVersion?.(tableId), now);
  let retentionTimer: NodeJS.Timeout | undefined;
  const prune = () => {
    const r = pruneRuns(store, o.retention, now());
    checkpoint(store);
    return r;
  };

  return {
    store,
    flows,
    queue,
    runs,
    worker,
    executor,
    sandbox: o.sandbox,
    events,
    lookup: o.lookup,
    dryRun: (flow, payload, opts) =>
      dryRunFlow({ store, lookup: o.lookup, sandbox: o.sandbox, connection, services: opts.services, log, now }, flow, payload, opts),
    start(parts = {}) {
      if (parts.worker !== false) worker.start();
      if (parts.retention !== false && !retentionTimer) {
        retentionTimer = setInterval(
          () => {
            try {
              const r = prune();
              if (r.runs || r.events) log.info(r, 'pruned old runs');
            } catch (e) {
              log.error({ err: (e as Error).message }, 'retention failed');
            }
          },
          o.retention?.everyMs ?? 15 * 60_000,
        );
        retentionTimer.unref();
      }
    },
    async drain(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      const pending = () =>
        store.db
          .select({ n: count() })
          .from(runsTable)
          .where(inArray(runsTable.status, ['queued', 'running']))
          .get()?.n ?? 0;
      while (pending() > 0 || worker.busy > 0) {
        if (Date.now() > until) throw new Error(`runs still pending after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    prune,
    async close(opts = {}) {
      if (retentionTimer) clearInterval(retentionTimer);
      const w = await worker.stop(opts);
      if (w.released) log.warn({ released: w.released }, 'released the leases of runs not finished in the grace period');
      store.close();
    },
  };
}

export type { Logger, NodeType } from './node-api.ts';
export type { DryRunResult, DryRunStep } from './dry-run.ts';
export { FlowInvalidError, NotFoundError } from './flow-store.ts';
export { RunStateError } from './runs.ts';
