import { describe, expect, it } from 'vitest';
import type { Flow } from '../api/types.ts';
import { mapConfigSchema } from '../../../nodes/core/mapping/config.ts';
import { createMapperStore, previewIsCurrent, type PreviewView } from './mapper-store.ts';

const flow = (): Flow =>
  ({
    schemaVersion: 1,
    id: 'orders',
    name: 'Orders',
    nodes: [
      { id: 'trigger', type: 'shopify.trigger', typeVersion: 1, position: { x: 0, y: 0 }, config: { connection: 'sandbox-shop', topic: 'orders/paid' } },
      {
        id: 'map',
        type: 'core.map',
        typeVersion: 1,
        position: { x: 300, y: 0 },
        config: {
          timeoutMs: 500,
          fields: [
            { target: 'ref', source: { kind: 'path', path: 'order.name' } },
            { target: 'lines', source: { kind: 'each', path: 'order.lineItems', fields: [{ target: 'sku', source: { kind: 'path', path: 'sku' } }] } },
          ],
        },
      },
      { id: 'map2', type: 'core.map', typeVersion: 1, position: { x: 300, y: 200 }, config: { fields: [] } },
    ],
    edges: [],
  }) as Flow;

describe('mapper store', () => {
  it('edits the first map node: sources, targets, transforms, and writes them back into the flow', () => {
    const s = createMapperStore(flow());
    const st = () => s.getState();
    expect(st().nodeId).toBe('map');
    expect(
      st()
        .mapNodes()
        .map((n) => n.id),
    ).toEqual(['map', 'map2']);
    st().setSource([0], { kind: 'const', value: 'X' });
    st().setTarget([0], 'reference');
    st().addTransform([0], { op: 'trim' });
    st().addTransform([0], { op: 'case', to: 'upper' });
    st().moveTransform([0], 1, -1);
    expect(st().fields[0]?.transforms).toEqual([{ op: 'case', to: 'upper' }, { op: 'trim' }]);
    st().moveTransform([0], 0, -1);
    expect(st().fields[0]?.transforms?.[0]).toEqual({ op: 'case', to: 'upper' });
    st().updateTransform([0], 0, { op: 'case', to: 'lower' });
    st().removeTransform([0], 1);
    st().removeTransform([0], 0);
    expect(st().fields[0]).toEqual({ target: 'reference', source: { kind: 'const', value: 'X' } });
    st().setRequired([0], false);
    expect(st().fields[0]?.required).toBe(false);
    st().setRequired([0], true);
    expect('required' in st().fields[0]!).toBe(false);
    expect(st().revision).toBe(11);

    const saved = st().flowForSave();
    const node = saved.nodes.find((n) => n.id === 'map')!;
    expect(node.config.timeoutMs).toBe(500);
    expect(mapConfigSchema.safeParse(node.config).success).toBe(true);
    // The original document is untouched until saved.
    expect(flow().nodes[1]?.config.fields).toHaveLength(2);
    expect((st().flow.nodes[1]!.config.fields as unknown[])[0]).toMatchObject({ target: 'ref' });
  });

  it('a dropped path becomes relative inside lists and selects the field', () => {
    const s = createMapperStore(flow());
    s.getState().assignPath([1, 0], 'order.lineItems[0].title');
    expect(s.getState().fields[1]?.source).toMatchObject({ fields: [{ source: { kind: 'path', path: 'title' } }] });
    expect(s.getState().selected).toEqual([1, 0]);
    s.getState().assignPath([0], 'order.email');
    expect(s.getState().fields[0]?.source).toEqual({ kind: 'path', path: 'order.email' });
  });

  it('adds fields named after the dropped source, unique at their level, and removes them', () => {
    const s = createMapperStore(flow());
    const a = s.getState().addField(null, 'order.name');
    expect(a).toEqual([2]);
    expect(s.getState().fields[2]).toEqual({ target: 'name', source: { kind: 'path', path: 'order.name' } });
    const b = s.getState().addField([1], 'order.lineItems[0].sku');
    expect(b).toEqual([1, 1]);
    expect((s.getState().fields[1]!.source as { fields: unknown[] }).fields[1]).toEqual({ target: 'sku2', source: { kind: 'path', path: 'sku' } });
    s.getState().addField(null);
    expect(s.getState().fields[3]?.target).toBe('field');
    s.getState().removeField([1, 1]);
    expect((s.getState().fields[1]!.source as { fields: unknown[] }).fields).toHaveLength(1);
    expect(s.getState().selected).toBeNull();
  });

  it('refuses a field under a parent that is gone with the list-field message, not a TypeError', () => {
    const s = createMapperStore(flow());
    expect(() => s.getState().addField([5], 'order.name')).toThrow('fields can only be added inside a list ("each") field');
    expect(s.getState().fields).toHaveLength(2);
  });

  it('switching node keeps unsaved edits of the first in the document', () => {
    const s = createMapperStore(flow());
    s.getState().setTarget([0], 'changed');
    s.getState().chooseNode('map2');
    expect(s.getState().fields).toEqual([]);
    s.getState().chooseNode('map');
    expect(s.getState().fields[0]?.target).toBe('changed');
  });

  it('tracks saved revisions and a flow without map node', () => {
    const s = createMapperStore(flow(), 'map2');
    expect(s.getState().nodeId).toBe('map2');
    s.getState().addField(null);
    s.getState().markSaved(s.getState().revision);
    expect(s.getState().savedRevision).toBe(s.getState().revision);
    const none = createMapperStore({ ...flow(), nodes: [flow().nodes[0]!] });
    expect(none.getState().nodeId).toBeNull();
    expect(none.getState().flowForSave().nodes).toHaveLength(1);
  });

  it('a preview computed for an older edit is not the verdict on the current mapping', () => {
    const s = createMapperStore(flow());
    const st = () => s.getState();
    const clean = (output: Record<string, unknown>): PreviewView => ({
      ok: true,
      output,
      fields: [],
      problems: [],
      configProblems: [],
      lookupsUsed: [],
      durationMs: 1,
    });
    expect(previewIsCurrent(st())).toBe(false);
    st().setPreview(clean({ ref: '#1' }), null, st().revision);
    expect(previewIsCurrent(st())).toBe(true);
    // Suggestions accepted: the answer in flight was asked for the mapping before them.
    const asked = st().revision;
    st().replaceFields([{ target: 'externalId', source: { kind: 'path', path: 'order.id' } }]);
    expect(previewIsCurrent(st())).toBe(false);
    st().setPreview(clean({}), null, asked);
    expect(previewIsCurrent(st())).toBe(false);
    st().setPreview(clean({ externalId: 'gid://shopify/Order/1' }), null, st().revision);
    expect(previewIsCurrent(st())).toBe(true);
    // A failed preview of the current edit is current too; a new sample starts over.
    st().setPreview(null, 'network down', st().revision);
    expect(previewIsCurrent(st())).toBe(true);
    st().setSample({ id: 'sample', kind: 'example', label: 'x', value: {} });
    expect(previewIsCurrent(st())).toBe(false);
  });
});
