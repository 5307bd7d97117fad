import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { catalogFromRegistry } from '../../e2e/catalog.ts';
import { createFlowStore, emptyFlow } from '../store/create-flow-store.ts';
import { createAutosaver } from './autosave.ts';
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
});
