// Prometheus metrics on a registry of our own (tests can build several servers in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventEmitter } from 'node:events';
import type { Sandbox } from '../runtime/sandbox/types.ts';

export type WebhookResult = 'accepted' | 'duplicate' | 'unreadable' | 'refused' | 'unauthorized' | 'invalid' | 'too_large' | 'not_found' | 'inactive' | 'error';

export class Metrics {
  readonly registry = new Registry();
  readonly runs = new Counter({
    name: 'ledgerline_runs_total',
    help: 'Runs that reached a final state, by flow and status',
    labelNames: ['flow', 'status'],
    registers: [this.registry],
  });
  readonly runsQueued = new Counter({
    name: 'ledgerline_runs_queued_total',
    help: 'Runs queued by ingress, by flow',
    labelNames: ['flow'],
    registers: [this.registry],
  });
  readonly steps = new Histogram({
    name: 'ledgerline_step_duration_seconds',
    help: 'Step latency by node type and status',
    labelNames: ['type', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly webhooksAwaitingCommit = new Gauge({
    name: 'ledgerline_webhooks_awaiting_commit',
    help: 'Verified webhook deliveries waiting for their group commit (received, not yet acknowledged)',
    registers: [this.registry],
  });
  readonly ingestCommits = new Counter({
    name: 'ledgerline_ingest_commits_total',
    help: 'Group-commit transactions of webhook deliveries (deliveries / commits = batch size)',
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'ledgerline_webhooks_total',
    help: 'Webhook deliveries by source and result',
    labelNames: ['source', 'result'],
    registers: [this.registry],
  });
  readonly sandboxCalls = new Counter({
    name: 'ledgerline_sandbox_calls_total',
    help: 'Calls into the code sandbox by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });
  readonly sandboxSeconds = new Histogram({
    name: 'ledgerline_sandbox_call_seconds',
    help: 'Code sandbox call latency',
    labelNames: ['kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'ledgerline_http_request_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  constructor(opts: {
    queueDepth: () => Promise<{ queued: number; running: number }>;
    defaultMetrics?: boolean;
    sandboxStoreRequests?: () => number | undefined;
  }) {
    new Gauge({
      name: 'ledgerline_queue_depth',
      help: 'Runs waiting (queued) and in progress (running)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const d = await opts.queueDepth();
        this.set({ state: 'queued' }, d.queued);
        this.set({ state: 'running' }, d.running);
      },
    });
    new Gauge({
      name: 'ledgerline_sandbox_store_requests',
      help: 'GraphQL requests served by the in-process Shopify sandbox store',
      registers: [this.registry],
      collect() {
        const n = opts.sandboxStoreRequests?.();
        if (n !== undefined) this.set(n);
      },
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'ledgerline_' });
  }

  /** Counts run outcomes and step timings from the runtime's events. */
  watch(events: EventEmitter, counts: (flowId: string) => boolean = () => true) {
    events.on('run', (e: { flowId: string; status: string }) => counts(e.flowId) && this.runs.inc({ flow: e.flowId, status: e.status }));
    events.on(
      'step',
      (e: { flowId: string; type: string; status: string; durationMs: number }) =>
        counts(e.flowId) && this.steps.observe({ type: e.type, status: e.status }, e.durationMs / 1000),
    );
  }

  /** Wraps the code sandbox so every call is counted and timed. */
  instrumentSandbox(sb: Sandbox): Sandbox {
    const timed = async <T>(kind: string, f: () => Promise<T>) => {
      const end = this.sandboxSeconds.startTimer({ kind });
      try {
        const r = await f();
        this.sandboxCalls.inc({ kind, outcome: 'ok' });
        return r;
      } catch (e) {
        this.sandboxCalls.inc({ kind, outcome: (e as { kind?: string }).kind ?? 'error' });
        throw e;
      } finally {
        end();
      }
    };
    return {
      run: (call) => timed(call.kind, () => sb.run(call)),
      runBatch: (call) => timed('batch', () => sb.runBatch(call)),
      close: () => sb.close(),
    };
  }
}
