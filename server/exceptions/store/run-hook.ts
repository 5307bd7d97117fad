// Listens to the runtime's `run` events: a failed run raises its exception; a replay's outcome clears or
// supersedes the run it replays. The runtime awaits the listener before the run counts as finished (so `drain()` and
// a stopping worker wait for what it writes); it never throws.
import type { EventEmitter } from 'node:events';
import { eq } from 'drizzle-orm';
import type { Store } from '../../../runtime/store/db.ts';
import { runs as runsTable } from '../../../runtime/store/schema.ts';
import type { RunRecord } from '../../../runtime/runs.ts';
import { classifyFailedRun } from './classify.ts';
import type { ExceptionService } from './service.ts';

export interface RunSource {
  get(runId: string): Promise<RunRecord>;
}

export function attachRunHook(
  events: EventEmitter,
  store: Pick<Store, 'sql'>,
  runs: RunSource,
  svc: ExceptionService,
  log?: { error(o: object, m?: string): void },
  ignoreFlow?: (flowId: string) => boolean,
): () => void {
  const db = store.sql({ runs: runsTable });
  const listener = async (e: { runId: string; flowId: string; status: string; replayOf?: string | null }): Promise<void> => {
    if (e.status !== 'failed' && e.status !== 'succeeded' && e.status !== 'skipped') return;
    if (ignoreFlow?.(e.flowId)) return;
    try {
      if (e.status === 'failed') {
        const raise = classifyFailedRun(await runs.get(e.runId));
        if (raise) await svc.raise(raise);
      }
      // The executor's event carries replayOf (no read per finished run); other emitters may leave it out.
      let prev = e.replayOf;
      if (prev === undefined) {
        const { runs: r } = db.tables;
        const [row] = await db.db.select({ replayOf: r.replayOf }).from(r).where(eq(r.id, e.runId));
        prev = row?.replayOf;
      }
      // A replay that ends skipped (the order was cancelled meanwhile) no longer needs the failed run fixed.
      if (prev) await svc.onReplayFinished(prev, e.runId, e.status === 'failed' ? 'failed' : 'succeeded');
    } catch (err) {
      log?.error({ err: (err as Error).message, runId: e.runId }, 'exception hook failed');
    }
  };
  events.on('run', listener);
  return () => events.off('run', listener);
}
