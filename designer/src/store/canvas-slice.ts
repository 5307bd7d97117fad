import type { StateCreator } from 'zustand/vanilla';
import type { CanvasSlice, FlowStoreState } from './types.ts';

export const createCanvasSlice: StateCreator<FlowStoreState, [], [], CanvasSlice> = (set, get) => ({
  problems: [],
  validatedRevision: null,
  saveState: 'saved',
  saveError: null,
  notice: null,
  focus: null,
  clipboard: null,
  diffMarks: null,
  setDiffMarks: (diffMarks) => set({ diffMarks }),
  setProblems: (problems, revision) => set({ problems, validatedRevision: revision }),
  setSaveState: (saveState, error = null) => set({ saveState, saveError: error }),
  notify: (message) => set({ notice: { message, seq: (get().notice?.seq ?? 0) + 1 } }),
  focusNode: (nodeId) => set({ focus: { nodeId, seq: (get().focus?.seq ?? 0) + 1 }, selectedNodeIds: [nodeId], selectedEdgeIds: [] }),
});
