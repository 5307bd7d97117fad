// Listens to the runtime's `run` events: a failed run raises its exception; a replay's outcome clears or
// supersedes the run it replays. The listener runs inside the executor's finish, so it never throws.
import type { EventEmitter } from 'node:events';
import { eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { runs as runsTable } from '../../../runtime/store/schema.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import { classifyFailedRun } from './classify.ts';
import type { ExceptionService } from './service.ts';

export interface RunSource {
  get(runId: string): RunRecord;
}

export function attachRunHook(
  events: EventEmitter,
  db: BetterSQLite3Database<any>,
  runs: RunSource,
  svc: ExceptionService,
  log?: { error(o: object, m?: string): void },
  ignoreFlow?: (flowId: string) => boolean,
): () => void {
  const listener = (e: { runId: string; flowId: string; status: string; replayOf?: string | null }) => {
    if (e.status !== 'failed' && e.status !== 'succeeded' && e.status !== 'skipped') return;
    if (ignoreFlow?.(e.flowId)) return;
    try {
      if (e.status === 'failed') {
        const raise = classifyFailedRun(runs.get(e.runId));
        if (raise) svc.raise(raise);
      }
      // The executor's event carries replayOf (no read per finished run); other emitters may leave it out.
      const prev =
        e.replayOf !== undefined ? e.replayOf : db.select({ replayOf: runsTable.replayOf }).from(runsTable).where(eq(runsTable.id, e.runId)).get()?.replayOf;
      // A replay that ends skipped (the order was cancelled meanwhile) no longer needs the failed run fixed.
      if (prev) svc.onReplayFinished(prev, e.runId, e.status === 'failed' ? 'failed' : 'succeeded');
    } catch (err) {
      log?.error({ err: (err as Error).message, runId: e.runId }, 'exception hook failed');
    }
  };
  events.on('run', listener);
  return () => events.off('run', listener);
}
