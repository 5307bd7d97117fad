import { describe, expect, it } from 'vitest';
import { catalogFromRegistry } from '../../e2e/catalog.ts';
import { createFlowStore, emptyFlow } from './create-flow-store.ts';

const catalog = catalogFromRegistry();
const fresh = () => createFlowStore(emptyFlow('orders', 'Orders'), catalog);

function chain() {
  const store = fresh();
  const s = store.getState();
  const trigger = s.addNode('trigger.manual', { x: 0, y: 0 });
  const code = s.addNode('core.code', { x: 300, y: 0 });
  const branch = s.addNode('core.branch', { x: 600, y: 0 });
  expect(s.connect({ source: trigger, target: code }).ok).toBe(true);
  expect(s.connect({ source: code, target: branch }).ok).toBe(true);
  return { store, trigger, code, branch };
}

describe('flow store: nodes and connections', () => {
  it('adds nodes with unique readable ids, the type version and config defaults', () => {
    const store = fresh();
    const a = store.getState().addNode('core.code', { x: 1, y: 2 });
    const b = store.getState().addNode('core.code', { x: 3, y: 4 });
    const sched = store.getState().addNode('trigger.schedule', { x: 0, y: 0 });
    expect([a, b]).toEqual(['code', 'code_2']);
    const nodes = store.getState().flow.nodes;
    expect(nodes.map((n) => n.id)).toEqual(['code', 'code_2', 'schedule']);
    expect(nodes[0]).toMatchObject({ type: 'core.code', typeVersion: 1, name: 'Code', position: { x: 1, y: 2 } });
    expect(nodes.find((n) => n.id === sched)!.config).toEqual({ timezone: 'UTC' });
    expect(store.getState().selectedNodeIds).toEqual(['schedule']);
    expect(() => store.getState().addNode('erp.nope', { x: 0, y: 0 })).toThrow(/unknown node type "erp.nope"/);
  });

  it('connects by node id and fills the only port', () => {
    const { store, trigger, code } = chain();
    expect(store.getState().flow.edges[0]).toEqual({
      id: `${trigger}.out__${code}.in`,
      source: trigger,
      target: code,
      sourceHandle: 'out',
      targetHandle: 'in',
    });
    expect(store.getState().flow.edges[0]?.id).toMatch(/^[A-Za-z0-9_.:-]+$/);
  });

  it('refuses a connection into a trigger, with a reason, and leaves the graph alone', () => {
    const { store, trigger, code } = chain();
    const before = store.getState().flow;
    const v = store.getState().connect({ source: code, target: trigger });
    expect(v).toEqual({ ok: false, reason: expect.stringMatching(/^"Manual trigger" is a trigger: it starts the flow and takes no input/) });
    expect(store.getState().flow).toBe(before);
    expect(store.getState().notice?.message).toMatch(/^Connection refused: .*trigger/);
  });

  it('refuses ports that do not exist and asks which output of a branch', () => {
    const { store, code, branch } = chain();
    const extra = store.getState().addNode('core.code', { x: 900, y: 0 });
    expect(store.getState().connect({ source: branch, target: extra, sourceHandle: 'maybe' })).toEqual({
      ok: false,
      reason: expect.stringContaining('has no output port "maybe" (ports: true, false)'),
    });
    expect(store.getState().connect({ source: branch, target: extra })).toEqual({
      ok: false,
      reason: expect.stringContaining('several outputs (true, false); pick one'),
    });
    expect(store.getState().connect({ source: code, target: extra, targetHandle: 'left' })).toEqual({
      ok: false,
      reason: expect.stringContaining('has no input port "left" (ports: in)'),
    });
    expect(store.getState().connect({ source: branch, target: extra, sourceHandle: 'true' }).ok).toBe(true);
  });

  it('refuses cycles, self-loops and duplicates', () => {
    const { store, code, branch } = chain();
    expect(store.getState().connect({ source: branch, target: code, sourceHandle: 'false' })).toEqual({
      ok: false,
      reason: expect.stringContaining('would create a cycle'),
    });
    expect(store.getState().connect({ source: code, target: code })).toEqual({ ok: false, reason: expect.stringContaining('cannot feed itself') });
    expect(store.getState().connect({ source: code, target: branch })).toEqual({ ok: false, reason: expect.stringContaining('already connected') });
    expect(store.getState().connect({ source: code, target: 'ghost' })).toEqual({ ok: false, reason: 'target node "ghost" is not on the canvas' });
    expect(store.getState().flow.edges).toHaveLength(2);
  });

  it('deleting a node removes its edges; deleting the selection removes selected nodes and edges', () => {
    const { store, trigger, code, branch } = chain();
    store.getState().deleteNodes([code]);
    expect(store.getState().flow.nodes.map((n) => n.id)).toEqual([trigger, branch]);
    expect(store.getState().flow.edges).toEqual([]);
    store.getState().undo();
    const edge = store.getState().flow.edges[1]!.id;
    store.getState().select([trigger], [edge]);
    store.getState().deleteSelection();
    expect(store.getState().flow.nodes.map((n) => n.id)).toEqual([code, branch]);
    expect(store.getState().flow.edges).toEqual([]);
    expect(store.getState().selectedNodeIds).toEqual([]);
  });
});

describe('flow store: history', () => {
  it('undoes and redoes every kind of change; a new change clears redo', () => {
    const { store, code } = chain();
    const s = () => store.getState();
    s().updateConfig(code, { code: 'return input' });
    s().renameNode(code, 'Map order');
    s().undo();
    expect(s().flow.nodes.find((n) => n.id === code)!.name).toBe('Code');
    s().undo();
    expect(s().flow.nodes.find((n) => n.id === code)!.config).toEqual({});
    s().undo();
    s().undo();
    expect(s().flow.edges).toEqual([]);
    s().redo();
    expect(s().flow.edges).toHaveLength(1);
    s().addNode('core.code', { x: 0, y: 0 });
    expect(s().future).toEqual([]);
    s().redo();
    expect(s().flow.edges).toHaveLength(1);
  });

  it('undo drops the selection of nodes it removes', () => {
    const { store, code } = chain();
    store.getState().select([code]);
    store.getState().copySelection();
    const [copy] = store.getState().paste();
    expect(store.getState().selectedNodeIds).toEqual([copy]);
    store.getState().undo();
    expect(store.getState().selectedNodeIds).toEqual([]);
    store.getState().redo();
    expect(store.getState().selectedNodeIds).toEqual([]);
  });

  it('typing into one field is one undo step; another field starts a new one', () => {
    const { store, code } = chain();
    const depth = store.getState().past.length;
    for (const text of ['r', 're', 'ret', 'return 1']) store.getState().updateConfig(code, { code: text }, 'code');
    store.getState().updateConfig(code, { code: 'return 1', timeoutMs: 5 }, 'timeoutMs');
    expect(store.getState().past.length).toBe(depth + 2);
    store.getState().undo();
    expect(store.getState().flow.nodes.find((n) => n.id === code)!.config).toEqual({ code: 'return 1' });
    store.getState().undo();
    expect(store.getState().flow.nodes.find((n) => n.id === code)!.config).toEqual({});
  });

  it('records one undo step per drag, not per mouse move', () => {
    const { store, code } = chain();
    const depth = store.getState().past.length;
    store.getState().moveNodes({ [code]: { x: 310, y: 5 } }, true);
    store.getState().moveNodes({ [code]: { x: 320, y: 10 } });
    store.getState().moveNodes({ [code]: { x: 330, y: 15 } });
    expect(store.getState().past.length).toBe(depth + 1);
    store.getState().undo();
    expect(store.getState().flow.nodes.find((n) => n.id === code)!.position).toEqual({ x: 300, y: 0 });
  });

  it('bumps the revision on each change, so autosave sees it', () => {
    const { store, code } = chain();
    const r = store.getState().revision;
    store.getState().moveNodes({ [code]: { x: 1, y: 1 } });
    store.getState().undo();
    expect(store.getState().revision).toBe(r + 2);
  });
});

describe('flow store: copy and paste', () => {
  it('pastes copies with fresh ids, offset positions, and only the edges inside the selection', () => {
    const { store, trigger, code, branch } = chain();
    store.getState().updateConfig(code, { code: 'return 1' });
    store.getState().select([code, branch]);
    expect(store.getState().copySelection()).toBe(2);
    const ids = store.getState().paste();
    expect(ids).toEqual(['code_2', 'branch_2']);
    const nodes = store.getState().flow.nodes;
    expect(nodes.find((n) => n.id === 'code_2')).toMatchObject({ position: { x: 340, y: 40 }, config: { code: 'return 1' } });
    const edges = store.getState().flow.edges;
    expect(edges.filter((e) => ids.includes(e.source) || ids.includes(e.target))).toEqual([
      { id: 'code_2.out__branch_2.in', source: 'code_2', target: 'branch_2', sourceHandle: 'out', targetHandle: 'in' },
    ]);
    expect(edges.some((e) => e.source === trigger && e.target === 'code_2')).toBe(false);
    expect(store.getState().selectedNodeIds).toEqual(ids);
    // Config is copied, not shared.
    store.getState().updateConfig('code_2', { code: 'return 2' });
    expect(store.getState().flow.nodes.find((n) => n.id === code)!.config).toEqual({ code: 'return 1' });
    expect(store.getState().paste()).toEqual(['code_3', 'branch_3']);
    expect(store.getState().flow.nodes.find((n) => n.id === 'code_3')!.position).toEqual({ x: 380, y: 80 });
    for (let i = 0; i < 3; i++) store.getState().undo();
    expect(store.getState().flow.nodes.map((n) => n.id)).toEqual([trigger, code, branch]);
  });

  it('copying nothing clears the clipboard and pasting does nothing', () => {
    const store = fresh();
    expect(store.getState().copySelection()).toBe(0);
    expect(store.getState().paste()).toEqual([]);
    expect(store.getState().past).toEqual([]);
  });
});

describe('flow store: layout, run and canvas state', () => {
  it('auto-layout puts each node right of its parents and is undoable', () => {
    const { store, trigger, code, branch } = chain();
    const t = store.getState().addNode('core.code', { x: 0, y: 0 });
    const f = store.getState().addNode('core.code', { x: 0, y: 0 });
    store.getState().connect({ source: branch, target: t, sourceHandle: 'true' });
    store.getState().connect({ source: branch, target: f, sourceHandle: 'false' });
    store.getState().autoLayout();
    const laidOut = new Map(store.getState().flow.nodes.map((n) => [n.id, n.position]));
    const at = (id: string) => {
      const p = laidOut.get(id);
      if (!p) throw new Error(`node ${id} is not on the canvas`);
      return p;
    };
    expect(at(trigger).x).toBeLessThan(at(code).x);
    expect(at(code).x).toBeLessThan(at(branch).x);
    expect(at(t).x).toBe(at(f).x);
    expect(at(t).y).not.toBe(at(f).y);
    expect(at(branch).y).toBe((at(t).y + at(f).y) / 2);
    store.getState().undo();
    expect(store.getState().flow.nodes.find((n) => n.id === t)!.position).toEqual({ x: 0, y: 0 });
  });

  it('maps a test run to node steps; the last attempt of a node wins', () => {
    const { store, code } = chain();
    const step = (status: string) => ({ nodeId: code, type: 'core.code', status, attempts: 1, startedAt: null, finishedAt: null, durationMs: 1 });
    store.getState().setTestRun({
      runId: 'r1',
      flowId: 'orders',
      flowVersion: 0,
      eventId: 'e1',
      status: 'succeeded',
      replayOf: null,
      error: null,
      createdAt: 0,
      startedAt: null,
      finishedAt: null,
      keys: {},
      steps: [step('failed'), step('succeeded')],
      input: { kind: 'sample', label: 'Sample' },
      pinned: [],
    });
    expect(store.getState().stepOf(code)?.status).toBe('succeeded');
    expect(store.getState().stepOf('nope')).toBeUndefined();
  });

  it('focusing a node selects it and raises a new focus request each time', () => {
    const { store, code } = chain();
    store.getState().focusNode(code);
    const first = store.getState().focus!.seq;
    store.getState().focusNode(code);
    expect(store.getState().focus).toEqual({ nodeId: code, seq: first + 1 });
    expect(store.getState().selectedNodeIds).toEqual([code]);
  });

  it('two stores are independent', () => {
    const a = fresh();
    const b = fresh();
    a.getState().addNode('core.code', { x: 0, y: 0 });
    expect(b.getState().flow.nodes).toEqual([]);
  });
});
