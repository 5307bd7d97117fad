// The monitoring contract, part of the node API: what monitor nodes need from the host besides the exception sink,
// run and event statistics from the runtime store and a place to record the numbers they measure. Nodes reach it as
// `ctx.monitoring` (server/exceptions/store/monitoring.ts implements it).

export interface RunningRun {
  runId: string;
  flowId: string;
  status: 'queued' | 'running';
  /** When it started (running) or became due (queued). */
  since: number;
}

export interface FlowDuration {
  flowId: string;
  /** Successful runs the figure is based on. */
  samples: number;
  /** 95th percentile of successful run durations, ms (null without samples). */
  p95Ms: number | null;
}

export interface FailedRuns {
  flowId: string;
  /** Failed runs in the window that no later replay fixed. */
  failed: number;
  total: number;
  lastRunId: string;
}

/** Asynchronous: it reads and writes the store, which may be a database server (issue 13). */
export interface MonitorHost {
  /** Runs still queued (and due) or running, oldest first. */
  inProgress(): Promise<RunningRun[]>;
  /** Usual duration of each flow, from its last `samples` successful runs. */
  durations(flowIds: string[], samples?: number): Promise<Map<string, FlowDuration>>;
  /** Failures per flow since `since` (ms epoch). */
  failures(since: number): Promise<FailedRuns[]>;
  /** When the last event from this source (e.g. `shopify:main-store`) was stored, or null. */
  lastEventAt(source: string): Promise<number | null>;
  /** Steps that failed or were retried with one of these error codes since `since`, per flow (e.g. RATE_LIMITED). */
  stepErrors(codes: string[], since: number): Promise<Array<{ flowId: string; nodeId: string; code: string; count: number; last: number }>>;
  /** Records a measured value (a decimal string or number) for the dashboard's series. */
  sample(name: string, value: string | number, labels?: Record<string, string>, at?: number): Promise<void>;
  /** The runs found by this business key (e.g. `shopifyOrderId`, an order's GID), newest first (at most 50). */
  runsOf?(key: string, value: string): Promise<Array<{ runId: string; flowId: string; status: string; createdAt: number }>>;
}
