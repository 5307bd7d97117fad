// Claims runs from the queue and executes them, several at a time, renewing each lease while it runs.
import type { RunQueue, ClaimedRun } from './queue.ts';
import type { Executor, RunOutcome } from './executor.ts';
import type { Logger } from './node-api.ts';
import { newId } from './ids.ts';

export interface WorkerOptions {
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  owner?: string;
}

export class Worker {
  readonly owner: string;
  private concurrency: number;
  private leaseMs: number;
  private pollMs: number;
  private inflight = new Map<string, Promise<RunOutcome>>();
  private running = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private queue: RunQueue, private executor: Executor, private log: Logger, opts: WorkerOptions = {}) {
    this.owner = opts.owner ?? newId('worker');
    this.concurrency = opts.concurrency ?? 16;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 250;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueue(() => this.wake?.());
    this.loopDone = this.loop();
  }

  /** Stops claiming and waits for the runs in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loopDone;
    await Promise.allSettled(this.inflight.values());
  }

  get busy(): number {
    return this.inflight.size;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inflight.size;
      let claimed: ClaimedRun[] = [];
      if (free > 0) {
        try {
          claimed = this.queue.claim(this.owner, free, this.leaseMs);
        } catch (e) {
          this.log.error({ err: (e as Error).message }, 'claiming runs failed');
        }
        for (const run of claimed) this.launch(run);
      }
      if (claimed.length === 0 || this.inflight.size >= this.concurrency) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private launch(run: ClaimedRun): void {
    const controller = new AbortController();
    const heartbeat = setInterval(() => {
      if (!this.queue.renew(run.id, this.owner, this.leaseMs)) controller.abort();
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    const p = this.executor
      .execute(run, this.owner, controller.signal)
      .catch((e) => {
        this.log.error({ runId: run.id, err: (e as Error).message }, 'run crashed in the executor; its lease will lapse and it will resume');
        return 'lost' as RunOutcome;
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.inflight.delete(run.id);
        this.wake?.();
      });
    this.inflight.set(run.id, p);
  }
}
