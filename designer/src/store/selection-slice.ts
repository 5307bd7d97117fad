import type { StateCreator } from 'zustand/vanilla';
import type { FlowStoreState, SelectionSlice } from './types.ts';

export const createSelectionSlice: StateCreator<FlowStoreState, [], [], SelectionSlice> = (set) => ({
  selectedNodeIds: [],
  selectedEdgeIds: [],
  select: (nodeIds, edgeIds = []) => set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds }),
  clearSelection: () => set({ selectedNodeIds: [], selectedEdgeIds: [] }),
});
