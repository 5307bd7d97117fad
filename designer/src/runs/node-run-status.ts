// The status a step shows (on the canvas after a test run, in the run's page). The step that ended a run skipped (an unpaid order at the
// payment gate) is stored as having run, so the run's own skip names it: the node says "skipped", not "succeeded".
import type { RunRecord } from '../api/types.ts';

export function nodeRunStatus(run: Pick<RunRecord, 'status' | 'steps' | 'skipped'> | null | undefined, nodeId: string): string {
  if (!run) return '';
  if (run.status === 'skipped' && run.skipped?.nodeId === nodeId) return 'skipped';
  return run.steps.findLast((s) => s.nodeId === nodeId)?.status ?? '';
}
