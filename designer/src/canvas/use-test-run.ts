// Starting a test run from anywhere in the editor (toolbar, test panel, inspector's "Run this node"): saves the draft
// first, then runs it with the chosen input. A draft the server refuses shows its problems on the nodes and in words.
import { createContext, useCallback, useContext } from 'react';
import { ApiError } from '../api/client.ts';
import { testRunsApi } from '../api/test-runs.ts';
import { useFlowStoreApi } from '../store/context.tsx';

/** The editor's "save the draft now" (autosave flush), so any panel can start a test of what is on screen. */
export const FlushContext = createContext<() => Promise<void>>(() => Promise.resolve());

export function useTestRun() {
  const store = useFlowStoreApi();
  const flush = useContext(FlushContext);
  return useCallback(
    async (opts: { nodeId?: string; pinFrom?: string } = {}) => {
      const s = store.getState();
      s.setTestRunning(true);
      try {
        await flush();
        const { flow, testInput } = store.getState();
        const run = await testRunsApi.run(flow.id, { input: testInput, ...opts });
        store.getState().setTestRun(run);
        const failed = run.steps.find((st) => st.status === 'failed');
        store.getState().inspectStep(opts.nodeId ?? failed?.nodeId ?? run.steps[run.steps.length - 1]?.nodeId ?? null);
        if (failed) store.getState().focusNode(failed.nodeId);
      } catch (e) {
        store.getState().setTestRunning(false);
        if (e instanceof ApiError && e.problems.length && e.problems.some((p) => p.where !== 'body')) {
          // The draft is not valid: show why on the nodes, as validation would.
          store.getState().setProblems(e.problems, store.getState().revision);
          const n = e.problems.length;
          store.getState().notify(`Cannot test yet: ${e.problems[0]!.message}${n > 1 ? ` (and ${n - 1} more problem${n > 2 ? 's' : ''})` : ''}`);
        } else store.getState().notify(`Test run failed to start: ${(e as Error).message}`);
      }
    },
    [store, flush],
  );
}
