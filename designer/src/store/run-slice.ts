import type { StateCreator } from 'zustand/vanilla';
import type { FlowStoreState, RunSlice } from './types.ts';

export const createRunSlice: StateCreator<FlowStoreState, [], [], RunSlice> = (set, get) => ({
  testRun: null,
  testInput: { kind: 'sample' },
  testInputLabel: 'Trigger sample',
  setTestInput: (testInput, testInputLabel) => set({ testInput, testInputLabel }),
  testRunning: false,
  inspectedStepNodeId: null,
  setTestRun: (run) => set({ testRun: run, testRunning: false }),
  setTestRunning: (running) => set({ testRunning: running }),
  inspectStep: (nodeId) => set({ inspectedStepNodeId: nodeId }),
  // The last step of a node wins: a retried or replayed node appears more than once.
  stepOf: (nodeId) => get().testRun?.steps.findLast((s) => s.nodeId === nodeId),
});
