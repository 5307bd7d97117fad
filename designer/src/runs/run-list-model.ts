// The runs list's arithmetic: durations from epoch numbers or ISO strings (the API sends numbers; Date.parse on a
// number gave "NaN ms"), folding of quiet scheduled runs so a frequent schedule cannot drown the orders, and the mark
// of a run that was replayed (so a failure a replay made good is not chased again).
import type { Res } from '../api/contract.ts';

/** A row of GET /api/runs: a run with its replays. */
export type RunSummary = Res<'/api/runs', 'get'>['runs'][number];

type Instant = string | number | null | undefined;

export function ms(v: Instant): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(n) ? null : n;
}

export function durationText(startedAt: Instant, finishedAt: Instant): string {
  const a = ms(startedAt);
  const b = ms(finishedAt);
  if (a === null || b === null) return '—';
  const d = Math.max(0, b - a);
  return d < 1000 ? `${d} ms` : d < 60_000 ? `${(d / 1000).toFixed(1)} s` : `${Math.floor(d / 60_000)} min ${Math.round((d % 60_000) / 1000)} s`;
}

export type Row = { kind: 'run'; run: RunSummary } | { kind: 'fold'; flowId: string; runs: [RunSummary, ...RunSummary[]] };

const quiet = (r: RunSummary) => r.status === 'succeeded' || r.status === 'skipped';

/**
 * Consecutive quiet (succeeded or skipped) runs of a scheduled flow become one row once there are `min` of them;
 * failures and runs of other flows are never folded.
 */
export function foldScheduled(runs: RunSummary[], scheduled: ReadonlySet<string>, min = 3): Row[] {
  const out: Row[] = [];
  let group: RunSummary[] = [];
  const flush = () => {
    const [head, ...tail] = group;
    if (head && group.length >= min) out.push({ kind: 'fold', flowId: head.flowId, runs: [head, ...tail] });
    else for (const run of group) out.push({ kind: 'run', run });
    group = [];
  };
  for (const r of runs) {
    if (scheduled.has(r.flowId) && quiet(r) && (group[0]?.flowId ?? r.flowId) === r.flowId) group.push(r);
    else {
      flush();
      if (scheduled.has(r.flowId) && quiet(r)) group.push(r);
      else out.push({ kind: 'run', run: r });
    }
  }
  flush();
  return out;
}

/** How a replayed run is marked in the list: linked to the replay that succeeded, else to its newest replay. */
export interface ReplayMark {
  /** `succeeded`: a replay (or a replay of one) succeeded; otherwise the newest replay's status. */
  state: 'succeeded' | 'pending' | 'failed';
  runId: string;
  label: string;
  title: string;
}

export function replayMark(run: Pick<RunSummary, 'replayedBy' | 'replaySucceededBy'>): ReplayMark | null {
  if (run.replaySucceededBy) {
    return { state: 'succeeded', runId: run.replaySucceededBy, label: 'replayed ✓', title: `Replayed: run ${run.replaySucceededBy} succeeded` };
  }
  const newest = run.replayedBy?.[0];
  if (!newest) return null;
  const more = run.replayedBy!.length > 1 ? ` (${run.replayedBy!.length} replays)` : '';
  if (newest.status === 'queued' || newest.status === 'running') {
    return { state: 'pending', runId: newest.runId, label: 'replaying…', title: `Replay ${newest.runId} is ${newest.status}${more}` };
  }
  return { state: 'failed', runId: newest.runId, label: `replay ${newest.status}`, title: `Replayed by run ${newest.runId}, which ${newest.status}${more}` };
}

/** What started a run, in a word or two: the Shopify topic (`orders/paid`), `sweep`, `schedule`, `run now`, `manual`, `webhook`. */
export function triggerText(t: RunSummary['trigger']): string {
  if (!t) return '';
  const kind = t.source.split(':')[0] ?? t.source;
  if (kind === 'shopify') return t.topic ?? 'Shopify webhook';
  if (kind === 'sweep') return t.topic ? `${t.topic} · sweep` : 'sweep';
  if (kind === 'schedule') return t.topic === 'run-now' ? 'run now' : 'schedule';
  if (kind === 'manual' || kind === 'webhook') return kind;
  return t.topic ?? kind;
}
