// Debounced draft autosave: every change bumps the store's revision; after a quiet period the draft is PUT, then
// validated so problems on the canvas follow the document. Saves never overlap; a change during a save queues one more.
// The loop itself is shared with the mapper, which keeps its revisions in its own store.
import { api, ApiError } from '../api/client.ts';
import type { Flow, Problem } from '../api/types.ts';
import type { FlowStore } from '../store/create-flow-store.ts';

export interface SaveOptions {
  /** The page is going away: the request must outlive it (fetch keepalive). */
  keepalive?: boolean;
}

export interface AutosaveDeps {
  save(flow: Flow, opts?: SaveOptions): Promise<unknown>;
  validate?(flowId: string): Promise<{ problems: Problem[] }>;
  delayMs?: number;
}

export interface Autosaver {
  /** Saves now if anything is unsaved and resolves when the document on the server is current. */
  flush(): Promise<void>;
  /** The page is being hidden or unloaded: sends what is unsaved at once, in a request that survives the page. */
  leave(): void;
  /** Something is not on the server yet (waiting for the quiet period, or being sent). */
  pending(): boolean;
  dispose(): void;
}

export interface SaveLoopOptions {
  delayMs?: number;
  revision(): number;
  savedRevision(): number;
  /** Sends the document as it stands; resolves once the server has it. */
  save(opts: SaveOptions): Promise<void>;
}

export type SaveLoop = Omit<Autosaver, 'dispose'> & { schedule(): void; dispose(): void };

export function createSaveLoop(o: SaveLoopOptions): SaveLoop {
  const delay = o.delayMs ?? 800;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inflight: Promise<void> | null = null;
  let sending = -1;
  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  function run(opts: SaveOptions = {}): Promise<void> {
    // While the page unloads, waiting for the save in flight would never send the newer edits: they go out beside it.
    if (inflight !== null && !(opts.keepalive && sending !== o.revision()))
      return inflight.then(() => (o.revision() !== o.savedRevision() ? run(opts) : undefined));
    if (o.revision() === o.savedRevision()) return Promise.resolve();
    sending = o.revision();
    const p: Promise<void> = o.save(opts).finally(() => {
      if (inflight === p) inflight = null;
    });
    inflight = p;
    return p;
  }

  return {
    schedule: () => {
      clearTimer();
      timer = setTimeout(() => {
        timer = null;
        run().catch(() => {});
      }, delay);
    },
    flush: () => {
      clearTimer();
      return run();
    },
    leave: () => {
      clearTimer();
      run({ keepalive: true }).catch(() => {});
    },
    pending: () => timer !== null || inflight !== null || o.revision() !== o.savedRevision(),
    dispose: clearTimer,
  };
}

export function createAutosaver(store: FlowStore, deps: AutosaveDeps): Autosaver {
  let savedRevision = store.getState().revision;
  let started = 0;
  let landed = 0;

  async function save(opts: SaveOptions): Promise<void> {
    const { flow, revision } = store.getState();
    const mine = ++started;
    store.getState().setSaveState('saving');
    try {
      await deps.save(flow, opts);
      // Two saves overlap only when the page is left; the older one finishing last must not undo the newer one.
      // (Not by comparing revisions: loading another version starts them again at 0.)
      if (mine > landed) [landed, savedRevision] = [mine, revision];
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

  const loop = createSaveLoop({ delayMs: deps.delayMs, revision: () => store.getState().revision, savedRevision: () => savedRevision, save });
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.revision === prev.revision || s.readOnly) return;
    if (s.saveState !== 'saving') s.setSaveState('dirty');
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

/**
 * PUTs the draft; with `keepalive` the browser finishes the request after a reload or tab close. Browsers cap keepalive
 * bodies (64 KiB in all) and refuse a bigger one before sending it: that draft goes out as a plain request, which still
 * reaches the server when the page is only hidden.
 */
export async function saveDraft(flow: Flow, opts: SaveOptions = {}): Promise<unknown> {
  if (!opts.keepalive) return api.saveDraft(flow);
  try {
    return await api.saveDraft(flow, { keepalive: true });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    return api.saveDraft(flow);
  }
}

const leaving = new Set<Promise<void>>();

/** Saves what a page being left has not saved yet; the next page reads the draft after it (see `savesSettled`). */
export function saveOnLeave(saver: Autosaver): void {
  const p = saver.flush().catch(() => {});
  leaving.add(p);
  void p.finally(() => leaving.delete(p));
}

/** Resolves once the saves of pages just left are done, so a page opened next does not load the draft before them. */
export const savesSettled = (): Promise<void> => Promise.all(leaving).then(() => undefined);

/**
 * Reload, tab close or a switch away: a pending edit is sent at once (the debounce would never fire), and while it is
 * not on the server the browser asks before unloading. Returns the cleanup.
 */
export function saveOnPageHide(saver: Autosaver): () => void {
  const onHide = () => saver.leave();
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') saver.leave();
  };
  const onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (!saver.pending()) return;
    // Started now, the save is on its way whether the person stays or leaves.
    saver.leave();
    e.preventDefault();
  };
  window.addEventListener('pagehide', onHide);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('beforeunload', onBeforeUnload);
  return () => {
    window.removeEventListener('pagehide', onHide);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('beforeunload', onBeforeUnload);
  };
}
