import { Fragment, useEffect, useMemo, useState } from 'react';
import { api, type RunQuery } from '../api/client.ts';
import { adminApi } from '../api/admin.ts';
import type { FlowSummary } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { RunFilters } from './RunFilters.tsx';
import { errorText } from './StepDetails.tsx';
import { durationText, foldScheduled, ms, replayMark, triggerText, type RunSummary } from './run-list-model.ts';

const PAGE = 50;

export function RunsPage() {
  // /runs?flow=ID (linked from the flow list) opens filtered to that flow; /runs?q=%236003 searched for an order.
  const [query, setQuery] = useState<RunQuery>(() => {
    const url = new URLSearchParams(location.search);
    return { flowId: url.get('flow') ?? undefined, q: url.get('q') ?? undefined };
  });
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [scheduled, setScheduled] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  // Runs name their flow by id; people know flows by name.
  const names = useMemo(() => new Map(flows.map((f) => [f.id, f.name])), [flows]);
  const flowName = (id: string) => names.get(id) ?? id;

  useEffect(() => {
    api.flows().then(
      (r) => setFlows(r.flows),
      () => {},
    );
    adminApi.schedules().then(
      (r) => setScheduled(new Set(r.schedules.map((s) => s.flowId))),
      () => {},
    );
  }, []);

  useEffect(() => {
    setRuns(null);
    setError(null);
    api.runs({ ...query, limit: PAGE }).then(
      (r) => {
        setRuns(r.runs);
        setMore(r.runs.length === PAGE);
      },
      (e: Error) => setError(e.message),
    );
  }, [query]);

  async function loadMore() {
    const last = runs?.[runs.length - 1];
    if (!last) return;
    // The API pages by run id (runs created before it).
    const r = await api.runs({ ...query, limit: PAGE, before: last.runId });
    setRuns([...(runs ?? []), ...r.runs]);
    setMore(r.runs.length === PAGE);
  }

  // A flow picked in the filter is shown run by run; otherwise quiet scheduled runs fold into one row.
  const rows = useMemo(() => foldScheduled(runs ?? [], query.flowId ? new Set() : scheduled), [runs, scheduled, query.flowId]);

  const line = (r: RunSummary) => (
    <tr key={r.runId} data-run={r.runId}>
      <td>
        <Link to={`/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</Link>
        {r.replayOf && <span className="muted"> (replay)</span>}
      </td>
      <td data-flow={r.flowId} title={r.flowId}>
        <span data-flow-name>{flowName(r.flowId)}</span>
        {r.trigger && (
          <div className="muted small" data-trigger>
            {triggerText(r.trigger)}
          </div>
        )}
      </td>
      <td data-order>
        {r.orderName && (
          <button type="button" className="link" title={`Every run of order ${r.orderName}`} onClick={() => setQuery({ q: r.orderName })}>
            {r.orderName}
          </button>
        )}
      </td>
      <td>{r.flowVersion}</td>
      <td className="nowrap">
        <span className={`pill status-${r.status}`}>{r.status}</span>
        <ReplayPill run={r} />
      </td>
      <td className="nowrap">{new Date(ms(r.createdAt) ?? 0).toLocaleString()}</td>
      <td className="nowrap" data-duration>
        {durationText(r.startedAt, r.finishedAt)}
      </td>
      {r.status === 'skipped' && r.skipped ? (
        // Why it was skipped (an unpaid order, a voided one), muted: nothing failed.
        <td className="error-cell muted" title={r.skipped.message} data-skip={r.skipped.code}>
          {r.skipped.message}
        </td>
      ) : (
        <td className="error-cell" title={errorText(r.error)}>
          {errorText(r.error)}
        </td>
      )}
    </tr>
  );

  return (
    <section className="page" data-testid="runs-page">
      <h2>Runs</h2>
      <RunFilters value={query} flows={flows} onChange={setQuery} />
      {error && <p className="error">{error}</p>}
      {runs === null ? (
        <p className="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p className="muted">No runs match.</p>
      ) : (
        <table className="table runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Flow</th>
              <th>Order</th>
              <th>Version</th>
              <th>Status</th>
              <th>Created</th>
              <th>Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              if (row.kind === 'run') return line(row.run);
              const key = row.runs[0].runId;
              const first = new Date(ms((row.runs.at(-1) ?? row.runs[0]).createdAt) ?? 0);
              const last = new Date(ms(row.runs[0].createdAt) ?? 0);
              return (
                <Fragment key={key}>
                  <tr className="fold" data-fold={row.flowId}>
                    <td colSpan={8}>
                      <button
                        type="button"
                        className="link"
                        onClick={() =>
                          setOpen((o) => {
                            const n = new Set(o);
                            if (n.has(key)) n.delete(key);
                            else n.add(key);
                            return n;
                          })
                        }
                      >
                        {open.has(key) ? '▾' : '▸'} {row.runs.length} quiet scheduled runs of <strong title={row.flowId}>{flowName(row.flowId)}</strong>
                      </button>{' '}
                      <span className="muted">
                        ({row.runs.filter((r) => r.status === 'succeeded').length} succeeded, {row.runs.filter((r) => r.status === 'skipped').length} skipped,{' '}
                        {first.toLocaleTimeString()}–{last.toLocaleTimeString()})
                      </span>
                    </td>
                  </tr>
                  {open.has(key) && row.runs.map(line)}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {more && (
        <button type="button" onClick={() => void loadMore()}>
          Older runs
        </button>
      )}
      {runs && (
        <p className="muted small">
          {runs.length} run{runs.length === 1 ? '' : 's'} loaded{more ? '; older ones on request' : ''}.
        </p>
      )}
    </section>
  );
}

/** Next to a replayed run's status: "replayed ✓" linking to the replay that succeeded, else how its newest replay stands. */
function ReplayPill({ run }: { run: RunSummary }) {
  const mark = replayMark(run);
  if (!mark) return null;
  const look = mark.state === 'succeeded' ? 'status-succeeded' : mark.state === 'pending' ? 'status-running' : 'muted';
  return (
    <>
      {' '}
      <Link
        to={`/runs/${encodeURIComponent(mark.runId)}`}
        className={`pill ${look}`}
        title={mark.title}
        data-testid="replayed-pill"
        data-replay-state={mark.state}
      >
        {mark.label}
      </Link>
    </>
  );
}
