import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { StepDetails, errorText } from '../runs/StepDetails.tsx';
import { Link } from '../app/Link.tsx';

/** The draft's last test run: status overall, and the step of the clicked node. */
export function TestRunPanel() {
  const store = useFlowStoreApi();
  const run = useFlowStore((s) => s.testRun);
  const nodeId = useFlowStore((s) => s.inspectedStepNodeId);
  if (!run) return null;
  const step = nodeId ? run.steps.findLast((st) => st.nodeId === nodeId) : undefined;
  return (
    <section className="test-run" data-testid="test-run">
      <div className="row">
        <h4>Test run</h4>
        <span className={`pill status-${run.status}`} data-testid="test-run-status">{run.status}</span>
        <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="muted">{run.runId}</Link>
        <span className="spacer" />
        <button className="ghost" onClick={() => store.getState().setTestRun(null)}>Clear</button>
      </div>
      {run.error ? <p className="error">{errorText(run.error)}</p> : null}
      {step ? <StepDetails step={step} /> : <p className="muted">{nodeId ? `Node ${nodeId} did not run.` : 'Click a node to see its input and output.'}</p>}
    </section>
  );
}
