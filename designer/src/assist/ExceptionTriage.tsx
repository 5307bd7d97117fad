// The triage of each exception in the inbox: its cause category, the proposed next step and, opened, the
// explanation, the evidence and — when the fix is a missing lookup row — the rows proposed from the ERP's own lists,
// each with an Accept button (writes the row as a new table version and retries the waiting runs). The inbox loads
// the triage of every listed exception in one request (TriageProvider); opening a row loads its own triage, since it
// reads the ERP's lists for proposals and, with the language model on, has the model write the explanation.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { assistantApi, type ExplainedTriage, type LookupProposals, type ProposalsOrNote, type Triage } from '../api/assist.ts';
import type { ExceptionItem } from '../api/exceptions.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';
import { FLOW_ACTIONS, TriageFlowAction } from './TriageFlowAction.tsx';
import { TriageFetchOrder } from './TriageFetchOrder.tsx';

interface Ctx {
  triage: Record<string, Triage>;
  onChanged(): void;
}
const TriageContext = createContext<Ctx>({ triage: {}, onChanged: () => {} });

export function TriageProvider({ ids, onChanged, children }: { ids: string[]; onChanged(): void; children: ReactNode }) {
  const [triage, setTriage] = useState<Record<string, Triage>>({});
  const key = ids.join(',');
  useEffect(() => {
    if (!key) return;
    let live = true;
    assistantApi.triage(key.split(',')).then(
      (r) => live && setTriage(r.triage),
      () => live && setTriage({}),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return <TriageContext.Provider value={{ triage, onChanged }}>{children}</TriageContext.Provider>;
}

const CATEGORY_CLASS: Record<string, string> = {
  'data-mapping': 'cat-mapping',
  'missing-reference-data': 'cat-reference',
  'api-limit': 'cat-limit',
  'erp-unavailable': 'cat-unavailable',
  'manual-process': 'cat-manual',
  'code-error': 'cat-code',
};

export function ExceptionTriage({ item }: { item: ExceptionItem }) {
  const { triage, onChanged } = useContext(TriageContext);
  const t = triage[item.id];
  const [open, setOpen] = useState(false);
  if (!t) return null;
  return (
    <div className="triage" data-testid="triage" data-category={t.category}>
      <span className={`pill triage-cat ${CATEGORY_CLASS[t.category] ?? ''}`} title="Cause category (triage)">
        {t.categoryLabel}
      </span>{' '}
      <span className="triage-next">{t.nextStep}</span>{' '}
      <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open
          ? 'Hide triage'
          : t.action && (t.action.kind === 'add-lookup-row' || t.action.kind === 'fetch-order' || FLOW_ACTIONS.includes(t.action.kind))
            ? 'Why, and the proposed fix'
            : 'Why'}
      </button>
      {open && <TriageDetail item={item} t={t} onChanged={onChanged} />}
    </div>
  );
}

function TriageDetail({ item, t, onChanged }: { item: ExceptionItem; t: Triage; onChanged(): void }) {
  const role = useSession((s) => s.user?.role);
  const [lookups, setLookups] = useState<ProposalsOrNote | undefined>(t.action?.kind === 'add-lookup-row' ? undefined : null);
  const [status, setStatus] = useState<{ text: string; bad?: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const [own, setOwn] = useState<ExplainedTriage | null>(null);
  const [showRule, setShowRule] = useState(false);
  useEffect(() => {
    let live = true;
    assistantApi.exception(item.id).then(
      (r) => {
        if (!live) return;
        setOwn(r.triage);
        if (t.action?.kind === 'add-lookup-row') setLookups(r.lookups);
      },
      (e: Error) => live && t.action?.kind === 'add-lookup-row' && setLookups({ note: e.message }),
    );
    return () => {
      live = false;
    };
  }, [item.id, t.action?.kind]);

  async function accept(row: Record<string, string>) {
    setBusy(true);
    setStatus(null);
    try {
      const r = await assistantApi.accept(item.id, [row]);
      const retried = r.retried
        ? `; ${r.retried.replayed.length} waiting run(s) retried${r.retried.skipped.length ? `, ${r.retried.skipped.length} skipped` : ''}`
        : r.retryNote
          ? `; not retried: ${r.retryNote}`
          : '';
      setStatus({ text: `Row added to ${r.table} as version ${r.version.version}${retried}.` });
      onChanged();
    } catch (e) {
      setStatus({ text: (e as Error).message, bad: true });
    } finally {
      setBusy(false);
    }
  }

  const mayAccept = can(role, 'assist.accept') && item.state !== 'resolved';
  const a = t.action;
  return (
    <div className="triage-detail card" data-testid="triage-detail">
      {/* An explanation may list items one a line (a stock push's problems). */}
      <p data-testid="triage-explanation" data-source={own?.source ?? 'rule'} style={{ whiteSpace: 'pre-line' }}>
        {own?.explanation ?? t.explanation}
      </p>
      {own?.source === 'model' && own.ruleExplanation && (
        <p className="help">
          <button type="button" className="link" onClick={() => setShowRule(!showRule)} aria-expanded={showRule}>
            {showRule ? 'Hide' : 'Show'} the offline rule’s explanation
          </button>
          {showRule && <span data-testid="triage-rule-explanation"> {own.ruleExplanation}</span>}
        </p>
      )}
      {!!own?.notes?.length && (
        <p className="muted small" data-testid="triage-notes">
          {own.notes.join(' ')}
        </p>
      )}
      <ul className="help triage-evidence">
        {t.evidence.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
      {a?.kind === 'open-mapper' && a.params.flowId && (
        <p>
          <Link to={`/flows/${encodeURIComponent(a.params.flowId)}/mapper${a.params.nodeId ? `?node=${encodeURIComponent(a.params.nodeId)}` : ''}`}>
            {a.label}
          </Link>
        </p>
      )}
      {a?.kind === 'open-run' && a.params.runId && (
        <p>
          <Link to={`/runs/${encodeURIComponent(a.params.runId)}`}>{a.label}</Link>
        </p>
      )}
      {a?.kind === 'retry' && <p className="help">Proposed: {a.label} (the Retry button of this exception).</p>}
      {a?.kind === 'fetch-order' && item.state !== 'resolved' && <TriageFetchOrder action={a} exceptionId={item.id} />}
      {a && FLOW_ACTIONS.includes(a.kind) && item.state !== 'resolved' && <TriageFlowAction action={a} exceptionId={item.id} />}
      {a?.kind === 'add-lookup-row' &&
        (lookups === undefined ? (
          <p className="muted">Reading the ERP’s lists…</p>
        ) : lookups && 'missing' in lookups ? (
          <ProposalTable p={lookups} mayAccept={mayAccept} busy={busy} onAccept={(row) => void accept(row)} />
        ) : (
          <p className="muted">{lookups?.note ?? 'No proposals.'}</p>
        ))}
      {status && (
        <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="triage-status">
          {status.text}
        </p>
      )}
    </div>
  );
}

/** Proposed rows for each missing key; shared by the inbox and the lookup editor. */
export function ProposalTable({
  p,
  mayAccept,
  busy,
  onAccept,
}: {
  p: LookupProposals;
  mayAccept: boolean;
  busy: boolean;
  onAccept(row: Record<string, string>): void;
}) {
  if (p.note && !p.missing.length) return <p className="muted">{p.note}</p>;
  return (
    <div data-testid="proposals">
      <p className="help">
        Proposed {p.valueColumn} values for <code>{p.table}</code> from {p.from || 'the ERP'}:
      </p>
      {p.missing.map((m) => (
        <table key={JSON.stringify(m.key)} className="table compact proposals-table">
          <caption className="help">
            Missing:{' '}
            {Object.entries(m.key)
              .filter(([, v]) => v !== null && v !== undefined && v !== '')
              .map(([k, v]) => `${k} ${String(v)}`)
              .join(', ')}
          </caption>
          <tbody>
            {m.rows.length === 0 && (
              <tr>
                <td className="muted">Nothing in the ERP’s list fits.</td>
              </tr>
            )}
            {m.rows.map((r, i) => (
              <tr key={r.proposal.value} data-proposal={r.proposal.value}>
                <td>
                  <strong>{r.proposal.value}</strong>{' '}
                  <span className="muted">
                    {r.proposal.label.startsWith(`${r.proposal.value} — `)
                      ? r.proposal.label.slice(r.proposal.value.length + 3)
                      : r.proposal.label !== r.proposal.value
                        ? r.proposal.label
                        : ''}
                  </span>
                </td>
                <td>
                  <span className="pill" title="confidence">
                    {Math.round(r.proposal.confidence * 100)} %
                  </span>
                </td>
                <td className="help">{r.proposal.reason}</td>
                <td>
                  {mayAccept && (
                    <button type="button" className={i === 0 ? 'primary' : ''} disabled={busy} onClick={() => onAccept(r.row)}>
                      Accept {r.proposal.value}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
