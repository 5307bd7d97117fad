// What the publish dialogs show before a change goes live: the checks (required targets mapped, preview on the
// sample) and the dry run on the flow's last real orders, per order the ERP fields that would change. Publishing
// asks for a confirmation when anything would change; an order that would newly fail blocks a client's publish.
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { dryRun, type DocumentChange, type DryRunEvent, type DryRunReport, type Verdict } from '../api/dry-run.ts';
import type { Problem } from '../api/types.ts';
import './publish.css';

export interface Review {
  state: 'checking' | 'ready' | 'error';
  problems: Problem[];
  report: DryRunReport | null;
  error?: string;
}

/** Saves first (`prepare`), then validates and dry-runs the draft. */
export function usePublishReview(flowId: string, prepare: () => Promise<void>): Review {
  const [review, setReview] = useState<Review>({ state: 'checking', problems: [], report: null });
  // biome-ignore lint/correctness/useExhaustiveDependencies: one review per flow when the dialog opens; prepare is a new function on each render and saving again on each would loop
  useEffect(() => {
    let cancelled = false;
    (async () => {
      await prepare();
      const v = await api.validate(flowId);
      // A draft that does not validate cannot be dry-run (and will not publish): the problems are the answer.
      const report = v.valid ? await dryRun(flowId) : null;
      if (!cancelled) setReview({ state: 'ready', problems: v.problems, report });
    })().catch((e: Error) => !cancelled && setReview({ state: 'error', problems: [], report: null, error: e.message }));
    return () => {
      cancelled = true;
    };
  }, [flowId]);
  return review;
}

/** Why publishing is not possible now, or null. */
export function blockedReason(r: Review, role: string | undefined): string | null {
  if (r.state === 'checking') return 'Checking the change…';
  if (r.state === 'error') return null; // the server's own checks still run on publish
  if (r.problems[0]) return `The change cannot be published: ${r.problems[0].message}`;
  const breaks = r.report?.summary.breaks ?? 0;
  if (breaks && role === 'client')
    return `${breaks} of the last orders that reach the ERP today would fail with this change; fix the mapping or ask a consultant.`;
  return null;
}

export function needsConfirmation(r: Review): boolean {
  const s = r.report?.summary;
  return !!s && s.changed + s.breaks + s.fixes > 0;
}

const VERDICT: Record<Verdict, string> = {
  changed: 'would change',
  unchanged: 'no change',
  breaks: 'would fail',
  fixes: 'would be fixed',
  fails: 'fails either way',
};

export function PublishReview({ review }: { review: Review }) {
  if (review.state === 'checking')
    return (
      <p className="muted" data-testid="publish-review" aria-busy="true">
        Checking the change and trying it on the last orders (nothing is written)…
      </p>
    );
  if (review.state === 'error')
    return (
      <p className="error" data-testid="publish-review">
        Could not try the change: {review.error}
      </p>
    );
  if (review.problems.length) {
    return (
      <div className="publish-review" data-testid="publish-review">
        <p className="error" role="alert" data-testid="publish-refused">
          Not publishable: {review.problems.length} problem{review.problems.length > 1 ? 's' : ''} to fix.
        </p>
        <ul className="publish-problems">
          {review.problems.map((p, i) => (
            <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */ key={i}>
              <strong>{p.where}</strong> {p.message}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const r = review.report!;
  const s = r.summary;
  return (
    <div className="publish-review" data-testid="publish-review">
      <p className="help">
        {s.events === 0 ? (
          'The flow has no real orders yet to try the change on.'
        ) : (
          <>
            Tried on the last {s.events} event{s.events > 1 ? 's' : ''} {r.baseVersion ? `against live version ${r.baseVersion}` : ''}, writing nothing:{' '}
            <span className="pill diff-changed">{s.changed} would change</span> <span className="pill">{s.unchanged} unchanged</span>
            {s.breaks > 0 && (
              <>
                {' '}
                <span className="pill bad">{s.breaks} would fail</span>
              </>
            )}
            {s.fixes > 0 && (
              <>
                {' '}
                <span className="pill ok">{s.fixes} fixed</span>
              </>
            )}
            {s.fails > 0 && (
              <>
                {' '}
                <span className="pill">{s.fails} fail either way</span>
              </>
            )}
          </>
        )}
      </p>
      {s.events > 0 && (
        <div className="dry-run-events" data-testid="dry-run-events">
          {r.events.map((e) => (
            <EventRow key={e.eventId} e={e} />
          ))}
        </div>
      )}
    </div>
  );
}

function EventRow({ e }: { e: DryRunEvent }) {
  const changed = e.documents.filter((d) => d.fields.length);
  const open = e.verdict === 'changed' || e.verdict === 'breaks' || e.verdict === 'fixes';
  return (
    <details className={`dry-run-event verdict-${e.verdict}`} open={open} data-testid="dry-run-event" data-verdict={e.verdict}>
      <summary>
        <strong>{e.label}</strong> <span className={`pill verdict ${e.verdict}`}>{VERDICT[e.verdict]}</span>
        <span className="muted"> {new Date(e.receivedAt).toLocaleString()}</span>
      </summary>
      {(e.verdict === 'breaks' || e.verdict === 'fails') && <p className="error">{e.after.message}</p>}
      {e.verdict === 'fixes' && <p className="muted">Live version: {e.before?.message}</p>}
      {changed.map((d, i) => (
        <DocumentDiff /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
          key={i}
          d={d}
        />
      ))}
      {e.after.exceptions.length > 0 && <p className="muted">Would raise: {e.after.exceptions.join('; ')}</p>}
    </details>
  );
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function DocumentDiff({ d }: { d: DocumentChange }) {
  return (
    <div className="dry-run-doc">
      <div className="muted">{d.action === 'output' ? `Output of ${d.nodeId}` : `ERP: ${d.action}${d.key ? ` ${d.key}` : ''} (${d.nodeId})`}</div>
      <table className="table compact" data-testid="dry-run-fields">
        <thead>
          <tr>
            <th>Field</th>
            <th>Live version sends</th>
            <th>With this change</th>
          </tr>
        </thead>
        <tbody>
          {d.fields.map((f) => (
            <tr key={f.path}>
              <td>
                <code>{f.path}</code>
              </td>
              <td className="before">{show(f.before)}</td>
              <td className="after">{show(f.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The confirmation publishing asks for when the dry run found orders that would come out differently. */
export function ConfirmChange({ review, checked, onChange }: { review: Review; checked: boolean; onChange(v: boolean): void }) {
  if (!needsConfirmation(review)) return null;
  const s = review.report!.summary;
  const n = s.changed + s.breaks + s.fixes;
  return (
    <label className="publish-confirm">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid="publish-confirm" />
      <span>
        I have checked the differences: {n} of the last {s.events} events would reach the ERP differently
        {s.breaks ? `, ${s.breaks} of them would fail` : ''}.
      </span>
    </label>
  );
}
