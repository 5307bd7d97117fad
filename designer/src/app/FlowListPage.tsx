import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import type { FlowSummary, FlowTemplate } from '../api/types.ts';
import { TemplateGallery } from './TemplateGallery.tsx';
import { emptyFlow } from '../store/create-flow-store.ts';
import { Link } from './Link.tsx';
import { navigate } from './router.ts';
import { canEditStructure, useSession } from './session.ts';
import { adminApi, type Schedule } from '../api/admin.ts';
import { mayOpen } from './access.ts';
import { changeRequestsApi } from '../api/change-requests.ts';
import { can } from './permissions.ts';
import { flowControlsApi } from '../api/assist.ts';
import { downloadFlowFile, FlowImport } from './FlowImport.tsx';

const slug = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'flow';

export function FlowListPage() {
  const role = useSession((s) => s.user?.role);
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [schedules, setSchedules] = useState<Map<string, Schedule>>(new Map());
  const [ran, setRan] = useState<string | null>(null);
  const [templates, setTemplates] = useState<FlowTemplate[]>([]);
  const [template, setTemplate] = useState<string | null>(null);
  /** Flow id -> id of its change request waiting for approval. */
  const [waiting, setWaiting] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    api.flows().then(
      (r) => setFlows(r.flows),
      (e: Error) => setError(e.message),
    );
    adminApi.schedules().then(
      (r) => setSchedules(new Map(r.schedules.map((x) => [x.flowId, x]))),
      () => {},
    );
    changeRequestsApi.list({ status: 'pending' }).then(
      (r) => setWaiting(new Map(r.changeRequests.map((x) => [x.flowId, x.id]))),
      () => {},
    );
    if (canEditStructure(role))
      api.templates().then(
        (r) => setTemplates(r.templates),
        () => {},
      );
  }, [role]);
  const canRunNow = role === 'owner' || role === 'consultant' || role === 'operator';

  async function create(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const id = slug(name);
      const from = templates.find((t) => t.id === template);
      const summary = await api.createFlow(from ? { ...structuredClone(from.flow), id, name: name.trim() } : emptyFlow(id, name.trim()));
      navigate(`/flows/${encodeURIComponent(summary.id)}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="page">
      <h2>Flows</h2>
      {canEditStructure(role) && (
        <form className="row" onSubmit={create}>
          <input placeholder="New flow name, e.g. Orders to ERP" value={name} onChange={(e) => setName(e.target.value)} required aria-label="New flow name" />
          <button type="submit" className="primary">
            Create flow
          </button>
          {template && (
            <span className="muted small" data-testid="chosen-template">
              from the template “{templates.find((t) => t.id === template)?.name}”
            </span>
          )}
          <span className="muted small">or</span>
          <FlowImport flows={flows} />
        </form>
      )}
      {canEditStructure(role) && templates.length > 0 && (
        <details className="templates" open={flows?.length === 0 || undefined} data-testid="templates">
          <summary>Start from a template ({templates.length})</summary>
          <TemplateGallery
            templates={templates}
            chosen={template}
            onChoose={(id) => {
              setTemplate(id);
              const t = templates.find((x) => x.id === id);
              if (t && (!name.trim() || templates.some((x) => x.name === name.trim()))) setName(t.name);
            }}
          />
        </details>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {ran && (
        <p className="notice-inline ok" role="status">
          {ran}
        </p>
      )}
      {flows === null ? (
        <p className="muted">Loading…</p>
      ) : flows.length === 0 ? (
        <p className="muted">No flows yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Active version</th>
              <th>Latest</th>
              <th>Draft saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id}>
                <td className="flow-cell">
                  <Link to={role === 'client' ? `/flows/${encodeURIComponent(f.id)}/mapper` : `/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>
                  {f.description && (
                    <div className="flow-description" title={f.description} data-testid="flow-description">
                      {f.description}
                    </div>
                  )}
                </td>
                <td data-flow-status={f.id}>
                  {f.paused ? (
                    <>
                      <span className="pill warn" title={`paused by ${f.paused.by}, ${new Date(f.paused.at).toLocaleString()}`}>
                        paused
                      </span>
                      {can(role, 'flows.pause') && (
                        <>
                          {' '}
                          <button
                            type="button"
                            className="small-button"
                            onClick={async () => {
                              try {
                                await flowControlsApi.resume(f.id);
                                setRan(`${f.name} resumed on version ${f.activeVersion}.`);
                                setFlows((await api.flows()).flows);
                              } catch (e) {
                                setError((e as Error).message);
                              }
                            }}
                          >
                            Resume
                          </button>
                        </>
                      )}
                    </>
                  ) : (
                    <span className={`pill ${f.active ? 'ok' : ''}`}>{f.active ? 'active' : 'inactive'}</span>
                  )}
                  {waiting.has(f.id) &&
                    (mayOpen('/approvals', role) ? (
                      <>
                        {' '}
                        <Link to={`/approvals/${encodeURIComponent(waiting.get(f.id)!)}`} className="pill status-running" data-testid="waiting-approval">
                          change to review
                        </Link>
                      </>
                    ) : (
                      <>
                        {' '}
                        <span className="pill status-running" data-testid="waiting-approval">
                          waiting for approval
                        </span>
                      </>
                    ))}
                </td>
                <td>{f.activeVersion ?? '—'}</td>
                <td>{f.latestVersion ?? '—'}</td>
                <td>{f.draftUpdatedAt ? new Date(f.draftUpdatedAt).toLocaleString() : '—'}</td>
                <td className="actions" data-flow-actions={f.id}>
                  <Link to={`/runbooks/${encodeURIComponent(f.id)}`}>Runbook</Link>
                  {/* Who builds flows carries them between installs; a client works in the mapper only. */}
                  {canEditStructure(role) && (
                    <>
                      {' '}
                      ·{' '}
                      <button
                        type="button"
                        className="link"
                        title="Download the draft as JSON, to import in another Ledgerline"
                        onClick={async () => {
                          try {
                            await downloadFlowFile(f.id);
                          } catch (e) {
                            setError((e as Error).message);
                          }
                        }}
                      >
                        Export
                      </button>
                    </>
                  )}
                  {mayOpen('/runs', role) && (
                    <>
                      {' '}
                      · <Link to={`/runs?flow=${encodeURIComponent(f.id)}`}>Runs</Link>
                    </>
                  )}
                  {mayOpen('/monitors', role) && (
                    <>
                      {' '}
                      · <Link to={`/monitors?flow=${encodeURIComponent(f.id)}`}>Monitors</Link>
                    </>
                  )}
                  {schedules.has(f.id) && (
                    <span className="muted small">
                      {' '}
                      · {schedules.get(f.id)!.every}
                      {canRunNow && (
                        <>
                          {' '}
                          <button
                            type="button"
                            className="small-button"
                            onClick={async () => {
                              try {
                                const r = await adminApi.runNow(f.id);
                                setRan(`${f.name}: run ${r.runId} queued.`);
                              } catch (e) {
                                setError((e as Error).message);
                              }
                            }}
                          >
                            Run now
                          </button>
                        </>
                      )}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
