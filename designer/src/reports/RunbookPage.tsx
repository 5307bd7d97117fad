// A flow's operational runbook (/api/runbooks/:flowId?format=json) as an app page: what it does, who owns which
// data, its mappings and lookups, the exceptions it raises and how to triage them, the routine checks.
import { useEffect, useState } from 'react';
import { reportsApi, type Runbook } from '../api/reports.ts';
import { Link } from '../app/Link.tsx';
import { mayOpen } from '../app/access.ts';
import { useSession } from '../app/session.ts';

export function RunbookPage({ flowId }: { flowId: string }) {
  const role = useSession((s) => s.user?.role);
  const [rb, setRb] = useState<Runbook | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    reportsApi.runbook(flowId).then(setRb, (e: Error) => setError(e.message));
  }, [flowId]);
  if (error)
    return (
      <section className="page">
        <h2>Runbook</h2>
        <p className="error">{error}</p>
      </section>
    );
  if (!rb)
    return (
      <section className="page">
        <p className="muted">Loading…</p>
      </section>
    );
  const list = (xs: string[]) =>
    xs.length ? (
      <ul>
        {xs.map((x, i) => (
          <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>{x}</li>
        ))}
      </ul>
    ) : (
      <p className="muted">—</p>
    );
  return (
    <section className="page runbook" data-testid="runbook-page">
      <div className="row">
        <h2>Runbook: {rb.title}</h2>
        <span className="spacer" />
        <Link to={`/flows/${encodeURIComponent(rb.flowId)}`}>Open the flow</Link>
        {mayOpen('/monitors', role) && (
          <>
            {' · '}
            <Link to={`/monitors?flow=${encodeURIComponent(rb.flowId)}`}>Its monitors</Link>
          </>
        )}
      </div>
      <p>{rb.purpose}</p>
      <h3>When it runs</h3>
      {list(rb.triggers)}
      <h3>Steps</h3>
      <ol>
        {rb.steps.map((s, i) => (
          <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
            <strong>{s.name}</strong>: {s.does}
          </li>
        ))}
      </ol>
      {rb.ownership.length > 0 && (
        <>
          <h3>Which system owns what</h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>System</th>
                <th>Data</th>
                <th>The flow</th>
              </tr>
            </thead>
            <tbody>
              {rb.ownership.map((o, i) => (
                <tr /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
                  <td>{o.system}</td>
                  <td>{o.data}</td>
                  <td>{o.flow}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {rb.mappings.map((m) => (
        <div key={m.step}>
          <h3>Mapping: {m.step}</h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>ERP field</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {m.rows.map((r, i) => (
                <tr /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
                  <td>
                    <code>{r.target}</code>
                  </td>
                  <td>{r.from}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {rb.lookups.length > 0 && (
        <>
          <h3>Lookup tables</h3>
          <ul>
            {rb.lookups.map((l) => (
              <li key={l.table}>
                <Link to={`/lookups?flow=${encodeURIComponent(rb.flowId)}`}>{l.table}</Link> ({l.usedBy}): {l.purpose}
              </li>
            ))}
          </ul>
        </>
      )}
      {rb.exceptions.length > 0 && (
        <>
          <h3>Exceptions it raises</h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>Type</th>
                <th>Owner</th>
                <th>Meaning</th>
                <th>Triage</th>
              </tr>
            </thead>
            <tbody>
              {rb.exceptions.map((e) => (
                <tr key={e.type}>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>{e.owner}</td>
                  <td>{e.meaning}</td>
                  <td>
                    <ol>
                      {e.triage.map((t, i) => (
                        <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
                          key={i}
                        >
                          {t}
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Routine checks</h3>
      <div className="io">
        <div>
          <h4>Daily</h4>
          {list(rb.checks.daily)}
        </div>
        <div>
          <h4>Weekly</h4>
          {list(rb.checks.weekly)}
        </div>
      </div>
      <h4>Month end</h4>
      {list(rb.checks.monthEnd)}
    </section>
  );
}
