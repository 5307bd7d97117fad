import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogFromRegistry } from '../../e2e/catalog.ts';
import { createFlowStore, emptyFlow } from '../store/create-flow-store.ts';
import { createAutosaver, saveDraft, saveOnLeave, saveOnPageHide, savesSettled, type SaveOptions } from './autosave.ts';
import type { Flow } from '../api/types.ts';

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once after a burst of changes, then validates and shows the problems', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const saved: Flow[] = [];
    const saver = createAutosaver(store, {
      delayMs: 500,
      save: async (f) => void saved.push(f),
      validate: async () => ({ problems: [{ where: 'code', path: '$.nodes[0].config.code', message: 'config: code is empty' }] }),
    });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    store.getState().moveNodes({ code: { x: 5, y: 5 } });
    store.getState().moveNodes({ code: { x: 9, y: 9 } });
    expect(store.getState().saveState).toBe('dirty');
    await vi.advanceTimersByTimeAsync(400);
    expect(saved).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.nodes[0]?.position).toEqual({ x: 9, y: 9 });
    expect(store.getState().saveState).toBe('saved');
    expect(store.getState().problems[0]?.where).toBe('code');
    saver.dispose();
  });

  it('flush saves immediately; a failed save shows the error and stays unsaved', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    let fail = true;
    const saved: Flow[] = [];
    const saver = createAutosaver(store, {
      save: async (f) => {
        if (fail) throw new Error('HTTP 500');
        saved.push(f);
      },
    });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    await expect(saver.flush()).rejects.toThrow('HTTP 500');
    expect(store.getState().saveState).toBe('error');
    expect(store.getState().saveError).toBe('HTTP 500');
    fail = false;
    await saver.flush();
    expect(saved).toHaveLength(1);
    expect(store.getState().saveState).toBe('saved');
    await saver.flush();
    expect(saved).toHaveLength(1);
    saver.dispose();
  });

  it('a change made while a save is in flight is saved by a second save', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const saved: number[] = [];
    let release!: () => void;
    const saver = createAutosaver(store, {
      save: (f) => {
        saved.push(f.nodes.length);
        return saved.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    const first = saver.flush();
    store.getState().addNode('core.code', { x: 0, y: 0 });
    const second = saver.flush();
    release();
    await first;
    await second;
    expect(saved).toEqual([1, 2]);
    saver.dispose();
  });

  it('leaving the page sends a pending edit at once, as a request that outlives the page', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const calls: Array<{ nodes: number; opts?: SaveOptions }> = [];
    const saver = createAutosaver(store, { save: async (f, opts) => void calls.push({ nodes: f.nodes.length, opts }) });
    expect(saver.pending()).toBe(false);
    store.getState().addNode('core.code', { x: 0, y: 0 });
    expect(saver.pending()).toBe(true);
    saver.leave();
    expect(calls).toEqual([{ nodes: 1, opts: { keepalive: true } }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.pending()).toBe(false);
    expect(store.getState().saveState).toBe('saved');
    // The debounce that was waiting does not save it a second time.
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    saver.dispose();
  });

  it('an edit made during a save in flight is sent beside it when the page goes; the older save landing last keeps it saved', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const calls: Array<{ nodes: number; opts?: SaveOptions; release(): void }> = [];
    const saver = createAutosaver(store, {
      save: (f, opts) => new Promise<void>((release) => calls.push({ nodes: f.nodes.length, opts, release })),
    });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    const first = saver.flush();
    store.getState().addNode('core.code', { x: 0, y: 0 });
    saver.leave();
    expect(calls.map((c) => [c.nodes, c.opts?.keepalive ?? false])).toEqual([
      [1, false],
      [2, true],
    ]);
    calls[1]!.release();
    await vi.advanceTimersByTimeAsync(0);
    calls[0]!.release();
    await first;
    expect(store.getState().saveState).toBe('saved');
    expect(saver.pending()).toBe(false);
    saver.dispose();
  });

  it('leaving while only the edit in flight is unsaved waits for that save instead of sending it twice', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const calls: number[] = [];
    let release!: () => void;
    const saver = createAutosaver(store, { save: (f) => new Promise<void>((r) => (calls.push(f.nodes.length), (release = r))) });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    const first = saver.flush();
    saver.leave();
    expect(calls).toEqual([1]);
    release();
    await first;
    expect(saver.pending()).toBe(false);
    saver.dispose();
  });

  it('a draft loaded afresh (revisions from 0 again) is not taken as saved by an older revision number', async () => {
    const store = createFlowStore(emptyFlow('f1'), catalogFromRegistry());
    const saved: number[] = [];
    const saver = createAutosaver(store, { save: async (f) => void saved.push(f.nodes.length) });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    store.getState().addNode('core.code', { x: 0, y: 0 });
    await saver.flush();
    store.getState().loadFlow(emptyFlow('f1'));
    await saver.flush();
    store.getState().addNode('core.code', { x: 0, y: 0 });
    expect(saver.pending()).toBe(true);
    await saver.flush();
    expect(saved).toEqual([2, 0, 1]);
    saver.dispose();
  });
});

describe('leaving the page', () => {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  beforeEach(() => {
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    doc.visibilityState = 'visible';
  });
  afterEach(() => vi.unstubAllGlobals());

  function fakeSaver(pending: boolean) {
    const left: string[] = [];
    return { left, saver: { flush: async () => {}, leave: () => void left.push('leave'), pending: () => pending, dispose: () => {} } };
  }

  it('pagehide and a hidden tab send what is pending; a pending save makes the browser ask before unloading', () => {
    const { left, saver } = fakeSaver(true);
    const unhook = saveOnPageHide(saver);
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new Event('visibilitychange'));
    expect(left).toHaveLength(1);
    doc.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(left).toHaveLength(2);
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(true);
    expect(left).toHaveLength(3);
    unhook();
    window.dispatchEvent(new Event('pagehide'));
    expect(left).toHaveLength(3);
  });

  it('nothing pending: the page unloads without asking', () => {
    const { saver } = fakeSaver(false);
    const unhook = saveOnPageHide(saver);
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(false);
    unhook();
  });

  it('the next page reads the draft only after the saves of the page just left', async () => {
    let release!: () => void;
    const order: string[] = [];
    saveOnLeave({
      flush: () => new Promise<void>((r) => (release = r)).then(() => void order.push('saved')),
      leave: () => {},
      pending: () => true,
      dispose: () => {},
    });
    const next = savesSettled().then(() => void order.push('read'));
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await next;
    expect(order).toEqual(['saved', 'read']);
    await savesSettled();
  });
});

describe('saveDraft', () => {
  beforeEach(() => vi.stubGlobal('localStorage', { getItem: (k: string) => ({ ll_token: 'tok', ll_workspace: 'ws1' })[k] ?? null }));
  afterEach(() => vi.unstubAllGlobals());

  it('with keepalive, PUTs the draft with the session headers in a request that outlives the page', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response(JSON.stringify({ id: 'f1' }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(saveDraft(emptyFlow('f 1'), { keepalive: true })).resolves.toEqual({ id: 'f1' });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/flows/f%201/draft');
    expect(init).toMatchObject({ method: 'PUT', keepalive: true, headers: { authorization: 'Bearer tok', 'x-ledgerline-workspace': 'ws1' } });
    expect(JSON.parse(String(init.body)).id).toBe('f 1');
  });

  it('a refusal is an ApiError with the server’s words; a body the browser will not keep alive goes as a plain request', async () => {
    const refused = { error: { code: 'forbidden', message: 'the client role cannot add nodes', problems: [] } };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(refused), { status: 403 }));
    await expect(saveDraft(emptyFlow('f1'), { keepalive: true })).rejects.toMatchObject({ status: 403, message: 'the client role cannot add nodes' });
    const inits: RequestInit[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      inits.push(init);
      if (init.keepalive) throw new TypeError('Failed to fetch');
      return new Response('{}', { status: 200 });
    });
    await saveDraft(emptyFlow('f1'), { keepalive: true });
    expect(inits.map((i) => i.keepalive ?? false)).toEqual([true, false]);
  });
});
