// The runtime facade: one store, flows, the queue, a worker pool and the sandbox, wired together for a host.
import { EventEmitter } from 'node:events';
import { count, inArray } from 'drizzle-orm';
import { openStore, type Store } from './store/db.ts';
import type { AnyStore } from './store/any-store.ts';
import { runs as runsTable } from './store/schema.ts';
import { FlowStore } from './flow-store.ts';
import { RunQueue } from './queue.ts';
import { Executor } from './executor.ts';
import { Worker, type WorkerOptions } from './worker.ts';
import { Runs } from './runs.ts';
import { dryRunFlow, type DryRunResult } from './dry-run.ts';
import type { Flow } from '../flows/schema.ts';
import { pruneRuns, checkpoint, type PruneResult, type RetentionPolicy } from './retention.ts';
import type { Logger, NodeServices, NodeType } from './node-api.ts';
import type { Sandbox } from './sandbox/types.ts';

export interface RuntimeOptions<S extends AnyStore = Store> {
  dataDir: string;
  /**
   * The store when the host has opened it already (SQLite: the store of `dataDir`; or a workspace's PostgreSQL
   * schema), to build from it what it hands the runtime (its connections, the lookup tables). The runtime then owns
   * it: `close()` closes it. Without it the runtime opens the SQLite store of `dataDir`.
   */
  store?: S;
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

/** `S`: the store it runs on; `Runtime` alone is a runtime on either. */
export interface Runtime<S extends AnyStore = AnyStore> {
  store: S;
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
  /** Waits until no run is queued (including ones waiting out a retry delay) or running, on either store. For the CLI and tests. */
  drain(timeoutMs?: number): Promise<void>;
  /** Prunes old runs and events (retention.ts), then checkpoints the WAL (SQLite). */
  prune(): Promise<PruneResult>;
  /** Stops the worker (see Worker.stop: `graceMs` bounds the wait for runs in flight) and closes the store. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** A runtime on the embedded SQLite store: what code that still needs `store.sqlite` / `store.db` takes (issue 13). */
export type SqliteRuntime = Runtime<Store>;

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function createRuntime<S extends AnyStore = Store>(o: RuntimeOptions<S>): Runtime<S> {
  const now = o.now ?? Date.now;
  const log = o.log ?? silentLogger;
  // Without a store given, S is Store (its default): the SQLite store opened here.
  const store = o.store ?? (openStore(o.dataDir) as S);
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
  // One prune at a time: a large backlog may take longer than the interval.
  let pruning: Promise<PruneResult> | undefined;
  const prune = (): Promise<PruneResult> =>
    (pruning ??= (async () => {
      try {
        const r = await pruneRuns(store, o.retention, now());
        await checkpoint(store);
        return r;
      } finally {
        pruning = undefined;
      }
    })());

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
          () =>
            void prune().then(
              (r) => {
                if (r.runs || r.events) log.info(r, 'pruned old runs');
              },
              (e: unknown) => log.error({ err: (e as Error).message }, 'retention failed'),
            ),
          o.retention?.everyMs ?? 15 * 60_000,
        );
        retentionTimer.unref();
      }
    },
    async drain(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      const { db, tables } = store.sql({ runs: runsTable });
      const pending = async () => {
        const [r] = await db
          .select({ n: count() })
          .from(tables.runs)
          .where(inArray(tables.runs.status, ['queued', 'running']));
        return Number(r?.n ?? 0);
      };
      while ((await pending()) > 0 || worker.busy > 0) {
        if (Date.now() > until) throw new Error(`runs still pending after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    prune,
    async close(opts = {}) {
      if (retentionTimer) clearInterval(retentionTimer);
      const w = await worker.stop(opts);
      if (w.released) log.warn({ released: w.released }, 'released the leases of runs not finished in the grace period');
      await pruning?.catch(() => undefined);
      await store.close();
    },
  };
}

export type { Logger, NodeType } from './node-api.ts';
export type { DryRunResult, DryRunStep } from './dry-run.ts';
export { FlowInvalidError, NotFoundError } from './flow-store.ts';
export { RunStateError } from './runs.ts';
export { parseSandboxCode } from './sandbox/syntax.ts';
