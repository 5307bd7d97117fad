// monitor.runs: runs in progress far past their flow's usual time (stuck-run), and flows failing repeatedly
// (failed-run, keyed `rate:<flow>`). Reads the runtime store through the host's monitoring service.
import { z } from 'zod';
import { defineNode, type RaiseException } from '../../runtime/node-api.ts';
import { hostOf, reconcile, sinkOf, type MonitorResult } from './shared.ts';

const config = z
  .object({
    /** Stuck when older than `stuckFactor` x the flow's p95 duration, and never before `stuckMinMinutes`. */
    stuckFactor: z.number().min(1).default(5),
    stuckMinMinutes: z.number().min(1).default(15),
    /** Successful runs the usual duration is taken from. */
    samples: z.number().int().min(1).max(1000).default(50),
    /** Raise when a flow has this many unfixed failed runs within the window (0 turns it off). */
    failedThreshold: z.number().int().min(0).default(3),
    windowMinutes: z.number().int().min(1).default(60),
    /** Only these flows (default all). */
    flows: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const runsMonitor = defineNode({
  type: 'monitor.runs',
  version: 1,
  title: 'Monitor: failed and stuck runs',
  category: 'monitor',
  description:
    "Raises stuck-run for a run in progress far past its flow's usual duration, and failed-run when a flow fails repeatedly within a window; both auto-resolve when the condition clears.",
  config,
  inputs: [{ id: 'in' }],
  outputs: [{ id: 'out', dataType: 'MonitorResult' }],
  idempotent: true,
  sampleOutput: {
    checked: 3,
    found: 1,
    newlyRaised: 1,
    cleared: 0,
    findings: [{ runId: 'run_1', flowId: 'order-to-erp', ageMinutes: 47, limitMinutes: 15 }],
  } as MonitorResult,
  async execute(ctx) {
    const c = ctx.config;
    const sink = sinkOf(ctx);
    const host = hostOf(ctx);
    const now = ctx.now().getTime();
    const wanted = (flowId: string) => !c.flows || c.flows.includes(flowId);
    const running = (await host.inProgress()).filter((r) => r.runId !== ctx.runId && wanted(r.flowId));
    const usual = await host.durations(
      running.map((r) => r.flowId),
      c.samples,
    );
    const findings: Array<Record<string, unknown>> = [];
    const stuck: RaiseException[] = [];
    for (const r of running) {
      const p95 = usual.get(r.flowId)?.p95Ms ?? null;
      const limit = Math.max(c.stuckMinMinutes * 60_000, p95 !== null ? p95 * c.stuckFactor : 0);
      const age = now - r.since;
      if (age <= limit) continue;
      const f = {
        runId: r.runId,
        flowId: r.flowId,
        status: r.status,
        ageMinutes: Math.round(age / 60_000),
        limitMinutes: Math.round(limit / 60_000),
        usualMs: p95,
      };
      findings.push(f);
      stuck.push({
        type: 'stuck-run',
        key: r.runId,
        title: `Run of ${r.flowId} ${r.status} for ${f.ageMinutes} min (usually ${p95 !== null ? `${Math.max(1, Math.round(p95 / 1000))} s` : 'unknown'})`,
        links: { runId: r.runId, flowId: r.flowId },
        data: f,
      });
    }
    const stuckKeys = new Set(running.map((r) => r.runId));
    // Cleared when the run is no longer in progress (with a flow filter: only runs of those flows seen in progress).
    const a = await reconcile(sink, 'stuck-run', '', stuck, 'the run is no longer stuck', (k) => !c.flows || stuckKeys.has(k));

    const failing: RaiseException[] = [];
    const stats = c.failedThreshold > 0 ? (await host.failures(now - c.windowMinutes * 60_000)).filter((f) => wanted(f.flowId)) : [];
    for (const f of stats) {
      if (f.failed < c.failedThreshold) continue;
      findings.push({ flowId: f.flowId, failed: f.failed, total: f.total });
      failing.push({
        type: 'failed-run',
        key: `rate:${f.flowId}`,
        title: `${f.failed} of ${f.total} runs of ${f.flowId} failed in the last ${c.windowMinutes} min`,
        links: { flowId: f.flowId, runId: f.lastRunId },
        data: { ...f, windowMinutes: c.windowMinutes },
      });
    }
    const b = await reconcile(sink, 'failed-run', 'rate:', failing, 'failures back under the threshold', (k) => wanted(k.slice('rate:'.length)));
    return {
      checked: running.length + stats.length,
      found: stuck.length + failing.length,
      newlyRaised: a.newlyRaised + b.newlyRaised,
      cleared: a.cleared + b.cleared,
      findings,
    } satisfies MonitorResult;
  },
});
