// The selected node's last test: what went in, what came out (or the error), and "Run this node", which executes it
// alone with everything upstream pinned to the last test run's outputs.
import { useFlowStore } from '../store/context.tsx';
import { JsonView } from '../runs/JsonView.tsx';
import { errorText } from '../runs/StepDetails.tsx';
import { useTestRun } from '../canvas/use-test-run.ts';
import '../canvas/test-loop.css';

export function NodeRunData({ nodeId }: { nodeId: string }) {
  const run = useFlowStore((s) => s.testRun);
  const running = useFlowStore((s) => s.testRunning);
  const isTrigger = useFlowStore((s) => !!s.types[s.flow.nodes.find((n) => n.id === nodeId)?.type ?? '']?.trigger);
  const testRun = useTestRun();
  const step = run?.steps.findLast((st) => st.nodeId === nodeId);
  // Upstream outputs can be pinned only from a run that got as far as this node's inputs.
  const canPin = !!run && !isTrigger && run.steps.some((st) => st.nodeId !== nodeId && st.status === 'succeeded');
  return (
    <section className="node-run-data" data-testid="node-run-data">
      <h4>
        Last test
        {step && <span className={`pill status-${step.status}`}>{step.status}</span>}
        {step?.reusedFrom === 'pinned' && <span className="pill">pinned</span>}
      </h4>
      <div className="row">
        <button
          type="button"
          onClick={() => void testRun({ nodeId, ...(canPin ? { pinFrom: run!.runId } : {}) })}
          disabled={running}
          data-testid="run-this-node"
          title={canPin ? 'Runs only this node; the nodes before it keep the outputs of the last test' : 'Runs the flow up to this node'}
        >
          {canPin ? 'Run this node (inputs pinned)' : 'Test up to this node'}
        </button>
      </div>
      {!step ? (
        <p className="muted">{run ? 'This node did not run in the last test.' : 'No test yet: run a test to see what this node gets and gives.'}</p>
      ) : (
        <>
          {step.error !== undefined && step.error !== null && (
            <p className="error" data-testid="node-last-error">
              {errorText(step.error)}
            </p>
          )}
          <h5>Input</h5>
          <JsonView value={step.input} testId="node-last-input" />
          <h5>Output</h5>
          <JsonView value={step.output} testId="node-last-output" />
        </>
      )}
    </section>
  );
}
