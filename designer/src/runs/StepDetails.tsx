import type { RunStep } from '../api/types.ts';
import { JsonView } from './JsonView.tsx';

export const errorText = (e: unknown): string =>
  e === undefined || e === null
    ? ''
    : typeof e === 'string'
      ? e
      : typeof e === 'object' && 'message' in (e as object)
        ? String((e as { message: unknown }).message)
        : JSON.stringify(e);

/** `status`: as the run shows the step (the step that skipped the run reads "skipped"); the stored one by default. */
export function StepDetails({ step, status = step.status }: { step: RunStep; status?: string }) {
  return (
    <div className="step-details" data-testid={`step-${step.nodeId}`}>
      <div className="row">
        <strong>{step.nodeId}</strong>
        <code>{step.type}</code>
        <span className={`pill status-${status}`}>{status}</span>
        {step.port && <span className="pill">port {step.port}</span>}
        <span className="muted">
          {step.attempts} attempt{step.attempts === 1 ? '' : 's'}
          {step.durationMs !== null && step.durationMs !== undefined ? ` · ${step.durationMs} ms` : ''}
          {step.reusedFrom ? ` · reused from run ${step.reusedFrom}` : ''}
        </span>
      </div>
      {step.error !== undefined && step.error !== null && (
        <div className="step-error">
          <h5>Error</h5>
          <p className="error">{errorText(step.error)}</p>
          {typeof step.error === 'object' && <JsonView value={step.error} />}
        </div>
      )}
      <div className="io">
        <div>
          <h5>Input</h5>
          <JsonView value={step.input} testId="step-input" />
        </div>
        <div>
          <h5>Output</h5>
          <JsonView value={step.output} testId="step-output" />
        </div>
      </div>
    </div>
  );
}
