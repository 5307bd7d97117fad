import { describe, expect, it } from 'vitest';
import { coreNodes } from '../nodes/core/index.ts';
import { FlowInvalidError, FlowStore, NotFoundError } from './flow-store.ts';
import { Calls, flow, testNodes } from './testing/fixtures.ts';
import { freshStores, type TestStore, testStores } from './testing/stores.ts';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

const types = [...coreNodes, ...testNodes(new Calls())];
const lookup = (t: string) => types.find((x) => x.type === t);

const addFlow = (id: string, n = 1) =>
  flow(
    id,
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'a', type: 'test.add', config: { n } },
    ],
    ['t->a'],
  );

describe.each(testStores())('FlowStore on $name', (kind) => {
  const fresh = freshStores(kind);
  const flowsOf = (s: TestStore, now?: () => number) => new FlowStore(s.store, lookup, now);

  it('publishes immutable versions with a content hash, and rolls back by publishing an old one again', async () => {
    const flows = flowsOf(await fresh());
    const doc = addFlow('v');
    await flows.create(doc);
    const v1 = await flows.publish('v', { message: 'one' });
    doc.nodes[1]!.config = { n: 2 };
    await flows.updateDraft('v', doc);
    const v2 = await flows.publish('v', { message: 'two' });
    expect(v1.hash).not.toBe(v2.hash);
    const v3 = await flows.rollback('v', 1);
    expect(v3.version).toBe(3);
    expect(v3.hash).toBe(v1.hash);
    expect((await flows.version('v', 1)).definition.nodes[1]!.config).toEqual({ n: 1 });
    expect((await flows.versions('v')).map((v) => v.version)).toEqual([3, 2, 1]);
    // The roll back puts the old content back in the draft too.
    expect(((await flows.draft('v')) as { nodes: Array<{ config: unknown }> }).nodes[1]!.config).toEqual({ n: 1 });
  });

  it('refuses to publish an invalid draft and says where the problem is', async () => {
    const flows = flowsOf(await fresh());
    await flows.create(
      flow(
        'bad',
        [
          { id: 't', type: 'trigger.manual' },
          { id: 'a', type: 'test.add', config: { n: 'x' } },
        ],
        ['t->a'],
      ),
    );
    await expect(flows.publish('bad')).rejects.toThrow(/a \$\.nodes\[1\]\.config\.n/);
    await expect(flows.publish('bad')).rejects.toBeInstanceOf(FlowInvalidError);
    expect(await flows.latestVersion('bad')).toBeNull();
  });

  it('only an active flow is listed for event routing, at its active version', async () => {
    const flows = flowsOf(await fresh());
    await flows.create(flow('act', [{ id: 't', type: 'trigger.manual' }], []));
    await flows.publish('act');
    expect(await flows.activeTriggers()).toEqual([]);
    await flows.setActive('act', true);
    expect(await flows.activeTriggers()).toEqual([{ flowId: 'act', version: 1, nodeId: 't', type: 'trigger.manual', config: {} }]);
    await flows.setActive('act', false);
    expect(await flows.activeTriggers()).toEqual([]);
  });

  it('summarises flows with their latest and active versions, in the order they were created; missing ones are not found', async () => {
    let t = 1000;
    const flows = flowsOf(await fresh(), () => t++);
    await flows.create(addFlow('b'));
    await flows.create(addFlow('a'));
    await flows.publish('a');
    await flows.publish('a', { activate: true });
    expect(await flows.list()).toEqual([
      { id: 'b', name: 'b', active: false, activeVersion: null, latestVersion: null, draftUpdatedAt: 1000, createdAt: 1000 },
      { id: 'a', name: 'a', active: true, activeVersion: 2, latestVersion: 2, draftUpdatedAt: 1001, createdAt: 1001 },
    ]);
    expect(await flows.get('a')).toMatchObject({ latestVersion: 2, activeVersion: 2 });
    await expect(flows.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.draft('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.updateDraft('nope', {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.versions('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.version('a', 9)).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.publishDocument('nope', addFlow('nope'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.setActive('nope', true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.setActive('b', true)).rejects.toThrow(/publish the flow before activating it/);
  });

  it('a published version takes over an active flow; publishing a document leaves the draft alone', async () => {
    const flows = flowsOf(await fresh());
    await flows.create(addFlow('p'));
    await flows.publish('p', { activate: true });
    expect((await flows.activeTriggers()).map((x) => x.version)).toEqual([1]);
    const doc = addFlow('p', 5);
    await flows.updateDraft('p', { ...addFlow('p', 7), name: 'draft' });
    const v2 = await flows.publishDocument('p', doc, { message: 'ops' });
    expect(v2).toMatchObject({ version: 2, message: 'ops' });
    // Our own write clears the cache: the next call routes to the new version.
    expect((await flows.activeTriggers()).map((x) => x.version)).toEqual([2]);
    expect((await flows.get('p')).name).toBe('draft');
    expect(((await flows.draft('p')) as { nodes: Array<{ config: unknown }> }).nodes[1]!.config).toEqual({ n: 7 });
    await flows.delete('p');
    expect(await flows.activeTriggers()).toEqual([]);
    await expect(flows.get('p')).rejects.toBeInstanceOf(NotFoundError);
    await expect(flows.version('p', 3)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("sees another process's activations, publishes and deactivations at its next routing check", async () => {
    const a = await fresh();
    const b = await a.twin();
    const here = flowsOf(a);
    const there = flowsOf(b);
    await there.create(addFlow('x'));
    await there.publish('x');
    expect(await here.activeTriggers()).toEqual([]);
    expect(await here.activeTriggers()).toEqual([]); // cached
    await there.setActive('x', true);
    // SQLite checks once per event-loop turn (the deliveries of one turn share it); PostgreSQL at every call.
    if (a.dialect === 'sqlite') expect(await here.activeTriggers()).toEqual([]);
    await nextTurn();
    expect((await here.activeTriggers()).map((t) => `${t.flowId}@${t.version}`)).toEqual(['x@1']);
    await there.publish('x');
    await nextTurn();
    expect((await here.activeTriggers()).map((t) => `${t.flowId}@${t.version}`)).toEqual(['x@2']);
    // A write there that leaves the active flows as they were keeps the triggers.
    await there.updateDraft('x', addFlow('x', 3));
    await nextTurn();
    expect((await here.activeTriggers()).map((t) => `${t.flowId}@${t.version}`)).toEqual(['x@2']);
    await there.setActive('x', false);
    await nextTurn();
    expect(await here.activeTriggers()).toEqual([]);
    await there.setActive('x', true, 1);
    await nextTurn();
    expect((await here.activeTriggers()).map((t) => `${t.flowId}@${t.version}`)).toEqual(['x@1']);
    await there.delete('x');
    await nextTurn();
    expect(await here.activeTriggers()).toEqual([]);
  });

  it('two processes publishing one flow at once get distinct versions, each a whole version', async () => {
    const a = await fresh();
    const b = await a.twin();
    const one = flowsOf(a);
    const two = flowsOf(b);
    await one.create(addFlow('c'));
    await one.publish('c', { activate: true });
    const published = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? two : one).publishDocument('c', addFlow('c', 10 + i), { message: `p${i}` })),
    );
    expect(published.map((v) => v.version).sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7]);
    const versions = await one.versions('c');
    expect(versions.map((v) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    for (const v of published) expect((await two.version('c', v.version)).definition.nodes[1]!.config).toEqual({ n: 10 + Number(v.message.slice(1)) });
    // The active flow follows the last version published.
    expect(await one.get('c')).toMatchObject({ active: true, activeVersion: 7, latestVersion: 7 });
  });

  it('a routing check while another caller writes in a transaction waits for it rather than reading into it', async () => {
    const s = await fresh();
    const flows = flowsOf(s);
    await flows.create(flow('w', [{ id: 't', type: 'trigger.manual' }], []));
    await flows.publish('w', { activate: true });
    expect(await flows.activeTriggers()).toHaveLength(1);
    // Another room's transaction deactivates the flow, then rolls back: the routing check must not see it.
    const { flows: f } = await import('./store/schema.ts');
    const view = s.store.sql({ flows: f });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = view
      .tx(async (t) => {
        await t.update(view.tables.flows).set({ active: false });
        await held;
        throw new Error('rolled back');
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 20));
    const fresh2 = flowsOf(s); // no cache: it reads the store
    const check = fresh2.activeTriggers();
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await tx).toBe('rolled back');
    expect((await check).map((t) => t.flowId)).toEqual(['w']);
  });
});
