// The monitors as an app page: per monitor what it watches, its thresholds, schedule, state, last check and when it
// last fired; per flow which monitors cover it (an active flow nobody watches is called out). `?flow=` narrows the
// page to the monitors covering one flow (the link on each flow).
import { useEffect, useState, type ReactNode } from 'react';
import { monitorKey, monitorsApi, type MonitorInfo, type MonitorState, type MonitorsOverview } from '../api/monitors.ts';
import { ago } from '../exceptions/inbox-model.ts';
import { Link } from '../app/Link.tsx';
import { mayOpen } from '../app/access.ts';
import { canSeeCanvas, useSession } from '../app/session.ts';

const STATE: Record<MonitorState, { label: string; pill: string; order: number }> = {
  failing: { label: 'check failing', pill: 'bad', order: 0 },
  firing: { label: 'firing', pill: 'bad', order: 1 },
  'not-run': { label: 'not run yet', pill: 'status-running', order: 2 },
  ok: { label: 'ok', pill: 'ok', order: 3 },
  inactive: { label: 'inactive', pill: '', order: 4 },
};

export function MonitorsPage({ flowId }: { flowId?: string }) {
  const role = useSession((s) => s.user?.role);
  const [data, setData] = useState<MonitorsOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    monitorsApi.overview().then(setData, (e: Error) => setError(e.message));
  }, []);

  if (error)
    return (
      <section className="page">
        <h2>Monitors</h2>
        <p className="error">{error}</p>
      </section>
    );
  if (!data)
    return (
      <section className="page">
        <h2>Monitors</h2>
        <p className="muted">Loading…</p>
      </section>
    );

  const focus = flowId ? data.flows.find((f) => f.flowId === flowId) : undefined;
  const shown = (flowId ? data.monitors.filter((m) => m.flowId === flowId || m.flows.includes(flowId)) : data.monitors)
    .slice()
    .sort((a, b) => STATE[a.state].order - STATE[b.state].order || a.name.localeCompare(b.name));
  const count = (s: MonitorState) => data.monitors.filter((m) => m.state === s).length;
  const byKey = new Map(data.monitors.map((m) => [monitorKey(m), m]));
  const flowLink = (id: string, label: string) => (
    <Link to={role === 'client' || !canSeeCanvas(role) ? `/flows/${encodeURIComponent(id)}/mapper` : `/flows/${encodeURIComponent(id)}`}>{label}</Link>
  );

  return (
    <section className="page monitors" data-testid="monitors-page">
      <div className="row">
        <h2>{flowId ? <>Monitors of {focus?.name ?? flowId}</> : 'Monitors'}</h2>
        <span className="spacer" />
        {flowId && <Link to="/monitors">All monitors</Link>}
      </div>
      <p className="muted">
        Scheduled checks that raise exceptions when runs fail or stall, webhooks fall silent, stock drifts or payments disagree, and resolve them when the
        condition clears.
      </p>
      {!flowId && (
        <div className="row" data-testid="monitor-counts">
          <span className="pill bad">{count('firing')} firing</span>
          <span className="pill bad">{count('failing')} check failing</span>
          <span className="pill ok">{count('ok')} ok</span>
          <span className="pill status-running">{count('not-run')} not run yet</span>
          <span className="pill">{count('inactive')} inactive</span>
        </div>
      )}
      {flowId && focus && !focus.monitors.some((c) => byKey.get(c.key)?.active) && (
        <p className="notice-inline bad" data-testid="unwatched">
          No active monitor watches this flow: a silent failure would be found only at month-end.
        </p>
      )}
      {shown.length === 0 ? (
        <p className="muted">No monitors{flowId ? ' cover this flow' : ''}. A consultant adds one from the monitor templates.</p>
      ) : (
        <table className="table monitors-table" data-testid="monitors">
          <thead>
            <tr>
              <th>Monitor</th>
              <th>Watches</th>
              <th>Threshold</th>
              <th>Schedule</th>
              <th>State</th>
              <th>Last check</th>
              <th>Last fired</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <MonitorRow key={monitorKey(m)} m={m} flowLink={flowLink} canRuns={mayOpen('/runs', role)} />
            ))}
          </tbody>
        </table>
      )}
      {!flowId && (
        <>
          <h3>What each flow is watched by</h3>
          <table className="table compact" data-testid="flow-coverage">
            <thead>
              <tr>
                <th>Flow</th>
                <th>Status</th>
                <th>Monitors</th>
              </tr>
            </thead>
            <tbody>
              {data.flows.map((f) => {
                const ms = f.monitors.flatMap((c) => {
                  const m = byKey.get(c.key);
                  return m ? [{ m, here: c }] : [];
                });
                const watched = ms.some(({ m }) => m.active);
                return (
                  <tr key={f.flowId} data-flow={f.flowId} data-watched={watched ? 'yes' : 'no'}>
                    <td>{flowLink(f.flowId, f.name)}</td>
                    <td>
                      <span className={`pill ${f.active ? 'ok' : ''}`}>{f.active ? 'active' : 'inactive'}</span>
                    </td>
                    <td>
                      {ms.map(({ m, here }) => (
                        <span key={here.key} className="monitor-chip" data-monitor-chip={here.key} data-state={here.state}>
                          {m.name}{' '}
                          <span className={`pill ${STATE[here.state].pill}`}>
                            {STATE[here.state].label}
                            {here.open > 0 ? ` · ${here.open} open` : ''}
                          </span>
                        </span>
                      ))}
                      {!watched && f.active && <span className="pill bad">not watched</span>}
                      {!watched && !f.active && ms.length === 0 && <span className="muted">—</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function MonitorRow({ m, flowLink, canRuns }: { m: MonitorInfo; flowLink(id: string, label: string): ReactNode; canRuns: boolean }) {
  const s = STATE[m.state];
  return (
    <tr data-monitor={monitorKey(m)} data-state={m.state}>
      <td>
        <strong>{m.name}</strong>
        <div className="muted small">{m.title}</div>
        <div className="small">
          in {flowLink(m.flowId, m.flowName)}
          {m.version ? ` · v${m.version}` : ' · draft'}
        </div>
      </td>
      <td>
        {m.watches}
        {m.flows.length > 0 && (
          <div className="muted small">
            covers {m.flows.length} flow{m.flows.length === 1 ? '' : 's'}
          </div>
        )}
      </td>
      <td data-testid="thresholds">
        <ul className="plain">
          {m.thresholds.map((t) => (
            <li key={t.label}>
              <span className="muted">{t.label}:</span> {t.value}
            </li>
          ))}
        </ul>
        <div className="muted small">raises {m.raises.join(', ')}</div>
      </td>
      <td>
        {m.schedule ? (
          <>
            {m.schedule.every}
            {m.active && m.schedule.next && <div className="muted small">next {new Date(m.schedule.next).toLocaleString()}</div>}
          </>
        ) : (
          <span className="muted">no schedule</span>
        )}
      </td>
      <td>
        <span className={`pill ${s.pill}`} data-testid="monitor-state">
          {s.label}
        </span>
        {m.open > 0 && (
          <div className="small">
            <Link to={`/exceptions?type=${encodeURIComponent(m.lastFired && m.lastFired.state !== 'resolved' ? m.lastFired.type : (m.raises[0] ?? ''))}`}>
              {m.open} open
            </Link>
          </div>
        )}
      </td>
      <td data-testid="last-check">
        {m.lastCheck ? (
          <>
            {canRuns ? <Link to={`/runs/${encodeURIComponent(m.lastCheck.runId)}`}>{ago(m.lastCheck.at)}</Link> : ago(m.lastCheck.at)}{' '}
            <span className={`pill status-${m.lastCheck.status}`}>{m.lastCheck.status}</span>
            {m.lastCheck.found !== undefined && (
              <div className="muted small">
                found {m.lastCheck.found}, {m.lastCheck.newlyRaised} new, {m.lastCheck.cleared} cleared
              </div>
            )}
            {m.lastCheck.error && <div className="error small">{m.lastCheck.error}</div>}
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      <td data-testid="last-fired">
        {m.lastFired ? (
          <>
            <span title={new Date(m.lastFired.at).toLocaleString()}>{ago(m.lastFired.at)}</span>{' '}
            <span className={`pill state ${m.lastFired.state}`}>{m.lastFired.state}</span>
            <div className="small">{m.lastFired.title}</div>
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
    </tr>
  );
}
