// The runs list's arithmetic: durations from epoch numbers or ISO strings (the API sends numbers; Date.parse on a
// number gave "NaN ms"), and folding of quiet scheduled runs so a frequent schedule cannot drown the orders.
import type { RunSummary } from '../api/types.ts';

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
