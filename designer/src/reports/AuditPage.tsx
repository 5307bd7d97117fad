// The integration audit (catalogue, mappings, flows: /api/integration-audit) and the change log (/api/audit) as an
// app page, instead of the API's raw HTML.
import { useEffect, useState } from 'react';
import { adminApi, toDate, type AuditEntry } from '../api/admin.ts';
import { reportsApi, type IntegrationAudit } from '../api/reports.ts';

export function AuditPage() {
  const [report, setReport] = useState<IntegrationAudit | null>(null);
  const [log, setLog] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'findings' | 'changes'>('findings');
  useEffect(() => {
    reportsApi.integrationAudit().then(setReport, (e: Error) => setError(e.message));
    adminApi.audit(200).then(
      (r) => setLog(r.entries),
      () => setLog([]),
    );
  }, []);
  return (
    <section className="page" data-testid="audit-page">
      <h2>Audit</h2>
      <nav className="subtabs">
        <button type="button" className={tab === 'findings' ? 'subtab active link' : 'subtab link'} onClick={() => setTab('findings')}>
          Integration findings
        </button>
        <button type="button" className={tab === 'changes' ? 'subtab active link' : 'subtab link'} onClick={() => setTab('changes')}>
          Change log
        </button>
      </nav>
      {error && <p className="error">{error}</p>}
      {tab === 'findings' &&
        (!report ? (
          !error && <p className="muted">Checking the catalogue, mappings and flows…</p>
        ) : (
          <>
            <p className="muted">
              Checked {report.summary.variants} Shopify variants, {report.summary.orders} recent orders and {report.summary.flows} flows (
              {toDate(report.generatedAt)?.toLocaleString()}).
            </p>
            <div className="row">
              <span className="pill bad">{report.summary.high} high</span>
              <span className="pill status-running">{report.summary.medium} medium</span>
              <span className="pill">{report.summary.low} low</span>
            </div>
            {report.findings.length === 0 ? (
              <p>No findings.</p>
            ) : (
              <table className="table" data-testid="findings">
                <thead>
                  <tr>
                    <th>Severity</th>
                    <th>Owner</th>
                    <th>Subject</th>
                    <th>What is wrong</th>
                    <th>What to do</th>
                  </tr>
                </thead>
                <tbody>
                  {report.findings.map((f, i) => (
                    <tr /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
                      key={i}
                      data-kind={f.kind}
                    >
                      <td>
                        <span className={`pill ${f.severity === 'high' ? 'bad' : f.severity === 'medium' ? 'status-running' : ''}`}>{f.severity}</span>
                      </td>
                      <td>{f.owner}</td>
                      <td>
                        <strong>{f.subject}</strong>
                        <div className="muted small">{f.kind}</div>
                      </td>
                      <td>{f.message}</td>
                      <td>{f.fix}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ))}
      {tab === 'changes' &&
        (log === null ? (
          <p className="muted">Loading…</p>
        ) : log.length === 0 ? (
          <p className="muted">No changes recorded.</p>
        ) : (
          <table className="table compact" data-testid="change-log">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>On</th>
              </tr>
            </thead>
            <tbody>
              {log.map((e, i) => (
                <tr /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
                  <td className="nowrap">{toDate(e.at)?.toLocaleString()}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
