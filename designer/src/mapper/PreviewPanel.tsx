// The mapped output of the chosen sample, live, with the problems a run would fail on. While an edit is being
// previewed the last output stays on screen, but its verdict is replaced by "updating…".
import { previewIsCurrent } from '../store/mapper-store.ts';
import { useMapper } from './context.ts';
import { JsonView } from '../runs/JsonView.tsx';

export function PreviewPanel() {
  const preview = useMapper((s) => s.preview);
  const error = useMapper((s) => s.previewError);
  const current = useMapper(previewIsCurrent);
  const problems = [...(preview?.configProblems.map((p) => `${p.path}: ${p.message}`) ?? []), ...(preview?.problems.map((p) => p.message) ?? [])];
  return (
    <div className="card preview-panel" data-testid="preview">
      <div className="row">
        <h3>Mapped output</h3>
        {preview && !current && (
          <span className="pill" data-testid="preview-status">
            updating…
          </span>
        )}
        {preview && current && (
          <span className={`pill ${preview.ok ? 'ok' : 'bad'}`} data-testid="preview-status">
            {preview.ok ? 'maps cleanly' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}
          </span>
        )}
        {preview && <span className="muted small">{Math.round(preview.durationMs)} ms</span>}
      </div>
      {error && <p className="error">{error}</p>}
      {problems.length > 0 && (
        <ul className="preview-problems" data-testid="preview-problems">
          {problems.map((p, i) => (
            <li /* biome-ignore lint/suspicious/noArrayIndexKey: stateless rows of a list that is replaced whole, never reordered in place */
              key={i}
              className="error"
            >
              {p}
            </li>
          ))}
        </ul>
      )}
      {preview ? <JsonView value={preview.output} testId="preview-output" /> : !error && <p className="muted">Working…</p>}
    </div>
  );
}
