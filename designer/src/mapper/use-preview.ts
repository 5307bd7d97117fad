// Re-runs the preview a moment after the last edit (or a new sample), dropping answers that arrive out of order.
import { useEffect } from 'react';
import { mappingApi } from '../api/mapping.ts';
import type { MapperStore } from '../store/mapper-store.ts';

export function usePreview(store: MapperStore, delayMs = 250) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let seq = 0;
    const run = () => {
      const s = store.getState();
      if (!s.nodeId || !s.sample) return;
      const mine = ++seq;
      const revision = s.revision;
      // The run's own trigger output, so `$trigger.` paths read the event that started it, not the node's input.
      mappingApi.preview({ config: s.config(), sample: s.sample.value, trigger: s.sample.trigger, flowId: s.flow.id }).then(
        (p) => mine === seq && store.getState().setPreview(p, null, revision),
        (e: Error) => mine === seq && store.getState().setPreview(null, e.message, revision),
      );
    };
    const unsub = store.subscribe((s, prev) => {
      if (s.revision === prev.revision && s.sample === prev.sample && s.nodeId === prev.nodeId) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, delayMs);
    });
    run();
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
    };
  }, [store, delayMs]);
}
