import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema } from './json-schema.ts';

describe('flow.schema.json', () => {
  it('is the committed copy of the zod schema (run `npx tsx scripts/emit-flow-schema.ts` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('./flow.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(flowJsonSchema());
  });

  it('describes nodes keyed by id and edges between node ids', () => {
    const s = flowJsonSchema() as any;
    expect(s.required).toEqual(expect.arrayContaining(['schemaVersion', 'id', 'name', 'nodes', 'edges']));
    expect(s.properties.edges.items.required).toEqual(expect.arrayContaining(['id', 'source', 'target']));
    expect(s.properties.nodes.items.required).toEqual(expect.arrayContaining(['id', 'type', 'position']));
  });
});
