// How a bulk retry went, read until every retried run has finished: n retried, n succeeded, n still failing and why.
import { useEffect, useState } from 'react';
import { replayApi, type RetryBatch, type RetryOutcome } from '../api/replay.ts';
import { Link } from '../app/Link.tsx';

export function RetrySummary({ batch }: { batch: RetryBatch }) {
  const ids = batch.runs.map((r) => r.newRunId);
  const [outcome, setOutcome] = useState<RetryOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = ids.join(',');

  // biome-ignore lint/correctness/useExhaustiveDependencies: ids is a new array on each render; key is its content
  useEffect(() => {
    if (!ids.length) return;
    let stop = false;
    const started = Date.now();
    const poll = async () => {
      try {
        const o = await replayApi.outcomes(ids);
        if (stop) return;
        setOutcome(o);
        // Retries normally finish in seconds; after two minutes the page stops asking (the runs list has the rest).
        if (o.pending > 0 && Date.now() - started < 120_000) setTimeout(() => void poll(), 700);
      } catch (e) {
        if (!stop) setError((e as Error).message);
      }
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [key]);

  if (!ids.length) {
    return batch.skipped.length ? (
      <p className="help" data-testid="retry-summary">
        No run was retried: {batch.skipped.map((s) => s.reason).join('; ')}
      </p>
    ) : null;
  }
  return (
    <div className="retry-summary" data-testid="retry-summary" role="status">
      <p>
        <strong>{ids.length} retried</strong>
        {outcome && (
          <>
            {' · '}
            <span className="ok-text" data-testid="retry-succeeded">
              {outcome.succeeded} succeeded
            </span>
            {' · '}
            <span className={outcome.failed.length ? 'error' : 'muted'} data-testid="retry-failing">
              {outcome.failed.length} still failing
            </span>
            {outcome.skipped > 0 && <> · {outcome.skipped} skipped</>}
            {outcome.pending > 0 && (
              <>
                {' '}
                · <span className="muted">{outcome.pending} running…</span>
              </>
            )}
          </>
        )}
      </p>
      {outcome && outcome.failed.length > 0 && (
        <ul className="help">
          {outcome.failed.map((f) => (
            <li key={f.runId}>
              <Link to={`/runs/${encodeURIComponent(f.runId)}`}>{f.runId}</Link>
              {f.nodeId ? ` at ${f.nodeId}` : ''}: {f.message}
            </li>
          ))}
        </ul>
      )}
      {batch.skipped.length > 0 && <p className="help">Not retried: {batch.skipped.map((s) => `${s.runId} (${s.reason})`).join('; ')}</p>}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
