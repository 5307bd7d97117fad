// Debounced draft autosave: every change bumps the store's revision; after a quiet period the draft is PUT, then
// validated so problems on the canvas follow the document. Saves never overlap; a change during a save queues one more.
import type { Flow, Problem } from '../api/types.ts';
import type { FlowStore } from '../store/create-flow-store.ts';

export interface AutosaveDeps {
  save(flow: Flow): Promise<unknown>;
  validate?(flowId: string): Promise<{ problems: Problem[] }>;
  delayMs?: number;
}

export interface Autosaver {
  /** Saves now if anything is unsaved and resolves when the document on the server is current. */
  flush(): Promise<void>;
  dispose(): void;
}

export function createAutosaver(store: FlowStore, deps: AutosaveDeps): Autosaver {
  const delay = deps.delayMs ?? 800;
  let savedRevision = store.getState().revision;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inflight: Promise<void> | null = null;

  async function saveOnce(): Promise<void> {
    const { flow, revision } = store.getState();
    if (revision === savedRevision) return;
    store.getState().setSaveState('saving');
    try {
      await deps.save(flow);
      savedRevision = revision;
    } catch (e) {
      store.getState().setSaveState('error', (e as Error).message);
      throw e;
    }
    const dirty = store.getState().revision !== savedRevision;
    store.getState().setSaveState(dirty ? 'dirty' : 'saved');
    if (!dirty && deps.validate) {
      try {
        const r = await deps.validate(flow.id);
        if (store.getState().revision === revision) store.getState().setProblems(r.problems, revision);
      } catch {
        // Validation is advisory here; the publish button validates for real.
      }
    }
  }

  function run(): Promise<void> {
    if (inflight !== null) return inflight.then(() => (store.getState().revision !== savedRevision ? run() : undefined));
    inflight = saveOnce().finally(() => (inflight = null));
    return inflight;
  }

  const unsubscribe = store.subscribe((s, prev) => {
    if (s.revision === prev.revision || s.readOnly) return;
    if (s.saveState !== 'saving') s.setSaveState('dirty');
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      run().catch(() => {});
    }, delay);
  });

  return {
    flush: async () => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await run();
    },
    dispose: () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
