import { describe, expect, it } from 'vitest';
import type { Flow, NodeTypeInfo, RunRecord } from '../api/types.ts';
import { catalogSample, eventOfRun } from './samples.ts';

const type = (t: string, trigger: boolean, sampleOutput: unknown): NodeTypeInfo => ({
  type: t, version: 1, title: t === 'shopify.trigger' ? 'Shopify event' : 'Map fields', category: 'x', description: '', configSchema: {}, inputs: [], outputs: [],
  idempotent: true, ...(trigger ? { trigger: 'shopify-webhook' as const } : {}), sampleOutput,
});
const flow = (types: string[]): Flow => ({ schemaVersion: 1, id: 'f', name: 'f', nodes: types.map((t, i) => ({ id: `n${i}`, type: t, typeVersion: 1, position: { x: 0, y: 0 }, config: {} })), edges: [] } as Flow);

describe('mapper samples', () => {
  it("takes the trigger's catalog example, whatever the node order", () => {
    const types = [type('core.map', false, { no: 1 }), type('shopify.trigger', true, { order: { id: 'gid://shopify/Order/1' } })];
    expect(catalogSample(flow(['core.map', 'shopify.trigger']), types)).toEqual({ id: 'catalog', label: 'Example: Shopify event (shopify.trigger)', value: { order: { id: 'gid://shopify/Order/1' } } });
    expect(catalogSample(flow(['core.map']), types)).toBeNull();
  });

  it("takes a run's event from its first step with an output", () => {
    const step = (nodeId: string, output?: unknown) => ({ nodeId, type: 't', status: 'succeeded', attempts: 1, startedAt: null, finishedAt: null, durationMs: 1, ...(output === undefined ? {} : { output }) });
    const run = { steps: [step('queued-trigger'), step('trigger', { order: 1 }), step('map', { x: 1 })] } as unknown as RunRecord;
    expect(eventOfRun(run)).toEqual({ order: 1 });
    expect(eventOfRun({ steps: [] } as unknown as RunRecord)).toBeUndefined();
  });
});
