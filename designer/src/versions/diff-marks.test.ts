import { describe, expect, it } from 'vitest';
import type { FlowDiff } from '../api/types.ts';
import { diffMarks } from './diff-marks.ts';

const diff = (d: Partial<FlowDiff['nodes']>): FlowDiff => ({ nodes: { added: [], removed: [], changed: [], ...d }, edges: { added: [], removed: [] } });

describe('diffMarks', () => {
  it('marks added and changed nodes that are on the canvas and lists removed ones', () => {
    const m = diffMarks(diff({ added: ['map'], removed: ['code'], changed: [{ id: 'trigger', fields: ['config.topic'] }] }), ['trigger', 'map', 'post']);
    expect(m.nodes).toEqual({ map: 'added', trigger: 'changed' });
    expect(m.removed).toEqual(['code']);
  });

  it('accepts added/removed given as objects with an id', () => {
    // Older servers sent node objects; the API contract now says ids.
    const m = diffMarks(diff({ added: [{ id: 'map', type: 'core.map' }] as unknown as string[], removed: [{ id: 'old' }] as unknown as string[] }), ['map']);
    expect(m.nodes).toEqual({ map: 'added' });
    expect(m.removed).toEqual(['old']);
  });

  it('leaves out nodes no longer on the canvas', () => {
    const m = diffMarks(diff({ added: ['gone'], changed: [{ id: 'gone-too', fields: ['name'] }] }), ['trigger']);
    expect(m.nodes).toEqual({});
  });

  it('an empty diff marks nothing', () => {
    expect(diffMarks(diff({}), ['a', 'b'])).toEqual({ nodes: {}, removed: [] });
  });
});
