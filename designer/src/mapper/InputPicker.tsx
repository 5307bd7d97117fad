// Which input the source fields and the preview use, said plainly: the map node's input in a past run, a test run
// (pinned or not) or an example, and from which step. Switching re-runs the preview.
import { useMapper, useMapperEnv } from './context.ts';
import type { SampleChoice } from '../store/mapper-store.ts';

const KIND_WORDS: Record<SampleChoice['kind'], string> = { run: 'real run', test: 'test run', example: 'example' };

export function InputPicker({ upstreamName, error, onReload }: { upstreamName: string | null; error: string | null; onReload(): void }) {
  const { store } = useMapperEnv();
  const nodeId = useMapper((s) => s.nodeId);
  const nodeName = useMapper((s) => s.flow.nodes.find((n) => n.id === s.nodeId)?.name ?? s.nodeId);
  const inputs = useMapper((s) => s.inputs);
  const sample = useMapper((s) => s.sample);
  if (!nodeId) return null;
  const group = (kind: SampleChoice['kind']) => (inputs ?? []).filter((c) => c.kind === kind);
  const groups: Array<[string, SampleChoice[]]> = [
    ['Past runs', group('run')],
    ['Test runs', group('test')],
    ['Examples', group('example')],
  ];
  const runsExist = (inputs ?? []).some((c) => c.kind !== 'example');
  return (
    <div className="mapper-input" data-testid="mapper-input" data-kind={sample?.kind ?? 'none'}>
      <p className="small">
        Input of <strong>{nodeName}</strong>
        {upstreamName && (
          <>
            : the output of <strong>{upstreamName}</strong>
          </>
        )}
      </p>
      <div className="row">
        <select
          aria-label="Mapper input"
          title={sample?.label ?? ''}
          value={sample?.id ?? ''}
          disabled={!inputs?.length}
          onChange={(e) => store.getState().setSample(inputs?.find((c) => c.id === e.target.value) ?? null)}
        >
          {inputs === null && <option value="">Loading…</option>}
          {inputs?.length === 0 && <option value="">No input yet</option>}
          {groups
            .filter(([, xs]) => xs.length)
            .map(([label, xs]) => (
              <optgroup key={label} label={label}>
                {xs.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            ))}
        </select>
        <button type="button" className="ghost small-button" title="Look for newer runs" aria-label="Reload inputs" onClick={onReload}>
          ↻
        </button>
      </div>
      {sample && (
        <p className="small">
          <span
            className={`pill ${sample.kind === 'example' ? 'status-running' : sample.status === 'succeeded' ? 'ok' : sample.status === 'failed' ? 'bad' : ''}`}
            data-testid="input-kind"
          >
            {KIND_WORDS[sample.kind]}
            {sample.pinned ? ' · pinned' : ''}
            {sample.status ? ` · ${sample.status}` : ''}
          </span>
          {sample.kind === 'example' && (
            <span className="muted">
              {' '}
              {runsExist
                ? 'Not real data: pick a run above to see what the step really receives.'
                : 'No run has reached this step yet; test the flow to map from its real input.'}
            </span>
          )}
        </p>
      )}
      {error && <p className="error small">{error}</p>}
    </div>
  );
}
