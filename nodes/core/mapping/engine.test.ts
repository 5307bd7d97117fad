// The engine against a sandbox and lookup tables that break their contracts: each gives the field a clear problem
// instead of a TypeError from deep inside the engine.
import { describe, expect, it } from 'vitest';
import type { LookupSnapshot, LookupSource, Sandbox } from '../../../runtime/node-api.ts';
import { mapConfigSchema, type FieldInput } from './config.ts';
import { compileMap } from './compile.ts';
import { runMap, type MapDeps } from './engine.ts';

const map = (fields: FieldInput[], input: unknown, deps: Omit<MapDeps, 'nodeId'>) =>
  runMap(compileMap(mapConfigSchema.parse({ fields })), input, { nodeId: 'map', ...deps });

/** A sandbox that answers only the first `answered` expressions of a batch, each with its own index. */
const shortSandbox = (answered: number): Sandbox => ({
  run: async () => {
    throw new Error('the mapper runs batches only');
  },
  runBatch: async (c) => c.expressions.slice(0, answered).map((_e, i) => ({ ok: true as const, value: [1, `value ${i}`] })),
  close: async () => {},
});

const table = (cols: Partial<Pick<LookupSnapshot, 'keyColumns' | 'valueColumns'>>): LookupSource => ({
  snapshot: async (name) => ({
    id: 1,
    name,
    scope: 'shared',
    version: 3,
    keyColumns: [{ name: 'code', match: 'text', optional: false }],
    valueColumns: ['value'],
    ...cols,
    find: () => ({ code: 'A', value: 'found' }),
  }),
});

describe('runMap when a dependency breaks its contract', () => {
  it('fails only the expressions the sandbox gave no result for', async () => {
    const r = await map(
      [
        { target: 'a', source: { kind: 'expr', expr: 'input.x' } },
        { target: 'b', source: { kind: 'expr', expr: 'input.y' } },
      ],
      { x: 1, y: 2 },
      { sandbox: shortSandbox(1) },
    );
    expect(r.output).toEqual({ a: 'value 0' });
    expect(r.problems).toEqual([
      { target: 'b', source: 'input.y', code: 'expression', message: 'target "b": expression failed: the sandbox gave no result for this expression' },
    ]);
  });

  it('names a lookup table without key columns or without value columns', async () => {
    const field: FieldInput = { target: 'v', source: { kind: 'lookup', table: 'codes', key: 'code' } };
    const noKeys = await map([field], { code: 'A' }, { lookups: table({ keyColumns: [] }) });
    expect(noKeys.problems).toMatchObject([{ target: 'v', code: 'lookup', table: 'codes', message: 'target "v": lookup table "codes" has no key columns' }]);
    const noValues = await map([field], { code: 'A' }, { lookups: table({ valueColumns: [] }) });
    expect(noValues.problems).toMatchObject([
      { target: 'v', code: 'lookup', table: 'codes', message: 'target "v": lookup table "codes" has no value columns' },
    ]);
    const fine = await map([field], { code: 'A' }, { lookups: table({}) });
    expect(fine).toMatchObject({ output: { v: 'found' }, problems: [] });
  });

  it('opens each table once, and counts a table as used (or missing) only where a field reaches it', async () => {
    const opened: string[] = [];
    const lookups: LookupSource = {
      snapshot: async (name) => {
        opened.push(name);
        if (name === 'gone') throw Object.assign(new Error('lookup table "gone" does not exist'), { name: 'LookupNotFoundError' });
        return table({}).snapshot(name);
      },
    };
    const lines: FieldInput = {
      target: 'lines',
      source: {
        kind: 'each',
        path: 'lines',
        fields: [
          { target: 'v', source: { kind: 'lookup', table: 'codes', key: 'code' } },
          { target: 'w', source: { kind: 'lookup', table: 'gone', key: 'code' } },
        ],
      },
    };
    const none = await map([lines], { lines: [] }, { lookups });
    expect(none).toMatchObject({ output: { lines: [] }, problems: [], lookupsUsed: [] });
    const two = await map(
      [lines, { target: 'top', source: { kind: 'lookup', table: 'codes', key: 'code' } }],
      { code: 'A', lines: [{ code: 'A' }, { code: 'B' }] },
      { lookups },
    );
    expect(two.output).toEqual({ top: 'found', lines: [{ v: 'found' }, { v: 'found' }] });
    expect(two.problems.map((p) => [p.target, p.code])).toEqual([
      ['lines[0].w', 'lookup-table'],
      ['lines[1].w', 'lookup-table'],
    ]);
    expect(two.lookupsUsed).toEqual([{ table: 'codes', scope: 'shared', tableId: 1, version: 3 }]);
    expect(opened.sort()).toEqual(['codes', 'codes', 'gone', 'gone']); // once per table per run of the mapping
  });
});
