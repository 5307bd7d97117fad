import { describe, expect, it } from 'vitest';
import type { NodeSampleDto } from '../api/mapping.ts';
import type { Flow, NodeTypeInfo } from '../api/types.ts';
import { defaultChoice, inputChoices, triggerExample, upstreamOf } from './samples.ts';

const type = (t: string, sampleOutput: unknown, trigger = false): NodeTypeInfo => ({
  type: t,
  version: 1,
  title: t,
  category: 'x',
  description: '',
  configSchema: {},
  inputs: [],
  outputs: [],
  idempotent: true,
  ...(trigger ? { trigger: 'shopify-webhook' as const } : {}),
  sampleOutput,
});
const types = [type('shopify.trigger', { order: { id: 1 } }, true), type('lookup.location', { warehouse: 'WH' }), type('core.map', {})];
// trigger -> lookup -> map
const flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'f',
  nodes: [
    { id: 'paid', type: 'shopify.trigger', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
    { id: 'wh', type: 'lookup.location', typeVersion: 1, name: 'Warehouse', position: { x: 0, y: 0 }, config: {} },
    { id: 'map', type: 'core.map', typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
  ],
  edges: [
    { id: 'a', source: 'paid', target: 'wh' },
    { id: 'b', source: 'wh', target: 'map' },
  ],
} as unknown as Flow;
const run = (id: string, status: string, at: number, kind: 'run' | 'test' = 'run'): NodeSampleDto => ({
  id,
  kind,
  label: id,
  status,
  at,
  value: { id },
  trigger: { t: id },
});

describe('the inputs a mapping is previewed on', () => {
  it('names the step feeding the map node', () => {
    expect(upstreamOf(flow, 'map', types)).toMatchObject({ id: 'wh', name: 'Warehouse' });
    expect(upstreamOf(flow, 'paid', types)).toBeNull();
  });

  it("offers examples only when no run reached the node: the flow's start, labelled as such, and the upstream step's output", () => {
    const c = inputChoices([], upstreamOf(flow, 'map', types), triggerExample(flow, types));
    expect(c).toEqual([
      {
        id: 'start:paid',
        kind: 'example',
        label: "Example: shopify.trigger, the flow's start (steps before this one may add fields)",
        value: { order: { id: 1 } },
      },
      { id: 'example:wh', kind: 'example', label: 'Example output of Warehouse (lookup.location)', value: { warehouse: 'WH' } },
    ]);
    expect(defaultChoice(c)?.id).toBe('start:paid');
    // Right after the trigger the server sends the trigger's example, and no second example is made up.
    const afterTrigger = inputChoices(
      [{ id: 'sample', kind: 'sample', label: 'Example: Shopify event', value: { order: 1 }, trigger: { order: 1 } }],
      upstreamOf(flow, 'wh', types),
    );
    expect(afterTrigger.map((x) => [x.id, x.kind])).toEqual([['sample', 'example']]);
  });

  it('defaults to the latest succeeded run that reached the node, test or production, keeping its trigger', () => {
    const c = inputChoices(
      [run('t1', 'failed', 50, 'test'), run('r3', 'failed', 40), run('r2', 'succeeded', 30), run('r1', 'succeeded', 10)],
      upstreamOf(flow, 'map', types),
      triggerExample(flow, types),
    );
    expect(defaultChoice(c)).toMatchObject({ id: 'r2', kind: 'run', status: 'succeeded', value: { id: 'r2' }, trigger: { t: 'r2' } });
    expect(defaultChoice(inputChoices([run('r3', 'failed', 40), run('t2', 'succeeded', 45, 'test')], null))?.id).toBe('t2');
    // None succeeded: the latest run still beats an example.
    expect(defaultChoice(inputChoices([run('r3', 'failed', 40)], upstreamOf(flow, 'map', types), triggerExample(flow, types)))?.id).toBe('r3');
    expect(defaultChoice([])).toBeNull();
  });

  it('says when a test run had its upstream pinned', () => {
    const [c] = inputChoices([{ ...run('t1', 'succeeded', 5, 'test'), pinned: true }], null);
    expect(c).toMatchObject({ kind: 'test', pinned: true });
    expect(c?.label).toMatch(/^Test run …t1 · pinned input · succeeded/);
  });
});
