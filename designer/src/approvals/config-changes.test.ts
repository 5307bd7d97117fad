import { describe, expect, it } from 'vitest';
import type { Flow } from '../api/types.ts';
import { mappingLabel, parsePath, showValue, valueChanges } from './config-changes.ts';

const doc = (fields: unknown[], x = 0): Flow =>
  ({
    schemaVersion: 1,
    id: 'f',
    name: 'f',
    nodes: [{ id: 'map', type: 'core.map', name: 'Sales order fields', position: { x, y: 0 }, config: { fields } }],
    edges: [],
  }) as unknown as Flow;

describe('valueChanges', () => {
  it('reads paths with array indexes', () => {
    expect(parsePath('config.fields[3].transforms[0].kind')).toEqual(['config', 'fields', 3, 'transforms', 0, 'kind']);
  });

  it('gives each changed path its value before and after, leaving out canvas positions', () => {
    const before = doc([{ target: 'a', source: 'order.name' }]);
    const after = doc([{ target: 'a', source: 'order.name', transforms: [{ kind: 'case', mode: 'upper' }] }], 40);
    const changes = valueChanges(
      { nodes: { added: [], removed: [], changed: [{ id: 'map', fields: ['position.x', 'config.fields[0].transforms'] }] }, edges: { added: [], removed: [] } },
      before,
      after,
    );
    expect(changes).toEqual([
      {
        nodeId: 'map',
        nodeName: 'Sales order fields',
        path: 'config.fields[0].transforms',
        label: 'a · transforms',
        before: undefined,
        after: [{ kind: 'case', mode: 'upper' }],
      },
    ]);
  });

  it('names a mapping path by its targets, a list item field with [] as the mapper does, and transforms in words', () => {
    const node = {
      config: {
        fields: [
          { target: 'externalId' },
          {
            target: 'lines',
            source: {
              kind: 'each',
              fields: [
                { target: 'sku' },
                {
                  target: 'description',
                  transforms: [
                    { op: 'truncate', length: 120 },
                    { op: 'case', to: 'upper' },
                  ],
                },
              ],
            },
          },
        ],
      },
    };
    expect(mappingLabel(node, 'config.fields[1].source.fields[1].transforms[1]')).toBe('lines[].description · transforms[1]');
    expect(mappingLabel(node, 'config.fields[0].source.path')).toBe('externalId · source.path');
    expect(mappingLabel(node, 'config.fields[1]')).toBe('lines');
    expect(mappingLabel(node, 'config.other')).toBe('config.other');
    expect(showValue({ op: 'case', to: 'upper' })).toBe('upper case');
    expect(
      showValue([
        { op: 'truncate', length: 120 },
        { op: 'case', to: 'upper' },
      ]),
    ).toBe('cut to 120, upper case');
    expect(showValue(undefined)).toBe('—');
    expect(showValue({ path: 'order.name' })).toBe('{"path":"order.name"}');
  });
});
