import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { FlowStore } from './create-flow-store.ts';
import type { FlowStoreState } from './types.ts';

export const FlowStoreContext = createContext<FlowStore | null>(null);

export function useFlowStoreApi(): FlowStore {
  const store = useContext(FlowStoreContext);
  if (!store) throw new Error('useFlowStore used outside a FlowStoreContext provider');
  return store;
}

export function useFlowStore<T>(selector: (s: FlowStoreState) => T): T {
  return useStore(useFlowStoreApi(), selector);
}
