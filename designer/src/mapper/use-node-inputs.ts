// Loads the inputs of the map node on show and whenever another node is chosen, and picks the default (the latest
// succeeded run that reached it). `reload` asks again, e.g. after a run or a test run.
import { useCallback, useEffect, useState } from 'react';
import type { NodeTypeInfo } from '../api/types.ts';
import type { MapperStore } from '../store/mapper-store.ts';
import { defaultChoice, loadInputChoices } from './samples.ts';
import { useMapper } from './context.ts';

export function useNodeInputs(store: MapperStore, types: NodeTypeInfo[]) {
  const nodeId = useMapper((s) => s.nodeId);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the trigger of reload()
  useEffect(() => {
    if (!nodeId) return;
    let cancelled = false;
    setError(null);
    loadInputChoices(store.getState().flow, nodeId, types).then(
      (choices) => {
        if (cancelled) return;
        // A reload keeps the person's choice when it is still offered.
        const current = store.getState().sample;
        const kept = current && choices.find((c) => c.id === current.id);
        store.getState().setInputs(nodeId, choices, kept ?? defaultChoice(choices));
      },
      (e: Error) => {
        if (cancelled) return;
        setError(`The inputs of "${nodeId}" could not be loaded: ${e.message}`);
        store.getState().setInputs(nodeId, [], null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [store, types, nodeId, tick]);

  return { error, reload: useCallback(() => setTick((t) => t + 1), []) };
}
