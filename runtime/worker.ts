// Claims runs from the queue and executes them, several at a time, renewing each lease while it runs.
import type { RunQueue, ClaimedRun } from './queue.ts';
import type { Executor, RunOutcome } from './executor.ts';
import type { Logger } from './node-api.ts';
import { newId } from './ids.ts';
import { hostname } from 'node:os';

export interface WorkerOptions {
  concurrency?: number;
  /**
   * Runs claimed per turn of the event loop (default 1): a worker takes its next run only after timers, sockets and
   * the other pools of the process (other workspaces) had a turn, so a backlog cannot hold the thread for long.
   */
  claimPerTurn?: number;
  /**
   * Under a backlog (the last claim took all it asked for), free slots to wait for before claiming again (default 4,
   * at most a quarter of `concurrency`, so a worker of 4 or fewer claims for every free slot): their runs come in one
   * claim, one write transaction, where a claim per run was ≈ 6 % of an order's CPU (bench/README.md "Order to ERP").
   * A claim takes as many runs as there are free slots, launched `claimPerTurn` per turn, so none waits for a slot.
   */
  claimBatch?: number;
  leaseMs?: number;
  pollMs?: number;
  owner?: string;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Worker {
  readonly owner: string;
  private concurrency: number;
  private claimPerTurn: number;
  /** Free slots wanted before claiming again while the last claim came back full (a backlog). */
  private claimAtFree: number;
  private leaseMs: number;
  private pollMs: number;
  private inflight = new Map<string, Promise<RunOutcome>>();
  /** Claimed together, not launched yet (launched `claimPerTurn` per turn; never more than the free slots). */
  private ready: ClaimedRun[] = [];
  /** Did the last claim take all it asked for (there may be more waiting)? */
  private backlog = false;
  /** Per run in flight: its lease renewal under way, if any (a release waits for it, or the renewal would take the lease back). */
  private renewing = new Map<string, Promise<unknown>>();
  /** Per run in flight: how to tell it to stop (abort, and no more lease renewals). */
  private stoppers = new Map<string, () => void>();
  private running = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private queue: RunQueue,
    private executor: Pick<Executor, 'execute'>,
    private log: Logger,
    opts: WorkerOptions = {},
  ) {
    // Which process holds a run's lease, for whoever looks at the runs table: host and pid.
    this.owner = opts.owner ?? `${newId('worker')}@${hostname()}:${process.pid}`;
    this.concurrency = opts.concurrency ?? 16;
    this.claimPerTurn = Math.max(1, opts.claimPerTurn ?? 1);
    this.claimAtFree = Math.max(1, Math.min(opts.claimBatch ?? 4, Math.ceil(this.concurrency / 4)));
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 250;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueue(() => this.wake?.());
    this.loopDone = this.loop();
  }

  /**
   * Stops claiming and waits for the runs in flight. With `graceMs` (a draining process), the runs not finished by
   * then are told to stop at their next step boundary (the steps done so far are committed), given `abortWaitMs` to
   * get there, and their leases released, so another worker resumes them at once instead of after the lease expires.
   */
  async stop(opts: { graceMs?: number; abortWaitMs?: number } = {}): Promise<{ finished: number; released: number }> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loopDone;
    const started = this.inflight.size;
    const all = Promise.allSettled([...this.inflight.values()]);
    if (opts.graceMs === undefined) {
      await all;
      return { finished: started, released: 0 };
    }
    if (!(await settlesWithin(all, opts.graceMs))) {
      const left = [...this.stoppers.keys()];
      this.log.warn(
        { runs: left.length, graceMs: opts.graceMs },
        'runs still running after the grace period: stopping them at their next step and releasing their leases',
      );
      for (const id of left) this.stoppers.get(id)?.();
      await settlesWithin(all, opts.abortWaitMs ?? 5000);
      let released = 0;
      for (const id of left) {
        await this.renewing.get(id);
        if (await this.queue.release(id, this.owner)) released++;
      }
      return { finished: started - released, released };
    }
    return { finished: started, released: 0 };
  }

  get busy(): number {
    return this.inflight.size;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inflight.size;
      let launched = 0;
      // With a backlog, wait for several free slots and take their runs in one claim (one transaction); without one,
      // claim at once for any free slot, so a lone run never waits for others to finish.
      if (!this.ready.length && free >= (this.backlog ? this.claimAtFree : 1)) {
        try {
          this.ready = await this.queue.claim(this.owner, free, this.leaseMs);
          this.backlog = this.ready.length === free;
        } catch (e) {
          this.log.error({ err: (e as Error).message }, 'claiming runs failed');
        }
      }
      for (const run of this.ready.splice(0, this.claimPerTurn)) {
        this.launch(run);
        launched++;
      }
      if (!this.running) break;
      if (launched === 0 || this.inflight.size >= this.concurrency) await this.sleep();
      else await nextTurn();
    }
    // Claimed but not started (the worker stopped in between): give their leases back so another worker takes them now.
    for (const run of this.ready.splice(0)) {
      try {
        await this.queue.release(run.id, this.owner);
      } catch (e) {
        this.log.warn({ runId: run.id, err: (e as Error).message }, 'releasing an unstarted run failed; its lease will lapse');
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      const self = this;
      let waking = false;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      // Woken by a run that finished: claim again on the next turn of the event loop, not in a microtask. Runs whose
      // steps need no I/O finish in microtasks, so without this turn a backlog would chain claim → run → claim until
      // it is drained, and timers and sockets (webhook deliveries, another workspace's workers) would wait for all of it.
      this.wake = () => {
        if (waking) return;
        waking = true;
        setImmediate(done);
      };
    });
  }

  private launch(run: ClaimedRun): void {
    const controller = new AbortController();
    const heartbeat = setInterval(
      () => {
        if (this.renewing.has(run.id)) return; // the last one has not answered yet
        const renewal = this.queue
          .renew(run.id, this.owner, this.leaseMs)
          .then(
            (ours) => {
              if (!ours) controller.abort();
            },
            // The store refused (or is unreachable): keep running; if it stays so, the lease lapses and another resumes it.
            (e: unknown) => this.log.warn({ runId: run.id, err: (e as Error).message }, 'renewing a run lease failed'),
          )
          .finally(() => this.renewing.delete(run.id));
        this.renewing.set(run.id, renewal);
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.stoppers.set(run.id, () => {
      clearInterval(heartbeat); // a renewal after the release would take the lease back
      controller.abort();
    });
    const p = this.executor
      .execute(run, this.owner, controller.signal)
      .catch((e) => {
        this.log.error({ runId: run.id, err: (e as Error).message }, 'run crashed in the executor; its lease will lapse and it will resume');
        return 'lost' as RunOutcome;
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.inflight.delete(run.id);
        this.stoppers.delete(run.id);
        this.wake?.();
      });
    this.inflight.set(run.id, p);
  }
}

/** Does `p` settle within `ms`? (It goes on either way.) */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
