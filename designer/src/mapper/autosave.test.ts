import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Flow } from '../api/types.ts';
import type { SaveOptions } from '../canvas/autosave.ts';
import { createMapperStore } from '../store/mapper-store.ts';
import { createMapperAutosaver, createSaveStatus } from './autosave.ts';

const flow = (): Flow =>
  ({
    schemaVersion: 1,
    id: 'orders',
    name: 'Orders',
    nodes: [{ id: 'map', type: 'core.map', typeVersion: 1, position: { x: 0, y: 0 }, config: { timeoutMs: 500, fields: [] } }],
    edges: [],
  }) as Flow;

const fieldsOf = (f: Flow) => ((f.nodes[0]?.config ?? {}) as { fields: Array<{ target: string }> }).fields.map((x) => x.target);

describe('mapper autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('accepted suggestions are saved into the draft after a quiet period, without pressing "Save draft"', async () => {
    const store = createMapperStore(flow());
    const status = createSaveStatus();
    const saved: Flow[] = [];
    const saver = createMapperAutosaver(store, status, { delayMs: 500, save: async (f) => void saved.push(f) });
    store.getState().replaceFields([
      { target: 'externalId', source: { kind: 'path', path: 'order.id' } },
      { target: 'currency', source: { kind: 'path', path: 'order.currency' } },
    ]);
    store.getState().setTarget([1], 'currencyCode');
    expect(status.getState().state).toBe('dirty');
    await vi.advanceTimersByTimeAsync(400);
    expect(saved).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(saved.map(fieldsOf)).toEqual([['externalId', 'currencyCode']]);
    // The node's other settings go along untouched.
    expect(saved[0]?.nodes[0]?.config).toMatchObject({ timeoutMs: 500 });
    expect(status.getState().state).toBe('saved');
    expect(store.getState().savedRevision).toBe(store.getState().revision);
    saver.dispose();
  });

  it('a refused save says why and stays unsaved; the next one clears it', async () => {
    const store = createMapperStore(flow());
    const status = createSaveStatus();
    const errors: string[] = [];
    let saved = 0;
    let fail = true;
    const saver = createMapperAutosaver(store, status, {
      save: async () => {
        if (fail) throw new Error('the client role cannot make this change');
      },
      onError: (e) => errors.push(e.message),
      onSaved: () => saved++,
    });
    store.getState().addField(null, 'order.id');
    await vi.advanceTimersByTimeAsync(1000);
    expect(status.getState()).toEqual({ state: 'error', error: 'the client role cannot make this change' });
    expect(errors).toEqual(['the client role cannot make this change']);
    expect(saver.pending()).toBe(true);
    fail = false;
    await saver.flush();
    expect(status.getState()).toEqual({ state: 'saved', error: null });
    expect(saved).toBe(1);
    saver.dispose();
  });

  it('leaving the page sends the pending edit at once with keepalive', async () => {
    const store = createMapperStore(flow());
    const calls: Array<{ fields: string[]; opts?: SaveOptions }> = [];
    const saver = createMapperAutosaver(store, createSaveStatus(), { save: async (f, opts) => void calls.push({ fields: fieldsOf(f), opts }) });
    store.getState().addField(null, 'order.name');
    saver.leave();
    expect(calls).toEqual([{ fields: ['name'], opts: { keepalive: true } }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(saver.pending()).toBe(false);
    saver.dispose();
  });

  it('an edit during a save is saved by one more save; disposing stops listening', async () => {
    const store = createMapperStore(flow());
    const status = createSaveStatus();
    const calls: string[][] = [];
    let release!: () => void;
    const saver = createMapperAutosaver(store, status, {
      save: (f) => {
        calls.push(fieldsOf(f));
        return calls.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    });
    store.getState().addField(null, 'order.id');
    const first = saver.flush();
    store.getState().addField(null, 'order.name');
    expect(status.getState().state).toBe('saving');
    const second = saver.flush();
    release();
    await first;
    await second;
    expect(calls).toEqual([['id'], ['id', 'name']]);
    expect(status.getState().state).toBe('saved');
    saver.dispose();
    store.getState().addField(null, 'order.email');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
  });
});
