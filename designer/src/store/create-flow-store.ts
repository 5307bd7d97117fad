// One store per open flow (not a module singleton): the editor gets it through context, tests create their own.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Flow, NodeTypeInfo } from '../api/types.ts';
import { createCanvasSlice } from './canvas-slice.ts';
import { createFlowSlice } from './flow-slice.ts';
import { createRunSlice } from './run-slice.ts';
import { createSelectionSlice } from './selection-slice.ts';
import type { FlowStoreState } from './types.ts';

export type FlowStore = StoreApi<FlowStoreState>;

export function emptyFlow(id: string, name = id): Flow {
  return { schemaVersion: 1, id, name, nodes: [], edges: [] };
}

export function createFlowStore(flow: Flow, types: NodeTypeInfo[] = [], opts: { readOnly?: boolean } = {}): FlowStore {
  const store = createStore<FlowStoreState>()((...a) => ({
    ...createFlowSlice(flow)(...a),
    ...createSelectionSlice(...a),
    ...createRunSlice(...a),
    ...createCanvasSlice(...a),
  }));
  store.getState().setTypes(types);
  if (opts.readOnly) store.setState({ readOnly: true });
  return store;
}
