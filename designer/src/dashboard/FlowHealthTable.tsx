import { Link } from '../app/Link.tsx';
import type { FlowHealth } from '../api/dashboard.ts';
import { percent } from './series.ts';

export function FlowHealthTable({ flows }: { flows: FlowHealth[] }) {
  return (
    <div className="card" data-testid="flow-health">
      <h3>Flows</h3>
      <table className="table compact">
        <thead>
          <tr>
            <th>Flow</th>
            <th>Last run</th>
            <th title="Succeeded over finished runs; scheduled runs that found no work are left out">Success</th>
            <th>Failed</th>
            <th title="Scheduled runs that found no work">Quiet</th>
            <th>Backlog</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((f) => (
            <tr key={f.flowId} data-flow={f.flowId}>
              <td>
                <Link to={`/flows/${encodeURIComponent(f.flowId)}`}>{f.name}</Link> {!f.active && <span className="pill">inactive</span>}
              </td>
              <td>
                {f.lastRun ? (
                  <Link to={`/runs/${encodeURIComponent(f.lastRun.runId)}`}>
                    <span className={`pill status-${f.lastRun.status}`}>{f.lastRun.status}</span>
                  </Link>
                ) : (
                  <span className="muted">never</span>
                )}
                {f.lastRun && <span className="muted small"> {new Date(f.lastRun.at).toLocaleString()}</span>}
              </td>
              <td>{percent(f.successRate)}</td>
              <td className={f.failed ? 'error' : ''}>{f.failed}</td>
              <td className="muted">{f.idle ?? 0}</td>
              <td>{f.backlog}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
