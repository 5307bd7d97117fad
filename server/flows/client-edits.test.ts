import { describe, expect, it } from 'vitest';
import { clientEditProblems } from './client-edits.ts';
import { getNodeType } from '../../nodes/registry.ts';

const flowWith = (fields: unknown[]) => ({
  schemaVersion: 1,
  id: 'f',
  name: 'f',
  nodes: [
    { id: 't', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'map', type: 'core.map', position: { x: 1, y: 0 }, config: { fields } },
  ],
  edges: [{ id: 'e', source: 't', target: 'map' }],
});

const pathField = (target: string, path: string) => ({ target, source: { kind: 'path', path } });
const exprField = (target: string, expr: string) => ({ target, source: { kind: 'expr', expr } });

describe('client edits', () => {
  it('lets a client change the source path, constant or lookup of an existing field', () => {
    const before = flowWith([pathField('ref', 'name'), { target: 'channel', source: { kind: 'const', value: 'web' } }]);
    const after = flowWith([pathField('ref', 'order_number'), { target: 'channel', source: { kind: 'const', value: 'shopify' } }]);
    expect(clientEditProblems(before, after, getNodeType)).toEqual([]);
  });

  it('refuses a change to an expression, or a new field that is one', () => {
    const before = flowWith([exprField('total', 'input.a + input.b')]);
    const changed = clientEditProblems(before, flowWith([exprField('total', 'input.a * 2')]), getNodeType);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ where: 'map', message: expect.stringMatching(/expressions are for consultants/) });
    const added = clientEditProblems(flowWith([]), flowWith([exprField('x', '1')]), getNodeType);
    expect(added.length).toBeGreaterThan(0);
    // Turning an expression into a plain path is also a change to code.
    expect(clientEditProblems(before, flowWith([pathField('total', 'total_price')]), getNodeType).length).toBeGreaterThan(0);
  });
});
