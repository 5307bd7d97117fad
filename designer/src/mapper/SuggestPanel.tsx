// "Suggest": ranked Shopify sources for each field of the downstream node's input (the server's offline suggester).
// Unmapped targets get their top candidate ticked (when the sample has a value for it, or the target is required);
// the next two are one click away, each with its confidence and reason. Accept writes the ticked ones into the
// mapping; Undo puts the fields back as they were.
import { useState } from 'react';
import { assistApi, type AcceptedSuggestion, type SuggestResult } from '../api/assist.ts';
import type { FieldInput } from './model/fields.ts';
import { useMapper, useMapperEnv } from './context.ts';

/** Target paths a mapping already fills, in the suggester's notation (`lines[].sku`). */
function mappedTargets(fields: FieldInput[], prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const f of fields) {
    const t = prefix ? `${prefix}[].${f.target}` : f.target;
    if (f.source.kind === 'each') for (const x of mappedTargets(f.source.fields as FieldInput[], t)) out.add(x);
    else out.add(t);
  }
  return out;
}

export function SuggestPanel() {
  const { store } = useMapperEnv();
  const flow = useMapper((s) => s.flow);
  const nodeId = useMapper((s) => s.nodeId);
  const sample = useMapper((s) => s.sample);
  const [result, setResult] = useState<SuggestResult | null>(null);
  const [choice, setChoice] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [undo, setUndo] = useState<FieldInput[] | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const downstream = flow.edges
    .filter((e) => e.source === nodeId)
    .map((e) => flow.nodes.find((n) => n.id === e.target)?.type)
    .find(Boolean);

  async function suggest() {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const r = await assistApi.suggest({ targetNodeType: downstream, sample: sample?.value });
      const mapped = mappedTargets(store.getState().fields);
      const picks: Record<string, number> = {};
      for (const t of r.targets) {
        const c = t.candidates[0];
        if (!mapped.has(t.target) && c && c.confidence >= 0.2 && (c.sampleValue !== undefined || t.required)) picks[t.target] = 0;
      }
      setChoice(picks);
      setResult(r);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function accept() {
    if (!result) return;
    const accepted: AcceptedSuggestion[] = result.targets.flatMap((t) => {
      const picked = choice[t.target];
      const c = picked === undefined ? undefined : t.candidates[picked];
      return c ? [{ target: t.target, path: c.path, transforms: c.transforms, required: t.required }] : [];
    });
    setBusy(true);
    try {
      const built = await assistApi.mapFields({ accepted, sourceRoot: result.sourceRoot });
      const before = store.getState().fields;
      const replaced = new Set(built.fields.map((f) => f.target));
      store.getState().replaceFields([...before.filter((f) => !replaced.has(f.target)), ...built.fields]);
      setUndo(before);
      setResult(null);
      setNote(
        `${accepted.length} field${accepted.length === 1 ? '' : 's'} filled from suggestions${built.skipped.length ? `; not filled: ${built.skipped.map((s) => `${s.target} (${s.reason})`).join(', ')}` : ''}.`,
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (target: string, i: number) =>
    setChoice((c) => {
      const next = { ...c };
      if (next[target] === i) delete next[target];
      else next[target] = i;
      return next;
    });

  return (
    <div className="card suggest-panel" data-testid="suggest-panel">
      <div className="row">
        <h3>Suggestions</h3>
        <button type="button" onClick={() => void suggest()} disabled={busy || !nodeId} data-testid="suggest">
          {busy && !result ? 'Suggesting…' : 'Suggest'}
        </button>
        {undo && (
          <button
            type="button"
            onClick={() => {
              store.getState().replaceFields(undo);
              setUndo(null);
              setNote('Suggestions undone.');
            }}
            data-testid="suggest-undo"
          >
            Undo
          </button>
        )}
        {!downstream && (
          <span className="muted small">No downstream node: the suggestions fill the sales-order input only when the map feeds a known node.</span>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      {note && (
        <p className="muted" role="status" data-testid="suggest-note">
          {note}
        </p>
      )}
      {result && (
        <>
          <p className="help">
            For each field of the {downstream} input: the best Shopify field and two alternatives, with how sure the suggester is and why. Ticked ones are
            filled on Accept.
          </p>
          {result.notes.length > 0 && (
            <div className={result.engine === 'model' ? 'help' : 'warn-text'} role="note" data-testid="suggest-engine-notes" data-engine={result.engine}>
              {result.notes.map((n) => (
                <p key={n}>{n}</p>
              ))}
            </div>
          )}
          <table className="table compact suggestions">
            <thead>
              <tr>
                <th>Target</th>
                <th>Suggested source (confidence, why)</th>
              </tr>
            </thead>
            <tbody>
              {result.targets.map((t) => (
                <tr key={t.target} data-suggest-target={t.target}>
                  <td>
                    <strong>{t.target}</strong>
                    {t.required ? <span className="req"> *</span> : <span className="muted"> (optional)</span>}
                  </td>
                  <td>
                    {t.candidates.map((c, i) => (
                      <label key={c.path} className={`suggestion ${i ? 'alt' : 'top'}`} title={c.reason}>
                        <input type="checkbox" checked={choice[t.target] === i} onChange={() => toggle(t.target, i)} data-candidate={c.path} />
                        <code>{c.path}</code> <span className="pill">{Math.round(c.confidence * 100)} %</span>
                        {i === 0 && (
                          <span className="help">
                            {' '}
                            {c.reason}
                            {c.sampleValue === undefined ? ' · no value in the sample' : ''}
                          </span>
                        )}
                      </label>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row">
            <button type="button" className="primary" onClick={() => void accept()} disabled={busy || !Object.keys(choice).length} data-testid="suggest-accept">
              Accept {Object.keys(choice).length} ticked
            </button>
            <button type="button" onClick={() => setChoice(Object.fromEntries(result.targets.filter((t) => t.candidates.length).map((t) => [t.target, 0])))}>
              Tick all top
            </button>
            <button type="button" onClick={() => setResult(null)}>
              Close
            </button>
          </div>
        </>
      )}
    </div>
  );
}
