// The mapper keeps its work as the canvas does: edits go to the flow's draft after a quiet period (the same PUT as
// "Save draft"), so following a link, reloading or closing the tab loses nothing. Saving a draft publishes nothing: a
// client's change still goes live (or to a consultant for approval) only through "Publish…".
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Flow } from '../api/types.ts';
import { createSaveLoop, type Autosaver, type SaveOptions } from '../canvas/autosave.ts';
import type { MapperStore } from '../store/mapper-store.ts';
import type { SaveState } from '../store/types.ts';

export interface SaveStatus {
  state: SaveState;
  error: string | null;
}

export type SaveStatusStore = StoreApi<SaveStatus>;

export const createSaveStatus = (): SaveStatusStore => createStore<SaveStatus>()(() => ({ state: 'saved', error: null }));

export interface MapperAutosaveDeps {
  save(flow: Flow, opts?: SaveOptions): Promise<unknown>;
  delayMs?: number;
  /** A save the server refused or that did not arrive (the toolbar only says "Save failed"; this can say why). */
  onError?(e: Error): void;
  /** A save landed (after an error: the reason shown can go). */
  onSaved?(): void;
}

export function createMapperAutosaver(store: MapperStore, status: SaveStatusStore, deps: MapperAutosaveDeps): Autosaver {
  const set = (state: SaveState, error: string | null = null) => status.setState({ state, error });
  const loop = createSaveLoop({
    delayMs: deps.delayMs,
    revision: () => store.getState().revision,
    savedRevision: () => store.getState().savedRevision,
    save: async (opts) => {
      const { revision, flowForSave } = store.getState();
      const doc = flowForSave();
      set('saving');
      try {
        await deps.save(doc, opts);
      } catch (e) {
        set('error', (e as Error).message);
        deps.onError?.(e as Error);
        throw e;
      }
      store.getState().markSaved(revision, doc);
      const s = store.getState();
      set(s.revision !== s.savedRevision ? 'dirty' : 'saved');
      deps.onSaved?.();
    },
  });
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.revision === prev.revision) return;
    if (status.getState().state !== 'saving') set('dirty');
    loop.schedule();
  });
  return {
    ...loop,
    dispose: () => {
      unsubscribe();
      loop.dispose();
    },
  };
}
