// Double-clicking a "Map fields" node (or its inspector's "Open mapper") saves the draft and opens the visual mapper
// on that node.
import { useCallback, useContext } from 'react';
import { navigate } from '../app/router.ts';
import { useFlowStoreApi } from '../store/context.tsx';
import { FlushContext } from './use-test-run.ts';

export const MAP_TYPE = 'core.map';
export const mapperPath = (flowId: string, nodeId: string) => `/flows/${encodeURIComponent(flowId)}/mapper?node=${encodeURIComponent(nodeId)}`;

export function useOpenMapper() {
  const store = useFlowStoreApi();
  const flush = useContext(FlushContext);
  return useCallback(
    async (nodeId: string) => {
      const { flow } = store.getState();
      if (flow.nodes.find((n) => n.id === nodeId)?.type !== MAP_TYPE) return;
      try {
        await flush();
      } catch (e) {
        store.getState().notify(`Not saved, mapper not opened: ${(e as Error).message}`);
        return;
      }
      navigate(mapperPath(flow.id, nodeId));
    },
    [store, flush],
  );
}
