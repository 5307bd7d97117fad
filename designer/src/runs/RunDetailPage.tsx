import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { Res } from '../api/contract.ts';
import { Link } from '../app/Link.tsx';
import { navigate } from '../app/router.ts';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { StepDetails, errorText } from './StepDetails.tsx';
import { ReplayPanel } from './ReplayPanel.tsx';
import { nodeRunStatus } from './node-run-status.ts';

/** A run with its steps and the runs that replay it. */
type RunDetail = Res<'/api/runs/{id}', 'get'>;

export function RunDetailPage({ runId }: { runId: string }) {
  const role = useSession((s) => s.user?.role);
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [replaying, setReplaying] = useState(false);

  useEffect(() => {
    setRun(null);
    api.run(runId).then(
      (r) => {
        setRun(r);
        // The step to look at first: the one that failed, or the one that ended the run skipped.
        const at = r.steps.findIndex((s) => s.status === 'failed' || (r.status === 'skipped' && s.nodeId === r.skipped?.nodeId));
        setOpen(at >= 0 ? at : null);
      },
      (e: Error) => setError(e.message),
    );
  }, [runId]);

  if (error) return <p className="error page">{error}</p>;
  if (!run) return <p className="muted page">Loading run…</p>;
  const canReplay = ['failed', 'cancelled', 'succeeded', 'skipped'].includes(run.status) && can(role, 'runs.triage');
  // A failure a replay made good needs nothing more: replaying it again stays possible, but is no longer the thing to do.
  const madeGood = run.replaySucceededBy !== undefined && run.status !== 'succeeded';
  return (
    <section className="page" data-testid="run-detail">
      <div className="row">
        <h2>Run {run.runId}</h2>
        <span className={`pill status-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        {madeGood && (
          <Link
            to={`/runs/${encodeURIComponent(run.replaySucceededBy!)}`}
            className="pill status-succeeded"
            title={`Replayed: run ${run.replaySucceededBy} succeeded`}
            data-testid="replayed-pill"
          >
            replayed ✓
          </Link>
        )}
        <span className="spacer" />
        {canReplay && !replaying && (
          <button
            type="button"
            className={run.status === 'failed' && !madeGood ? 'primary' : ''}
            onClick={() => setReplaying(true)}
            data-testid="replay-button"
          >
            {madeGood ? 'Replay again…' : 'Replay…'}
          </button>
        )}
      </div>
      <p className="muted">
        Flow <Link to={`/flows/${encodeURIComponent(run.flowId)}`}>{run.flowName ?? run.flowId}</Link> v{run.flowVersion}
        {run.replayOf && (
          <>
            {' '}
            · replay of <Link to={`/runs/${encodeURIComponent(run.replayOf)}`}>{run.replayOf}</Link>
          </>
        )}
        {' · '}created {new Date(run.createdAt).toLocaleString()}
        {Object.entries(run.keys ?? {}).map(([k, v]) => (
          <span key={k}>
            {' '}
            · {k} <code>{v}</code>
          </span>
        ))}
      </p>
      {run.replayedBy?.length ? (
        <p data-testid="replayed-by">
          Replayed by{' '}
          {run.replayedBy.map((r, i) => (
            <span key={r.runId} data-replay={r.runId}>
              {i > 0 && ', '}
              <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</Link> ({r.status})
            </span>
          ))}
        </p>
      ) : null}
      {madeGood && (
        <p className="notice-inline ok" data-testid="replay-note">
          {run.replayedBy?.some((r) => r.runId === run.replaySucceededBy) ? 'Its replay ' : 'A later replay, '}
          <Link to={`/runs/${encodeURIComponent(run.replaySucceededBy!)}`}>{run.replaySucceededBy}</Link>
          {run.replayedBy?.some((r) => r.runId === run.replaySucceededBy) ? ' succeeded' : ' (a replay of one of its replays), succeeded'}: this failure needs
          nothing more. Replay it again only to process the event once more.
        </p>
      )}
      {run.error ? <p className="error">{errorText(run.error)}</p> : null}
      {run.status === 'skipped' && run.skipped ? (
        <p className="notice-inline warn" data-testid="skip-reason">
          Skipped at <strong>{run.steps.find((s) => s.nodeId === run.skipped!.nodeId)?.name ?? run.skipped.nodeId}</strong>: {run.skipped.message}{' '}
          <span className="muted">({run.skipped.code}; nothing failed, nothing after it ran)</span>
        </p>
      ) : null}
      {replaying && (
        <ReplayPanel run={run} onClose={() => setReplaying(false)} onReplayed={(id) => (setReplaying(false), navigate(`/runs/${encodeURIComponent(id)}`))} />
      )}
      <ol className="steps">
        {run.steps.map((s, i) => {
          const status = nodeRunStatus(run, s.nodeId);
          return (
            <li key={s.nodeId} className={open === i ? 'open' : ''}>
              <button type="button" className="step-row" onClick={() => setOpen(open === i ? null : i)} data-step={s.nodeId}>
                <span className={`dot status-${status}`} />
                {/* The name the consultant gave the node, as on the canvas; its id and type for whoever reads the flow's JSON. */}
                <strong>{s.name ?? s.nodeId}</strong> {s.name && <span className="muted">{s.nodeId}</span>} <code>{s.type}</code>
                <span className={`pill status-${status}`}>{status}</span>
                <span className="muted">{s.durationMs ?? '—'} ms</span>
                {s.reusedFrom && (
                  <span className="pill" title={`output of run ${s.reusedFrom}`}>
                    reused
                  </span>
                )}
                {s.reads?.lookups.map((l) => (
                  <span key={l.tableId} className="pill muted" title="lookup table version this step read">
                    {l.table} v{l.version}
                  </span>
                ))}
              </button>
              {open === i && <StepDetails step={s} status={status} />}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
