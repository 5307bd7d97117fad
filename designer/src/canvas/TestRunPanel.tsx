import { useFlowStore, useFlowStoreApi } from '../store/context.tsx';
import { nodeRunStatus } from '../runs/node-run-status.ts';
import { StepDetails, errorText } from '../runs/StepDetails.tsx';
import { testRunsApi } from '../api/test-runs.ts';
import { TestInputPicker } from './TestInputPicker.tsx';
import { useTestRun } from './use-test-run.ts';
import './test-loop.css';

/** The test loop: choose the input, run the draft, see the run and the clicked node's step. */
export function TestRunPanel() {
  const store = useFlowStoreApi();
  const run = useFlowStore((s) => s.testRun);
  const running = useFlowStore((s) => s.testRunning);
  const nodeId = useFlowStore((s) => s.inspectedStepNodeId);
  const flowId = useFlowStore((s) => s.flow.id);
  const testRun = useTestRun();
  const step = run && nodeId ? run.steps.findLast((st) => st.nodeId === nodeId) : undefined;
  const failed = run?.steps.find((s) => s.status === 'failed');
  const nodes = useFlowStore((s) => s.flow.nodes);
  // A skipped test run ended on purpose (an unpaid or test order at the payment gate): say where, why, and what did not run.
  const skip = run?.status === 'skipped' ? run.skipped : undefined;
  const notRun = skip ? nodes.filter((n) => !run!.steps.some((st) => st.nodeId === n.id)).length : 0;
  const nameOf = (id: string) => nodes.find((n) => n.id === id)?.name ?? id;

  async function clearAll() {
    try {
      const r = await testRunsApi.clear(flowId);
      store.getState().setTestRun(null);
      store.getState().notify(`Cleared ${r.deleted} test run${r.deleted === 1 ? '' : 's'}.`);
    } catch (e) {
      store.getState().notify((e as Error).message);
    }
  }

  return (
    <section className="test-run" data-testid="test-run-panel">
      <div className="row">
        <h4>Test</h4>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => void testRun()} disabled={running} data-testid="test-run-start">
          {running ? 'Running…' : 'Run test'}
        </button>
        <button type="button" className="ghost" onClick={() => void clearAll()} title="Delete this flow's test runs (they never appear with production runs)">
          Clear test runs
        </button>
      </div>
      <TestInputPicker />
      {run && (
        <div data-testid="test-run">
          <div className="row">
            <span className={`pill status-${run.status}`} data-testid="test-run-status">
              {run.status}
            </span>
            {run.input && (
              <span className="muted" data-testid="test-run-input">
                from {run.input.label}
              </span>
            )}
            <span className="muted">{run.runId}</span>
            <span className="spacer" />
            <button type="button" className="ghost" onClick={() => store.getState().setTestRun(null)}>
              Hide
            </button>
          </div>
          {run.error ? (
            <p className="error" data-testid="test-run-error">
              {failed ? (
                <button type="button" className="link" onClick={() => (store.getState().inspectStep(failed.nodeId), store.getState().focusNode(failed.nodeId))}>
                  {failed.nodeId}
                </button>
              ) : null}
              {failed ? ': ' : ''}
              {errorText(run.error)}
            </p>
          ) : null}
          {skip ? (
            <p className="test-skipped" data-testid="test-run-skipped">
              Stopped at{' '}
              <button type="button" className="link" onClick={() => (store.getState().inspectStep(skip.nodeId), store.getState().focusNode(skip.nodeId))}>
                {nameOf(skip.nodeId)}
              </button>
              : {skip.message.replace(/\.$/, '')}. {notRun ? `${notRun} node${notRun === 1 ? '' : 's'} after it did not run.` : ''}
              {run.input?.kind === 'sample'
                ? " The trigger sample is Shopify's published example order, which the flow may skip on purpose: test with an order from the store, a past run or a pasted paid order to go further."
                : ''}
            </p>
          ) : null}
          {step ? (
            <StepDetails step={step} status={nodeRunStatus(run, step.nodeId)} />
          ) : (
            <p className="muted">{nodeId ? `Node ${nodeId} did not run.` : 'Click a node to see its input and output.'}</p>
          )}
        </div>
      )}
    </section>
  );
}
